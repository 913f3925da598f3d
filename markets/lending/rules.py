"""The rules of lending, in pure code: periods, pickup slots, and what a booking must say.

Nothing here touches the database; the services call these before they write anything, so
bad input is refused while nothing has been written yet. Times are stored in UTC and
reasoned about in Asia/Seoul, where the markets are (no daylight saving since 1988).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from infra.clock import SEOUL, as_utc, seoul_time
from infra.clock import seoul_date as clock_seoul_date
from infra.errors import CommonErrorCode, Problems
from infra.text import unsafe_characters
from markets.lending.errors import LendingErrorCode
from markets.lending.models import Condition

#: More kits than this in one loan is a bulk order for the desk to arrange, not a booking.
MAX_KITS_PER_LOAN = 10
MAX_ITEM_QUANTITY = 50
#: A date-range loan may last at most two weeks; the desk lends for events, not seasons.
MAX_RANGE_DAYS = 14
#: How far ahead one may book.
MAX_DAYS_AHEAD = 180
MAX_NOTE = 500
MAX_UNITS_PER_ITEM = 500

#: The clock's helpers under the names lending's modules use (one implementation, infra/clock).
aware = as_utc
seoul_date = clock_seoul_date


def at_seoul(day: dt.date, time: dt.time) -> dt.datetime:
    """A wall-clock time in Seoul on ``day``, as an aware UTC datetime."""
    return dt.datetime.combine(day, time, tzinfo=SEOUL).astimezone(dt.UTC)


def hhmm(moment: dt.datetime) -> str:
    return seoul_time(moment, "%H:%M")


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A half-open span ``[starts_at, ends_at)``; ``ends_at=None`` runs until further notice.

    Half-open, so a loan ending at 18:00 and the next starting at 18:00 do not clash (the
    same bounds as PostgreSQL's ``tstzrange(starts_at, ends_at, '[)')`` in the constraint).
    """

    starts_at: dt.datetime
    ends_at: dt.datetime | None

    def overlaps(self, other: Period) -> bool:
        starts_before_other_ends = other.ends_at is None or self.starts_at < other.ends_at
        ends_after_other_starts = self.ends_at is None or self.ends_at > other.starts_at
        return starts_before_other_ends and ends_after_other_starts


def market_day_period(setup_from: dt.datetime, closes_at: dt.datetime) -> Period:
    """A market-day loan runs from set-up (when pickup starts) to closing time."""
    return Period(aware(setup_from), aware(closes_at))


def date_range_period(
    start: dt.date, end: dt.date, desk_opens: dt.time, desk_closes: dt.time
) -> Period:
    """From the desk's opening on the first day to its closing on the last (Seoul time)."""
    return Period(at_seoul(start, desk_opens), at_seoul(end, desk_closes))


def slot_starts(
    window_start: dt.datetime, window_end: dt.datetime, slot_minutes: int
) -> list[dt.datetime]:
    """Pickup slots every ``slot_minutes`` from ``window_start`` while before ``window_end``.

    A window too short for a slot (set-up at opening time) still has one slot at its start:
    equipment has to be picked up some time.
    """
    start, end = aware(window_start), aware(window_end)
    step = dt.timedelta(minutes=slot_minutes)
    slots = []
    moment = start
    while moment < end:
        slots.append(moment)
        moment += step
    return slots or [start]


def market_day_slots(
    setup_from: dt.datetime, opens_at: dt.datetime, slot_minutes: int
) -> list[dt.datetime]:
    """Pickup before the market opens: from set-up time until opening."""
    return slot_starts(setup_from, opens_at, slot_minutes)


def date_range_slots(
    start: dt.date, desk_opens: dt.time, desk_closes: dt.time, slot_minutes: int
) -> list[dt.datetime]:
    """Pickup on the first day during desk hours."""
    return slot_starts(at_seoul(start, desk_opens), at_seoul(start, desk_closes), slot_minutes)


