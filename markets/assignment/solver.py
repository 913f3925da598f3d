"""Booth assignment optimiser: who sells in which booth on each market day of a run.

Pure: plain dataclasses in, a plain result out; no ORM, no clock but a time budget. The
use case (``markets.assignment.runs``) turns Application and Booth rows into a
:class:`~markets.assignment.problem.SeasonProblem` and stores the
:class:`~markets.assignment.problem.SeasonResult` as a draft.

Here: the season, day by day, and the category caps. One day's model is built in
``day_model`` and solved in ``day_search``; why a vendor is left out is told by
``reasons``; the vocabulary is ``problem``.

Why it is built this way (docs/decisions.md, "Booth assignment: exact matching per day plus
a local search"):

* **Hard constraints** (one vendor per booth and day, one booth per vendor and day, power
  where needed, booth at least as large as needed, category caps, the rotation rule below)
  are never traded for anything: an infeasible pair is simply not an edge of the matching.
* **Linear soft goals** (priority tiers, preferred booths and zones, premium and corner
  rotation, not wasting large or powered booths) are a weight per (vendor, booth) pair, and
  one day's best placement under them is a maximum-weight bipartite matching, solved
  exactly in milliseconds by scipy's ``linear_sum_assignment``.
* **The quadratic soft goal** (no two vendors of the same category side by side) cannot be a
  pair weight; a first-improvement local search (move, swap, replace, insert) removes such
  neighbours starting from the exact matching, within a time budget.
* **A season** is solved day by day in date order, carrying each vendor's premium and corner
  counts forward. The fairness rule is kept by construction (see
  :func:`markets.assignment.day_model._rotation_rule`).

Fairness rule, exactly as :mod:`markets.assignment.checks` verifies it: among the vendors
who want a premium booth, fit at least one premium booth (size and power), and were placed
on every day of the run, the number of premium placements differs by at most one; the same
for corner booths (a corner booth that is also premium counts as premium only, so the two
rotations never hold the same booth back twice). A vendor missing a day (not applied for
it, or not placed) has not had the same chances, so it leaves the comparison; it still gets
lowest-count-first treatment.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from markets.assignment.blocks import (
    BlockClaims,
    anchor_of,
    extend_blocks,
    rescued_blocks,
)
from markets.assignment.claims import (
    claim_in_line,
    move_stalls,
    regular_places,
    several_booth_places,
)
from markets.assignment.day_model import DayModel, Rotation, build_day
from markets.assignment.day_search import match, solve_day_model
from markets.assignment.problem import (
    Applicant,
    BoothSlot,
    DayKey,
    DayResult,
    RotationHistory,
    SeasonProblem,
    SeasonResult,
    UnplacedReason,
    VendorKey,
)
from markets.assignment.reasons import unplaced_reason


def solve_season(problem: SeasonProblem) -> SeasonResult:
    """Place the accepted vendors day by day, carrying the rotation counts across the run."""
    started = time.perf_counter()
    deadline_all = started + problem.time_limit_s
    premium = Rotation("premium", {}, set())
    corner = Rotation("corner", {}, set())
    for a in problem.applicants:
        past = problem.history.get(a.key, RotationHistory())
        premium.counts[a.key] = past.premium
        corner.counts[a.key] = past.corner
        if past.placed_every_day:
            premium.members.add(a.key)
            corner.members.add(a.key)
    booth_by_code = {b.code: b for b in problem.booths}
    results: list[DayResult] = []
    for n, day in enumerate(problem.days):
        day_started = time.perf_counter()
        remaining = max(0.0, deadline_all - day_started)
        deadline = day_started + remaining / (len(problem.days) - n)
        present = [a for a in problem.applicants if a.attends(day)]
        result = _solve_day(problem, day, present, premium, corner, deadline)
        carry_rotation(premium, corner, present, result.placements, booth_by_code)
        results.append(result)
    return SeasonResult(days=tuple(results), seconds=time.perf_counter() - started)


def _solve_day(
    problem: SeasonProblem,
    day: DayKey,
    present: Sequence[Applicant],
    premium: Rotation,
    corner: Rotation,
    deadline: float,
) -> DayResult:
    started = time.perf_counter()
    caps = problem.category_caps
    # Standing order, never the input order: the same applications in any order give the
    # same model, the same matching and the same placement.
    present = sorted(present, key=lambda a: a.standing)
    admitted, capped = _admit(present, caps, {})
    first, booth_of, moves = _settled_day(problem, day, admitted, premium, corner, deadline)
    day_plan, left_out = first, []
    if capped and len(booth_of) < len(admitted):
        # Vendors admitted under a cap but left without a booth free their cap room:
        # admit capped vendors into it (priority order) and solve the day once more.
        placed = [first.model.candidates[i] for i in booth_of]
        counts: dict[str, int] = {}
        for a in placed:
            for c in a.categories:
                counts[c] = counts.get(c, 0) + 1
        extra, capped = _admit(capped, caps, counts)
        if extra:
            left_out = [i for i in range(len(admitted)) if i not in booth_of]
            day_plan, booth_of, more = _settled_day(
                problem, day, sorted([*placed, *extra], key=lambda a: a.standing),
                premium, corner, deadline,
                waiting=[first.model.candidates[i] for i in left_out],
            )
            moves += more
    model = day_plan.model
    occupant = {j: i for i, j in booth_of.items()}
    placements = {model.candidates[i].key: model.booths[j].code for i, j in booth_of.items()}
    code_index = {b.code: j for j, b in enumerate(model.booths)}
    key_index = {a.key: i for i, a in enumerate(model.candidates)}
    for key, block in day_plan.blocks.items():
        for code in block:
            occupant.setdefault(code_index[code], key_index[key])
    unplaced: dict[VendorKey, UnplacedReason] = {}
    for i, a in enumerate(model.candidates):
        if i not in booth_of:
            unplaced[a.key] = unplaced_reason(
                day_plan.model, day_plan.wishes_taken, i, occupant, problem
            )
    if left_out:
        first_index = {a.key: n for n, a in enumerate(first.model.candidates)}
        seen_first = {
            j: first_index.get(model.candidates[i].key, -1) for j, i in occupant.items()
        }
        for i in left_out:
            unplaced[first.model.candidates[i].key] = unplaced_reason(
                first.model, first.wishes_taken, i, seen_first, problem
            )
    for a in capped:
        unplaced[a.key] = UnplacedReason.CATEGORY_CAP
    blocks = _final_blocks(problem, present, placements, day_plan.blocks, unplaced)
    return DayResult(
        day=day,
        placements=placements,
        unplaced=unplaced,
        objective=model.objective(booth_of) // model.scale,
        same_category_pairs=model.conflicts(booth_of),
        local_search_moves=moves,
        seconds=time.perf_counter() - started,
        blocks=blocks,
    )


def _final_blocks(
    problem: SeasonProblem,
    present: Sequence[Applicant],
    placements: Mapping[VendorKey, str],
    claimed: Mapping[VendorKey, tuple[str, ...]],
    unplaced: Mapping[VendorKey, UnplacedReason],
) -> dict[VendorKey, tuple[str, ...]]:
    """The claimed minimum blocks of the placed vendors, grown towards their maximum into
    booths nobody left out today would take (``markets.assignment.blocks``)."""
    blocks = {k: b for k, b in claimed.items() if k in placements}
    if not problem.rows:
        return blocks  # (no rows, no blocks to grow: regulars' several booths only)
    # (A regular granted several booths holds exactly those: no growth.)
    growing = [
        a for a in present
        if a.booths_max > 1 and a.key in placements and not a.more_own_booths
    ]
    if not growing:
        return blocks
    holding = {k: blocks.get(k, (code,)) for k, code in placements.items()}
    left_out = [a for a in present if a.key in unplaced]
    booths = {b.code: b for b in problem.booths}
    grown = extend_blocks(growing, holding, problem.rows, problem.adjacency, booths, left_out)
    return {**blocks, **grown}


@dataclass
class _ClaimedDay:
    """A day's model with the named-booth claims pinned in (``markets.assignment.claims``)."""

    model: DayModel
    #: Regulars' seats: vendor -> booth code (own booth or the wish it moved to).
    seats: dict[VendorKey, str]
    #: Granted wishes: vendor -> booth code.
    grants: dict[VendorKey, str]
    #: "Only my wishes" vendors with no wish left (never placed today).
    wishes_taken: set[VendorKey]
    #: Wishers some of whose wishes were closed to them so that a higher tier is not left
    #: out (see :func:`_claimed_day`).
    revoked: set[VendorKey]
    #: Claimed blocks of several booths (their minimum): vendor -> booths in row order;
    #: the vendor is pinned to one of them and the others are held (``DayModel.hold``).
    blocks: dict[VendorKey, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    #: The exact matching of ``model``, when already computed (the search starts from it).
    matching: dict[int, int] | None = None
    #: Booth code -> the lowest tier that may still claim it (see :func:`_claimed_day`).
    closed: dict[str, int] = dataclasses.field(default_factory=dict)
    #: Block vendors given a window held by lower tiers (``blocks.rescued_blocks``).
    forced: dict[VendorKey, tuple[str, ...]] = dataclasses.field(default_factory=dict)


#: How often a day is re-planned after withdrawing grants that left a higher tier out.
_MAX_REVOCATION_ROUNDS = 4
#: How often a searched day is planned again for the same reason.
_MAX_SEARCH_ROUNDS = 2


def _claimed_day(
    problem: SeasonProblem,
    day: DayKey,
    candidates: Sequence[Applicant],
    premium: Rotation,
    corner: Rotation,
    waiting: Sequence[Applicant] = (),
    closed: Mapping[str, int] | None = None,
    forced: Mapping[VendorKey, tuple[str, ...]] | None = None,
) -> _ClaimedDay:
    """Pin regulars' booths and granted wishes into the day's model.

    Grants go out in standing order to every wisher, but a wish is a claim on *which*
    booth, not on *whether* a vendor is placed: if the exact matching then leaves out a
    vendor of a higher tier that could have sat in a lower-tier vendor's granted booth, that
    booth is closed to claims from tiers below that vendor's and the day re-planned (a few
    rounds at most; usually none). Regulars' seats are never withdrawn: a regular holds its
    booth whenever it attends.

    ``waiting``: vendors an earlier plan of the day left without a booth and who are not
    candidates here (the cap room they freed went to capped vendors). Nobody of a lower
    tier may take an ordinary booth one of them would fit: the first plan kept those booths
    from lower tiers, and a re-plan must not hand them over.
    """
    base = build_day(problem, day, candidates, premium, corner)
    _keep_for_waiting(base, waiting)
    shut_to: Mapping[str, int] = closed or {}
    given: Mapping[VendorKey, tuple[str, ...]] = forced or {}
    for _ in range(_MAX_REVOCATION_ROUNDS):
        plan = _pin_claims(problem, base, shut_to, given)
        plan.matching = match(plan.model)
        if not _unsettled(problem, plan, plan.matching):
            return plan
        shut_to, given = plan.closed, plan.forced
    return _pin_claims(problem, base, shut_to, given)


def _unsettled(problem: SeasonProblem, plan: _ClaimedDay, booth_of: Mapping[int, int]) -> bool:
    """Whether the placement leaves a higher tier out for a lower tier's claim (a granted
    wish or block: closed to that tier in ``plan.closed``) or a block vendor out while a
    window is empty or held by lower tiers (given it in ``plan.forced``); both change the
    next plan of the day."""
    offended = _inversions(plan, booth_of)
    for code, priority in offended.items():
        plan.closed[code] = max(priority, plan.closed.get(code, priority))
    rescued = {} if offended else rescued_blocks(
        problem.rows, problem.adjacency, plan.model, booth_of, plan.blocks, plan.closed
    )
    plan.forced.update(rescued)
    return bool(offended or rescued)


def _settled_day(
    problem: SeasonProblem,
    day: DayKey,
    candidates: Sequence[Applicant],
    premium: Rotation,
    corner: Rotation,
    deadline: float,
    waiting: Sequence[Applicant] = (),
) -> tuple[_ClaimedDay, dict[int, int], int]:
    """The claimed day, searched; when the local search (which sees tiers only as weights)
    leaves a higher tier out for a lower tier's claim, the claims change and the day is
    planned and searched again (a couple of rounds at most, usually none)."""
    plan = _claimed_day(problem, day, candidates, premium, corner, waiting)
    booth_of, moves = solve_day_model(plan.model, deadline, start=plan.matching)
    for _ in range(_MAX_SEARCH_ROUNDS):
        if not _unsettled(problem, plan, booth_of):
            break
        plan = _claimed_day(problem, day, candidates, premium, corner, waiting,
                            plan.closed, plan.forced)
        booth_of, more = solve_day_model(plan.model, deadline, start=plan.matching)
        moves += more
    return plan, booth_of, moves


def _keep_for_waiting(model: DayModel, waiting: Sequence[Applicant]) -> None:
    """Close to lower tiers every ordinary booth that a waiting vendor would fit (the
    rule :func:`markets.assignment.checks.priority_inversions` checks)."""
    for j, booth in enumerate(model.booths):
        if booth.is_premium or booth.is_corner:
            continue
        takers = [
            w for w in waiting
            if w.fits(booth) and (not w.wishes_only or booth.code in w.preferred_booths)
        ]
        if not takers:
            continue
        for i, a in enumerate(model.candidates):
            if a.own_booth is not None:
                continue
            # The reservation keeps the booth for a needer only against non-needers.
            kept = booth.properties & a.needs & model.reserved
            tiers = [w.priority for w in takers if not kept or kept & w.needs]
            if tiers and a.priority < max(tiers):
                model.allowed[i, j] = False


def _pin_claims(
    problem: SeasonProblem,
    base: DayModel,
    closed: Mapping[str, int],
    forced: Mapping[VendorKey, tuple[str, ...]],
) -> _ClaimedDay:
    """``closed``: booth code -> the lowest tier that may still claim it by a wish;
    ``forced``: block vendor -> the window it is given before every other block."""
    model = dataclasses.replace(
        base, allowed=base.allowed.copy(), open_allowed=None, pinned={}
    )
    index = {a.key: i for i, a in enumerate(model.candidates)}
    code_index = {b.code: j for j, b in enumerate(model.booths)}

    # A booth with a reserved property is no claim for a vendor who does not need it while
    # someone here today does (the matching decides if it is left over).
    wanted = {p for a in model.candidates for p in a.needs} & base.reserved
    reserved_for = {
        b.code: b.properties & wanted for b in model.booths if b.properties & wanted
    }

    def can_take(a: Applicant, code: str) -> bool:
        j = code_index.get(code)
        if j is None or not model.allowed[index[a.key], j]:
            return False
        keep = reserved_for.get(code)
        return not keep or bool(keep & a.needs) or code in a.own_booths

    # Regulars granted several booths hold them all, or move as a whole stall to a wished
    # run (decision 94); pinned and held first, so no claim below can reach them.
    rotating = {b.code for b in model.booths if b.is_premium or b.rotates_as_corner}
    several = several_booth_places(model.candidates, can_take)
    theirs = {c for m in several.values() for c in m}
    regulars = [
        a for a in model.candidates
        if a.own_booth is not None and a.key not in several and can_take(a, a.own_booth)
    ]
    seats = regular_places(
        regulars, lambda a, c: c not in theirs and can_take(a, c), code_index
    )
    several, seats = move_stalls(
        [a for a in model.candidates if a.key in several], several, regulars, seats,
        # a stall, like a block, takes no premium/corner turn
        lambda a, c: can_take(a, c) and not (
            a.more_own_booths and c in rotating and c not in a.own_booths
        ),
        problem.rows, problem.adjacency,
    )
    for key, mine in several.items():
        model.pin(index[key], code_index[mine[0]])
        for code in mine[1:]:
            model.hold(code_index[code])
    for key, code in seats.items():
        model.pin(index[key], code_index[code])
    seats.update({key: mine[0] for key, mine in several.items()})
    block_vendors = [a for a in model.candidates if a.wants_block]

    closed_at = {code_index[c]: p for c, p in closed.items() if c in code_index}
    kept_for = {code_index[c]: p for c, p in reserved_for.items()}

    def takes(a: Applicant) -> np.ndarray:
        """What ``can_take`` allows, as a vector over the booths."""
        ok = model.allowed[index[a.key]].copy()
        for j, tier in closed_at.items():
            ok[j] &= a.priority >= tier
        for j, kept in kept_for.items():
            ok[j] &= bool(kept & a.needs)
        return ok

    given = {k: w for k, w in forced.items() if k in index}
    held = [
        *seats.values(), *(c for m in several.values() for c in m),
        *(c for w in given.values() for c in w),
    ]
    wishers = [
        a for a in model.candidates
        if a.key not in seats and not a.wants_block and a.preferred_booths
    ]
    revoked = {
        a.key for a in wishers
        if any(a.priority < closed.get(c, a.priority) for c in a.preferred_booths)
    }
    # Blocks of several booths (their minimum) and wishes in one line, in standing order
    # (decision 102); premium and corner booths rotate among the vendors who asked for a
    # turn: a wish for one stays a preference (a weight), never a claim that would take it
    # out of turn, and blocks never take them.
    granted, blocks = claim_in_line(
        [*(a for a in block_vendors if a.key not in given), *wishers], held,
        lambda a, code: (
            code not in rotating and a.priority >= closed.get(code, a.priority)
            and can_take(a, code)
        ),
        BlockClaims(problem.rows, problem.adjacency, model.booths,
                    {code_index[c] for c in held}, takes),
    )
    blocks.update(given)
    # A block vendor without a window takes no booth at all today.
    for a in block_vendors:
        block = blocks.get(a.key)
        if block is None:
            model.shut(index[a.key])
            continue
        anchor = anchor_of(a, block)
        model.pin(index[a.key], code_index[anchor])
        for code in block:
            if code != anchor:
                model.hold(code_index[code])
    blocks.update({key: mine for key, mine in several.items() if len(mine) > 1})
    for key, (code, _) in granted.items():
        model.pin(index[key], code_index[code])
    # "Only my wishes" with every wish it could take pinned to others: placed nowhere
    # today. One with a wish still open (a rotating booth, or one closed to its tier's
    # claims) competes for it in the matching, where the tiers decide.
    pinned_booths = set(model.pinned.values())
    taken = {
        a.key for a in model.candidates
        if a.wishes_only and a.key not in seats and a.key not in granted
        and not a.wants_block
        and not any(
            model.allowed[index[a.key], code_index[c]]
            for c in a.preferred_booths
            if c in code_index and code_index[c] not in pinned_booths
        )
    }
    for key in taken:
        model.shut(index[key])
    return _ClaimedDay(
        model=model, seats=seats, grants={k: c for k, (c, _) in granted.items()},
        wishes_taken=taken, revoked=set(revoked), blocks=blocks,
        closed=dict(closed), forced=dict(forced),
    )


def _inversions(plan: _ClaimedDay, booth_of: Mapping[int, int]) -> dict[str, int]:
    """Granted booths that an unplaced vendor of a higher tier could have taken: booth code
    -> the highest such tier."""
    model = plan.model
    open_allowed = model.open_allowed if model.open_allowed is not None else model.allowed
    index = {a.key: i for i, a in enumerate(model.candidates)}
    granted = [
        (index[k], booth_of[index[k]]) for k in plan.grants if index[k] in booth_of
    ]
    code_index = {b.code: j for j, b in enumerate(model.booths)}
    granted += [
        (index[k], code_index[c]) for k, block in plan.blocks.items() if k not in plan.seats
        for c in block
    ]
    out: dict[str, int] = {}
    for i, a in enumerate(model.candidates):
        if i in booth_of or a.key in plan.wishes_taken or a.wants_block:
            continue
        for g, j in granted:
            holder = model.candidates[g]
            # A booth with a reserved property its holder needs is kept for it against a
            # vendor who does not need it, whatever the tiers; among needers tiers decide.
            kept = model.booths[j].properties & holder.needs & model.reserved
            if kept and not kept & a.needs:
                continue
            if holder.priority < a.priority and open_allowed[i, j]:
                code = model.booths[j].code
                out[code] = max(a.priority, out.get(code, a.priority))
    return out


def claimed_day_model(
    problem: SeasonProblem,
    day: DayKey,
    present: Sequence[Applicant],
    premium: Rotation,
    corner: Rotation,
) -> DayModel:
    """The day's model with its claims pinned (regulars, blocks, granted wishes), as the
    solver optimises it before the category-cap re-plan: what the benchmark compares with
    the exact optimum."""
    ordered = sorted(present, key=lambda a: a.standing)
    return _claimed_day(problem, day, ordered, premium, corner).model


def carry_rotation(
    premium: Rotation,
    corner: Rotation,
    present: Sequence[Applicant],
    placements: Mapping[VendorKey, str],
    booth_by_code: Mapping[str, BoothSlot],
) -> None:
    """After a day: count the special booths each vendor who wanted one got, and drop from
    the fairness comparison everyone not placed that day (see
    :func:`markets.assignment.day_model._rotation_rule`)."""
    for a in present:
        code = placements.get(a.key)
        if code is None:
            continue
        booth = booth_by_code[code]
        if booth.is_premium and a.wants_premium:
            premium.counts[a.key] = premium.counts.get(a.key, 0) + 1
        if booth.rotates_as_corner and a.wants_corner:
            corner.counts[a.key] = corner.counts.get(a.key, 0) + 1
    for rotation in (premium, corner):
        rotation.members = {k for k in rotation.members if k in placements}


def solve_day(problem: SeasonProblem, day: DayKey) -> DayResult:
    """One market day (the season machinery with a run of one day)."""
    return solve_season(dataclasses.replace(problem, days=(day,))).days[0]


# ------------------------------------------------------------------------- within a day


def _admit(
    candidates: Sequence[Applicant], caps: Mapping[str, int], already: Mapping[str, int]
) -> tuple[list[Applicant], list[Applicant]]:
    """Greedy category caps: regulars first (they may exceed a cap: their booth is theirs),
    then in standing order, admit a vendor while all its categories have room. Standing
    order keeps the organizer's tiers; for everyone else a cap is a hard limit."""
    if not caps:
        return list(candidates), []
    used = dict(already)
    admitted, capped = [], []
    for a in sorted(candidates, key=lambda a: (a.own_booth is None, a.standing)):
        room = all(used.get(c, 0) < caps[c] for c in a.categories if c in caps)
        if room or a.own_booth is not None:
            admitted.append(a)
            for c in a.categories:
                used[c] = used.get(c, 0) + 1
        else:
            capped.append(a)
    return admitted, capped
