"""Reading assignments: the organizer's board, the public map, a vendor's booth codes.

The public side (map page, calendar feeds) only ever sees *published* placements; drafts
are the organizers' working copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from markets.applications.models import Application
from markets.applications.queries import booked_applications, released_days
from markets.assignment.inputs import matching_zones
from markets.assignment.models import (
    Assignment,
    AssignmentAuditLog,
    AssignmentBlockBooth,
    AssignmentBoard,
    BoardStatus,
    PlacementSource,
    UnplacedVendor,
)
from markets.assignment.problem import UnplacedReason
from markets.assignment.regulars import regular_booth_codes
from markets.booths.models import Booth
from markets.days.models import MarketDay
from shop.catalog.taxonomy import CATEGORY_LABELS, Category
from shop.vendors.models import Vendor


def category_labels(codes: Sequence[str]) -> str:
    labels = {c.value: CATEGORY_LABELS[c] for c in Category}
    return ", ".join(labels.get(c, c) for c in codes)


def reason_label(code: str) -> str:
    member = next((r for r in UnplacedReason if r.value == code), None)
    return member.label if member else code


@dataclass(frozen=True)
class PlacementView:
    booth: Booth
    vendor_id: int
    vendor_name: str
    categories: list[str]
    needs_power: bool
    preferred: bool
    source: PlacementSource
    #: Wished booths met: "first", "other" (a later wish), "none" (wishes stated, none
    #: met) or "" (no wish stated).
    wish: str = ""
    #: The vendor's own booth this season when it is a regular (고정 부스).
    regular_booth: str | None = None
    #: The vendor's other booths when it holds several side by side (its block).
    block_codes: tuple[str, ...] = ()

    @property
    def block_label(self) -> str:
        if not self.block_codes:
            return ""
        return f"{len(self.block_codes) + 1}칸: " + " + ".join(
            sorted((self.booth.code, *self.block_codes))
        )

    @property
    def wish_label(self) -> str:
        return WISH_LABELS[self.wish]

    @property
    def regular_label(self) -> str:
        if self.regular_booth is None:
            return ""
        if self.regular_booth == self.booth.code:
            return "고정"
        return f"고정 ({self.regular_booth}에서 옮김)"


def _seat_of(own: tuple[str, ...], code: str) -> str | None:
    """The own booth a regular's placement is measured against: the booth itself when it
    is one of its own (several granted: each is "고정"), else its first (it moved)."""
    if not own:
        return None
    return code if code in own else own[0]


WISH_LABELS = {"first": "1지망", "other": "다른 희망", "none": "희망 외", "": "—"}


def wish_met(wishes: Sequence[str], code: str) -> str:
    """Which of the vendor's ranked wishes a booth is: first, another one, or none."""
    if not wishes:
        return ""
    if code == wishes[0]:
        return "first"
    return "other" if code in wishes else "none"


@dataclass(frozen=True)
class UnplacedView:
    vendor_id: int
    vendor_name: str
    reason: str
    reason_label: str
    detail: str


@dataclass(frozen=True)
class AuditView:
    entry: AssignmentAuditLog
    actor_name: str
    vendor_name: str
    other_vendor_name: str


@dataclass
class BoardView:
    day: MarketDay
    board: AssignmentBoard | None
    placements: list[PlacementView] = field(default_factory=list)
    unplaced: list[UnplacedView] = field(default_factory=list)
    #: Booked vendors with neither a booth nor an unplaced row (accepted after the last run).
    not_yet_run: list[UnplacedView] = field(default_factory=list)
    audit: list[AuditView] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> BoardStatus | None:
        return self.board.status if self.board else None

    @property
    def wishes_met(self) -> dict[str, int]:
        """How many placed vendors got their first wish, another wish, none of them."""
        out = {"first": 0, "other": 0, "none": 0}
        for p in self.placements:
            if p.wish:
                out[p.wish] += 1
        return out

    @property
    def regulars(self) -> int:
        return sum(1 for p in self.placements if p.regular_booth is not None)

    @property
    def blocks(self) -> int:
        """Vendors holding several booths side by side."""
        return sum(1 for p in self.placements if p.block_codes)


