"""Assignment use cases: run the optimiser into a draft, adjust it by hand, publish it.

Every use case is one transaction: placements, unplaced vendors with reasons, the audit row
(who, what, why) and the outbox event commit together or not at all. Input is checked
before anything is written, so a refused move changes nothing.

Concurrency: each use case first locks the day's board row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite serialises writers anyway), so moves and publishing on one day happen
one after the other. The unique constraints on (day, booth) and (day, vendor) are the last
word: if two writers ever slipped past each other, one gets a 409, never two vendors in a
booth (``tests/markets/assignment/test_assignment_races.py``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import dialect_name
from infra.errors import Conflict, InvalidInput, NotFound, Problems
from infra.outbox import record
from markets.access import require_market_organizer
from markets.applications.models import Application, ApplicationStatus
from markets.applications.queries import booked_applications, released_days
from markets.assignment import inputs
from markets.assignment.errors import AssignmentErrorCode as Code
from markets.assignment.events import AssignmentDrafted, AssignmentPublished, AssignmentReopened
from markets.assignment.models import (
    BOARD_TRANSITIONS,
    Assignment,
    AssignmentAuditLog,
    AssignmentBoard,
    AssignmentPolicy,
    AuditAction,
    BoardStatus,
    PlacementSource,
    UnplacedVendor,
)
from markets.assignment.solver import SeasonProblem, SeasonResult, UnplacedReason, solve_season
from markets.booths.models import Booth
from markets.booths.rules import clean_reason
from markets.booths.services import booths_of, neighbours_of
from markets.days.models import MarketDay, MarketDayStatus
from shop.catalog.taxonomy import Category

#: Wall-clock budget of the optimiser's local search for one run (the matchings are exact).
TIME_LIMIT_S = 1.5
MAX_CATEGORY_CAP = 1000



@dataclass(frozen=True)
class RunSummary:
    day_ids: list[int]
    placed: dict[int, int]
    unplaced: dict[int, int]
    objective: int
    same_category_pairs: int
    seconds: float


# ---------------------------------------------------------------- loading


async def get_day(session: AsyncSession, market_id: int, day_id: int) -> MarketDay:
    day = await session.get(MarketDay, day_id)
    if day is None or day.market_id != market_id:
        raise NotFound(Code.MARKET_DAY_NOT_FOUND, "장날을 찾을 수 없습니다.", field="day_id")
    return day


async def _lock_boards(session: AsyncSession, day_ids: Sequence[int]) -> dict[int, AssignmentBoard]:
    stmt = select(AssignmentBoard).where(AssignmentBoard.market_day_id.in_(list(day_ids)))
    if dialect_name(session) == "postgresql":
        stmt = stmt.order_by(AssignmentBoard.market_day_id).with_for_update()
    return {b.market_day_id: b for b in (await session.scalars(stmt)).all()}


async def _board_for_change(session: AsyncSession, day: MarketDay) -> AssignmentBoard:
    """The day's board, locked, as a draft (created empty when nobody has run one yet)."""
    board = (await _lock_boards(session, [day.id])).get(day.id)
    if board is None:
        board = AssignmentBoard(market_day_id=day.id, market_id=day.market_id)
        session.add(board)
        await session.flush()
    if board.status is not BoardStatus.DRAFT:
        raise Conflict(
            Code.BOARD_PUBLISHED,
            "게시된 배정입니다. 바꾸려면 먼저 '다시 열기'를 해 주세요 (사유 필요).",
            field="status",
        )
    return board


async def policy_of(session: AsyncSession, market_id: int) -> dict[str, int]:
    policy = await session.scalar(
        select(AssignmentPolicy).where(AssignmentPolicy.market_id == market_id)
    )
    return dict(policy.category_caps) if policy else {}


def _booth_facts(booth: Booth) -> inputs.BoothFacts:
    return inputs.BoothFacts(
        code=booth.code, zone=booth.zone, size=booth.size, has_power=booth.has_power,
        is_corner=booth.is_corner, is_premium=booth.is_premium,
    )


def _application_facts(application: Application) -> inputs.ApplicationFacts:
    return inputs.ApplicationFacts(
        vendor_id=application.vendor_id,
        categories=list(application.categories or ()),
        needs_power=application.needs_power,
        min_booth_size=application.min_booth_size,
        preferred_zones=list(application.preferred_zones or ()),
        preferred_booth_codes=list(application.preferred_booth_codes or ()),
        priority_tier=application.priority_tier,
        strikes=application.strikes,
        wants_premium_booth=application.wants_premium_booth,
    )


