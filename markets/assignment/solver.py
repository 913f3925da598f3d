"""Booth assignment optimiser: who sells in which booth on each market day of a run.

Pure: plain dataclasses in, a plain result out; no ORM, no clock but a time budget. The
service layer (``markets.assignment.services``) turns Application and Booth rows into a
:class:`SeasonProblem` and stores the :class:`SeasonResult` as a draft.

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
  counts forward. The fairness rule is kept by construction (see :func:`_rotation_rule`).

Fairness rule, exactly as :mod:`markets.assignment.checks` verifies it: among the vendors
who want a premium booth, fit at least one premium booth (size and power), and were placed
on every day of the run, the number of premium placements differs by at most one; the same
for corner booths (a corner booth that is also premium counts as premium only, so the two
rotations never hold the same booth back twice). A vendor missing a day (not applied for
it, or not placed) has not had the same chances, so it leaves the comparison; it still gets
lowest-count-first treatment.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

DayKey = int
VendorKey = int

#: Booth sizes as ranks (``BoothSize.rank``): a booth fits a vendor if its rank is >= the need.
SMALL, STANDARD, LARGE = 0, 1, 2


class UnplacedReason(enum.StrEnum):
    """Why a vendor has no booth on a day; the organizer and the vendor both see it."""

    MARKET_FULL = "market_full"
    NO_BOOTH_WITH_POWER = "no_booth_with_power"
    NO_BOOTH_LARGE_ENOUGH = "no_booth_large_enough"
    POWER_BOOTHS_TAKEN = "power_booths_taken"
    LARGE_BOOTHS_TAKEN = "large_booths_taken"
    CATEGORY_CAP = "category_cap"
    ROTATION_HOLD = "rotation_hold"
    MANUAL = "manual"
    #: Not the optimiser's: the vendor did not come (check-in), so its booth was freed.
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS: dict[UnplacedReason, str] = {
    UnplacedReason.MARKET_FULL: "자리 부족: 맞는 부스가 모두 우선순위가 같거나 높은 업체에 배정됨",
    UnplacedReason.NO_BOOTH_WITH_POWER: "전기가 필요한데 크기가 맞으면서 전기가 있는 부스가 없음",
    UnplacedReason.NO_BOOTH_LARGE_ENOUGH: "필요한 크기 이상의 부스가 없음",
    UnplacedReason.POWER_BOOTHS_TAKEN: "빈 부스는 있지만 전기가 있는 부스가 모두 찼음",
    UnplacedReason.LARGE_BOOTHS_TAKEN: "빈 부스는 있지만 필요한 크기의 부스가 모두 찼음",
    UnplacedReason.CATEGORY_CAP: "같은 품목 업체 수 상한에 걸림",
    UnplacedReason.ROTATION_HOLD: (
        "맞는 부스가 프리미엄·코너 부스뿐인데 순번상 이번에는 차례가 아님"
    ),
    UnplacedReason.MANUAL: "운영자가 배정을 취소함",
    UnplacedReason.NO_SHOW: "무단 불참으로 그날 부스를 비움",
}


@dataclass(frozen=True)
class BoothSlot:
    """A booth as the optimiser sees it; ``code`` is its identity within the layout."""

    code: str
    zone: str = ""
    size: int = STANDARD
    has_power: bool = False
    is_corner: bool = False
    is_premium: bool = False

    @property
    def rotates_as_corner(self) -> bool:
        """A corner booth that is also premium rotates as premium (the higher class), so
        one booth is never held back by two rotations at once."""
        return self.is_corner and not self.is_premium


@dataclass(frozen=True)
class Applicant:
    """An accepted vendor and what it needs; ``days`` None means every day of the run."""

    key: VendorKey
    categories: frozenset[str] = frozenset()
    needs_power: bool = False
    min_size: int = SMALL
    preferred_booths: tuple[str, ...] = ()
    preferred_zones: tuple[str, ...] = ()
    #: Higher is placed first (the organizer's tier minus no-show strikes).
    priority: int = 0
    wants_premium: bool = False
    wants_corner: bool = False
    days: frozenset[DayKey] | None = None

    def fits(self, booth: BoothSlot) -> bool:
        return booth.size >= self.min_size and (booth.has_power or not self.needs_power)

    def attends(self, day: DayKey) -> bool:
        return self.days is None or day in self.days


@dataclass(frozen=True)
class RotationHistory:
    """Premium/corner placements on earlier days of the season, outside this run."""

    premium: int = 0
    corner: int = 0
    #: Placed on every earlier day of the season: still in the fairness comparison.
    placed_every_day: bool = True


@dataclass(frozen=True)
class Weights:
    """Soft-goal weights (integers; the objective is exact integer arithmetic).

    Priority tiers dominate by construction: one tier step is worth more than every other
    soft goal a single vendor can gain or lose, so no lower-tier vendor keeps a booth a
    higher-tier vendor could take (see :func:`build_day`).
    """

    preferred_booth: int = 30
    preferred_zone: int = 12
    rotation: int = 20
    rotation_step: int = 5
    waste_size: int = 3
    waste_power: int = 3
    same_category_neighbours: int = 25


@dataclass(frozen=True)
class SeasonProblem:
    booths: tuple[BoothSlot, ...]
    #: Symmetric neighbour sets by booth code (see ``markets.booths.adjacency``).
    adjacency: Mapping[str, frozenset[str]]
    applicants: tuple[Applicant, ...]
    #: The market days of the run, in date order.
    days: tuple[DayKey, ...]
    #: Most vendors selling a category on one day (a vendor counts for each category it sells).
    category_caps: Mapping[str, int] = field(default_factory=dict)
    history: Mapping[VendorKey, RotationHistory] = field(default_factory=dict)
    weights: Weights = Weights()
    #: Wall-clock budget for the local search over the whole run (the matchings are exact).
    time_limit_s: float = 1.5


@dataclass(frozen=True)
class DayResult:
    day: DayKey
    #: vendor key -> booth code
    placements: Mapping[VendorKey, str]
    unplaced: Mapping[VendorKey, UnplacedReason]
    objective: int
    same_category_pairs: int
    local_search_moves: int
    seconds: float


@dataclass(frozen=True)
class SeasonResult:
    days: tuple[DayResult, ...]
    seconds: float

    @property
    def objective(self) -> int:
        return sum(d.objective for d in self.days)

    def day(self, key: DayKey) -> DayResult:
        return next(d for d in self.days if d.day == key)


# ------------------------------------------------------------------------- the day model


@dataclass
class DayModel:
    """One day as numbers: candidate vendors x booths, weights, allowed pairs, neighbours.

    ``weight[i, j]`` is the gain of placing candidate ``i`` in booth ``j`` (only meaningful
    where ``allowed[i, j]``); the day's objective is the sum of the weights of the placed
    pairs minus ``penalty`` for every pair of neighbouring booths whose vendors share a
    category. Exposed so the exact reference solvers optimise the very same function.
    """

    day: DayKey
    candidates: list[Applicant]
    booths: tuple[BoothSlot, ...]
    weight: np.ndarray
    allowed: np.ndarray
    fits: np.ndarray
    neighbours: list[list[int]]
    masks: list[int]
    penalty: int

    def objective(self, booth_of: Mapping[int, int]) -> int:
        """Objective of a placement given as candidate index -> booth index."""
        total = int(sum(int(self.weight[i, j]) for i, j in booth_of.items()))
        return total - self.penalty * self.conflicts(booth_of)

    def conflicts(self, booth_of: Mapping[int, int]) -> int:
        occupant = {j: i for i, j in booth_of.items()}
        pairs = 0
        for j, i in occupant.items():
            for k in self.neighbours[j]:
                if k > j and k in occupant and self.masks[i] & self.masks[occupant[k]]:
                    pairs += 1
        return pairs


def neighbour_lists(
    booths: Sequence[BoothSlot], adjacency: Mapping[str, frozenset[str]]
) -> list[list[int]]:
    index = {b.code: j for j, b in enumerate(booths)}
    out: list[set[int]] = [set() for _ in booths]
    for j, booth in enumerate(booths):
        for code in adjacency.get(booth.code, frozenset()):
            k = index.get(code)
            if k is not None and k != j:
                out[j].add(k)
                out[k].add(j)
    return [sorted(s) for s in out]


@dataclass
class Rotation:
    """Premium or corner rotation state carried from day to day."""

    wanted: str  # "premium" or "corner"
    counts: dict[VendorKey, int]
    members: set[VendorKey]


def _rotation_rule(
    rotation: Rotation, candidates: Sequence[Applicant], eligible: set[VendorKey]
) -> tuple[int, set[VendorKey]]:
    """Today's reference count and the members who must sit this round out.

    Invariant (by induction over days): the counts of the fairness members are all ``m`` or
    ``m + 1``. Only members at the lowest count among those here today may take such a
    booth, so after today they are still within one of each other; vendors who leave the
    comparison (absent or unplaced) can only raise the minimum. Heterogeneous booths (a
    member who fits only the one premium booth with power) therefore never break the rule:
    the booth goes to someone else rather than to a member already ahead.
    """
    present = [
        a.key for a in candidates if a.key in rotation.members and a.key in eligible
    ]
    if not present:
        wanting = [a.key for a in candidates if a.key in eligible]
        floor = min((rotation.counts.get(k, 0) for k in wanting), default=0)
        return floor, set()
    floor = min(rotation.counts.get(k, 0) for k in present)
    held = {k for k in present if rotation.counts.get(k, 0) > floor}
    return floor, held


def build_day(
    problem: SeasonProblem,
    day: DayKey,
    candidates: Sequence[Applicant],
    premium: Rotation,
    corner: Rotation,
) -> DayModel:
    """Weights and allowed pairs of one day (vectorised: 500 x 300 in a few milliseconds)."""
    w = problem.weights
    booths = problem.booths
    neighbours = neighbour_lists(booths, problem.adjacency)
    nv, nb = len(candidates), len(booths)
    size_b = np.array([b.size for b in booths], dtype=np.int64)
    power_b = np.array([b.has_power for b in booths], dtype=bool)
    premium_b = np.array([b.is_premium for b in booths], dtype=bool)
    corner_b = np.array([b.rotates_as_corner for b in booths], dtype=bool)
    need_v = np.array([a.min_size for a in candidates], dtype=np.int64).reshape(nv, 1)
    power_v = np.array([a.needs_power for a in candidates], dtype=bool).reshape(nv, 1)

    fits = (size_b[None, :] >= need_v) & (power_b[None, :] | ~power_v)
    allowed = fits.copy()

    eligible_p = _eligible(candidates, booths, "premium")
    eligible_c = _eligible(candidates, booths, "corner")
    floor_p, held_p = _rotation_rule(premium, candidates, eligible_p)
    floor_c, held_c = _rotation_rule(corner, candidates, eligible_c)
    for i, a in enumerate(candidates):
        if a.key in held_p:
            allowed[i, premium_b] = False
        if a.key in held_c:
            allowed[i, corner_b] = False

    max_degree = max((len(n) for n in neighbours), default=0)
    best_bonus = w.preferred_booth + 2 * w.rotation
    worst_waste = w.waste_size * (LARGE - SMALL) + w.waste_power
    tier_step = 1 + best_bonus + worst_waste + w.same_category_neighbours * max_degree
    place = tier_step
    tiers = sorted({a.priority for a in candidates})
    rank = {p: r for r, p in enumerate(tiers)}

    base = np.array(
        [place + tier_step * rank[a.priority] for a in candidates], dtype=np.int64
    ).reshape(nv, 1)
    waste = w.waste_size * (size_b[None, :] - need_v) + w.waste_power * (
        power_b[None, :] & ~power_v
    )
    weight = base - waste
    code_index = {b.code: j for j, b in enumerate(booths)}
    zone_index: dict[str, list[int]] = {}
    for j, b in enumerate(booths):
        zone_index.setdefault(b.zone, []).append(j)
    for i, a in enumerate(candidates):
        bonus = np.zeros(nb, dtype=np.int64)
        for zone in a.preferred_zones:
            bonus[zone_index.get(zone, [])] = w.preferred_zone
        for code in a.preferred_booths:
            if code in code_index:
                bonus[code_index[code]] = w.preferred_booth
        if a.wants_premium and a.key in eligible_p:
            ahead = max(0, premium.counts.get(a.key, 0) - floor_p)
            bonus[premium_b] += max(0, w.rotation - w.rotation_step * ahead)
        if a.wants_corner and a.key in eligible_c:
            ahead = max(0, corner.counts.get(a.key, 0) - floor_c)
            bonus[corner_b] += max(0, w.rotation - w.rotation_step * ahead)
        weight[i] += bonus

    masks = _category_masks(candidates)
    return DayModel(
        day=day,
        candidates=list(candidates),
        booths=booths,
        weight=weight,
        allowed=allowed,
        fits=fits,
        neighbours=neighbours,
        masks=masks,
        penalty=w.same_category_neighbours,
    )


def _eligible(
    candidates: Iterable[Applicant], booths: Sequence[BoothSlot], kind: str
) -> set[VendorKey]:
    special = [b for b in booths if (b.is_premium if kind == "premium" else b.rotates_as_corner)]
    wants = (lambda a: a.wants_premium) if kind == "premium" else (lambda a: a.wants_corner)
    return {a.key for a in candidates if wants(a) and any(a.fits(b) for b in special)}


def _category_masks(candidates: Sequence[Applicant]) -> list[int]:
    bits: dict[str, int] = {}
    masks = []
    for a in candidates:
        m = 0
        for c in sorted(a.categories):
            m |= 1 << bits.setdefault(c, len(bits))
        masks.append(m)
    return masks


# ------------------------------------------------------------------------- solving a day


_FORBIDDEN = -1e12


def match(model: DayModel, around: Mapping[int, int] | None = None) -> dict[int, int]:
    """The exact maximum-weight placement ignoring neighbours: candidate -> booth index.

    Rows are booths; columns are the candidates plus one "stay empty" column per booth, so a
    booth is left empty rather than given to a vendor it cannot take. With ``around`` (a
    placement), each pair's weight is first lowered by the same-category neighbours it
    would have if the rest of the day stayed as in ``around``: a linearisation of the
    neighbour penalty that lets the exact matching see it.
    """
    nv, nb = model.weight.shape
    if nv == 0 or nb == 0:
        return {}
    weight = model.weight
    if around:
        weight = weight - model.penalty * _clash_matrix(model, around)
    # A finite "forbidden" gain is twice as fast as -inf in scipy and never chosen: every
    # booth can always stay empty for 0 instead.
    gain = np.where(model.allowed, weight, _FORBIDDEN).T.astype(float)
    matrix = np.hstack([gain, np.zeros((nb, nb))])
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return {
        int(c): int(r)
        for r, c in zip(rows, cols, strict=True)
        if c < nv and model.allowed[c, r]
    }


def _clash_matrix(model: DayModel, around: Mapping[int, int]) -> np.ndarray:
    """``[i, j]``: neighbours of booth ``j`` whose vendor in ``around`` shares a category
    with candidate ``i`` (candidate ``i`` itself not counted)."""
    nv, nb = model.weight.shape
    masks = np.array(model.masks, dtype=np.int64)
    occupant = {j: i for i, j in around.items()}
    clash = np.zeros((nv, nb), dtype=np.int64)
    for j, ns in enumerate(model.neighbours):
        for k in ns:
            u = occupant.get(k)
            if u is not None:
                hit = (masks & masks[u]) != 0
                hit[u] = False
                clash[:, j] += hit
    return clash


def improve(
    model: DayModel, booth_of: Mapping[int, int], deadline: float
) -> tuple[dict[int, int], int]:
    """Local search on the full objective from ``booth_of``; returns the result and moves made.

    Moves: relocate a vendor to an empty booth, swap two vendors, put an unplaced vendor in
    an empty booth, or replace a placed vendor by an unplaced one. A move is taken only if it
    strictly raises the objective, so the search ends; tier dominance in the weights means a
    replace never lets a lower tier push out a higher one.

    Starting from the exact matching, only a booth whose vendor has a same-category
    neighbour can improve (every other single move is either linear, which the matching
    already optimised, or adds neighbours), so the search starts at those booths and then
    follows the booths each move touches. Each booth visit scores all its moves at once
    with numpy (about 40 µs for 300 booths) instead of looping in Python.
    """
    weight = model.weight
    allowed = model.allowed
    nv, nb = allowed.shape
    if nv == 0 or nb == 0:
        return dict(booth_of), 0
    masks = np.array(model.masks, dtype=np.int64)
    pen = model.penalty
    nbrs = [np.array(n, dtype=np.int64) for n in model.neighbours]
    src = np.concatenate([np.full(len(n), j, dtype=np.int64) for j, n in enumerate(nbrs)])
    dst = np.concatenate(nbrs) if len(src) else np.zeros(0, dtype=np.int64)
    adjacent = np.zeros((nb, nb), dtype=bool)
    adjacent[src, dst] = True
    occ = np.full(nb, -1, dtype=np.int64)
    pos = np.full(nv, -1, dtype=np.int64)
    for i, j in booth_of.items():
        occ[j] = i
        pos[i] = j
    occ_mask = np.where(occ >= 0, masks[np.maximum(occ, 0)], 0)
    booth_ids = np.arange(nb)
    vendor_ids = np.arange(nv)

    def clash_counts() -> np.ndarray:
        """For every booth, how many neighbours share a category with its vendor."""
        hit = (occ_mask[src] & occ_mask[dst]) != 0
        return np.bincount(src, weights=hit, minlength=nb).astype(np.int64)

    def clashes_at(b: int, vmask: np.ndarray, skip: np.ndarray | None = None) -> np.ndarray:
        """Neighbours of ``b`` sharing a category with each mask in ``vmask`` (not counting
        the neighbour booth ``skip[x]`` for entry x, when given)."""
        total = np.zeros(len(vmask), dtype=np.int64)
        for k in nbrs[b]:
            hit = (occ_mask[k] & vmask) != 0
            if skip is not None:
                hit &= skip != k
            total += hit
        return total

    cur = clash_counts()
    dirty = [int(j) for j in np.flatnonzero((occ >= 0) & (cur > 0))]
    queued = set(dirty)
    moves = 0
    steps = 0

    def place(i: int, j: int) -> None:
        occ[j] = i
        occ_mask[j] = masks[i] if i >= 0 else 0
        if i >= 0:
            pos[i] = j

    def touch(*booths: int) -> None:
        for b in booths:
            for k in (b, *nbrs[b].tolist()):
                if k not in queued:
                    queued.add(k)
                    dirty.append(k)

    while dirty:
        steps += 1
        if steps % 32 == 0 and time.perf_counter() > deadline:
            break
        b = dirty.pop()
        queued.discard(b)
        v = int(occ[b])
        unplaced = vendor_ids[(pos < 0) & allowed[:, b]]
        best_gain, best_move = 0, None
        if v < 0:
            if len(unplaced):
                gain = weight[unplaced, b] - pen * clashes_at(b, masks[unplaced])
                x = int(np.argmax(gain))
                if gain[x] > best_gain:
                    best_gain, best_move = int(gain[x]), ("insert", int(unplaced[x]))
            placed = vendor_ids[(pos >= 0) & allowed[:, b]]
            if len(placed):
                at = pos[placed]
                gain = (
                    weight[placed, b] - pen * clashes_at(b, masks[placed], skip=at)
                    - (weight[placed, at] - pen * cur[at])
                )
                x = int(np.argmax(gain))
                if gain[x] > best_gain:
                    best_gain, best_move = int(gain[x]), ("relocate", int(placed[x]))
        else:
            mv = masks[v]
            here = int(weight[v, b]) - pen * int(cur[b])
            # v to every booth t: into an empty one, or swapping with its vendor u.
            hit_v = (occ_mask & mv) != 0
            hit_v[b] = False
            # clashes of v at every booth t, v's own booth ignored
            cv = np.bincount(src, weights=hit_v[dst], minlength=nb).astype(np.int64)
            u = occ
            has_u = u >= 0
            uu = np.maximum(u, 0)
            pair = adjacent[b] & has_u & ((occ_mask & mv) != 0)  # v and u neighbours, clashing
            gain = np.full(nb, np.iinfo(np.int64).min // 4, dtype=np.int64)
            ok_empty = allowed[v] & ~has_u
            gain[ok_empty] = weight[v, ok_empty] - pen * cv[ok_empty] - here
            ok_swap = allowed[v] & has_u & allowed[uu, b]
            ok_swap[b] = False
            if ok_swap.any():
                ts = booth_ids[ok_swap]
                us = uu[ts]
                before = (
                    weight[v, b] + weight[us, ts]
                    - pen * (cur[b] - pair[ts] + cur[ts] - pair[ts])
                )
                after = (
                    weight[v, ts] + weight[us, b]
                    - pen * (cv[ts] + clashes_at(b, masks[us], skip=ts))
                )
                gain[ts] = after - before
            gain[b] = np.iinfo(np.int64).min // 4
            x = int(np.argmax(gain))
            if gain[x] > best_gain:
                best_gain, best_move = int(gain[x]), ("shift", x)
            if len(unplaced):
                g = weight[unplaced, b] - pen * clashes_at(b, masks[unplaced]) - here
                y = int(np.argmax(g))
                if g[y] > best_gain:
                    best_gain, best_move = int(g[y]), ("replace", int(unplaced[y]))
        if best_move is None:
            continue
        kind, target = best_move
        if kind == "insert":
            place(target, b)
            touch(b)
        elif kind == "relocate":
            old = int(pos[target])
            place(-1, old)
            place(target, b)
            touch(b, old)
        elif kind == "shift":
            other = int(occ[target])
            place(v, target)
            place(other, b)
            touch(b, target)
        else:  # replace
            pos[v] = -1
            place(target, b)
            touch(b)
        cur = clash_counts()
        moves += 1
    return {int(i): int(j) for i, j in enumerate(pos) if j >= 0}, moves


def _admit(
    candidates: Sequence[Applicant], caps: Mapping[str, int], already: Mapping[str, int]
) -> tuple[list[Applicant], list[Applicant]]:
    """Greedy category caps: in priority order, admit a vendor while all its categories
    have room. Priority order keeps the organizer's tiers; a cap is a hard limit."""
    if not caps:
        return list(candidates), []
    used = dict(already)
    admitted, capped = [], []
    for a in sorted(candidates, key=lambda a: (-a.priority, a.key)):
        if all(used.get(c, 0) < caps[c] for c in a.categories if c in caps):
            admitted.append(a)
            for c in a.categories:
                used[c] = used.get(c, 0) + 1
        else:
            capped.append(a)
    return admitted, capped