async def _names(session: AsyncSession, vendor_ids: set[int]) -> dict[int, str]:
    if not vendor_ids:
        return {}
    rows = await session.execute(select(Vendor.id, Vendor.name).where(Vendor.id.in_(vendor_ids)))
    return {int(i): str(n) for i, n in rows.all()}


async def attending_applications(session: AsyncSession, day: MarketDay) -> list[Application]:
    """The day's bookings less those a no-show gave up (``released_days``): the vendors the
    solver places that day (``runs._problem`` drops the same days), hence the vendors a
    what-if may make suppositions about."""
    booked = await booked_applications(session, day)
    released = await released_days(session, [a.id for a in booked])
    return [a for a in booked if day.id not in released.get(a.id, frozenset())]


async def board_view(session: AsyncSession, day: MarketDay) -> BoardView:
    board = await session.scalar(
        select(AssignmentBoard).where(AssignmentBoard.market_day_id == day.id)
    )
    view = BoardView(day=day, board=board)
    booked = {a.vendor_id: a for a in await booked_applications(session, day)}
    placed_rows = (
        await session.execute(
            select(Assignment, Booth)
            .join(Booth, Booth.id == Assignment.booth_id)
            .where(Assignment.market_day_id == day.id)
            .order_by(Booth.position_order, Booth.code)
        )
    ).all()
    unplaced_rows = (
        await session.scalars(
            select(UnplacedVendor).where(UnplacedVendor.market_day_id == day.id)
        )
    ).all()
    audit_rows = (
        await session.scalars(
            select(AssignmentAuditLog)
            .where(AssignmentAuditLog.market_day_id == day.id)
            .order_by(AssignmentAuditLog.id.desc())
            .limit(50)
        )
    ).all()
    ids = set(booked) | {a.vendor_id for a, _ in placed_rows} | {u.vendor_id for u in unplaced_rows}
    ids |= {e.vendor_id for e in audit_rows if e.vendor_id} | {
        e.other_vendor_id for e in audit_rows if e.other_vendor_id
    }
    names = await _names(session, ids)
    regular = await regular_booth_codes(session, day.market_id, day.day.year)
    block_codes: dict[int, list[str]] = {}
    for assignment_id, code in (
        await session.execute(
            select(AssignmentBlockBooth.assignment_id, Booth.code)
            .join(Booth, Booth.id == AssignmentBlockBooth.booth_id)
            .where(AssignmentBlockBooth.market_day_id == day.id)
            .order_by(Booth.code)
        )
    ).all():
        block_codes.setdefault(int(assignment_id), []).append(str(code))
    for assignment, booth in placed_rows:
        application: Application | None = booked.get(assignment.vendor_id)
        cats = list(application.categories or ()) if application else []
        preferred = application is not None and (
            booth.code in (application.preferred_booth_codes or ())
            or any(matching_zones(p, [booth.zone]) for p in application.preferred_zones or ())
        )
        view.placements.append(
            PlacementView(
                booth=booth, vendor_id=assignment.vendor_id,
                vendor_name=names.get(assignment.vendor_id, f"#{assignment.vendor_id}"),
                categories=cats, needs_power=bool(application and application.needs_power),
                preferred=preferred, source=assignment.source,
                wish=wish_met(list(application.preferred_booth_codes or ()), booth.code)
                if application else "",
                regular_booth=_seat_of(regular.get(assignment.vendor_id, ()), booth.code),
                block_codes=tuple(block_codes.get(assignment.id, ())),
            )
        )
        if not booth.is_active:
            view.warnings.append(
                f"{booth.code} 부스가 비활성인데 배정되어 있습니다. 옮겨야 게시할 수 있습니다."
            )
        if assignment.vendor_id not in booked:
            view.warnings.append(
                f"{names.get(assignment.vendor_id, assignment.vendor_id)}: "
                "더 이상 이 장날 선정 업체가 아닙니다 "
                "(철회 등). 배정을 취소하거나 자동 배정을 다시 실행하세요."
            )
    for u in sorted(unplaced_rows, key=lambda u: (u.reason, u.vendor_id)):
        view.unplaced.append(
            UnplacedView(
                vendor_id=u.vendor_id, vendor_name=names.get(u.vendor_id, f"#{u.vendor_id}"),
                reason=u.reason, reason_label=reason_label(u.reason), detail=u.detail,
            )
        )
    known = {p.vendor_id for p in view.placements} | {u.vendor_id for u in view.unplaced}
    for vendor_id in sorted(set(booked) - known):
        view.not_yet_run.append(
            UnplacedView(vendor_id=vendor_id, vendor_name=names.get(vendor_id, f"#{vendor_id}"),
                         reason="", reason_label="아직 배정 전", detail="")
        )
    actor_ids = {e.actor_user_id for e in audit_rows if e.actor_user_id}
    actors: dict[int, str] = {}
    if actor_ids:
        rows = await session.execute(
            select(User.id, User.display_name).where(User.id.in_(actor_ids))
        )
        actors = {int(i): str(n) for i, n in rows.all()}
    for e in audit_rows:
        view.audit.append(
            AuditView(
                entry=e,
                actor_name=actors.get(e.actor_user_id or 0, "시스템"),
                vendor_name=names.get(e.vendor_id or 0, ""),
                other_vendor_name=names.get(e.other_vendor_id or 0, ""),
            )
        )
    return view