def match_slot(raw: str | dt.datetime | None, slots: Sequence[dt.datetime]) -> dt.datetime | None:
    """The slot a person named: ``"09:30"`` (Seoul wall clock) or an ISO datetime."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.datetime):
        wanted = aware(raw)
        return next((s for s in slots if s == wanted), None)
    text = raw.strip()
    if len(text) == 5 and text[2] == ":":
        return next((s for s in slots if hhmm(s) == text), None)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SEOUL)
    return next((s for s in slots if s == parsed.astimezone(dt.UTC)), None)


# ---------------------------------------------------------------- bookings


def parse_date(raw: str | dt.date | None) -> dt.date | None:
    if raw is None:
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class BookingRequest:
    """What a vendor asks for: a kit (times ``quantity``) and/or single items, for one market
    day or for a date range, with a pickup slot (``"HH:MM"`` Seoul time, or ISO)."""

    vendor_id: int
    market_id: int
    kit_id: int | None = None
    quantity: int = 1
    items: Sequence[tuple[int, int]] = ()
    market_day_id: int | None = None
    start_date: str | dt.date | None = None
    end_date: str | dt.date | None = None
    pickup_at: str | dt.datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class CleanBooking:
    vendor_id: int
    market_id: int
    kit_id: int | None
    kit_quantity: int
    items: tuple[tuple[int, int], ...]
    market_day_id: int | None
    start_date: dt.date | None
    end_date: dt.date | None
    pickup_at: str | dt.datetime | None
    note: str = field(default="")


def clean_booking(
    request: BookingRequest, problems: Problems, *, today: dt.date
) -> CleanBooking | None:
    """Check the shape of a booking; every wrong field is added to ``problems``."""
    kit_quantity = 0
    if request.kit_id is not None:
        if not 1 <= request.quantity <= MAX_KITS_PER_LOAN:
            problems.add(
                LendingErrorCode.INVALID_QUANTITY,
                "quantity",
                f"세트 수량은 1개에서 {MAX_KITS_PER_LOAN}개 사이로 입력해 주세요.",
            )
        kit_quantity = request.quantity
    items: list[tuple[int, int]] = []
    seen: set[int] = set()
    for index, (item_id, quantity) in enumerate(request.items):
        if not 1 <= quantity <= MAX_ITEM_QUANTITY:
            problems.add(
                LendingErrorCode.INVALID_QUANTITY,
                f"items[{index}].quantity",
                f"수량은 1개에서 {MAX_ITEM_QUANTITY}개 사이로 입력해 주세요.",
            )
        if item_id in seen:
            problems.add(
                LendingErrorCode.DUPLICATE_ITEM,
                f"items[{index}].item_id",
                "같은 장비를 두 번 적었습니다. 수량을 합쳐 한 줄로 적어 주세요.",
            )
        seen.add(item_id)
        items.append((item_id, quantity))
    if request.kit_id is None and not items:
        problems.add(
            LendingErrorCode.NOTHING_REQUESTED, "kit_id", "빌릴 세트나 장비를 선택해 주세요."
        )

    start = end = None
    has_range = request.start_date not in (None, "") or request.end_date not in (None, "")
    if request.market_day_id is not None and has_range:
        problems.add(
            LendingErrorCode.PERIOD_CHOICE,
            "market_day_id",
            "장날과 기간 중 하나만 선택해 주세요.",
        )
    elif request.market_day_id is None and not has_range:
        problems.add(
            LendingErrorCode.PERIOD_CHOICE,
            "market_day_id",
            "장날을 선택하거나 대여 기간(시작일·종료일)을 입력해 주세요.",
        )
    elif has_range:
        start = parse_date(request.start_date)
        end = parse_date(request.end_date)
        if start is None:
            problems.add(
                LendingErrorCode.INVALID_DATE, "start_date", "시작일을 YYYY-MM-DD로 입력해 주세요."
            )
        if end is None:
            problems.add(
                LendingErrorCode.INVALID_DATE, "end_date", "종료일을 YYYY-MM-DD로 입력해 주세요."
            )
        if start is not None and end is not None:
            if end < start:
                problems.add(
                    LendingErrorCode.INVALID_PERIOD,
                    "end_date",
                    "종료일이 시작일보다 앞설 수 없습니다.",
                )
            elif (end - start).days + 1 > MAX_RANGE_DAYS:
                problems.add(
                    LendingErrorCode.INVALID_PERIOD,
                    "end_date",
                    f"대여 기간은 최대 {MAX_RANGE_DAYS}일입니다.",
                )
        if start is not None and start < today:
            problems.add(
                LendingErrorCode.PERIOD_IN_PAST, "start_date", "지난 날짜는 예약할 수 없습니다."
            )
        elif start is not None and (start - today).days > MAX_DAYS_AHEAD:
            problems.add(
                LendingErrorCode.INVALID_PERIOD,
                "start_date",
                f"{MAX_DAYS_AHEAD}일 이후의 대여는 아직 예약할 수 없습니다.",
            )
    note = (request.note or "").strip()
    if len(note) > MAX_NOTE:
        problems.add(LendingErrorCode.TOO_LONG, "note", f"메모는 {MAX_NOTE}자 이내로 적어 주세요.")
    if problems:
        return None
    return CleanBooking(
        vendor_id=request.vendor_id,
        market_id=request.market_id,
        kit_id=request.kit_id,
        kit_quantity=kit_quantity,
        items=tuple(items),
        market_day_id=request.market_day_id,
        start_date=start,
        end_date=end,
        pickup_at=request.pickup_at,
        note=note,
    )


def merge_lines(
    kit_components: Sequence[tuple[int, int]], kit_quantity: int, items: Sequence[tuple[int, int]]
) -> dict[int, int]:
    """Item id → units wanted: the kit's components times the number of kits, plus extras."""
    wanted: dict[int, int] = {}
    for item_id, per_kit in kit_components:
        wanted[item_id] = wanted.get(item_id, 0) + per_kit * kit_quantity
    for item_id, quantity in items:
        wanted[item_id] = wanted.get(item_id, 0) + quantity
    return wanted


