"""Booking equipment: a vendor asks for a kit or items for a market day or a date range, with
a pickup slot; and cancels again.

A booking is checked in full before anything is written (400 naming every wrong field),
then counted and written under the market's desk lock
(:func:`~markets.lending.availability.lock_desk`), so a refused booking is a clear 409; the
database constraint on unit reservations is the guarantee underneath. :func:`book_loan` and
:func:`cancel_loan` are each one transaction.

:func:`reserve_kit_for_application` and :func:`cancel_loans_of_application` do *not*
commit: they join the caller's transaction, so a booth application and its equipment are
saved (or released) together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import transaction
from infra.errors import Conflict, InvalidInput, Problems
from infra.outbox import record
from markets.days.models import MarketDay, MarketDayStatus
from markets.lending import rules
from markets.lending.availability import free_units, lock_desk
from markets.lending.errors import LendingErrorCode
from markets.lending.events import LoanRequested, LoanReserved
from markets.lending.models import (
    HOLDING_STATUSES,
    EquipmentItem,
    EquipmentKit,
    EquipmentUnit,
    LendingDesk,
    Loan,
    LoanLine,
    LoanStatus,
    LoanStatusChange,
    PickupSlot,
    UnitReservation,
)
from markets.lending.queries import loan_for, loan_or_404, market_or_404
from markets.lending.rules import BookingRequest, CleanBooking, Period, aware
from markets.lending.steps import cancel, change_status, flush_reservations
from shop.vendors.access import member_role, vendor_for_member
from shop.vendors.models import Vendor

# ---------------------------------------------------------------- checking a booking


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
) -> _Plan:
    """Resolve the booking's references (kit, items, day) and its period and slots."""
    vendor = await vendor_for_member(session, actor, clean.vendor_id)
    if not vendor.can_sell:
        problems.add(
            LendingErrorCode.VENDOR_NOT_APPROVED, "vendor_id",
            "승인된 입점기업만 장비를 빌릴 수 있습니다.",
        )
    await market_or_404(session, clean.market_id)
    desk = await session.scalar(
        select(LendingDesk).where(LendingDesk.market_id == clean.market_id)
    ) or LendingDesk(slot_minutes=30, opens=dt.time(9), closes=dt.time(18))
    line_fields: dict[int, str] = {}
    kit, components = await _kit_components(session, clean, line_fields, problems)
    names = await _item_names(session, clean, components, line_fields, problems)
    market_day, period, slots = await _period_and_slots(session, clean, desk, problems, now)
    _check_pickup(clean, slots, problems, now)
    problems.raise_if_any()
    assert period is not None
    return _Plan(
        vendor=vendor, period=period, slots=slots,
        wanted=rules.merge_lines(components, clean.kit_quantity, clean.items),
        line_fields=line_fields, names=names, kit=kit, market_day=market_day, clean=clean,
    )


async def _kit_components(
    session: AsyncSession, clean: CleanBooking, line_fields: dict[int, str], problems: Problems
) -> tuple[EquipmentKit | None, list[tuple[int, int]]]:
    """The kit asked for (if this market lends it) and its (item, quantity) components."""
    if clean.kit_id is None:
        return None, []
    kit = await session.get(EquipmentKit, clean.kit_id)
    if kit is None or kit.market_id != clean.market_id or not kit.is_active:
        problems.add(LendingErrorCode.UNKNOWN_KIT, "kit_id",
                     "이 장터에서 빌릴 수 있는 세트가 아닙니다.")
        return None, []
    line_fields.update({c.item_id: "kit_id" for c in kit.components})
    return kit, [(c.item_id, c.quantity) for c in kit.components]


async def _item_names(
    session: AsyncSession, clean: CleanBooking, components: list[tuple[int, int]],
    line_fields: dict[int, str], problems: Problems,
) -> dict[int, str]:
    """The names of the items asked for, each of which this market must lend."""
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
    return names