async def _target_days(
    session: AsyncSession, market_id: int, day_ids: Sequence[int] | None, season: int | None
) -> list[MarketDay]:
    if day_ids:
        days = list(
            (await session.scalars(
                select(MarketDay).where(MarketDay.id.in_(list(day_ids)))
            )).all()
        )
        found = {d.id for d in days if d.market_id == market_id}
        missing = [i for i in day_ids if i not in found]
        if missing:
            raise NotFound(
                Code.MARKET_DAY_NOT_FOUND,
                "이 장터의 장날이 아닙니다: " + ", ".join(map(str, missing)), field="day_ids",
            )
        for d in days:
            if d.status is not MarketDayStatus.SCHEDULED:
                raise Conflict(
                    Code.DAY_NOT_SCHEDULED,
                    f"{d.day.isoformat()} 장날은 '{d.status.label}' 상태라 배정할 수 없습니다.",
                    field="day_ids",
                )
        if len({d.day.year for d in days}) > 1:
            raise InvalidInput(
                Code.NO_DAYS, "한 번에 한 시즌(연도)의 장날만 배정할 수 있습니다.", field="day_ids"
            )
        return sorted(days, key=lambda d: d.day)
    assert season is not None
    days = list(
        (await session.scalars(
            select(MarketDay)
            .where(
                MarketDay.market_id == market_id,
                MarketDay.status == MarketDayStatus.SCHEDULED,
                MarketDay.day >= dt.date(season, 1, 1),
                MarketDay.day <= dt.date(season, 12, 31),
            )
            .order_by(MarketDay.day)
        )).all()
    )
    return days


# ---------------------------------------------------------------- running the optimiser


async def run_assignment(
    session: AsyncSession,
    market_id: int,
    actor: User | None,
    *,
    day_ids: Sequence[int] | None = None,
    season: int | None = None,
    reason: str = "",
    time_limit_s: float = TIME_LIMIT_S,
) -> RunSummary:
    """자동 배정: place the accepted vendors of the given days (or of a whole season) in
    booths, as a draft replacing any earlier draft of those days.

    A season run skips days already published and counts their placements (and those of
    the season's other drafted days) toward the premium/corner rotation.
    """
    user = await require_market_organizer(session, actor, market_id)
    problems = Problems()
    why = clean_reason(reason, problems, required=False)
    if not day_ids and season is None:
        problems.add(Code.NO_DAYS, "day_ids", "배정할 장날이나 시즌을 고르세요.")
    problems.raise_if_any()
    days = await _target_days(session, market_id, day_ids, season)
    boards = await _lock_boards(session, [d.id for d in days])
    published = [d for d in days if d.id in boards and boards[d.id].status is BoardStatus.PUBLISHED]
    if day_ids and published:
        raise Conflict(
            Code.BOARD_PUBLISHED,
            f"{published[0].day.isoformat()} 배정은 이미 게시되었습니다. "
            "먼저 '다시 열기'를 해 주세요.",
            field="day_ids",
        )
    days = [d for d in days if d not in published]
    if not days:
        raise Conflict(Code.NO_DAYS, "배정할 수 있는 (예정된, 게시 전) 장날이 없습니다.",
                       field="season")
    booths = await booths_of(session, market_id)
    if not booths:
        raise Conflict(
            Code.NO_BOOTHS, "부스 배치도가 비어 있습니다. 먼저 부스를 추가해 주세요.",
            field="market_id",
        )
    problem, applications = await _problem(session, market_id, days, booths, time_limit_s)
    # The optimiser is CPU-bound (up to its time budget): off the event loop, while the
    # boards stay locked so no move lands in a draft that is about to be replaced.
    result = await asyncio.to_thread(solve_season, problem)
    await _write_run(session, days, boards, booths, applications, result, user, why)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(
            Code.CONCURRENT_CHANGE,
            "다른 운영자가 같은 장날 배정을 동시에 바꿨습니다. 다시 시도해 주세요.",
        ) from exc
    return RunSummary(
        day_ids=[d.id for d in days],
        placed={r.day: len(r.placements) for r in result.days},
        unplaced={r.day: len(r.unplaced) for r in result.days},
        objective=result.objective,
        same_category_pairs=sum(r.same_category_pairs for r in result.days),
        seconds=result.seconds,
    )


