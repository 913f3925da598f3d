"""Market-day use cases: generate, cancel, close, set the fee, check in, record fees and sales.

Each use case is one transaction: its rows, audit rows and outbox events commit together,
and every rule is checked before anything is written. ``now`` is a parameter wherever time
decides (tests pass a fixed moment); it defaults to the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import dialect_name
from infra.errors import Conflict, InvalidInput, NotFound
from infra.outbox import record
from markets.access import get_market, require_market_organizer
from markets.applications import services as places
from markets.applications.events import ApplicationStrikeChanged
from markets.applications.models import Application
from markets.applications.queries import accepted_applications, booked_applications, booking_for
from markets.days import fees
from markets.days import payments as fee_payments
from markets.days.errors import MarketErrorCode, Problems, clean_reason, require_organizer
from markets.days.events import (
    BoothSalesReported,
    CheckInRecorded,
    MarketDayCancelled,
    MarketDayFeeChanged,
    MarketDayHeld,
    MarketDaysGenerated,
)
from markets.days.models import (
    MARKET_DAY_TRANSITIONS,
    BoothFee,
    BoothFeeStatus,
    BoothSalesReport,
    CheckIn,
    CheckInStatus,
    MarketDay,
    MarketDayNotice,
    MarketDayStatus,
    NoticeKind,
)
from markets.models import Market
from markets.schedules import describe_day, local_today, occurrences_between
from shop.vendors.access import vendor_for_member

#: How far ahead market days exist, so vendors can apply for them and calendars show them.
HORIZON_WEEKS = 8
#: A vendor may report (and correct) its booth sales until this long after the day.
SALES_EDIT_DAYS = 7
MAX_FEE = 1_000_000
MAX_SALES_AMOUNT = 1_000_000_000
MAX_SALES_COUNT = 100_000
MAX_BEST_SELLERS = 10



async def organizer_of_day(session: AsyncSession, actor: User | None, day_id: int) -> User:
    """The actor, if it runs the market of the day (``markets.access``); 404 for no such day."""
    require_organizer(actor)
    market_id = await session.scalar(select(MarketDay.market_id).where(MarketDay.id == day_id))
    if market_id is None:
        raise NotFound(
            MarketErrorCode.MARKET_DAY_NOT_FOUND, "장날을 찾을 수 없습니다.", field="market_day_id"
        )
    return await require_market_organizer(session, actor, int(market_id))


async def get_day(session: AsyncSession, day_id: int, *, for_update: bool = False) -> MarketDay:
    stmt = select(MarketDay).where(MarketDay.id == day_id)
    if for_update and dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    day = await session.scalar(stmt.execution_options(populate_existing=True))
    if day is None:
        raise NotFound(
            MarketErrorCode.MARKET_DAY_NOT_FOUND, "장날을 찾을 수 없습니다.", field="market_day_id"
        )
    return day


# ---------------------------------------------------------------- generation


def planned_days(market: Market, start: dt.date, end: dt.date) -> list[MarketDay]:
    """The market's openings with local dates in ``[start, end]``, as unsaved rows."""
    planned = []
    zone = ZoneInfo(market.timezone)
    for opens in occurrences_between(
        market.rrule, market.opens, market.season_months, start=start, end=end,
        timezone=market.timezone,
    ):
        closes = dt.datetime.combine(opens.date(), market.closes, tzinfo=zone)
        planned.append(
            MarketDay(
                market_id=market.id,
                day=opens.date(),
                opens_at=opens.astimezone(dt.UTC),
                closes_at=closes.astimezone(dt.UTC),
                setup_from=(opens - dt.timedelta(minutes=market.setup_minutes)).astimezone(dt.UTC),
                status=MarketDayStatus.SCHEDULED,
                booth_fee=market.default_booth_fee,
            )
        )
    return planned