def _reason(model: DayModel, i: int, occupied: set[int]) -> UnplacedReason:
    """The most specific true reason, from "cannot ever fit" to "everything is taken"."""
    a = model.candidates[i]
    booths = model.booths
    if not any(b.size >= a.min_size for b in booths):
        return UnplacedReason.NO_BOOTH_LARGE_ENOUGH
    if not model.fits[i].any():
        return UnplacedReason.NO_BOOTH_WITH_POWER
    empty = [j for j in range(len(booths)) if j not in occupied]
    if not model.allowed[i].any() or any(model.fits[i, j] for j in empty):
        # Every fitting booth is one its premium/corner turn keeps it out of today.
        return UnplacedReason.ROTATION_HOLD
    if empty:
        if a.needs_power and any(booths[j].size >= a.min_size for j in empty):
            return UnplacedReason.POWER_BOOTHS_TAKEN
        return UnplacedReason.LARGE_BOOTHS_TAKEN
    return UnplacedReason.MARKET_FULL


def fill_empty(model: DayModel, booth_of: dict[int, int]) -> dict[int, int]:
    """Put unplaced vendors into empty booths they may take (always a gain; used when the
    local search ran out of time between a move and the insertion it enables)."""
    occupant = {j: i for i, j in booth_of.items()}
    for j in range(len(model.booths)):
        if j in occupant:
            continue
        best, best_gain = -1, 0
        for i in np.flatnonzero(model.allowed[:, j]).tolist():
            if i in booth_of:
                continue
            clashes = sum(
                1 for k in model.neighbours[j]
                if k in occupant and model.masks[occupant[k]] & model.masks[i]
            )
            gain = int(model.weight[i, j]) - model.penalty * clashes
            if gain > best_gain:
                best, best_gain = i, gain
        if best >= 0:
            booth_of[best] = j
            occupant[j] = best
    return booth_of