async def _problem(
    session: AsyncSession,
    market_id: int,
    days: Sequence[MarketDay],
    booths: Sequence[Booth],
    time_limit_s: float,
) -> tuple[SeasonProblem, dict[int, Application]]:
    year = days[0].day.year
    target_ids = {d.id for d in days}
    facts = [_booth_facts(b) for b in booths]
    accepted = (
        await session.scalars(
            select(Application).where(
                Application.market_id == market_id,
                Application.season == year,
                Application.status == ApplicationStatus.ACCEPTED,
            ).order_by(Application.id)
        )
    ).all()
    applications: dict[int, Application] = {}
    applicants = []
    released = await released_days(session, [a.id for a in accepted])
    for application in accepted:
        gave_up = released.get(application.id, frozenset())  # no-shows left those days
        covered = frozenset(
            d.id for d in days if application.covers(d.id, d.day.year) and d.id not in gave_up
        )
        if not covered:
            continue
        applications[application.vendor_id] = application
        applicants.append(inputs.applicant(_application_facts(application), facts, covered))
    history = inputs.rotation_history(
        await _other_days(session, market_id, year, target_ids), applicants
    )
    problem = SeasonProblem(
        booths=tuple(inputs.slot(f) for f in facts),
        adjacency=neighbours_of(booths),
        applicants=tuple(applicants),
        days=tuple(d.id for d in days),
        category_caps=await policy_of(session, market_id),
        history=history,
        time_limit_s=time_limit_s,
    )
    return problem, applications


async def _other_days(
    session: AsyncSession, market_id: int, year: int, exclude: set[int]
) -> dict[int, dict[int, inputs.BoothFacts]]:
    """Placements on the season's other days that have a board (draft or published)."""
    rows = (
        await session.execute(
            select(MarketDay.id, Assignment.vendor_id, Booth)
            .join(AssignmentBoard, AssignmentBoard.market_day_id == MarketDay.id)
            .outerjoin(Assignment, Assignment.market_day_id == MarketDay.id)
            .outerjoin(Booth, Booth.id == Assignment.booth_id)
            .where(
                MarketDay.market_id == market_id,
                MarketDay.day >= dt.date(year, 1, 1),
                MarketDay.day <= dt.date(year, 12, 31),
                MarketDay.status != MarketDayStatus.CANCELLED,
            )
        )
    ).all()
    out: dict[int, dict[int, inputs.BoothFacts]] = {}
    for day_id, vendor_id, booth in rows:
        if day_id in exclude:
            continue
        placements = out.setdefault(day_id, {})
        if vendor_id is not None and booth is not None:
            placements[vendor_id] = _booth_facts(booth)
    return out


async def _write_run(
    session: AsyncSession,
    days: Sequence[MarketDay],
    boards: dict[int, AssignmentBoard],
    booths: Sequence[Booth],
    applications: dict[int, Application],
    result: SeasonResult,
    user: User,
    why: str,
) -> None:
    booth_ids = {b.code: b.id for b in booths}
    now = utcnow()
    for day, outcome in zip(days, result.days, strict=True):
        board = boards.get(day.id)
        if board is None:
            board = AssignmentBoard(market_day_id=day.id, market_id=day.market_id)
            session.add(board)
        board.last_run_at = now
        board.last_run_by_user_id = user.id
        board.objective = outcome.objective
        board.same_category_pairs = outcome.same_category_pairs
        board.solver_seconds = outcome.seconds
        await session.execute(delete(Assignment).where(Assignment.market_day_id == day.id))
        await session.execute(delete(UnplacedVendor).where(UnplacedVendor.market_day_id == day.id))
        for vendor_id, code in sorted(outcome.placements.items()):
            session.add(
                Assignment(
                    market_day_id=day.id, booth_id=booth_ids[code], vendor_id=vendor_id,
                    application_id=applications[vendor_id].id, status=BoardStatus.DRAFT,
                    source=PlacementSource.SOLVER,
                )
            )
        for vendor_id, why_not in sorted(outcome.unplaced.items()):
            session.add(
                UnplacedVendor(
                    market_day_id=day.id, vendor_id=vendor_id,
                    application_id=applications[vendor_id].id, reason=why_not.value,
                )
            )
        session.add(
            AssignmentAuditLog(
                market_day_id=day.id, actor_user_id=user.id, action=AuditAction.RUN,
                reason=why or "자동 배정 실행",
                details={
                    "placed": len(outcome.placements), "unplaced": len(outcome.unplaced),
                    "objective": outcome.objective,
                    "same_category_pairs": outcome.same_category_pairs,
                    "seconds": round(outcome.seconds, 4),
                },
            )
        )
        record(
            session,
            AssignmentDrafted(
                id=day.id, market_id=day.market_id, day=day.day.isoformat(),
                actor_user_id=user.id, placed=len(outcome.placements),
                unplaced=len(outcome.unplaced), reason=why,
            ),
        )
        await session.flush()