async def generate_market_days(
    session: AsyncSession,
    market: Market,
    until: dt.date,
    *,
    since: dt.date | None = None,
) -> list[MarketDay]:
    """Create the market's missing days from ``since`` (today in Seoul) to ``until``.

    Idempotent: an existing (market, day) is left alone, whether it was generated before or
    is being generated right now by another process (``INSERT … ON CONFLICT DO NOTHING``
    on the unique key). Accepted whole-season vendors get their due fees on each new day.
    Returns the days this call created, and commits.
    """
    start = since or local_today(market.timezone)
    planned = planned_days(market, start, until)
    if not planned:
        return []
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    columns = ("market_id", "day", "opens_at", "closes_at", "setup_from", "status", "booth_fee")
    rows = [{c: getattr(d, c) for c in columns} for d in planned]
    created_ids = list(
        (
            await session.scalars(
                insert(MarketDay)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["market_id", "day"])
                .returning(MarketDay.id)
            )
        ).all()
    )
    if not created_ids:
        await session.commit()  # nothing new; commit (not rollback) keeps loaded rows usable
        return []
    created = list(
        (
            await session.scalars(
                select(MarketDay).where(MarketDay.id.in_(created_ids)).order_by(MarketDay.day)
            )
        ).all()
    )
    by_season: dict[int, list[Application]] = {}
    for day in created:
        season = day.day.year
        if season not in by_season:
            by_season[season] = await accepted_applications(session, market.id, season)
        await fees.assess(session, day, by_season[season], None, "장날 생성")
    record(
        session, MarketDaysGenerated(id=market.id, days=[d.day.isoformat() for d in created])
    )
    await session.commit()
    return created


async def generate_all(
    session: AsyncSession, *, weeks: int = HORIZON_WEEKS, now: dt.datetime | None = None
) -> dict[str, int]:
    """Keep every market's days generated ``weeks`` ahead; ``{market name: days created}``."""
    markets = (await session.scalars(select(Market).order_by(Market.id))).all()
    created: dict[str, int] = {}
    for market in markets:
        today = local_today(market.timezone, now)
        days = await generate_market_days(
            session, market, today + dt.timedelta(weeks=weeks), since=today
        )
        created[market.name] = len(days)
    return created


async def close_past_days(session: AsyncSession, now: dt.datetime | None = None) -> int:
    """Scheduled days that have closed become held (열림): check-in and sales refer to them."""
    moment = now or utcnow()
    days = (
        await session.scalars(
            select(MarketDay).where(
                MarketDay.status == MarketDayStatus.SCHEDULED, MarketDay.closes_at < moment
            )
        )
    ).all()
    for day in days:
        MARKET_DAY_TRANSITIONS.check(day.status, MarketDayStatus.HELD)
        day.status = MarketDayStatus.HELD
        record(
            session, MarketDayHeld(id=day.id, market_id=day.market_id, day=day.day.isoformat())
        )
    await session.commit()
    return len(days)


# ---------------------------------------------------------------- organizer actions


async def cancel_market_day(
    session: AsyncSession,
    day_id: int,
    actor: User | None,
    reason: str | None,
    *,
    now: dt.datetime | None = None,
) -> MarketDay:
    """장날 취소 (weather, …): the reason is told to every vendor booked on the day.

    Due fees of the day are waived and paid ones become refunds owed, each audited; the
    event names the booked vendors so a worker writes their notices.
    """
    organizer = await organizer_of_day(session, actor, day_id)
    why = clean_reason(reason)
    if not why:
        raise InvalidInput(
            MarketErrorCode.REASON_REQUIRED,
            "취소 사유를 입력해 주세요. 참가 기업에 그대로 전달됩니다.",
            field="reason",
        )
    day = await get_day(session, day_id, for_update=True)
    MARKET_DAY_TRANSITIONS.check(day.status, MarketDayStatus.CANCELLED)
    if day.closes_at <= (now or utcnow()):
        raise Conflict(
            MarketErrorCode.DAY_IN_PAST, "이미 끝난 장날은 취소할 수 없습니다.",
            field="market_day_id",
        )
    market = await get_market(session, day.market_id)
    booked = await booked_applications(session, day)
    waived, refund_due = fees.settle_cancelled(
        session, await fees.fees_of_day(session, day.id), organizer.id, f"장날 취소: {why}"
    )
    day.status = MarketDayStatus.CANCELLED
    day.cancel_reason = why
    day.cancelled_by_user_id = organizer.id
    day.cancelled_at = now or utcnow()
    record(
        session,
        MarketDayCancelled(
            id=day.id, market_id=day.market_id, actor_user_id=organizer.id,
            day=day.day.isoformat(), market_name=market.name, reason=why,
            vendor_ids=sorted({a.vendor_id for a in booked}),
            fees_waived=waived, fees_refund_due=refund_due,
        ),
    )
    await session.commit()
    return day


