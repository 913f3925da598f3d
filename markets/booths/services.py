"""Booth-map use cases: each checks, changes, records its event, and commits.

A booth is never deleted (assignments and history point at it); it is deactivated, and the
assignment stops using it. Codes are unique per market (a constraint, so two organizers
adding "A-01" at once get one booth and one 409), and two active booths may not stand on
the same spot: an overlap is a drawing error the map would hide.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.db import transaction
from infra.errors import Conflict, NotFound, Problems
from infra.outbox import record
from markets.access import require_market_organizer
from markets.booths.adjacency import Footprint, booth_rows, effective_adjacency, overlapping
from markets.booths.errors import BoothErrorCode as Code
from markets.booths.events import BoothCreated, BoothDeactivated, BoothReactivated, BoothUpdated
from markets.booths.models import Booth
from markets.booths.rules import BoothDraft, CleanBooth, clean_booth, clean_reason
from markets.models import Market

EDITABLE = (
    "code", "zone", "size", "has_power", "is_corner", "is_premium", "x", "y", "width", "height",
    "adjacent_codes", "position_order", "properties",
)


async def get_market(session: AsyncSession, market_id: int) -> Market:
    market = await session.get(Market, market_id)
    if market is None:
        raise NotFound(Code.MARKET_NOT_FOUND, "장터를 찾을 수 없습니다.", field="market_id")
    return market


async def booths_of(
    session: AsyncSession, market_id: int, *, include_inactive: bool = False
) -> list[Booth]:
    stmt = select(Booth).where(Booth.market_id == market_id)
    if not include_inactive:
        stmt = stmt.where(Booth.is_active.is_(True))
    stmt = stmt.order_by(Booth.position_order, Booth.code)
    return list((await session.scalars(stmt)).all())


async def get_booth(session: AsyncSession, market_id: int, booth_id: int) -> Booth:
    booth = await session.get(Booth, booth_id)
    if booth is None or booth.market_id != market_id:
        raise NotFound(Code.BOOTH_NOT_FOUND, "부스를 찾을 수 없습니다.", field="booth_id")
    return booth


def footprint(booth: Booth) -> Footprint:
    return Footprint(
        code=booth.code, x=booth.x, y=booth.y, width=booth.width, height=booth.height,
        adjacent_codes=tuple(booth.adjacent_codes or ()),
    )


def neighbours_of(booths: Sequence[Booth]) -> dict[str, frozenset[str]]:
    """Effective neighbours among ``booths`` (pass the active ones for the assignment)."""
    return effective_adjacency([footprint(b) for b in booths])


def rows_of(booths: Sequence[Booth]) -> tuple[tuple[str, ...], ...]:
    """Lines of booths in map order (for several-booth stalls, see ``booth_rows``)."""
    return tuple(booth_rows([footprint(b) for b in booths]))


def draft_of(booth: Booth) -> BoothDraft:
    return BoothDraft(
        code=booth.code, zone=booth.zone, size=booth.size.value, has_power=booth.has_power,
        is_corner=booth.is_corner, is_premium=booth.is_premium, x=booth.x, y=booth.y,
        width=booth.width, height=booth.height, adjacent_codes=list(booth.adjacent_codes or ()),
        position_order=booth.position_order, properties=list(booth.properties or ()),
    )


async def _check_against_map(
    session: AsyncSession, market_id: int, clean: CleanBooth, *, except_id: int | None
) -> None:
    others = [b for b in await booths_of(session, market_id, include_inactive=True)
              if b.id != except_id]
    if any(b.code == clean.code for b in others):
        raise Conflict(Code.CODE_TAKEN, f"'{clean.code}' 부스가 이미 있습니다.", field="code")
    problems = Problems()
    known = {b.code for b in others}
    unknown = [c for c in clean.adjacent_codes if c not in known]
    if unknown:
        problems.add(
            Code.UNKNOWN_NEIGHBOUR, "adjacent_codes",
            "이 장터에 없는 부스 번호입니다: " + ", ".join(unknown),
        )
    problems.raise_if_any()
    mine = Footprint(clean.code, clean.x, clean.y, clean.width, clean.height)
    clash = next(
        (b for b in others if b.is_active and overlapping(mine, footprint(b))), None
    )
    if clash is not None:
        raise Conflict(
            Code.OVERLAPS,
            f"'{clash.code}' 부스와 자리가 겹칩니다. 위치(x, y)나 크기를 바꿔 주세요.",
            field="x",
        )


def _apply(booth: Booth, clean: CleanBooth) -> list[str]:
    changed = []
    for name in EDITABLE:
        value = getattr(clean, name)
        if name in ("adjacent_codes", "properties"):
            value = list(value)
        if getattr(booth, name) != value:
            setattr(booth, name, value)
            changed.append(name)
    return changed


def _code_taken(code: str) -> Conflict:
    """A concurrent booth with the same code won."""
    return Conflict(Code.CODE_TAKEN, f"'{code}' 부스가 이미 있습니다.", field="code")


async def create_booth(
    session: AsyncSession, market_id: int, actor: User | None, draft: BoothDraft
) -> Booth:
    """부스 추가: a new active booth on the market's map."""
    user = await require_market_organizer(session, actor, market_id)
    await get_market(session, market_id)
    problems = Problems()
    clean = clean_booth(draft, problems)
    problems.raise_if_any()
    assert clean is not None
    await _check_against_map(session, market_id, clean, except_id=None)
    booth = Booth(market_id=market_id, is_active=True)
    _apply(booth, clean)
    session.add(booth)
    await session.flush()
    async with transaction(session, on_integrity_error=_code_taken(clean.code)):
        record(session, BoothCreated(id=booth.id, market_id=market_id, code=booth.code,
                                     actor_user_id=user.id))
    return booth