# ---------------------------------------------------------------- manual changes


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


async def _code_of(session: AsyncSession, booth_id: int) -> str:
    booth = await session.get(Booth, booth_id)
    return booth.code if booth else ""


def _reason_or_raise(reason: str) -> str:
    problems = Problems()
    why = clean_reason(reason, problems, required=True)
    problems.raise_if_any()
    return why


async def _commit_move(session: AsyncSession) -> None:
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(
            Code.BOOTH_TAKEN,
            "방금 다른 변경으로 그 부스나 업체의 배정이 바뀌었습니다. "
            "새로 고쳐 다시 시도해 주세요.",
            field="booth_code",
        ) from exc


async def move(
    session: AsyncSession, market_id: int, day_id: int, actor: User | None, *,
    vendor_id: int, booth_code: str, reason: str,
) -> Assignment:
    """옮기기: put a vendor (placed or not) into an empty booth. The booth must fit."""
    user = await require_market_organizer(session, actor, market_id)
    why = _reason_or_raise(reason)
    day = await get_day(session, market_id, day_id)
    await _board_for_change(session, day)
    booth = await _booth_by_code(session, market_id, booth_code)
    application = await _booked(session, day, vendor_id)
    _check_fit(application, booth, "booth_code")
    occupant = await session.scalar(
        select(Assignment).where(
            Assignment.market_day_id == day.id, Assignment.booth_id == booth.id
        )
    )
    if occupant is not None:
        same = occupant.vendor_id == vendor_id
        raise Conflict(
            Code.BOOTH_TAKEN,
            "이미 이 부스에 배정되어 있습니다." if same
            else f"'{booth.code}' 부스에는 다른 업체가 있습니다. 자리 바꾸기를 쓰세요.",
            field="booth_code",
        )
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
        row.booth_id = booth.id
        row.source = PlacementSource.MANUAL
    session.add(
        AssignmentAuditLog(
            market_day_id=day.id, actor_user_id=user.id, action=AuditAction.MOVE,
            vendor_id=vendor_id, from_booth_code=from_code, to_booth_code=booth.code, reason=why,
        )
    )
    await _commit_move(session)
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
    why = _reason_or_raise(reason)
    if vendor_id == other_vendor_id:
        raise InvalidInput(
            Code.SAME_VENDOR, "서로 다른 두 업체를 고르세요.", field="other_vendor_id"
        )
    day = await get_day(session, market_id, day_id)
    await _board_for_change(session, day)
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
    await _commit_move(session)


async def unassign(
    session: AsyncSession, market_id: int, day_id: int, actor: User | None, *,
    vendor_id: int, reason: str,
) -> None:
    """배정 취소: the vendor leaves its booth and is listed as unplaced with the reason."""
    user = await require_market_organizer(session, actor, market_id)
    why = _reason_or_raise(reason)
    day = await get_day(session, market_id, day_id)
    await _board_for_change(session, day)
    row = await _placement(session, day.id, vendor_id)
    if row is None:
        raise Conflict(Code.VENDOR_NOT_PLACED, "이 장날에 배정된 업체가 아닙니다.",
                       field="vendor_id")
    from_code = await _code_of(session, row.booth_id)
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
    await _commit_move(session)


# ---------------------------------------------------------------- publishing


