"""Read-only views of lending for the API and the pages: stock, slots, loans, the desk board.

Nothing here changes a row; anything that must stay true until a write is read again by
the services under the desk lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.errors import InvalidInput, NotFound
from markets.access import manages
from markets.days.models import MarketDay
from markets.lending import rules
from markets.lending.availability import Stock, stock_of_market
from markets.lending.errors import LendingErrorCode
from markets.lending.models import (
    HOLDING_STATUSES,
    ConditionReport,
    EquipmentItem,
    EquipmentKit,
    EquipmentUnit,
    LendingDesk,
    LendingStrike,
    Loan,
    LoanStatus,
    LoanStatusChange,
    MaintenanceRecord,
    PickupSlot,
    UnitReservation,
)
from markets.lending.rules import Period, aware
from markets.models import Market
from shop.vendors.access import vendor_for_member
from shop.vendors.models import Vendor

DEFAULT_DESK = {"slot_minutes": 30, "slot_capacity": 6, "opens": dt.time(9),
                "closes": dt.time(18), "return_grace_minutes": 60, "place": ""}


async def desk_of(session: AsyncSession, market_id: int) -> LendingDesk:
    """The market's desk settings (the defaults, unsaved, before its first equipment)."""
    desk = await session.scalar(select(LendingDesk).where(LendingDesk.market_id == market_id))
    return desk or LendingDesk(market_id=market_id, **DEFAULT_DESK)


async def market_or_404(session: AsyncSession, market_id: int) -> Market:
    market = await session.get(Market, market_id)
    if market is None:
        raise NotFound(LendingErrorCode.UNKNOWN_MARKET, "장터를 찾을 수 없습니다.",
                       field="market_id")
    return market


async def loan_or_404(session: AsyncSession, loan_id: int) -> Loan:
    """The loan as the database has it now (re-read under the desk lock by the use cases)."""
    loan = await session.get(Loan, loan_id, populate_existing=True)
    if loan is None:
        raise NotFound(LendingErrorCode.LOAN_NOT_FOUND, "대여를 찾을 수 없습니다.", field="loan_id")
    return loan


async def loan_for(session: AsyncSession, user: User | None, loan_id: int) -> Loan:
    """The loan, if ``user`` runs the lending market or is a member of the borrowing vendor."""
    loan = await loan_or_404(session, loan_id)
    if await manages(session, user, loan.market_id):
        return loan
    await vendor_for_member(session, user, loan.vendor_id)
    return loan


@dataclass(frozen=True)
class PeriodChoice:
    """A period someone asked about, with the pickup slots that go with it."""

    period: Period
    slots: list[dt.datetime]
    market_day: MarketDay | None = None


async def period_for(
    session: AsyncSession, market_id: int, *, market_day_id: int | None = None,
    start_date: str | None = None, end_date: str | None = None,
) -> PeriodChoice | None:
    """The period of a market day, or of a date range (end defaults to the start)."""
    desk = await desk_of(session, market_id)
    if market_day_id is not None:
        day = await session.get(MarketDay, market_day_id)
        if day is None or day.market_id != market_id:
            raise InvalidInput(LendingErrorCode.UNKNOWN_MARKET_DAY, "이 장터의 장날이 아닙니다.",
                               field="market_day_id")
        return PeriodChoice(
            rules.market_day_period(day.setup_from, day.closes_at),
            rules.market_day_slots(day.setup_from, day.opens_at, desk.slot_minutes), day,
        )
    if not start_date:
        return None
    start = rules.parse_date(start_date)
    end = rules.parse_date(end_date) if end_date else start
    if start is None:
        raise InvalidInput(LendingErrorCode.INVALID_DATE, "시작일을 YYYY-MM-DD로 입력해 주세요.",
                           field="start_date")
    if end is None or end < start:
        raise InvalidInput(LendingErrorCode.INVALID_PERIOD,
                           "종료일은 시작일과 같거나 뒤여야 합니다.", field="end_date")
    return PeriodChoice(
        rules.date_range_period(start, end, desk.opens, desk.closes),
        rules.date_range_slots(start, desk.opens, desk.closes, desk.slot_minutes),
    )


