"""자동 배정: run the optimiser over the accepted vendors of some market days (or of a whole
season) and store its result as a draft, replacing any earlier draft of those days.

The rows become the optimiser's plain input (``inputs``, ``problem``), the optimiser runs
off the event loop while the days' boards stay locked (``boards.lock_boards``), and the
placements, unplaced vendors with reasons, audit rows and events of every day commit
together or not at all.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import end_read, transaction
from infra.errors import Conflict, InvalidInput, NotFound, Problems
from infra.outbox import record
from markets.access import require_market_organizer
from markets.applications.models import Application, ApplicationStatus
from markets.applications.queries import jury_totals, released_days
from markets.assignment import inputs
from markets.assignment.boards import lock_boards
from markets.assignment.errors import AssignmentErrorCode as Code
from markets.assignment.events import AssignmentDrafted
from markets.assignment.models import (
    Assignment,
    AssignmentAuditLog,
    AssignmentBlockBooth,
    AssignmentBoard,
    AuditAction,
    BoardStatus,
    PlacementSource,
    UnplacedVendor,
)
from markets.assignment.overrides import with_overrides
from markets.assignment.policy import clean_category_caps, policy_of, reserved_properties_of
from markets.assignment.problem import SeasonProblem, SeasonResult
from markets.assignment.regulars import regular_booth_codes, years_at_market
from markets.assignment.solver import solve_season
from markets.booths.models import Booth
from markets.booths.rules import clean_properties, clean_reason
from markets.booths.services import booths_of, neighbours_of, rows_of
from markets.days.models import MarketDay, MarketDayStatus

#: Wall-clock budget of the optimiser's local search for one run (the matchings are exact).
TIME_LIMIT_S = 1.5


@dataclass(frozen=True)
class RunSummary:
    day_ids: list[int]
    placed: dict[int, int]
    unplaced: dict[int, int]
    objective: int
    same_category_pairs: int
    seconds: float


def _booth_facts(booth: Booth) -> inputs.BoothFacts:
    return inputs.BoothFacts(
        code=booth.code, zone=booth.zone, size=booth.size, has_power=booth.has_power,
        is_corner=booth.is_corner, is_premium=booth.is_premium,
        properties=tuple(booth.properties or ()),
    )


def _application_facts(
    application: Application,
    years: int = 0,
    jury: float | None = None,
    regular_booth_codes: Sequence[str] = (),
) -> inputs.ApplicationFacts:
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
        only_wishes=application.only_wishes,
        years_at_market=years,
        jury_total=jury,
        regular_booth_codes=tuple(regular_booth_codes),
        needs_properties=tuple(application.needs_properties or ()),
        booths_min=application.booths_min or 1,
        booths_max=application.booths_max or 1,
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
    boards = await lock_boards(session, [d.id for d in days])
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
    changed_meanwhile = Conflict(
        Code.CONCURRENT_CHANGE,
        "다른 운영자가 같은 장날 배정을 동시에 바꿨습니다. 다시 시도해 주세요.",
    )
    async with transaction(session, on_integrity_error=changed_meanwhile):
        await _write_run(session, days, boards, booths, applications, result, user, why)
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
    years = await years_at_market(session, market_id)
    regular = await regular_booth_codes(session, market_id, year)
    juries = await jury_totals(session, market_id, [a.id for a in accepted])
    for application in accepted:
        gave_up = released.get(application.id, frozenset())  # no-shows left those days
        covered = frozenset(
            d.id for d in days if application.covers(d.id, d.day.year) and d.id not in gave_up
        )
        if not covered:
            continue
        applications[application.vendor_id] = application
        applicants.append(
            inputs.applicant(
                _application_facts(
                    application,
                    years.get(application.vendor_id, 0),
                    juries.get(application.id),
                    regular.get(application.vendor_id, ()),
                ),
                facts,
                covered,
            )
        )
    history = inputs.rotation_history(
        await _other_days(session, market_id, year, target_ids), applicants
    )
    problem = SeasonProblem(
        booths=tuple(inputs.slot(f) for f in facts),
        adjacency=neighbours_of(booths),
        rows=rows_of(booths),
        applicants=tuple(applicants),
        days=tuple(d.id for d in days),
        category_caps=await policy_of(session, market_id),
        reserved_properties=await reserved_properties_of(session, market_id),
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
        await session.execute(
            delete(AssignmentBlockBooth).where(AssignmentBlockBooth.market_day_id == day.id)
        )
        await session.execute(delete(Assignment).where(Assignment.market_day_id == day.id))
        await session.execute(delete(UnplacedVendor).where(UnplacedVendor.market_day_id == day.id))
        for vendor_id, code in sorted(outcome.placements.items()):
            placed = Assignment(
                market_day_id=day.id, booth_id=booth_ids[code], vendor_id=vendor_id,
                application_id=applications[vendor_id].id, status=BoardStatus.DRAFT,
                source=PlacementSource.SOLVER,
            )
            session.add(placed)
            others = [c for c in outcome.blocks.get(vendor_id, ()) if c != code]
            if others:
                await session.flush()
                for other in others:
                    session.add(AssignmentBlockBooth(
                        market_day_id=day.id, assignment_id=placed.id,
                        booth_id=booth_ids[other],
                    ))
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


# ------------------------------------------------------------------------------ what-if


@dataclass(frozen=True)
class WhatIfRow:
    vendor_id: int
    #: The booths the vendor would hold (several for a block), empty when unplaced.
    booth_codes: tuple[str, ...]
    #: Why not, when unplaced (an ``UnplacedReason`` value), else "".
    reason: str
    #: What the day's current board says (draft or published): booths, or "" reason.
    now_booth_codes: tuple[str, ...]
    changed: bool


@dataclass(frozen=True)
class WhatIf:
    day_id: int
    category_caps: dict[str, int]
    reserved_properties: list[str]
    rows: list[WhatIfRow]
    placed: int
    unplaced: int
    changed: int
    seconds: float


async def what_if(
    session: AsyncSession,
    market_id: int,
    actor: User | None,
    *,
    day_id: int,
    category_caps: dict[str, object] | None = None,
    reserved_properties: list[str] | None = None,
    tiers: dict[str, object] | None = None,
    regulars: dict[str, object] | None = None,
    time_limit_s: float = TIME_LIMIT_S,
) -> WhatIf:
    """미리 보기 (what-if): the day's assignment under other rules (category caps, reserved
    booth properties; None keeps the market's own) or other tiers and regulars' booths
    (``markets.assignment.overrides``), compared with its current board.
    Nothing is written: no draft is replaced, nothing is published, no event.

    Every input is checked before any is refused: the rules (caps, properties) and the
    per-vendor suppositions (which need the day's vendors and map) gather their problems
    in one ``Problems``, raised once, so the organizer corrects them all in one go."""
    await require_market_organizer(session, actor, market_id)
    problems = Problems()
    caps = (
        clean_category_caps(category_caps, problems) if category_caps is not None else None
    )
    reserved = (
        list(clean_properties(reserved_properties, "reserved_properties", problems))
        if reserved_properties is not None else None
    )
    days = await _target_days(session, market_id, [day_id], None)
    booths = await booths_of(session, market_id)
    if not booths:
        problems.raise_if_any()
        raise Conflict(
            Code.NO_BOOTHS, "부스 배치도가 비어 있습니다. 먼저 부스를 추가해 주세요.",
            field="market_id",
        )
    problem, applications = await _problem(session, market_id, days, booths, time_limit_s)
    problem = with_overrides(problem, applications, problems, tiers=tiers, regulars=regulars)
    problems.raise_if_any()  # (with_overrides raised them already, the rules' included)
    problem = dataclasses.replace(
        problem,
        category_caps=problem.category_caps if caps is None else caps,
        reserved_properties=(
            problem.reserved_properties if reserved is None else frozenset(reserved)
        ),
    )
    now = await _current_booths(session, day_id)
    await end_read(session)
    result = await asyncio.to_thread(solve_season, problem)
    outcome = result.days[0]
    rows = []
    for a in sorted(problem.applicants, key=lambda a: a.key):
        codes = tuple(sorted(outcome.booths_of(a.key)))
        before = tuple(sorted(now.get(a.key, ())))
        why = outcome.unplaced.get(a.key)
        rows.append(WhatIfRow(
            vendor_id=a.key, booth_codes=codes, reason=why.value if why else "",
            now_booth_codes=before, changed=codes != before,
        ))
    return WhatIf(
        day_id=day_id,
        category_caps=dict(problem.category_caps),
        reserved_properties=sorted(problem.reserved_properties),
        rows=rows,
        placed=len(outcome.placements),
        unplaced=len(outcome.unplaced),
        changed=sum(r.changed for r in rows),
        seconds=result.seconds,
    )


async def _current_booths(session: AsyncSession, day_id: int) -> dict[int, list[str]]:
    """Vendor -> the booths it holds on the day's board now (its block included)."""
    out: dict[int, list[str]] = {}
    for vendor_id, code in (
        await session.execute(
            select(Assignment.vendor_id, Booth.code)
            .join(Booth, Booth.id == Assignment.booth_id)
            .where(Assignment.market_day_id == day_id)
        )
    ).all():
        out.setdefault(int(vendor_id), []).append(str(code))
    for vendor_id, code in (
        await session.execute(
            select(Assignment.vendor_id, Booth.code)
            .join(AssignmentBlockBooth, AssignmentBlockBooth.assignment_id == Assignment.id)
            .join(Booth, Booth.id == AssignmentBlockBooth.booth_id)
            .where(Assignment.market_day_id == day_id)
        )
    ).all():
        out.setdefault(int(vendor_id), []).append(str(code))
    return out