async def set_day_fee(
    session: AsyncSession, day_id: int, actor: User | None, amount: int | str
) -> MarketDay:
    """Change one day's booth fee; unpaid fees follow, booked vendors without one get one."""
    organizer = await organizer_of_day(session, actor, day_id)
    value = amount if isinstance(amount, int) and not isinstance(amount, bool) else None
    if isinstance(amount, str) and amount.strip().replace(",", "").isdigit():
        value = int(amount.strip().replace(",", ""))
    if value is None or not 0 <= value <= MAX_FEE:
        problems = Problems()
        problems.add(
            MarketErrorCode.INVALID_AMOUNT, "booth_fee",
            f"참가비는 0원에서 {MAX_FEE:,}원 사이의 정수로 입력하세요.",
        )
        problems.raise_if_any()
    assert value is not None
    day = await get_day(session, day_id, for_update=True)
    if day.status is not MarketDayStatus.SCHEDULED:
        raise Conflict(
            MarketErrorCode.DAY_CANCELLED,
            f"'{day.status.label}' 상태의 장날은 참가비를 바꿀 수 없습니다.",
            field="booth_fee",
        )
    if day.booth_fee == value:
        await session.commit()
        return day
    day.booth_fee = value
    await fees.reprice_due(session, day)
    await fees.assess(session, day, await booked_applications(session, day), organizer.id,
                      "참가비 변경")
    record(
        session,
        MarketDayFeeChanged(
            id=day.id, market_id=day.market_id, actor_user_id=organizer.id, booth_fee=value
        ),
    )
    await session.commit()
    return day


FEE_ACTIONS: dict[str, tuple[BoothFeeStatus, str, bool]] = {
    # action: (target, label, reason required)
    "paid": (BoothFeeStatus.PAID, "납부 확인", False),
    "waive": (BoothFeeStatus.WAIVED, "면제", True),
    "refunded": (BoothFeeStatus.REFUNDED, "환불 완료", False),
}


async def change_fee_status(
    session: AsyncSession, fee_id: int, actor: User | None, action: str, reason: str | None = ""
) -> BoothFee:
    """An organizer records a payment, a waiver or a refund made, with who and why."""
    organizer = require_organizer(actor)
    fee_day = await session.scalar(select(BoothFee.market_day_id).where(BoothFee.id == fee_id))
    if fee_day is None:
        raise NotFound(MarketErrorCode.FEE_NOT_FOUND, "참가비 내역을 찾을 수 없습니다.",
                       field="fee_id")
    await organizer_of_day(session, organizer, int(fee_day))
    if action not in FEE_ACTIONS:
        raise InvalidInput(MarketErrorCode.INVALID_CHOICE, "알 수 없는 처리입니다.", field="action")
    target, label, reason_required = FEE_ACTIONS[action]
    why = clean_reason(reason)
    if reason_required and not why:
        raise InvalidInput(
            MarketErrorCode.REASON_REQUIRED, f"{label} 사유를 입력해 주세요.", field="reason"
        )
    stmt = select(BoothFee).where(BoothFee.id == fee_id)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    fee = await session.scalar(stmt.execution_options(populate_existing=True))
    if fee is None:
        raise NotFound(MarketErrorCode.FEE_NOT_FOUND, "참가비 내역을 찾을 수 없습니다.",
                       field="fee_id")
    if target is BoothFeeStatus.REFUNDED and await fee_payments.card_payment_of(session, fee):
        raise Conflict(
            MarketErrorCode.FEE_PAID_BY_CARD,
            "카드로 낸 참가비는 카드로 자동 환불됩니다. 따로 환불 처리하지 마세요.",
            field="action",
        )
    fees.move(session, fee, target, organizer.id, why or label)
    await session.commit()
    return fee


# ---------------------------------------------------------------- check-in


