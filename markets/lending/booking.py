"""Lending use cases: each one checks, takes the market's desk lock, changes, records, commits.

Every use case is one transaction: the loan, its unit reservations, the audit row of each
status change (:class:`LoanStatusChange`, who and why), condition reports, maintenance
records, strikes and the outbox events commit together or not at all. Input is checked
before anything is written. Changes to a market's equipment run one at a time
(:func:`~markets.lending.availability.lock_desk`), so a refused booking is a clear 409; the
database constraint on unit reservations is the guarantee underneath.

:func:`reserve_kit_for_application` is the one use case that does *not* commit: it joins
the caller's transaction, so a booth application and its equipment are saved together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.clock import utcnow
from infra.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from infra.outbox import record
from markets.access import manages, require_market_organizer
from markets.days.models import MarketDay, MarketDayStatus
from markets.lending import rules
from markets.lending.availability import free_units, lock_desk, overlapping
from markets.lending.errors import LendingErrorCode, Problems
from markets.lending.events import (
    EquipmentAdded,
    KitDefined,
    LendingStrikeGiven,
    LoanCancelled,
    LoanCheckedOut,
    LoanOverdue,
    LoanRequested,
    LoanReserved,
    LoanReturned,
    LoanShortOfUnits,
    UnitBackInStock,
    UnitSentToMaintenance,
)
from markets.lending.models import (
    HOLDING_STATUSES,
    LOAN_TRANSITIONS,
    Condition,
    ConditionReport,
    EquipmentItem,
    EquipmentKit,
    EquipmentUnit,
    InspectionStage,
    KitComponent,
    LendingDesk,
    LendingStrike,
    Loan,
    LoanLine,
    LoanStatus,
    LoanStatusChange,
    MaintenanceKind,
    MaintenanceRecord,
    MaintenanceResolution,
    PickupSlot,
    StrikeReason,
    UnitReservation,
)
from markets.lending.rules import (
    BookingRequest,
    CleanBooking,
    Period,
    UnitReport,
    aware,
)
from markets.models import Market
from shop.vendors.access import member_role, vendor_for_member
from shop.vendors.models import Vendor

# ---------------------------------------------------------------- helpers


def require_organizer(user: User | None) -> User:
    if user is None:
        raise Forbidden("login_required", "로그인이 필요합니다.")
    if not user.has_role(Role.ORGANIZER):
        raise Forbidden(LendingErrorCode.ORGANIZER_ONLY, "장터 운영자만 할 수 있습니다.")
    return user


async def _market(session: AsyncSession, market_id: int) -> Market:
    market = await session.get(Market, market_id)
    if market is None:
        raise NotFound(
            LendingErrorCode.UNKNOWN_MARKET, "장터를 찾을 수 없습니다.", field="market_id"
        )
    return market


async def _loan(session: AsyncSession, loan_id: int) -> Loan:
    loan = await session.get(Loan, loan_id, populate_existing=True)
    if loan is None:
        raise NotFound(LendingErrorCode.LOAN_NOT_FOUND, "대여를 찾을 수 없습니다.", field="loan_id")
    return loan


async def loan_for(session: AsyncSession, user: User | None, loan_id: int) -> Loan:
    """The loan, if ``user`` runs the lending market or is a member of the borrowing vendor."""
    loan = await _loan(session, loan_id)
    if await manages(session, user, loan.market_id):
        return loan
    await vendor_for_member(session, user, loan.vendor_id)
    return loan


async def _desk_organizer(session: AsyncSession, actor: User | None, market_id: int) -> User:
    """The actor, if it runs the market whose desk this is (``markets.access``)."""
    require_organizer(actor)
    await _market(session, market_id)
    return await require_market_organizer(session, actor, market_id)


async def _loan_organizer(session: AsyncSession, actor: User | None, loan_id: int) -> User:
    require_organizer(actor)
    market_id = await session.scalar(select(Loan.market_id).where(Loan.id == loan_id))
    if market_id is None:
        raise NotFound(LendingErrorCode.LOAN_NOT_FOUND, "대여를 찾을 수 없습니다.", field="loan_id")
    return await _desk_organizer(session, actor, int(market_id))


def _change_status(
    session: AsyncSession, loan: Loan, target: LoanStatus, actor: User | None, reason: str
) -> None:
    LOAN_TRANSITIONS.check(loan.status, target)
    session.add(
        LoanStatusChange(
            loan_id=loan.id, from_status=loan.status, to_status=target,
            actor_user_id=actor.id if actor else None, reason=reason,
        )
    )
    loan.status = target
    loan.status_reason = reason


async def _active_reservations(session: AsyncSession, loan_id: int) -> list[UnitReservation]:
    rows = await session.scalars(
        select(UnitReservation)
        .where(UnitReservation.loan_id == loan_id, UnitReservation.active.is_(True))
        .order_by(UnitReservation.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.unique().all())


async def _flush(session: AsyncSession) -> None:
    """Flush, turning a violated no-overlap guarantee into a clear 409.

    With the desk lock held this does not happen; it would mean something wrote unit
    reservations without the lock, and the database refused the double booking.
    """
    try:
        await session.flush()
    except IntegrityError as exc:
        text = str(exc.orig)
        if "lending_no_double_booking" in text or "exclusion" in text.lower():
            raise Conflict(
                LendingErrorCode.UNIT_BUSY,
                "방금 다른 예약이 같은 장비를 가져갔습니다. 다시 시도해 주세요.",
            ) from exc
        raise


def _close(reservation: UnitReservation, at: dt.datetime) -> None:
    """End a reservation at ``at``; one that had not begun yet simply lapses."""
    if at <= aware(reservation.starts_at):
        reservation.active = False
    else:
        reservation.ends_at = at


# ---------------------------------------------------------------- equipment (organizers)


async def add_item(
    session: AsyncSession,
    actor: User | None,
    market_id: int,
    *,
    name: str,
    quantity: int,
    description: str = "",
    code_prefix: str | None = None,
) -> EquipmentItem:
    """장비 등록: a kind of equipment with ``quantity`` numbered units (천막-01, 천막-02…)."""
    organizer = await _desk_organizer(session, actor, market_id)
    problems = Problems()
    clean = rules.clean_name(name, "name", problems)
    if not 1 <= quantity <= rules.MAX_UNITS_PER_ITEM:
        problems.add(
            LendingErrorCode.INVALID_QUANTITY, "quantity",
            f"수량은 1개에서 {rules.MAX_UNITS_PER_ITEM}개 사이로 입력해 주세요.",
        )
    prefix = rules.clean_name(code_prefix or clean.replace(" ", "")[:20], "code_prefix",
                              problems, max_length=20)
    problems.raise_if_any()
    await _market(session, market_id)
    await lock_desk(session, market_id)
    taken = await session.scalar(
        select(func.count(EquipmentItem.id)).where(
            EquipmentItem.market_id == market_id, EquipmentItem.name == clean
        )
    )
    if taken:
        raise Conflict(LendingErrorCode.NAME_TAKEN, "이미 등록된 장비 이름입니다.", field="name")
    item = EquipmentItem(market_id=market_id, name=clean, description=description.strip())
    session.add(item)
    await session.flush()
    session.add_all(
        EquipmentUnit(item_id=item.id, code=f"{prefix}-{n:02d}") for n in range(1, quantity + 1)
    )
    record(
        session,
        EquipmentAdded(id=item.id, market_id=market_id, units=quantity,
                       actor_user_id=organizer.id),
    )
    await session.commit()
    await session.refresh(item, attribute_names=["units"])
    return item


async def add_units(
    session: AsyncSession, actor: User | None, item_id: int, quantity: int
) -> EquipmentItem:
    """장비 추가 구입: more numbered units of an existing item."""
    organizer = require_organizer(actor)
    if not 1 <= quantity <= rules.MAX_UNITS_PER_ITEM:
        raise InvalidInput(
            LendingErrorCode.INVALID_QUANTITY,
            f"수량은 1개에서 {rules.MAX_UNITS_PER_ITEM}개 사이로 입력해 주세요.",
            field="quantity",
        )
    item = await session.get(EquipmentItem, item_id)
    if item is None:
        raise NotFound(LendingErrorCode.UNKNOWN_ITEM, "장비를 찾을 수 없습니다.", field="item_id")
    await _desk_organizer(session, organizer, item.market_id)
    await lock_desk(session, item.market_id)
    codes = (await session.scalars(
        select(EquipmentUnit.code).where(EquipmentUnit.item_id == item.id)
    )).all()
    prefix = codes[0].rsplit("-", 1)[0] if codes else item.name.replace(" ", "")[:20]
    start = len(codes) + 1
    existing = set(codes)
    n = start
    added = 0
    while added < quantity:
        code = f"{prefix}-{n:02d}"
        if code not in existing:
            session.add(EquipmentUnit(item_id=item.id, code=code))
            added += 1
        n += 1
    record(session, EquipmentAdded(id=item.id, market_id=item.market_id, units=quantity,
                                   actor_user_id=organizer.id))
    await session.commit()
    await session.refresh(item, attribute_names=["units"])
    return item


async def define_kit(
    session: AsyncSession,
    actor: User | None,
    market_id: int,
    *,
    name: str,
    components: Sequence[tuple[int, int]],
    description: str = "",
) -> EquipmentKit:
    """세트 구성: e.g. '부스 기본 세트' = 천막 1 + 천막 추 4 + 테이블 1 + 의자 2."""
    organizer = await _desk_organizer(session, actor, market_id)
    problems = Problems()
    clean = rules.clean_name(name, "name", problems)
    if not components:
        problems.add(LendingErrorCode.REQUIRED, "components", "세트에 넣을 장비를 골라 주세요.")
    seen: set[int] = set()
    for index, (item_id, quantity) in enumerate(components):
        if not 1 <= quantity <= rules.MAX_ITEM_QUANTITY:
            problems.add(
                LendingErrorCode.INVALID_QUANTITY, f"components[{index}].quantity",
                f"수량은 1개에서 {rules.MAX_ITEM_QUANTITY}개 사이로 입력해 주세요.",
            )
        if item_id in seen:
            problems.add(
                LendingErrorCode.DUPLICATE_ITEM, f"components[{index}].item_id",
                "같은 장비를 두 번 넣었습니다.",
            )
        seen.add(item_id)
    await _market(session, market_id)
    known = set(
        (await session.scalars(
            select(EquipmentItem.id).where(
                EquipmentItem.market_id == market_id, EquipmentItem.id.in_(seen or {0})
            )
        )).all()
    )
    for index, (item_id, _) in enumerate(components):
        if item_id not in known:
            problems.add(
                LendingErrorCode.UNKNOWN_ITEM, f"components[{index}].item_id",
                "이 장터의 장비가 아닙니다.",
            )
    problems.raise_if_any()
    await lock_desk(session, market_id)
    if await session.scalar(
        select(func.count(EquipmentKit.id)).where(
            EquipmentKit.market_id == market_id, EquipmentKit.name == clean
        )
    ):
        raise Conflict(LendingErrorCode.NAME_TAKEN, "이미 있는 세트 이름입니다.", field="name")
    kit = EquipmentKit(
        market_id=market_id, name=clean, description=description.strip(),
        components=[KitComponent(item_id=i, quantity=q) for i, q in components],
    )
    session.add(kit)
    await session.flush()
    record(
        session,
        KitDefined(id=kit.id, market_id=market_id,
                   components={str(i): q for i, q in components}, actor_user_id=organizer.id),
    )
    await session.commit()
    return kit


@dataclass(frozen=True)
class DeskSettings:
    place: str | None = None
    slot_minutes: int | None = None
    slot_capacity: int | None = None
    opens: dt.time | None = None
    closes: dt.time | None = None
    return_grace_minutes: int | None = None


async def configure_desk(
    session: AsyncSession, actor: User | None, market_id: int, changes: DeskSettings
) -> LendingDesk:
    """대여 창구 설정: pickup slot length and capacity, desk hours, return grace."""
    await _desk_organizer(session, actor, market_id)
    problems = Problems()
    if changes.slot_minutes is not None and changes.slot_minutes not in (10, 15, 20, 30, 60):
        problems.add(LendingErrorCode.INVALID_SETTING, "slot_minutes",
                     "수령 시간대는 10·15·20·30·60분 중에서 골라 주세요.")
    if changes.slot_capacity is not None and not 1 <= changes.slot_capacity <= 200:
        problems.add(LendingErrorCode.INVALID_SETTING, "slot_capacity",
                     "시간대별 수령 인원은 1명에서 200명 사이로 입력해 주세요.")
    if changes.return_grace_minutes is not None and not 0 <= changes.return_grace_minutes <= 1440:
        problems.add(LendingErrorCode.INVALID_SETTING, "return_grace_minutes",
                     "반납 유예 시간은 0분에서 1440분 사이로 입력해 주세요.")
    if changes.place is not None and len(changes.place.strip()) > 200:
        problems.add(LendingErrorCode.TOO_LONG, "place", "200자 이내로 입력해 주세요.")
    await _market(session, market_id)
    desk = await lock_desk(session, market_id)
    opens = changes.opens or desk.opens
    closes = changes.closes or desk.closes
    if closes <= opens:
        problems.add(LendingErrorCode.INVALID_SETTING, "closes",
                     "창구 마감 시각은 여는 시각보다 늦어야 합니다.")
    if problems:
        await session.rollback()
        problems.raise_if_any()
    for name in ("slot_minutes", "slot_capacity", "return_grace_minutes"):
        value = getattr(changes, name)
        if value is not None:
            setattr(desk, name, value)
    if changes.place is not None:
        desk.place = changes.place.strip()
    desk.opens, desk.closes = opens, closes
    await session.commit()
    return desk


# ---------------------------------------------------------------- booking


@dataclass(frozen=True)
class _Plan:
    """A checked booking, ready to be written under the lock."""

    vendor: Vendor
    period: Period
    slots: list[dt.datetime]
    wanted: dict[int, int]  # item id → units
    line_fields: dict[int, str]  # item id → the request field to blame if short
    names: dict[int, str]
    kit: EquipmentKit | None
    market_day: MarketDay | None
    clean: CleanBooking


async def _plan(
    session: AsyncSession, actor: User | None, clean: CleanBooking, problems: Problems,
    now: dt.datetime,
) -> _Plan | None:
    """Resolve the booking's references (kit, items, day) and its period and slots."""
    vendor = await vendor_for_member(session, actor, clean.vendor_id)
    if not vendor.can_sell:
        problems.add(
            LendingErrorCode.VENDOR_NOT_APPROVED, "vendor_id",
            "승인된 입점기업만 장비를 빌릴 수 있습니다.",
        )
    await _market(session, clean.market_id)
    desk = await session.scalar(
        select(LendingDesk).where(LendingDesk.market_id == clean.market_id)
    ) or LendingDesk(slot_minutes=30, opens=dt.time(9), closes=dt.time(18))

    kit = None
    components: list[tuple[int, int]] = []
    line_fields: dict[int, str] = {}
    if clean.kit_id is not None:
        kit = await session.get(EquipmentKit, clean.kit_id)
        if kit is None or kit.market_id != clean.market_id or not kit.is_active:
            problems.add(LendingErrorCode.UNKNOWN_KIT, "kit_id",
                         "이 장터에서 빌릴 수 있는 세트가 아닙니다.")
            kit = None
        else:
            components = [(c.item_id, c.quantity) for c in kit.components]
            line_fields.update({c.item_id: "kit_id" for c in kit.components})
    item_ids = [i for i, _ in clean.items]
    names = dict(
        (await session.execute(
            select(EquipmentItem.id, EquipmentItem.name).where(
                EquipmentItem.market_id == clean.market_id,
                EquipmentItem.id.in_(item_ids + [i for i, _ in components] or [0]),
            )
        )).all()
    )
    for index, item_id in enumerate(item_ids):
        if item_id not in names:
            problems.add(
                LendingErrorCode.UNKNOWN_ITEM, f"items[{index}].item_id",
                "이 장터의 장비가 아닙니다.",
            )
        line_fields.setdefault(item_id, f"items[{index}].quantity")

    market_day = None
    period: Period | None = None
    slots: list[dt.datetime] = []
    if clean.market_day_id is not None:
        market_day = await session.get(MarketDay, clean.market_day_id)
        if market_day is None or market_day.market_id != clean.market_id:
            problems.add(
                LendingErrorCode.UNKNOWN_MARKET_DAY, "market_day_id", "이 장터의 장날이 아닙니다."
            )
            market_day = None
        elif market_day.status is not MarketDayStatus.SCHEDULED or aware(
            market_day.closes_at
        ) <= now:
            problems.add(
                LendingErrorCode.MARKET_DAY_NOT_OPEN, "market_day_id",
                "취소되었거나 이미 지난 장날입니다.",
            )
            market_day = None
        else:
            period = rules.market_day_period(market_day.setup_from, market_day.closes_at)
            slots = rules.market_day_slots(
                market_day.setup_from, market_day.opens_at, desk.slot_minutes
            )
    elif clean.start_date is not None and clean.end_date is not None:
        period = rules.date_range_period(clean.start_date, clean.end_date, desk.opens, desk.closes)
        slots = rules.date_range_slots(clean.start_date, desk.opens, desk.closes, desk.slot_minutes)

    if clean.pickup_at not in (None, "") and slots:
        chosen = rules.match_slot(clean.pickup_at, slots)
        if chosen is None:
            problems.add(
                LendingErrorCode.INVALID_PICKUP, "pickup_at",
                "수령 시간은 " + ", ".join(rules.hhmm(s) for s in slots[:12])
                + " 중에서 골라 주세요.",
            )
        elif chosen <= now:
            problems.add(
                LendingErrorCode.INVALID_PICKUP, "pickup_at", "이미 지난 수령 시간입니다."
            )
    problems.raise_if_any()
    assert period is not None
    return _Plan(
        vendor=vendor, period=period, slots=slots,
        wanted=rules.merge_lines(components, clean.kit_quantity, clean.items),
        line_fields=line_fields, names=names, kit=kit, market_day=market_day, clean=clean,
    )