async def update_booth(
    session: AsyncSession, market_id: int, booth_id: int, actor: User | None, draft: BoothDraft
) -> Booth:
    """부스 수정: the whole booth as submitted (the API merges a patch into it first)."""
    user = await require_market_organizer(session, actor, market_id)
    booth = await get_booth(session, market_id, booth_id)
    problems = Problems()
    clean = clean_booth(draft, problems)
    problems.raise_if_any()
    assert clean is not None
    await _check_against_map(session, market_id, clean, except_id=booth.id)
    async with transaction(session, on_integrity_error=_code_taken(clean.code)):
        changed = _apply(booth, clean)
        if changed:
            record(session, BoothUpdated(id=booth.id, market_id=market_id, code=booth.code,
                                         actor_user_id=user.id, fields=tuple(changed)))
    return booth


async def set_active(
    session: AsyncSession, market_id: int, booth_id: int, actor: User | None, *,
    active: bool, reason: str = "",
) -> Booth:
    """부스 비활성화/재활성화: an inactive booth stays on record but is not assigned.

    Assignments already drafted in it stay visible on the board, flagged, and publishing
    refuses until they are moved (``markets.assignment.publishing.publish``).
    """
    user = await require_market_organizer(session, actor, market_id)
    booth = await get_booth(session, market_id, booth_id)
    problems = Problems()
    why = clean_reason(reason, problems, required=False)
    problems.raise_if_any()
    if booth.is_active == active:
        code = Code.ALREADY_ACTIVE if active else Code.ALREADY_INACTIVE
        state = "사용 중" if active else "비활성"
        raise Conflict(code, f"'{booth.code}' 부스는 이미 {state}입니다.", field="booth_id")
    if active:
        others = await booths_of(session, market_id)
        clash = next((b for b in others if overlapping(footprint(booth), footprint(b))), None)
        if clash is not None:
            raise Conflict(
                Code.OVERLAPS, f"'{clash.code}' 부스와 자리가 겹쳐 다시 쓸 수 없습니다.", field="x"
            )
    event = (
        BoothReactivated(id=booth.id, market_id=market_id, code=booth.code, actor_user_id=user.id)
        if active
        else BoothDeactivated(id=booth.id, market_id=market_id, code=booth.code,
                              actor_user_id=user.id, reason=why)
    )
    async with transaction(session):
        booth.is_active = active
        record(session, event)
    return booth