async def record_check_in(
    session: AsyncSession,
    day_id: int,
    vendor_id: int,
    actor: User | None,
    status: CheckInStatus | str,
    note: str | None = "",
    *,
    now: dt.datetime | None = None,
) -> CheckIn:
    """출석 확인 for one booked vendor; a no-show adds a strike to its application.

    A no-show also gives up the vendor's place on this day: the booth it held is freed and
    the place offered down the waitlist, as a withdrawal does for a whole booking
    (``markets.applications.services.release_no_show_place``). That takes the market-row
    lock first (decisions.md 11), so two organizers recording the same vendor at once, or a
    no-show and a withdrawal, cannot offer one place twice.

    Re-recording corrects the earlier entry: moving off ``no_show`` takes its strike back
    and the place with it (open offers voided, booth returned if still empty), so strikes
    always equal the number of no-shows on record. Strikes change with an atomic
    ``UPDATE … SET strikes = strikes ± 1``, never read-modify-write.
    """
    organizer = await organizer_of_day(session, actor, day_id)
    chosen = next((s for s in CheckInStatus if s.value == str(status)), None)
    if chosen is None:
        problems = Problems()
        problems.add(MarketErrorCode.INVALID_CHOICE, "status", "출석 상태를 고르세요.")
        problems.raise_if_any()
    assert chosen is not None
    text = (note or "").strip()[:500]
    moment = now or utcnow()
    day = await get_day(session, day_id)
    market = await places.lock_market(session, day.market_id)
    if day.status is MarketDayStatus.CANCELLED:
        raise Conflict(MarketErrorCode.DAY_CANCELLED, "취소된 장날입니다.", field="market_day_id")
    if moment < day.setup_from:
        raise Conflict(
            MarketErrorCode.DAY_NOT_STARTED,
            "출석은 장날 준비 시간부터 기록할 수 있습니다.", field="market_day_id",
        )
    application = await booking_for(session, day, vendor_id)
    if application is None:
        raise Conflict(
            MarketErrorCode.DAY_NOT_BOOKED, "이 장날에 선정된 기업이 아닙니다.", field="vendor_id"
        )
    check_in = await session.scalar(
        select(CheckIn)
        .where(CheckIn.market_day_id == day.id, CheckIn.vendor_id == vendor_id)
        .execution_options(populate_existing=True)
    )
    previous = check_in.status if check_in else None
    if check_in is None:
        check_in = CheckIn(
            market_day_id=day.id, vendor_id=vendor_id, application_id=application.id,
            status=chosen, note=text, recorded_by_user_id=organizer.id,
        )
        session.add(check_in)
    else:
        check_in.status, check_in.note = chosen, text
        check_in.recorded_by_user_id = organizer.id
    delta = int(chosen is CheckInStatus.NO_SHOW) - int(previous is CheckInStatus.NO_SHOW)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(
            MarketErrorCode.CONCURRENT_CHANGE,
            "다른 운영자가 방금 이 기업의 출석을 기록했습니다. 다시 확인해 주세요.",
            field="vendor_id",
        ) from exc
    record(
        session,
        CheckInRecorded(
            id=day.id, market_id=day.market_id, actor_user_id=organizer.id,
            vendor_id=vendor_id, application_id=application.id, status=chosen.value,
            previous_status=previous.value if previous else None,
        ),
    )
    if delta:
        strikes = await session.scalar(
            update(Application)
            .where(Application.id == application.id)
            .values(strikes=Application.strikes + delta)
            .returning(Application.strikes)
        )
        record(
            session,
            ApplicationStrikeChanged(
                id=application.id, market_id=application.market_id,
                vendor_id=application.vendor_id, season=application.season,
                actor_user_id=organizer.id, strikes=int(strikes or 0), market_day_id=day.id,
                reason="무단 불참" if delta > 0 else "무단 불참 기록 정정",
            ),
        )
        if delta > 0:
            await places.release_no_show_place(
                session, market, application, day, organizer, moment
            )
        else:
            await places.restore_no_show_place(session, application, day, organizer, moment)
    await session.commit()
    return check_in


# ---------------------------------------------------------------- booth sales


def _clean_sales(
    amount: int | str, sales_count: int | str, best_sellers: Sequence[str]
) -> tuple[int, int, list[str]]:
    problems = Problems()

    def whole(value: int | str) -> int | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        text = (value or "").strip().replace(",", "")
        return int(text) if text.isascii() and text.isdigit() else None

    won = whole(amount)
    if won is None or not 0 <= won <= MAX_SALES_AMOUNT:
        problems.add(
            MarketErrorCode.INVALID_AMOUNT, "amount", "매출액을 0 이상의 정수(원)로 입력하세요."
        )
    count = whole(sales_count)
    if count is None or not 0 <= count <= MAX_SALES_COUNT:
        problems.add(
            MarketErrorCode.INVALID_NUMBER, "sales_count", "판매 건수를 0 이상의 정수로 입력하세요."
        )
    names = [n for n in dict.fromkeys(str(b).strip() for b in best_sellers) if n]
    if len(names) > MAX_BEST_SELLERS or any(len(n) > 60 for n in names):
        problems.add(
            MarketErrorCode.TOO_LONG, "best_sellers",
            f"잘 팔린 상품은 {MAX_BEST_SELLERS}개까지, 각 60자 이내로 적어 주세요.",
        )
    if won is not None and count is not None and count == 0 and won > 0:
        problems.add(
            MarketErrorCode.INVALID_NUMBER, "sales_count", "매출이 있으면 판매 건수도 적어 주세요."
        )
    problems.raise_if_any()
    assert won is not None and count is not None
    return won, count, names