async def _slot_load(session: AsyncSession, slot_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count(Loan.id)).where(
                Loan.pickup_slot_id == slot_id, Loan.status != LoanStatus.CANCELLED
            )
        ) or 0
    )


async def _take_slot(
    session: AsyncSession, desk: LendingDesk, market_id: int, plan: _Plan, now: dt.datetime
) -> PickupSlot:
    """The chosen pickup slot, or the first future one with room; counted under the lock."""
    wanted = rules.match_slot(plan.clean.pickup_at, plan.slots)
    candidates = [wanted] if wanted is not None else [s for s in plan.slots if s > now]
    existing = {
        aware(slot.starts_at): slot
        for slot in (await session.scalars(
            select(PickupSlot).where(
                PickupSlot.market_id == market_id, PickupSlot.starts_at.in_(plan.slots)
            )
        )).all()
    }
    for moment in candidates:
        slot = existing.get(moment)
        if slot is None:
            slot = PickupSlot(market_id=market_id, starts_at=moment, capacity=desk.slot_capacity)
            session.add(slot)
            await session.flush()
            return slot
        if await _slot_load(session, slot.id) < slot.capacity:
            return slot
    free = []
    for moment in plan.slots:
        slot = existing.get(moment)
        if moment > now and (slot is None or await _slot_load(session, slot.id) < slot.capacity):
            free.append(rules.hhmm(moment))
    message = (
        f"{rules.hhmm(wanted)} 수령 시간대가 다 찼습니다."
        if wanted is not None else "남은 수령 시간대가 없습니다."
    )
    if free:
        message += " 남은 시간: " + ", ".join(free)
    raise Conflict(
        LendingErrorCode.SLOT_FULL, message, field="pickup_at", extra={"free_slots": free}
    )