def solve_day_model(
    model: DayModel, deadline: float, *, rounds: int = 2
) -> tuple[dict[int, int], int]:
    """Exact matching, local search, then ``rounds`` of re-matching around the best result.

    Each re-matching sees the neighbour penalty linearised around the previous result (see
    :func:`match`) and is followed by the local search again; the best objective wins. On
    the benchmark's exact-comparison instances this halves the gap to the optimum for
    about three more matchings per day. A last fill makes sure no booth stays empty that an
    unplaced vendor could take, even when the time budget cut the search short.
    """
    best, moves = improve(model, match(model), deadline)
    best_value = model.objective(best)
    current = best
    for _ in range(rounds):
        if time.perf_counter() > deadline:
            break
        candidate, more = improve(model, match(model, around=current), deadline)
        moves += more
        value = model.objective(candidate)
        if value > best_value:
            best, best_value = candidate, value
        current = candidate
    return fill_empty(model, best), moves


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
    admitted, capped = _admit(present, caps, {})
    first = build_day(problem, day, admitted, premium, corner)
    booth_of, moves = solve_day_model(first, deadline)
    model, left_out = first, []
    if capped and len(booth_of) < len(admitted):
        # Vendors admitted under a cap but left without a booth free their cap room:
        # admit capped vendors into it (priority order) and solve the day once more.
        placed = [first.candidates[i] for i in booth_of]
        counts: dict[str, int] = {}
        for a in placed:
            for c in a.categories:
                counts[c] = counts.get(c, 0) + 1
        extra, capped = _admit(capped, caps, counts)
        if extra:
            left_out = [i for i in range(len(admitted)) if i not in booth_of]
            model = build_day(problem, day, [*placed, *extra], premium, corner)
            booth_of, more = solve_day_model(model, deadline)
            moves += more
    occupied = set(booth_of.values())
    placements = {model.candidates[i].key: model.booths[j].code for i, j in booth_of.items()}
    unplaced: dict[VendorKey, UnplacedReason] = {}
    for i, a in enumerate(model.candidates):
        if i not in booth_of:
            unplaced[a.key] = _reason(model, i, occupied)
    for i in left_out:
        unplaced[first.candidates[i].key] = _reason(first, i, occupied)
    for a in capped:
        unplaced[a.key] = UnplacedReason.CATEGORY_CAP
    return DayResult(
        day=day,
        placements=placements,
        unplaced=unplaced,
        objective=model.objective(booth_of),
        same_category_pairs=model.conflicts(booth_of),
        local_search_moves=moves,
        seconds=time.perf_counter() - started,
    )


def carry_rotation(
    premium: Rotation,
    corner: Rotation,
    present: Sequence[Applicant],
    placements: Mapping[VendorKey, str],
    booth_by_code: Mapping[str, BoothSlot],
) -> None:
    """After a day: count the special booths each vendor who wanted one got, and drop from
    the fairness comparison everyone not placed that day (see :func:`_rotation_rule`)."""
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
    single = SeasonProblem(
        booths=problem.booths,
        adjacency=problem.adjacency,
        applicants=problem.applicants,
        days=(day,),
        category_caps=problem.category_caps,
        history=problem.history,
        weights=problem.weights,
        time_limit_s=problem.time_limit_s,
    )
    return solve_season(single).days[0]