@dataclass(frozen=True)
class KitView:
    kit: EquipmentKit
    components: list[tuple[int, str, int]]  # item id, name, per kit
    available: int  # whole kits free in the period


@dataclass(frozen=True)
class EquipmentView:
    market: Market
    desk: LendingDesk
    period: Period | None
    stock: list[Stock]
    kits: list[KitView]


async def equipment_view(
    session: AsyncSession, market_id: int, period: Period | None, *, now: dt.datetime | None = None
) -> EquipmentView:
    moment = now or utcnow()
    market = await market_or_404(session, market_id)
    asked = period or Period(moment, moment + dt.timedelta(microseconds=1))
    stock = await stock_of_market(session, market_id, asked.starts_at, asked.ends_at, now=moment)
    free = {s.item_id: s.free for s in stock}
    names = {s.item_id: s.name for s in stock}
    kits = (await session.scalars(
        select(EquipmentKit).where(EquipmentKit.market_id == market_id,
                                   EquipmentKit.is_active.is_(True)).order_by(EquipmentKit.name)
    )).all()
    views = []
    for kit in kits:
        components = [(c.item_id, names.get(c.item_id, "?"), c.quantity) for c in kit.components]
        available = min((free.get(i, 0) // q for i, _, q in components), default=0)
        views.append(KitView(kit, components, available))
    return EquipmentView(market, await desk_of(session, market_id), period, stock, views)


@dataclass(frozen=True)
class SlotView:
    starts_at: dt.datetime
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)

    @property
    def label(self) -> str:
        return rules.hhmm(self.starts_at)


async def slot_views(
    session: AsyncSession, market_id: int, slots: Sequence[dt.datetime]
) -> list[SlotView]:
    desk = await desk_of(session, market_id)
    rows = (await session.execute(
        select(PickupSlot.starts_at, PickupSlot.capacity, func.count(Loan.id))
        .outerjoin(Loan, (Loan.pickup_slot_id == PickupSlot.id)
                   & (Loan.status != LoanStatus.CANCELLED))
        .where(PickupSlot.market_id == market_id, PickupSlot.starts_at.in_(list(slots)))
        .group_by(PickupSlot.id, PickupSlot.starts_at, PickupSlot.capacity)
    )).all()
    known = {aware(s): (capacity, int(n)) for s, capacity, n in rows}
    return [
        SlotView(s, *known.get(s, (desk.slot_capacity, 0))) for s in slots
    ]


# ---------------------------------------------------------------- loans


@dataclass(frozen=True)
class HeldUnit:
    reservation: UnitReservation
    code: str
    item_id: int
    item_name: str


@dataclass
class LoanView:
    loan: Loan
    vendor_name: str
    market_name: str
    pickup_at: dt.datetime
    units: list[HeldUnit] = field(default_factory=list)
    #: item name → units the loan asked for but does not hold (after maintenance moves)
    short: dict[str, int] = field(default_factory=dict)
    history: list[tuple[LoanStatusChange, str | None]] = field(default_factory=list)
    conditions: list[ConditionReport] = field(default_factory=list)
    lines: list[tuple[str, int]] = field(default_factory=list)

    @property
    def label(self) -> str:
        day = rules.seoul_date(self.loan.starts_at)
        last = rules.seoul_date(self.loan.ends_at)
        span = day.isoformat() if day == last else f"{day.isoformat()} ~ {last.isoformat()}"
        return f"#{self.loan.id} {self.vendor_name} · {span}"


async def _views(session: AsyncSession, loans: Sequence[Loan], *, full: bool) -> list[LoanView]:
    if not loans:
        return []
    ids = [loan.id for loan in loans]
    vendors = dict((await session.execute(
        select(Vendor.id, Vendor.name).where(Vendor.id.in_({loan.vendor_id for loan in loans}))
    )).all())
    markets = dict((await session.execute(
        select(Market.id, Market.name).where(Market.id.in_({loan.market_id for loan in loans}))
    )).all())
    item_names = dict((await session.execute(
        select(EquipmentItem.id, EquipmentItem.name).where(
            EquipmentItem.market_id.in_({loan.market_id for loan in loans}))
    )).all())
    held = (await session.execute(
        select(UnitReservation, EquipmentUnit.code, EquipmentUnit.item_id)
        .join(EquipmentUnit, EquipmentUnit.id == UnitReservation.unit_id)
        .where(UnitReservation.loan_id.in_(ids), UnitReservation.active.is_(True))
        .order_by(EquipmentUnit.code)
    )).all()
    views = {
        loan.id: LoanView(loan, vendors.get(loan.vendor_id, "?"), markets.get(loan.market_id, "?"),
                          aware(loan.pickup_slot.starts_at))
        for loan in loans
    }
    for reservation, code, item_id in held:
        assert reservation.loan_id is not None
        views[reservation.loan_id].units.append(
            HeldUnit(reservation, code, item_id, item_names.get(item_id, "?"))
        )
    for view in views.values():
        counts: dict[int, int] = {}
        for unit in view.units:
            counts[unit.item_id] = counts.get(unit.item_id, 0) + 1
        view.lines = [(item_names.get(line.item_id, "?"), line.quantity)
                      for line in view.loan.lines]
        if view.loan.status in HOLDING_STATUSES:
            for line in view.loan.lines:
                missing = line.quantity - counts.get(line.item_id, 0)
                if missing > 0:
                    view.short[item_names.get(line.item_id, "?")] = missing
    if full:
        changes = (await session.execute(
            select(LoanStatusChange, User.display_name)
            .outerjoin(User, User.id == LoanStatusChange.actor_user_id)
            .where(LoanStatusChange.loan_id.in_(ids))
            .order_by(LoanStatusChange.id)
        )).all()
        for change, actor in changes:
            views[change.loan_id].history.append((change, actor))
        reports = (await session.scalars(
            select(ConditionReport).where(ConditionReport.loan_id.in_(ids))
            .order_by(ConditionReport.id)
        )).unique().all()
        for report in reports:
            assert report.loan_id is not None
            views[report.loan_id].conditions.append(report)
    return [views[i] for i in ids]


async def loan_view(session: AsyncSession, loan: Loan) -> LoanView:
    return (await _views(session, [loan], full=True))[0]


async def loans_of_vendors(
    session: AsyncSession, vendor_ids: Sequence[int], *, limit: int = 100
) -> list[LoanView]:
    loans = (await session.scalars(
        select(Loan).where(Loan.vendor_id.in_(list(vendor_ids)))
        .order_by(Loan.starts_at.desc(), Loan.id.desc()).limit(limit)
    )).unique().all()
    return await _views(session, loans, full=False)


async def loans_of_market(
    session: AsyncSession, market_id: int, *, statuses: Sequence[LoanStatus] = (),
    limit: int = 200,
) -> list[LoanView]:
    stmt = select(Loan).where(Loan.market_id == market_id)
    if statuses:
        stmt = stmt.where(Loan.status.in_(list(statuses)))
    loans = (await session.scalars(
        stmt.order_by(Loan.starts_at, Loan.id).limit(limit)
    )).unique().all()
    return await _views(session, loans, full=False)


# ---------------------------------------------------------------- the desk


@dataclass
class DeskBoard:
    market: Market
    desk: LendingDesk
    day: dt.date
    pickups: list[tuple[SlotView, list[LoanView]]]
    returns_due: list[LoanView]
    awaiting_confirmation: list[LoanView]
    overdue: list[LoanView]
    maintenance: list[MaintenanceRecord]


async def desk_board(
    session: AsyncSession, market_id: int, day: dt.date
) -> DeskBoard:
    """One day at a market's desk: pickups by slot, returns due, requests, overdue, repairs."""
    market = await market_or_404(session, market_id)
    desk = await desk_of(session, market_id)
    start = rules.at_seoul(day, dt.time(0))
    end = start + dt.timedelta(days=1)
    picking = (await session.scalars(
        select(Loan).join(PickupSlot, PickupSlot.id == Loan.pickup_slot_id)
        .where(Loan.market_id == market_id, PickupSlot.starts_at >= start,
               PickupSlot.starts_at < end, Loan.status != LoanStatus.CANCELLED)
        .order_by(PickupSlot.starts_at, Loan.id)
    )).unique().all()
    picking_views = await _views(session, picking, full=False)
    by_slot: dict[dt.datetime, list[LoanView]] = {}
    for view in picking_views:
        by_slot.setdefault(view.pickup_at, []).append(view)
    slots = await slot_views(session, market_id, sorted(by_slot))
    due = (await session.scalars(
        select(Loan).where(Loan.market_id == market_id, Loan.ends_at >= start,
                           Loan.ends_at < end,
                           Loan.status.in_([LoanStatus.CHECKED_OUT, LoanStatus.OVERDUE]))
        .order_by(Loan.ends_at, Loan.id)
    )).unique().all()
    return DeskBoard(
        market=market, desk=desk, day=day,
        pickups=[(slot, by_slot[slot.starts_at]) for slot in slots],
        returns_due=await _views(session, due, full=False),
        awaiting_confirmation=await loans_of_market(
            session, market_id, statuses=[LoanStatus.REQUESTED]),
        overdue=await loans_of_market(session, market_id, statuses=[LoanStatus.OVERDUE]),
        maintenance=await open_maintenance(session, market_id),
    )


async def open_maintenance(session: AsyncSession, market_id: int) -> list[MaintenanceRecord]:
    rows = await session.scalars(
        select(MaintenanceRecord)
        .join(EquipmentUnit, EquipmentUnit.id == MaintenanceRecord.unit_id)
        .join(EquipmentItem, EquipmentItem.id == EquipmentUnit.item_id)
        .where(EquipmentItem.market_id == market_id, MaintenanceRecord.resolved_at.is_(None))
        .order_by(MaintenanceRecord.id)
    )
    return list(rows.unique().all())


async def units_of_market(session: AsyncSession, market_id: int) -> list[EquipmentUnit]:
    rows = await session.scalars(
        select(EquipmentUnit).join(EquipmentItem, EquipmentItem.id == EquipmentUnit.item_id)
        .where(EquipmentItem.market_id == market_id, EquipmentUnit.retired_at.is_(None))
        .order_by(EquipmentItem.name, EquipmentUnit.code)
    )
    return list(rows.unique().all())


# ---------------------------------------------------------------- for other domains


async def strikes_of(session: AsyncSession, vendor_id: int) -> list[LendingStrike]:
    """A vendor's lending strikes, newest first (booth applications may weigh them)."""
    rows = await session.scalars(
        select(LendingStrike).where(LendingStrike.vendor_id == vendor_id)
        .order_by(LendingStrike.id.desc())
    )
    return list(rows.all())


async def strike_count(
    session: AsyncSession, vendor_id: int, *, since: dt.datetime | None = None
) -> int:
    stmt = select(func.count(LendingStrike.id)).where(LendingStrike.vendor_id == vendor_id)
    if since is not None:
        stmt = stmt.where(LendingStrike.created_at >= since)
    return int(await session.scalar(stmt) or 0)


@dataclass(frozen=True)
class Pickup:
    loan_id: int
    market_id: int
    market_day_id: int | None
    pickup_at: dt.datetime
    returns_by: dt.datetime
    status: LoanStatus


async def pickups_of_vendor(
    session: AsyncSession, vendor_id: int, *, after: dt.datetime | None = None
) -> list[Pickup]:
    """Equipment pickups of a vendor's live loans, for the vendor's calendar feed."""
    stmt = (
        select(Loan.id, Loan.market_id, Loan.market_day_id, PickupSlot.starts_at, Loan.ends_at,
               Loan.status)
        .join(PickupSlot, PickupSlot.id == Loan.pickup_slot_id)
        .where(Loan.vendor_id == vendor_id, Loan.status.in_(HOLDING_STATUSES))
        .order_by(PickupSlot.starts_at)
    )
    if after is not None:
        stmt = stmt.where(Loan.ends_at >= after)
    rows = (await session.execute(stmt)).all()
    return [Pickup(i, m, d, aware(p), aware(e), s) for i, m, d, p, e, s in rows]