async def _book(
    session: AsyncSession,
    actor: User | None,
    request: BookingRequest,
    *,
    application_id: int | None,
    now: dt.datetime,
) -> Loan:
    """Check, lock, count, allocate and write one loan; flushes but does not commit."""
    problems = Problems()
    clean = rules.clean_booking(request, problems, today=rules.seoul_date(now))
    problems.raise_if_any()
    assert clean is not None
    plan = await _plan(session, actor, clean, problems, now)
    assert plan is not None

    desk = await lock_desk(session, clean.market_id)
    slot = await _take_slot(session, desk, clean.market_id, plan, now)
    allocation: dict[int, list[EquipmentUnit]] = {}
    shortages: list[tuple[str, str]] = []
    for item_id, quantity in sorted(plan.wanted.items()):
        units = await free_units(
            session, item_id, plan.period.starts_at, plan.period.ends_at, limit=quantity
        )
        if len(units) < quantity:
            shortages.append((
                plan.line_fields.get(item_id, "kit_id"),
                f"{plan.names.get(item_id, '장비')} {len(units)}개 남음 (필요 {quantity}개)",
            ))
        allocation[item_id] = units
    if shortages:
        raise Conflict(
            LendingErrorCode.NOT_ENOUGH_UNITS,
            "그 기간에 빌릴 수 있는 장비가 모자랍니다: " + "; ".join(m for _, m in shortages),
            field=shortages[0][0],
            extra={"errors": [
                {"field": f, "message": m, "code": LendingErrorCode.NOT_ENOUGH_UNITS.value}
                for f, m in shortages
            ]},
        )

    requester = actor.id if actor else None
    loan = Loan(
        vendor_id=plan.vendor.id, market_id=clean.market_id,
        market_day_id=plan.market_day.id if plan.market_day else None,
        kit_id=plan.kit.id if plan.kit else None, kit_quantity=clean.kit_quantity,
        application_id=application_id,
        starts_at=plan.period.starts_at, ends_at=plan.period.ends_at,
        pickup_slot=slot, status=LoanStatus.REQUESTED,
        status_reason="", requested_by_user_id=requester, note=clean.note,
        lines=[LoanLine(item_id=i, quantity=q) for i, q in sorted(plan.wanted.items())],
    )
    session.add(loan)
    await session.flush()
    reason = "부스 신청과 함께 대여 신청" if application_id else "대여 신청"
    session.add(LoanStatusChange(loan_id=loan.id, from_status=None,
                                 to_status=LoanStatus.REQUESTED, actor_user_id=requester,
                                 reason=reason))
    loan.status_reason = reason
    for units in allocation.values():
        session.add_all(
            UnitReservation(unit_id=u.id, loan_id=loan.id, starts_at=plan.period.starts_at,
                            ends_at=plan.period.ends_at, active=True)
            for u in units
        )
    record(session, LoanRequested(
        id=loan.id, vendor_id=loan.vendor_id, market_id=loan.market_id, actor_user_id=requester,
        reason=reason, market_day_id=loan.market_day_id,
        starts_at=plan.period.starts_at.isoformat(),
        ends_at=plan.period.ends_at.isoformat() if plan.period.ends_at else "",
        pickup_at=aware(slot.starts_at).isoformat(),
        units=sum(plan.wanted.values()), application_id=application_id,
    ))
    if plan.market_day is not None:
        # A market-day loan serves a booth on a day the organizer runs: nothing to confirm.
        why = "장날 대여는 자동으로 확정됩니다"
        _change_status(session, loan, LoanStatus.RESERVED, None, why)
        record(session, LoanReserved(id=loan.id, vendor_id=loan.vendor_id,
                                     market_id=loan.market_id, reason=why))
    await _flush(session)
    return loan