# ---------------------------------------------------------------- inspections


@dataclass(frozen=True)
class UnitReport:
    """What the desk saw of one unit; units a check-out or check-in does not mention are
    taken to be in good condition (the common case needs no typing)."""

    unit_id: int
    condition: str = Condition.GOOD.value
    note: str = ""


def clean_reports(
    reports: Sequence[UnitReport], allowed_units: set[int], problems: Problems,
    *, allow_missing: bool = True,
) -> dict[int, tuple[Condition, str]]:
    cleaned: dict[int, tuple[Condition, str]] = {}
    for index, report in enumerate(reports):
        condition = next((c for c in Condition if c.value == report.condition), None)
        if report.unit_id not in allowed_units:
            problems.add(
                LendingErrorCode.UNKNOWN_UNIT,
                f"units[{index}].unit_id",
                "이 대여에 속한 장비가 아닙니다.",
            )
        elif report.unit_id in cleaned:
            problems.add(
                LendingErrorCode.DUPLICATE_ITEM,
                f"units[{index}].unit_id",
                "같은 장비의 상태를 두 번 적었습니다.",
            )
        if condition is None or (condition is Condition.MISSING and not allow_missing):
            problems.add(
                LendingErrorCode.INVALID_CONDITION,
                f"units[{index}].condition",
                "상태는 양호·파손·분실 중에서 골라 주세요.",
            )
        note = (report.note or "").strip()
        if len(note) > MAX_NOTE:
            problems.add(
                LendingErrorCode.TOO_LONG, f"units[{index}].note",
                f"메모는 {MAX_NOTE}자 이내로 적어 주세요.",
            )
        if condition is not None and condition is not Condition.GOOD and not note:
            problems.add(
                LendingErrorCode.REASON_REQUIRED,
                f"units[{index}].note",
                "파손·분실은 어떤 상태인지 메모를 남겨 주세요.",
            )
        if condition is not None:
            cleaned[report.unit_id] = (condition, note)
    return cleaned


def clean_name(raw: str, field_name: str, problems: Problems, *, max_length: int = 60) -> str:
    value = " ".join((raw or "").split())
    if not value or len(value) > max_length:
        problems.add(
            LendingErrorCode.INVALID_NAME,
            field_name,
            f"이름을 1자에서 {max_length}자 사이로 입력해 주세요.",
        )
    elif (unsafe := unsafe_characters(value)) is not None:
        problems.add(CommonErrorCode.UNSAFE_CHARACTERS, field_name, unsafe)
    return value


def clean_reason(raw: str | None) -> str:
    return " ".join((raw or "").split())[:MAX_NOTE]