async def board_status(session: AsyncSession, day_id: int) -> BoardStatus | None:
    return await session.scalar(
        select(AssignmentBoard.status).where(AssignmentBoard.market_day_id == day_id)
    )


async def published_names(session: AsyncSession, day_id: int) -> dict[str, str]:
    """Booth code -> vendor name for the day's *published* assignment (empty otherwise)."""
    rows = await session.execute(
        select(Booth.code, Vendor.name)
        .join(Assignment, Assignment.booth_id == Booth.id)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(Assignment.market_day_id == day_id, Assignment.status == BoardStatus.PUBLISHED)
    )
    blocks = await session.execute(
        select(Booth.code, Vendor.name)
        .join(AssignmentBlockBooth, AssignmentBlockBooth.booth_id == Booth.id)
        .join(Assignment, Assignment.id == AssignmentBlockBooth.assignment_id)
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .where(Assignment.market_day_id == day_id, Assignment.status == BoardStatus.PUBLISHED)
    )
    return {str(c): str(n) for c, n in [*rows.all(), *blocks.all()]}


async def published_booth_codes(
    session: AsyncSession, vendor_id: int, day_ids: Sequence[int]
) -> dict[int, str]:
    """Market day id -> the vendor's published booth code, for calendar feeds and notices."""
    if not day_ids:
        return {}
    rows = await session.execute(
        select(Assignment.market_day_id, Booth.code)
        .join(Booth, Booth.id == Assignment.booth_id)
        .where(
            Assignment.vendor_id == vendor_id,
            Assignment.market_day_id.in_(list(day_ids)),
            Assignment.status == BoardStatus.PUBLISHED,
        )
    )
    return {int(d): str(c) for d, c in rows.all()}


async def board_changed_at(
    session: AsyncSession, day_ids: Sequence[int]
) -> dict[int, dt.datetime]:
    """Market day id -> when its assignment board last changed (run, publish, reopen): a
    vendor's calendar entry changes with it (its DTSTAMP, ``markets.days.calendars``)."""
    if not day_ids:
        return {}
    rows = await session.execute(
        select(AssignmentBoard.market_day_id, AssignmentBoard.updated_at).where(
            AssignmentBoard.market_day_id.in_(list(day_ids))
        )
    )
    return {int(d): t for d, t in rows.all() if t is not None}