async def book_loan(
    session: AsyncSession,
    actor: User | None,
    request: BookingRequest,
    *,
    now: dt.datetime | None = None,
) -> Loan:
    """대여 예약: hold the units and a pickup slot for a market day or a date range.

    Market-day loans are confirmed at once; date-range loans wait for the desk
    (:func:`confirm_loan`), their units held meanwhile. Refusals change nothing: 400 for
    bad input (naming the field), 409 when the units or the slot are taken.
    """
    try:
        loan = await _book(session, actor, request, application_id=None, now=now or utcnow())
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return loan


async def reserve_kit_for_application(
    session: AsyncSession,
    vendor: Vendor,
    market_day_ids: Sequence[int],
    kit_id: int,
    *,
    actor: User | None,
    quantity: int = 1,
    pickup_at: str | None = None,
    application_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[Loan]:
    """Book ``quantity`` of a kit for each of ``market_day_ids``, with a booth application.

    For ``markets.applications``: call it inside the transaction that saves the
    application, before committing; it does **not** commit, so the application and its
    equipment are saved together or not at all. One loan per market day (each with its own
    period and pickup slot: ``pickup_at`` ``"HH:MM"`` if given, else the first slot with
    room), confirmed at once. ``actor`` must be a member of ``vendor`` (or an admin).

    Idempotent per (application, day): a day that already has a holding loan for
    ``application_id`` is not booked again; the existing loan is returned instead.
    Raises the same errors as :func:`book_loan` (400 naming the field, 409 when units or
    slots run out); the caller rolls back. Cancel with :func:`cancel_loans_of_application`.
    """
    if not market_day_ids:
        raise InvalidInput(LendingErrorCode.REQUIRED, "장날을 골라 주세요.", field="market_day_ids")
    moment = now or utcnow()
    loans: list[Loan] = []
    for day_id in dict.fromkeys(market_day_ids):
        if application_id is not None:
            existing = await session.scalar(
                select(Loan).where(
                    Loan.application_id == application_id, Loan.market_day_id == day_id,
                    Loan.status.in_(HOLDING_STATUSES),
                )
            )
            if existing is not None:
                loans.append(existing)
                continue
        day = await session.get(MarketDay, day_id)
        if day is None:
            raise InvalidInput(
                LendingErrorCode.UNKNOWN_MARKET_DAY, "장날을 찾을 수 없습니다.",
                field="market_day_ids",
            )
        loans.append(
            await _book(
                session, actor,
                BookingRequest(
                    vendor_id=vendor.id, market_id=day.market_id, kit_id=kit_id,
                    quantity=quantity, market_day_id=day.id, pickup_at=pickup_at,
                ),
                application_id=application_id, now=moment,
            )
        )
    return loans


async def cancel_loans_of_application(
    session: AsyncSession, application_id: int, actor: User | None, reason: str
) -> int:
    """Release the equipment of a withdrawn or rejected application; does not commit (it joins
    the caller's transaction, like :func:`reserve_kit_for_application`). Returns how many."""
    loans = (await session.scalars(
        select(Loan).where(
            Loan.application_id == application_id,
            Loan.status.in_([LoanStatus.REQUESTED, LoanStatus.RESERVED]),
        )
    )).all()
    for found in loans:
        await lock_desk(session, found.market_id)
        loan = await _loan(session, found.id)
        if loan.status in (LoanStatus.REQUESTED, LoanStatus.RESERVED):
            await _cancel(session, loan, actor,
                          rules.clean_reason(reason) or "부스 신청 철회·미선정")
    await session.flush()
    return len(loans)


# ---------------------------------------------------------------- the loan's life


async def _cancel(session: AsyncSession, loan: Loan, actor: User | None, why: str) -> None:
    _change_status(session, loan, LoanStatus.CANCELLED, actor, why)
    for reservation in await _active_reservations(session, loan.id):
        reservation.active = False
    record(session, LoanCancelled(id=loan.id, vendor_id=loan.vendor_id, market_id=loan.market_id,
                                  actor_user_id=actor.id if actor else None, reason=why))


async def cancel_loan(
    session: AsyncSession, actor: User | None, loan_id: int, reason: str = ""
) -> Loan:
    """취소 by the vendor (reason optional) or the desk (reason required, the vendor is told);
    frees the units and the pickup slot at once."""
    loan = await loan_for(session, actor, loan_id)
    assert actor is not None
    why = rules.clean_reason(reason)
    is_member = await member_role(session, actor, loan.vendor_id) is not None
    if not is_member and not why:
        raise InvalidInput(
            LendingErrorCode.REASON_REQUIRED, "취소 사유를 입력해 주세요. 입점기업에 전달됩니다.",
            field="reason",
        )
    try:
        await lock_desk(session, loan.market_id)
        loan = await _loan(session, loan_id)
        await _cancel(session, loan, actor, why or "입점기업이 취소")
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return loan


async def confirm_loan(
    session: AsyncSession, actor: User | None, loan_id: int, reason: str = ""
) -> Loan:
    """확정: the desk accepts a date-range request (its units are already held)."""
    organizer = await _loan_organizer(session, actor, loan_id)
    try:
        loan = await _loan(session, loan_id)
        await lock_desk(session, loan.market_id)
        loan = await _loan(session, loan_id)
        why = rules.clean_reason(reason) or "대여 창구 확인"
        _change_status(session, loan, LoanStatus.RESERVED, organizer, why)
        record(session, LoanReserved(id=loan.id, vendor_id=loan.vendor_id,
                                     market_id=loan.market_id, actor_user_id=organizer.id,
                                     reason=why))
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return loan


async def _displace(
    session: AsyncSession, unit: EquipmentUnit, from_time: dt.datetime, actor: User | None,
    *, keep_loan_id: int | None = None, strict: bool = True,
) -> bool:
    """Make ``unit`` free from ``from_time`` on: move later bookings to another free unit
    of the same item, or release them (the loan is then short and told so).

    A unit still lent out to someone else over that time cannot be freed: a 409, or False
    when not ``strict`` (the sweeper then leaves that unit's period as it is).
    """
    rows = (await session.execute(
        select(UnitReservation, Loan)
        .join(Loan, Loan.id == UnitReservation.loan_id)
        .where(UnitReservation.unit_id == unit.id, overlapping(from_time, None))
        .order_by(UnitReservation.starts_at)
        .execution_options(populate_existing=True)
    )).all()
    others = [(r, loan) for r, loan in rows if loan.id != keep_loan_id]
    stuck = [loan for _, loan in others
             if loan.status not in (LoanStatus.REQUESTED, LoanStatus.RESERVED)]
    if stuck and not strict:
        return False
    for reservation, loan in others:
        if loan.status not in (LoanStatus.REQUESTED, LoanStatus.RESERVED):
            raise Conflict(
                LendingErrorCode.UNIT_BUSY,
                f"{unit.code}은(는) 아직 다른 대여(#{loan.id})로 나가 있습니다.",
                field="unit_id",
            )
        substitute = await free_units(
            session, unit.item_id, aware(reservation.starts_at),
            aware(reservation.ends_at) if reservation.ends_at else None,
            limit=1, exclude=[unit.id],
        )
        if substitute:
            reservation.unit_id = substitute[0].id
        else:
            reservation.active = False
            record(session, LoanShortOfUnits(
                id=loan.id, vendor_id=loan.vendor_id, market_id=loan.market_id,
                actor_user_id=actor.id if actor else None,
                reason=f"{unit.code} 정비로 대체 장비 없음", item_id=unit.item_id,
                item_name=unit.item.name, missing_units=1,
            ))
        await _flush(session)
    return True


async def _open_maintenance(
    session: AsyncSession, unit: EquipmentUnit, kind: MaintenanceKind, note: str,
    actor: User | None, at: dt.datetime, *, loan: Loan | None,
) -> MaintenanceRecord:
    """Take ``unit`` out of stock from ``at`` until the record is resolved."""
    await _displace(session, unit, at, actor)
    maintenance = MaintenanceRecord(
        unit_id=unit.id, kind=kind, note=note, loan_id=loan.id if loan else None,
        reported_by_user_id=actor.id if actor else None,
    )
    session.add(maintenance)
    await session.flush()
    session.add(UnitReservation(unit_id=unit.id, maintenance_id=maintenance.id, starts_at=at,
                                ends_at=None, active=True))
    await _flush(session)
    record(session, UnitSentToMaintenance(
        id=unit.id, item_id=unit.item_id, market_id=unit.item.market_id,
        actor_user_id=actor.id if actor else None, maintenance_id=maintenance.id,
        kind=kind.value, loan_id=loan.id if loan else None, note=note,
    ))
    return maintenance


def _reports_for(
    reservations: Sequence[UnitReservation], reports: Sequence[UnitReport], *,
    allow_missing: bool = True,
) -> dict[int, tuple[Condition, str]]:
    problems = Problems()
    cleaned = rules.clean_reports(
        reports, {r.unit_id for r in reservations}, problems, allow_missing=allow_missing
    )
    problems.raise_if_any()
    return cleaned


async def check_out(
    session: AsyncSession,
    actor: User | None,
    loan_id: int,
    reports: Sequence[UnitReport] = (),
    *,
    now: dt.datetime | None = None,
) -> Loan:
    """대여 (수령): hand the units over, recording each one's condition.

    A unit found damaged or missing on the shelf goes to maintenance and another free unit
    of the same item is handed over instead, if there is one; otherwise the loan leaves
    short and the vendor is told.
    """
    organizer = await _loan_organizer(session, actor, loan_id)
    moment = now or utcnow()
    try:
        loan = await _loan(session, loan_id)
        await lock_desk(session, loan.market_id)
        loan = await _loan(session, loan_id)
        LOAN_TRANSITIONS.check(loan.status, LoanStatus.CHECKED_OUT)
        reservations = await _active_reservations(session, loan.id)
        conditions = _reports_for(reservations, reports)
        substituted = 0
        for reservation in reservations:
            condition, note = conditions.get(reservation.unit_id, (Condition.GOOD, ""))
            session.add(ConditionReport(
                unit_id=reservation.unit_id, loan_id=loan.id, stage=InspectionStage.CHECK_OUT,
                condition=condition, note=note, recorded_by_user_id=organizer.id,
            ))
            if condition is Condition.GOOD:
                continue
            unit = reservation.unit
            reservation.active = False
            await _flush(session)
            kind = MaintenanceKind.MISSING if condition is Condition.MISSING else (
                MaintenanceKind.DAMAGED)
            await _open_maintenance(session, unit, kind, note, organizer, moment, loan=loan)
            starts = aware(loan.starts_at)
            substitute = await free_units(session, unit.item_id, starts, aware(loan.ends_at),
                                          limit=1)
            if substitute:
                session.add(UnitReservation(unit_id=substitute[0].id, loan_id=loan.id,
                                            starts_at=starts, ends_at=aware(loan.ends_at)))
                session.add(ConditionReport(
                    unit_id=substitute[0].id, loan_id=loan.id, stage=InspectionStage.CHECK_OUT,
                    condition=Condition.GOOD, note=f"{unit.code} 대신",
                    recorded_by_user_id=organizer.id,
                ))
                substituted += 1
                await _flush(session)
            else:
                record(session, LoanShortOfUnits(
                    id=loan.id, vendor_id=loan.vendor_id, market_id=loan.market_id,
                    actor_user_id=organizer.id, reason=f"{unit.code} {condition.label}",
                    item_id=unit.item_id, item_name=unit.item.name, missing_units=1,
                ))
        why = "장비 수령"
        _change_status(session, loan, LoanStatus.CHECKED_OUT, organizer, why)
        loan.checked_out_at = moment
        record(session, LoanCheckedOut(
            id=loan.id, vendor_id=loan.vendor_id, market_id=loan.market_id,
            actor_user_id=organizer.id, reason=why,
            units=len(await _active_reservations(session, loan.id)), substituted=substituted,
        ))
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return loan


async def _give_strike(
    session: AsyncSession, loan: Loan, reason: StrikeReason, note: str, actor: User | None
) -> LendingStrike | None:
    already = await session.scalar(
        select(LendingStrike).where(LendingStrike.loan_id == loan.id,
                                    LendingStrike.reason == reason)
    )
    if already is not None:
        return None
    strike = LendingStrike(vendor_id=loan.vendor_id, loan_id=loan.id, reason=reason, note=note,
                           given_by_user_id=actor.id if actor else None)
    session.add(strike)
    await session.flush()
    record(session, LendingStrikeGiven(id=strike.id, vendor_id=loan.vendor_id, loan_id=loan.id,
                                       reason_code=reason.value))
    return strike


async def _grace(session: AsyncSession, market_id: int) -> dt.timedelta:
    minutes = await session.scalar(
        select(LendingDesk.return_grace_minutes).where(LendingDesk.market_id == market_id)
    )
    return dt.timedelta(minutes=60 if minutes is None else minutes)


async def check_in(
    session: AsyncSession,
    actor: User | None,
    loan_id: int,
    reports: Sequence[UnitReport] = (),
    *,
    now: dt.datetime | None = None,
) -> Loan:
    """반납: take the units back, recording each one's condition.

    Damaged units go to maintenance (out of stock until repaired); missing ones too, and the
    vendor gets a strike for them. A return after the period and its grace is a late-return
    strike (unless the overdue sweeper gave it already).
    """
    organizer = await _loan_organizer(session, actor, loan_id)
    moment = now or utcnow()
    try:
        loan = await _loan(session, loan_id)
        await lock_desk(session, loan.market_id)
        loan = await _loan(session, loan_id)
        LOAN_TRANSITIONS.check(loan.status, LoanStatus.RETURNED)
        reservations = await _active_reservations(session, loan.id)
        conditions = _reports_for(reservations, reports)
        late = moment > aware(loan.ends_at) + await _grace(session, loan.market_id)
        for reservation in reservations:
            if reservation.ends_at is None or aware(reservation.ends_at) > moment:
                _close(reservation, moment)
        await _flush(session)
        damaged = missing = 0
        for reservation in reservations:
            condition, note = conditions.get(reservation.unit_id, (Condition.GOOD, ""))
            session.add(ConditionReport(
                unit_id=reservation.unit_id, loan_id=loan.id, stage=InspectionStage.CHECK_IN,
                condition=condition, note=note, recorded_by_user_id=organizer.id,
            ))
            if condition is Condition.DAMAGED:
                damaged += 1
                await _open_maintenance(session, reservation.unit, MaintenanceKind.DAMAGED, note,
                                        organizer, moment, loan=loan)
            elif condition is Condition.MISSING:
                missing += 1
                await _open_maintenance(session, reservation.unit, MaintenanceKind.MISSING, note,
                                        organizer, moment, loan=loan)
        if missing:
            await _give_strike(session, loan, StrikeReason.MISSING_EQUIPMENT,
                               f"반납되지 않은 장비 {missing}개", organizer)
        if late:
            await _give_strike(session, loan, StrikeReason.LATE_RETURN,
                               f"반납 기한 {rules.hhmm(aware(loan.ends_at))} 이후 반납", organizer)
        why = "장비 반납" + (" (지연)" if late else "")
        _change_status(session, loan, LoanStatus.RETURNED, organizer, why)
        loan.returned_at = moment
        record(session, LoanReturned(
            id=loan.id, vendor_id=loan.vendor_id, market_id=loan.market_id,
            actor_user_id=organizer.id, reason=why, late=late, damaged=damaged, missing=missing,
        ))
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return loan


# ---------------------------------------------------------------- maintenance


async def report_unit_problem(
    session: AsyncSession, actor: User | None, unit_id: int, kind: MaintenanceKind | str,
    note: str, *, now: dt.datetime | None = None,
) -> MaintenanceRecord:
    """창고 점검: a unit found damaged or missing at the desk leaves stock until resolved."""
    organizer = require_organizer(actor)
    chosen = next((k for k in MaintenanceKind if k.value == str(kind)), None)
    problems = Problems()
    if chosen is None:
        problems.add(LendingErrorCode.INVALID_CONDITION, "kind", "파손 또는 분실을 골라 주세요.")
    why = rules.clean_reason(note)
    if not why:
        problems.add(LendingErrorCode.REASON_REQUIRED, "note", "어떤 상태인지 적어 주세요.")
    problems.raise_if_any()
    assert chosen is not None
    try:
        unit = await session.get(EquipmentUnit, unit_id)
        if unit is None or unit.retired_at is not None:
            raise NotFound(LendingErrorCode.UNKNOWN_UNIT, "장비를 찾을 수 없습니다.",
                           field="unit_id")
        await _desk_organizer(session, organizer, unit.item.market_id)
        await lock_desk(session, unit.item.market_id)
        moment = now or utcnow()
        open_already = await session.scalar(
            select(func.count(MaintenanceRecord.id)).where(
                MaintenanceRecord.unit_id == unit.id, MaintenanceRecord.resolved_at.is_(None)
            )
        )
        if open_already:
            raise Conflict(LendingErrorCode.UNIT_BUSY, f"{unit.code}은(는) 이미 정비 중입니다.",
                           field="unit_id")
        session.add(ConditionReport(
            unit_id=unit.id, stage=InspectionStage.DESK,
            condition=Condition.MISSING if chosen is MaintenanceKind.MISSING else Condition.DAMAGED,
            note=why, recorded_by_user_id=organizer.id,
        ))
        maintenance = await _open_maintenance(session, unit, chosen, why, organizer, moment,
                                              loan=None)
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return maintenance


_RESOLUTIONS = {
    MaintenanceKind.DAMAGED: {MaintenanceResolution.REPAIRED, MaintenanceResolution.WRITTEN_OFF},
    MaintenanceKind.MISSING: {MaintenanceResolution.FOUND, MaintenanceResolution.WRITTEN_OFF},
}


async def resolve_maintenance(
    session: AsyncSession, actor: User | None, maintenance_id: int,
    resolution: MaintenanceResolution | str, note: str = "", *, now: dt.datetime | None = None,
) -> MaintenanceRecord:
    """수리 완료 / 찾음 (back in stock from now) or 폐기 (written off for good)."""
    organizer = require_organizer(actor)
    moment = now or utcnow()
    try:
        maintenance = await session.get(MaintenanceRecord, maintenance_id)
        if maintenance is None:
            raise NotFound(LendingErrorCode.MAINTENANCE_NOT_FOUND, "정비 기록을 찾을 수 없습니다.",
                           field="maintenance_id")
        chosen = next((r for r in MaintenanceResolution if r.value == str(resolution)), None)
        if chosen is None or chosen not in _RESOLUTIONS[maintenance.kind]:
            allowed = ", ".join(r.label for r in _RESOLUTIONS[maintenance.kind])
            raise InvalidInput(LendingErrorCode.INVALID_CONDITION,
                               f"처리 결과는 {allowed} 중에서 골라 주세요.", field="resolution")
        unit = await session.get(EquipmentUnit, maintenance.unit_id)
        assert unit is not None
        await _desk_organizer(session, organizer, unit.item.market_id)
        await lock_desk(session, unit.item.market_id)
        await session.refresh(maintenance)
        if maintenance.resolved_at is not None:
            raise Conflict(LendingErrorCode.ALREADY_RESOLVED, "이미 처리된 정비 기록입니다.",
                           field="maintenance_id")
        blocking = await session.scalar(
            select(UnitReservation).where(
                UnitReservation.maintenance_id == maintenance.id,
                UnitReservation.active.is_(True),
            )
        )
        if blocking is not None:
            _close(blocking, moment)
        maintenance.resolved_at = moment
        maintenance.resolution = chosen
        maintenance.resolution_note = rules.clean_reason(note)
        maintenance.resolved_by_user_id = organizer.id
        if chosen is MaintenanceResolution.WRITTEN_OFF:
            unit.retired_at = moment
        record(session, UnitBackInStock(
            id=unit.id, item_id=unit.item_id, market_id=unit.item.market_id,
            actor_user_id=organizer.id, maintenance_id=maintenance.id, resolution=chosen.value,
        ))
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return maintenance


# ---------------------------------------------------------------- sweeper


@dataclass(frozen=True)
class SweepResult:
    overdue: int
    lapsed: int
    cancelled_with_day: int
    failed: int


async def sweep(session: AsyncSession, *, now: dt.datetime | None = None) -> SweepResult:
    """The periodic pass over loans (run by ``workers.periodic.sweep_lending``).

    - checked out and not back by the end of the period plus the desk's grace → overdue, a
      late-return strike, and the units stay held until they come back (later bookings of
      those units move to other units, or are told they are short);
    - requested or reserved but never picked up by the end of the period → cancelled
      (units and slot were held for nothing; no strike, the booth check-in covers no-shows);
    - booked on a market day the organizer cancelled → cancelled.

    Each loan is its own transaction under its market's desk lock, and a loan that cannot
    be handled is counted and skipped, not allowed to stop the others. Running twice changes
    nothing more (strikes are one per loan and reason).
    """
    moment = now or utcnow()
    counts = {"overdue": 0, "lapsed": 0, "cancelled_with_day": 0, "failed": 0}
    late = (await session.execute(
        select(Loan.id, Loan.market_id, Loan.status, Loan.ends_at)
        .where(Loan.status.in_([LoanStatus.CHECKED_OUT, LoanStatus.REQUESTED,
                                LoanStatus.RESERVED]), Loan.ends_at < moment)
        .order_by(Loan.id)
    )).all()
    day_cancelled = (await session.execute(
        select(Loan.id, Loan.market_id)
        .join(MarketDay, MarketDay.id == Loan.market_day_id)
        .where(MarketDay.status == MarketDayStatus.CANCELLED,
               Loan.status.in_([LoanStatus.REQUESTED, LoanStatus.RESERVED]))
        .order_by(Loan.id)
    )).all()
    await session.rollback()
    work: list[tuple[int, int, str]] = []
    for loan_id, market_id, status, ends_at in late:
        if status is LoanStatus.CHECKED_OUT:
            if aware(ends_at) + await _grace(session, market_id) < moment:
                work.append((loan_id, market_id, "overdue"))
        else:
            work.append((loan_id, market_id, "lapsed"))
    work.extend((loan_id, market_id, "cancelled_with_day") for loan_id, market_id in
                day_cancelled if not any(w[0] == loan_id for w in work))
    for loan_id, market_id, what in work:
        try:
            await lock_desk(session, market_id)
            loan = await _loan(session, loan_id)
            if what == "overdue" and loan.status is LoanStatus.CHECKED_OUT:
                await _mark_overdue(session, loan)
            elif what != "overdue" and loan.status in (LoanStatus.REQUESTED,
                                                        LoanStatus.RESERVED):
                why = ("기간 내 미수령으로 자동 취소" if what == "lapsed"
                       else "장날 취소로 대여도 취소")
                await _cancel(session, loan, None, why)
            else:
                await session.rollback()
                continue
            await session.commit()
            counts[what] += 1
        except DomainError:
            await session.rollback()
            counts["failed"] += 1
    return SweepResult(**counts)


async def _mark_overdue(session: AsyncSession, loan: Loan) -> None:
    why = f"반납 기한({rules.hhmm(aware(loan.ends_at))})이 지났습니다"
    _change_status(session, loan, LoanStatus.OVERDUE, None, why)
    for reservation in await _active_reservations(session, loan.id):
        if reservation.ends_at is not None and await _displace(
            session, reservation.unit, aware(reservation.ends_at), None,
            keep_loan_id=loan.id, strict=False,
        ):
            reservation.ends_at = None
    await _flush(session)
    await _give_strike(session, loan, StrikeReason.LATE_RETURN, why, None)
    record(session, LoanOverdue(id=loan.id, vendor_id=loan.vendor_id, market_id=loan.market_id,
                                reason=why))