async def _period_and_slots(
    session: AsyncSession, clean: CleanBooking, desk: LendingDesk, problems: Problems,
    now: dt.datetime,
) -> tuple[MarketDay | None, Period | None, list[dt.datetime]]:
    """The market day (if booked by day), the loan's period and its pickup slots."""
    if clean.market_day_id is not None:
        market_day = await session.get(MarketDay, clean.market_day_id)
        if market_day is None or market_day.market_id != clean.market_id:
            problems.add(
                LendingErrorCode.UNKNOWN_MARKET_DAY, "market_day_id", "이 장터의 장날이 아닙니다."
            )
            return None, None, []
        if market_day.status is not MarketDayStatus.SCHEDULED or aware(
            market_day.closes_at
        ) <= now:
            problems.add(
                LendingErrorCode.MARKET_DAY_NOT_OPEN, "market_day_id",
                "취소되었거나 이미 지난 장날입니다.",
            )
            return None, None, []
        period = rules.market_day_period(market_day.setup_from, market_day.closes_at)
        slots = rules.market_day_slots(
            market_day.setup_from, market_day.opens_at, desk.slot_minutes
        )
        return market_day, period, slots
    if clean.start_date is not None and clean.end_date is not None:
        period = rules.date_range_period(clean.start_date, clean.end_date, desk.opens, desk.closes)
        slots = rules.date_range_slots(clean.start_date, desk.opens, desk.closes, desk.slot_minutes)
        return None, period, slots
    return None, None, []


def _check_pickup(
    clean: CleanBooking, slots: list[dt.datetime], problems: Problems, now: dt.datetime
) -> None:
    """A pickup time, if named, must be one of the period's slots and still ahead."""
    if clean.pickup_at in (None, "") or not slots:
        return
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


# ---------------------------------------------------------------- taking slot and units


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


async def _allocate(session: AsyncSession, plan: _Plan) -> dict[int, list[EquipmentUnit]]:
    """Free units for every item wanted over the period, or a 409 naming each shortage."""
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
    return allocation


# ---------------------------------------------------------------- writing the loan


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
    desk = await lock_desk(session, clean.market_id)
    slot = await _take_slot(session, desk, clean.market_id, plan, now)
    allocation = await _allocate(session, plan)
    loan = await _write_loan(session, actor, plan, slot, allocation, application_id)
    if plan.market_day is not None:
        # A market-day loan serves a booth on a day the organizer runs: nothing to confirm.
        why = "장날 대여는 자동으로 확정됩니다"
        change_status(session, loan, LoanStatus.RESERVED, None, why)
        record(session, LoanReserved(id=loan.id, vendor_id=loan.vendor_id,
                                     market_id=loan.market_id, reason=why))
    await flush_reservations(session)
    return loan


async def _write_loan(
    session: AsyncSession, actor: User | None, plan: _Plan, slot: PickupSlot,
    allocation: dict[int, list[EquipmentUnit]], application_id: int | None,
) -> Loan:
    """The requested loan, its first audit row, its unit reservations and its event."""
    clean = plan.clean
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
    return loan


# ---------------------------------------------------------------- the use cases


async def book_loan(
    session: AsyncSession,
    actor: User | None,
    request: BookingRequest,
    *,
    now: dt.datetime | None = None,
) -> Loan:
    """대여 예약: hold the units and a pickup slot for a market day or a date range.

    Market-day loans are confirmed at once; date-range loans wait for the desk
    (:func:`markets.lending.desk.confirm_loan`), their units held meanwhile. Refusals change
    nothing: 400 for bad input (naming the field), 409 when the units or the slot are taken.
    """
    async with transaction(session):
        loan = await _book(session, actor, request, application_id=None, now=now or utcnow())
    return loan


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
    async with transaction(session):
        await lock_desk(session, loan.market_id)
        loan = await loan_or_404(session, loan_id)
        await cancel(session, loan, actor, why or "입점기업이 취소")
    return loan


# ---------------------------------------------------------------- with a booth application


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
        existing = await _holding_loan_of(session, application_id, day_id)
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


async def _holding_loan_of(
    session: AsyncSession, application_id: int | None, day_id: int
) -> Loan | None:
    """The application's loan for that day that still holds units, if it was booked already."""
    if application_id is None:
        return None
    return await session.scalar(
        select(Loan).where(
            Loan.application_id == application_id, Loan.market_day_id == day_id,
            Loan.status.in_(HOLDING_STATUSES),
        )
    )


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
        loan = await loan_or_404(session, found.id)
        if loan.status in (LoanStatus.REQUESTED, LoanStatus.RESERVED):
            await cancel(session, loan, actor,
                         rules.clean_reason(reason) or "부스 신청 철회·미선정")
    await session.flush()
    return len(loans)