async def report_booth_sales(
    session: AsyncSession,
    day_id: int,
    vendor_id: int,
    actor: User | None,
    *,
    amount: int | str,
    sales_count: int | str,
    best_sellers: Sequence[str] = (),
    note: str = "",
    now: dt.datetime | None = None,
) -> BoothSalesReport:
    """부스 매출 보고: one report per vendor and day, correctable for 7 days after it.

    Only a vendor booked on a day that was not cancelled reports, once the day has opened.
    """
    await vendor_for_member(session, actor, vendor_id)
    assert actor is not None
    won, count, names = _clean_sales(amount, sales_count, best_sellers)
    day = await get_day(session, day_id)
    moment = now or utcnow()
    if day.status is MarketDayStatus.CANCELLED:
        raise Conflict(MarketErrorCode.DAY_CANCELLED, "취소된 장날입니다.", field="market_day_id")
    if moment < day.opens_at:
        raise Conflict(
            MarketErrorCode.DAY_NOT_STARTED, "매출은 장이 열린 뒤에 보고할 수 있습니다.",
            field="market_day_id",
        )
    if moment > day.closes_at + dt.timedelta(days=SALES_EDIT_DAYS):
        raise Conflict(
            MarketErrorCode.SALES_WINDOW_CLOSED,
            f"장날로부터 {SALES_EDIT_DAYS}일이 지나 매출 보고를 고칠 수 없습니다.",
            field="market_day_id",
        )
    if await booking_for(session, day, vendor_id) is None:
        raise Conflict(
            MarketErrorCode.DAY_NOT_BOOKED, "이 장날에 선정된 기업만 매출을 보고할 수 있습니다.",
            field="vendor_id",
        )
    report = await session.scalar(
        select(BoothSalesReport).where(
            BoothSalesReport.market_day_id == day.id, BoothSalesReport.vendor_id == vendor_id
        )
    )
    if report is None:
        report = BoothSalesReport(
            market_day_id=day.id, vendor_id=vendor_id, amount=won, sales_count=count,
            best_sellers=names, reported_by_user_id=actor.id, revision=1, note=note[:500],
        )
        session.add(report)
    else:
        report.amount, report.sales_count, report.best_sellers = won, count, names
        report.note = note[:500]
        report.reported_by_user_id = actor.id
        report.revision += 1
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(
            MarketErrorCode.CONCURRENT_CHANGE,
            "같은 장날 매출이 방금 보고되었습니다. 새로 고친 뒤 다시 저장해 주세요.",
            field="market_day_id",
        ) from exc
    record(
        session,
        BoothSalesReported(
            id=report.id, market_id=day.market_id, market_day_id=day.id,
            day=day.day.isoformat(), vendor_id=vendor_id, amount=won, sales_count=count,
            best_sellers=names, revision=report.revision, actor_user_id=actor.id,
        ),
    )
    await session.commit()
    return report


# ---------------------------------------------------------------- notices (worker side)


async def write_cancellation_notices(
    session: AsyncSession,
    market_day_id: int,
    vendor_ids: Sequence[int],
    *,
    market_name: str,
    day: str,
    reason: str,
    event_id: str | None = None,
) -> int:
    """One notice per booked vendor for a cancelled day; safe to run twice for one event.

    The unique keys (one cancellation notice per vendor and day; one notice per vendor and
    event) plus ``ON CONFLICT DO NOTHING`` make a redelivered event a no-op. Returns how
    many notices this call wrote.
    """
    if not vendor_ids:
        return 0
    when = describe_day(dt.date.fromisoformat(day))
    message = f"{market_name} {when} 장날이 취소되었습니다. 사유: {reason}"
    return await insert_notices(
        session,
        [(vendor_id, market_day_id, NoticeKind.DAY_CANCELLED, message)
         for vendor_id in sorted(set(vendor_ids))],
        event_id=event_id,
    )


async def insert_notices(
    session: AsyncSession,
    notices: Sequence[tuple[int, int, NoticeKind, str]],
    *,
    event_id: str | None,
) -> int:
    """Write ``(vendor_id, market_day_id, kind, message)`` notices, skipping any that a unique
    key says were written already (``INSERT … ON CONFLICT DO NOTHING``), and commit.
    Returns how many were new."""
    if not notices:
        await session.commit()
        return 0
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    now = utcnow()
    rows = [
        {
            "vendor_id": vendor_id, "market_day_id": day_id, "kind": kind, "message": message,
            "event_id": event_id, "created_at": now, "updated_at": now,
        }
        for vendor_id, day_id, kind, message in notices
    ]
    result = await session.execute(insert(MarketDayNotice).values(rows).on_conflict_do_nothing())
    await session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
