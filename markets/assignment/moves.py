"""Hand-made changes to a draft assignment: 옮기기 (move), 묶음 옮기기 (a vendor's
several booths as one block), 자리 바꾸기 (swap), 배정 취소.

Each needs a reason (kept in the audit log), runs on the day's locked draft board
(``boards.board_for_change``), and keeps the hard rules the optimiser keeps: power where
needed, a booth large enough. A clash with a change made at the same moment is a 409.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.db import transaction
from infra.errors import Conflict, InvalidInput, NotFound
from markets.access import require_market_organizer
from markets.applications.models import Application
from markets.applications.queries import booked_applications
from markets.assignment import inputs
from markets.assignment.boards import board_for_change, get_day, required_reason
from markets.assignment.errors import AssignmentErrorCode as Code
from markets.assignment.models import (
    Assignment,
    AssignmentAuditLog,
    AssignmentBlockBooth,
    AuditAction,
    BoardStatus,
    PlacementSource,
    UnplacedVendor,
)
from markets.assignment.problem import UnplacedReason
from markets.booths.models import Booth
from markets.booths.services import booths_of, neighbours_of, rows_of
from markets.days.models import MarketDay


async def _booked(session: AsyncSession, day: MarketDay, vendor_id: int) -> Application:
    application = next(
        (a for a in await booked_applications(session, day) if a.vendor_id == vendor_id), None
    )
    if application is None:
        raise NotFound(
            Code.VENDOR_NOT_ON_DAY, "이 장날에 선정된 업체가 아닙니다.", field="vendor_id"
        )
    return application


async def _booth_by_code(session: AsyncSession, market_id: int, code: str) -> Booth:
    booth = await session.scalar(
        select(Booth).where(Booth.market_id == market_id, Booth.code == code.strip())
    )
    if booth is None:
        raise NotFound(Code.BOOTH_NOT_FOUND, f"'{code}' 부스가 없습니다.", field="booth_code")
    if not booth.is_active:
        raise Conflict(Code.BOOTH_INACTIVE, f"'{booth.code}' 부스는 비활성입니다.",
                       field="booth_code")
    return booth


def _check_fit(application: Application, booth: Booth, field: str) -> None:
    """The hard rules hold for hand-made moves too: power where needed, size that fits."""
    if application.needs_power and not booth.has_power:
        raise Conflict(
            Code.BOOTH_UNSUITABLE, f"'{booth.code}' 부스에는 이 업체에 필요한 전기가 없습니다.",
            field=field,
        )
    if booth.size.rank < inputs.size_rank(application.min_booth_size):
        raise Conflict(
            Code.BOOTH_UNSUITABLE, f"'{booth.code}' 부스는 이 업체에 필요한 크기보다 작습니다.",
            field=field,
        )


async def _placement(session: AsyncSession, day_id: int, vendor_id: int) -> Assignment | None:
    return await session.scalar(
        select(Assignment).where(
            Assignment.market_day_id == day_id, Assignment.vendor_id == vendor_id
        )
    )


async def _release_blocks(session: AsyncSession, rows: list[Assignment]) -> None:
    """A hand-made change to a vendor holding several booths keeps only the booth it is
    moved to (or none): its other booths are freed (the organizer places them by hand or
    runs the assignment again)."""
    await session.execute(
        delete(AssignmentBlockBooth).where(
            AssignmentBlockBooth.assignment_id.in_([r.id for r in rows])
        )
    )


async def _code_of(session: AsyncSession, booth_id: int) -> str:
    booth = await session.get(Booth, booth_id)
    return booth.code if booth else ""


def _changed_meanwhile() -> Conflict:
    return Conflict(
        Code.BOOTH_TAKEN,
        "방금 다른 변경으로 그 부스나 업체의 배정이 바뀌었습니다. "
        "새로 고쳐 다시 시도해 주세요.",
        field="booth_code",
    )


async def move(
    session: AsyncSession, market_id: int, day_id: int, actor: User | None, *,
    vendor_id: int, booth_code: str, reason: str,
) -> Assignment:
    """옮기기: put a vendor (placed or not) into an empty booth. The booth must fit."""
    user = await require_market_organizer(session, actor, market_id)
    why = required_reason(reason)
    day = await get_day(session, market_id, day_id)
    await board_for_change(session, day)
    booth = await _booth_by_code(session, market_id, booth_code)
    application = await _booked(session, day, vendor_id)
    _check_fit(application, booth, "booth_code")
    occupant = await session.scalar(
        select(Assignment).where(
            Assignment.market_day_id == day.id, Assignment.booth_id == booth.id
        )
    )
    in_block = await session.scalar(
        select(AssignmentBlockBooth.id).where(
            AssignmentBlockBooth.market_day_id == day.id,
            AssignmentBlockBooth.booth_id == booth.id,
        )
    )
    if in_block is not None:
        raise Conflict(
            Code.BOOTH_TAKEN,
            f"'{booth.code}' 부스는 여러 부스를 쓰는 업체의 묶음에 들어 있습니다.",
            field="booth_code",
        )
    if occupant is not None:
        same = occupant.vendor_id == vendor_id
        raise Conflict(
            Code.BOOTH_TAKEN,
            "이미 이 부스에 배정되어 있습니다." if same
            else f"'{booth.code}' 부스에는 다른 업체가 있습니다. 자리 바꾸기를 쓰세요.",
            field="booth_code",
        )
    async with transaction(session, on_integrity_error=_changed_meanwhile()):
        row = await _placement(session, day.id, vendor_id)
        from_code = ""
        if row is None:
            await session.execute(
                delete(UnplacedVendor).where(
                    UnplacedVendor.market_day_id == day.id, UnplacedVendor.vendor_id == vendor_id
                )
            )
            row = Assignment(
                market_day_id=day.id, booth_id=booth.id, vendor_id=vendor_id,
                application_id=application.id, status=BoardStatus.DRAFT,
                source=PlacementSource.MANUAL,
            )
            session.add(row)
        else:
            from_code = await _code_of(session, row.booth_id)
            await _release_blocks(session, [row])
            row.booth_id = booth.id
            row.source = PlacementSource.MANUAL
        session.add(
            AssignmentAuditLog(
                market_day_id=day.id, actor_user_id=user.id, action=AuditAction.MOVE,
                vendor_id=vendor_id, from_booth_code=from_code, to_booth_code=booth.code,
                reason=why,
            )
        )
    return row


async def swap(
    session: AsyncSession, market_id: int, day_id: int, actor: User | None, *,
    vendor_id: int, other_vendor_id: int, reason: str,
) -> None:
    """자리 바꾸기: two placed vendors exchange booths; both booths must fit their new vendor.

    The two rows are deleted and inserted again rather than updated, because updating one
    after the other would, for an instant, put two vendors in one booth and trip the unique
    constraint that guards exactly that.
    """
    user = await require_market_organizer(session, actor, market_id)
    why = required_reason(reason)
    if vendor_id == other_vendor_id:
        raise InvalidInput(
            Code.SAME_VENDOR, "서로 다른 두 업체를 고르세요.", field="other_vendor_id"
        )
    day = await get_day(session, market_id, day_id)
    await board_for_change(session, day)
    first = await _placement(session, day.id, vendor_id)
    second = await _placement(session, day.id, other_vendor_id)
    for row, field in ((first, "vendor_id"), (second, "other_vendor_id")):
        if row is None:
            raise Conflict(Code.VENDOR_NOT_PLACED, "배정된 업체끼리만 자리를 바꿀 수 있습니다.",
                           field=field)
    assert first is not None and second is not None
    booth_a = await session.get(Booth, first.booth_id)
    booth_b = await session.get(Booth, second.booth_id)
    assert booth_a is not None and booth_b is not None
    for booth in (booth_a, booth_b):
        if not booth.is_active:
            raise Conflict(Code.BOOTH_INACTIVE, f"'{booth.code}' 부스는 비활성입니다.",
                           field="booth_code")
    app_a = await _booked(session, day, vendor_id)
    app_b = await _booked(session, day, other_vendor_id)
    _check_fit(app_a, booth_b, "vendor_id")
    _check_fit(app_b, booth_a, "other_vendor_id")
    async with transaction(session, on_integrity_error=_changed_meanwhile()):
        await _release_blocks(session, [first, second])
        await session.delete(first)
        await session.delete(second)
        await session.flush()
        for row, booth in ((first, booth_b), (second, booth_a)):
            session.add(
                Assignment(
                    market_day_id=day.id, booth_id=booth.id, vendor_id=row.vendor_id,
                    application_id=row.application_id, status=BoardStatus.DRAFT,
                    source=PlacementSource.MANUAL,
                )
            )
        session.add(
            AssignmentAuditLog(
                market_day_id=day.id, actor_user_id=user.id, action=AuditAction.SWAP,
                vendor_id=vendor_id, other_vendor_id=other_vendor_id,
                from_booth_code=booth_a.code, to_booth_code=booth_b.code, reason=why,
            )
        )


async def _placed_on_board(
    session: AsyncSession, market_id: int, day_id: int, actor: User | None,
    vendor_id: int, reason: str,
) -> tuple[User, str, MarketDay, Assignment]:
    """The organizer, the reason, the day (its draft board locked) and the vendor's
    placement on it, or the refusal naming what is wrong."""
    user = await require_market_organizer(session, actor, market_id)
    why = required_reason(reason)
    day = await get_day(session, market_id, day_id)
    await board_for_change(session, day)
    row = await _placement(session, day.id, vendor_id)
    if row is None:
        raise Conflict(Code.VENDOR_NOT_PLACED, "이 장날에 배정된 업체가 아닙니다.",
                       field="vendor_id")
    return user, why, day, row


async def unassign(
    session: AsyncSession, market_id: int, day_id: int, actor: User | None, *,
    vendor_id: int, reason: str,
) -> None:
    """배정 취소: the vendor leaves its booth and is listed as unplaced with the reason."""
    user, why, day, row = await _placed_on_board(
        session, market_id, day_id, actor, vendor_id, reason
    )
    async with transaction(session, on_integrity_error=_changed_meanwhile()):
        from_code = await _code_of(session, row.booth_id)
        await _release_blocks(session, [row])
        await session.delete(row)
        session.add(
            UnplacedVendor(
                market_day_id=day.id, vendor_id=vendor_id, application_id=row.application_id,
                reason=UnplacedReason.MANUAL.value, detail=why,
            )
        )
        session.add(
            AssignmentAuditLog(
                market_day_id=day.id, actor_user_id=user.id, action=AuditAction.UNASSIGN,
                vendor_id=vendor_id, from_booth_code=from_code, reason=why,
            )
        )


async def move_block(
    session: AsyncSession, market_id: int, day_id: int, actor: User | None, *,
    vendor_id: int, booth_code: str, reason: str,
) -> Assignment:
    """묶음 옮기기: a vendor holding several booths side by side moves with all of them to
    the run of as many booths starting at ``booth_code``, left to right (top to bottom in
    a column) in its line of the map. Every booth must stand next to the one before it,
    fit the vendor and be empty or already the vendor's own; a vendor holding one booth
    simply moves (:func:`move`)."""
    user, why, day, row = await _placed_on_board(
        session, market_id, day_id, actor, vendor_id, reason
    )
    extra = list(await session.scalars(
        select(AssignmentBlockBooth.booth_id).where(AssignmentBlockBooth.assignment_id == row.id)
    ))
    if not extra:
        return await move(session, market_id, day_id, actor, vendor_id=vendor_id,
                          booth_code=booth_code, reason=reason)
    start = await _booth_by_code(session, market_id, booth_code)
    application = await _booked(session, day, vendor_id)
    active = await booths_of(session, market_id)
    window = _window_from(active, start.code, 1 + len(extra))
    by_code = {b.code: b for b in active}
    for code in window:
        _check_fit(application, by_code[code], "booth_code")
        missing = set(application.needs_properties or ()) - set(by_code[code].properties or ())
        if missing:
            needed = ", ".join(sorted(missing))
            raise Conflict(Code.BOOTH_UNSUITABLE,
                           f"'{code}' 부스에는 이 업체에 필요한 설비({needed})가 없습니다.",
                           field="booth_code")
    ids = [by_code[c].id for c in window]
    mine = {row.booth_id, *extra}
    others = await session.scalar(
        select(Assignment.id).where(
            Assignment.market_day_id == day.id, Assignment.booth_id.in_(ids),
            Assignment.vendor_id != vendor_id,
        ).limit(1)
    )
    blocked = await session.scalar(
        select(AssignmentBlockBooth.id).where(
            AssignmentBlockBooth.market_day_id == day.id, AssignmentBlockBooth.booth_id.in_(ids),
            AssignmentBlockBooth.assignment_id != row.id,
        ).limit(1)
    )
    if others is not None or blocked is not None:
        raise Conflict(Code.BOOTH_TAKEN,
                       f"{' + '.join(window)} 중에 다른 업체가 쓰는 부스가 있습니다.",
                       field="booth_code")
    if set(ids) == mine:
        raise Conflict(Code.BOOTH_TAKEN, "이미 이 부스 묶음에 배정되어 있습니다.",
                       field="booth_code")
    async with transaction(session, on_integrity_error=_changed_meanwhile()):
        from_code = await _code_of(session, row.booth_id)
        await _release_blocks(session, [row])
        await session.flush()
        row.booth_id = ids[0]
        row.source = PlacementSource.MANUAL
        for booth_id in ids[1:]:
            session.add(AssignmentBlockBooth(market_day_id=day.id, assignment_id=row.id,
                                             booth_id=booth_id))
        session.add(
            AssignmentAuditLog(
                market_day_id=day.id, actor_user_id=user.id, action=AuditAction.MOVE,
                vendor_id=vendor_id, from_booth_code=from_code, to_booth_code=window[0],
                reason=f"{why} (묶음 {len(window)}칸: {' + '.join(window)})",
            )
        )
    return row


def _runs(active: list[Booth], size: int) -> list[tuple[str, ...]]:
    """Every run of ``size`` neighbouring booths along one line of the map (the lines and
    neighbours the optimiser uses), in map order; a gap, an obstacle or a line's end
    breaks a run."""
    adjacency = neighbours_of(active)
    out = []
    for line in rows_of(active):
        for start in range(len(line) - size + 1):
            run = tuple(line[start:start + size])
            if all(run[n + 1] in adjacency.get(run[n], frozenset()) for n in range(size - 1)):
                out.append(run)
    return out


def _window_from(active: list[Booth], code: str, size: int) -> tuple[str, ...]:
    """The run of ``size`` neighbouring booths of one line of the map starting at
    ``code``; the vendor's own booths may be part of it (a shift along its row)."""
    run = next((r for r in _runs(active, size) if r[0] == code), None)
    if run is None:
        raise Conflict(
            Code.NO_ADJACENT_BLOCK,
            f"'{code}' 부스부터 {size}칸이 한 줄로 붙어 있지 않습니다 (통로·기둥·줄 끝).",
            field="booth_code",
        )
    return run


def block_moves(
    active: list[Booth], own: frozenset[str], taken: frozenset[str]
) -> list[tuple[str, ...]]:
    """Where a vendor holding the block ``own`` can move it (the board's picker): every run
    as long as the block whose booths are empty or the vendor's own, the block itself left
    out. A run one booth along the row shares booths with the block and is offered too.
    Fit (power, size, facilities) is checked when the move is made (:func:`move_block`)."""
    first: dict[str, tuple[str, ...]] = {}
    for run in _runs(active, len(own)):
        first.setdefault(run[0], run)  # the run a start names (:func:`_window_from`)
    return [
        run for run in first.values() if set(run) != own and not (set(run) - own) & taken
    ]