async def publish(
    session: AsyncSession, market_id: int, day_id: int, actor: User | None, *, reason: str = ""
) -> AssignmentBoard:
    """게시: vendors are told their booth (event ``assignment.published``) and the public
    map and calendar feeds show it."""
    user = await require_market_organizer(session, actor, market_id)
    problems = Problems()
    why = clean_reason(reason, problems, required=False)
    problems.raise_if_any()
    day = await get_day(session, market_id, day_id)
    board = (await _lock_boards(session, [day.id])).get(day.id)
    if board is None:
        raise Conflict(
            Code.BOARD_NOT_FOUND, "게시할 배정이 없습니다. 먼저 자동 배정을 실행해 주세요.",
            field="status",
        )
    BOARD_TRANSITIONS.check(board.status, BoardStatus.PUBLISHED)
    if day.status is not MarketDayStatus.SCHEDULED:
        raise Conflict(Code.DAY_NOT_SCHEDULED,
                       f"'{day.status.label}' 상태의 장날은 게시할 수 없습니다.", field="day_id")
    rows = (
        await session.execute(
            select(Assignment.vendor_id, Booth.code, Booth.is_active)
            .join(Booth, Booth.id == Assignment.booth_id)
            .where(Assignment.market_day_id == day.id)
            .order_by(Booth.code)
        )
    ).all()
    inactive = [code for _, code, active in rows if not active]
    if inactive:
        raise Conflict(
            Code.INACTIVE_BOOTH_ASSIGNED,
            "비활성 부스에 배정된 업체가 있습니다: " + ", ".join(inactive) + ". 먼저 옮겨 주세요.",
            field="booth_code",
        )
    unplaced = (
        await session.execute(
            select(UnplacedVendor.vendor_id, UnplacedVendor.reason)
            .where(UnplacedVendor.market_day_id == day.id)
            .order_by(UnplacedVendor.vendor_id)
        )
    ).all()
    await session.execute(
        update(Assignment).where(Assignment.market_day_id == day.id)
        .values(status=BoardStatus.PUBLISHED)
    )
    board.status = BoardStatus.PUBLISHED
    board.published_at = utcnow()
    board.published_by_user_id = user.id
    session.add(
        AssignmentAuditLog(
            market_day_id=day.id, actor_user_id=user.id, action=AuditAction.PUBLISH,
            reason=why or "게시", details={"placed": len(rows), "unplaced": len(unplaced)},
        )
    )
    record(
        session,
        AssignmentPublished(
            id=day.id, market_id=day.market_id, day=day.day.isoformat(), actor_user_id=user.id,
            placements=tuple({"vendor_id": v, "booth_code": c} for v, c, _ in rows),
            unplaced=tuple({"vendor_id": v, "reason": r} for v, r in unplaced),
            reason=why,
        ),
    )
    await session.commit()
    return board


async def reopen(
    session: AsyncSession, market_id: int, day_id: int, actor: User | None, *, reason: str
) -> AssignmentBoard:
    """다시 열기: a published assignment goes back to draft so it can be changed (the public
    map shows no names until it is published again)."""
    user = await require_market_organizer(session, actor, market_id)
    why = _reason_or_raise(reason)
    day = await get_day(session, market_id, day_id)
    board = (await _lock_boards(session, [day.id])).get(day.id)
    if board is None:
        raise Conflict(Code.BOARD_NOT_FOUND, "아직 배정이 없습니다.", field="status")
    BOARD_TRANSITIONS.check(board.status, BoardStatus.DRAFT)
    await session.execute(
        update(Assignment).where(Assignment.market_day_id == day.id)
        .values(status=BoardStatus.DRAFT)
    )
    board.status = BoardStatus.DRAFT
    session.add(
        AssignmentAuditLog(
            market_day_id=day.id, actor_user_id=user.id, action=AuditAction.REOPEN, reason=why,
        )
    )
    record(
        session,
        AssignmentReopened(
            id=day.id, market_id=day.market_id, day=day.day.isoformat(), actor_user_id=user.id,
            reason=why,
        ),
    )
    await session.commit()
    return board


# ---------------------------------------------------------------- policy


async def set_category_caps(
    session: AsyncSession, market_id: int, actor: User | None, caps: dict[str, object]
) -> dict[str, int]:
    """품목 상한: most vendors per category on one day (empty: no caps)."""
    await require_market_organizer(session, actor, market_id)
    problems = Problems()
    known = {c.value for c in Category}
    clean: dict[str, int] = {}
    for category, value in caps.items():
        field = f"category_caps.{category}"
        if category not in known:
            problems.add(Code.INVALID_CAP, field, "알 수 없는 품목입니다.")
            continue
        if value in (None, ""):
            continue
        try:
            number = int(str(value).strip()) if isinstance(value, str) else value
        except ValueError:
            number = None
        if not isinstance(number, int) or isinstance(number, bool) or not (
            0 <= number <= MAX_CATEGORY_CAP
        ):
            problems.add(
                Code.INVALID_CAP, field, f"0 이상 {MAX_CATEGORY_CAP} 이하의 정수로 입력해 주세요."
            )
            continue
        clean[category] = number
    problems.raise_if_any()
    policy = await session.scalar(
        select(AssignmentPolicy).where(AssignmentPolicy.market_id == market_id)
    )
    if policy is None:
        policy = AssignmentPolicy(market_id=market_id)
        session.add(policy)
    policy.category_caps = clean
    await session.commit()
    return clean
