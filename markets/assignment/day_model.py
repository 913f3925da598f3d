"""One market day as numbers (:class:`DayModel`): which vendor may take which booth, what
each pair is worth, and who sits out a premium or corner turn (the rotation rule).

Built once per day by :func:`build_day` (vectorised: 500 vendors x 300 booths in a few
milliseconds); ``day_search`` optimises it, and the exact reference solvers
(``markets.assignment.exact``) optimise the very same objective.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from markets.assignment.problem import (
    LARGE,
    SMALL,
    Applicant,
    BoothSlot,
    DayKey,
    SeasonProblem,
    VendorKey,
    wish_bonus,
)


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
    #: Gains are multiplied by this (the rest is the standing tie-break, see ``build_day``).
    scale: int = 1
    #: ``allowed`` before any claim was pinned (:meth:`pin`): what the reasons look at.
    open_allowed: np.ndarray | None = None
    #: Pinned pairs, candidate -> booth: fixed, so the solvers leave them out of the search.
    pinned: dict[int, int] = field(default_factory=dict)
    #: The problem's reserved booth properties (see ``SeasonProblem.reserved_properties``).
    reserved: frozenset[str] = frozenset()
    #: Booths held as the non-pinned part of a block (:meth:`hold`).
    held: set[int] = field(default_factory=set)

    def pin(self, i: int, j: int) -> None:
        """Candidate ``i`` may take only booth ``j`` and booth ``j`` only candidate ``i``: a
        regular's booth or a granted wish. The pair's weight is positive and nobody else
        competes for either, so every exact matching places it."""
        if self.open_allowed is None:
            self.open_allowed = self.allowed.copy()
        self.allowed[i, :] = False
        self.allowed[:, j] = False
        self.allowed[i, j] = True
        self.pinned[i] = j

    def hold(self, j: int) -> None:
        """Booth ``j`` is part of a block pinned elsewhere: nobody takes it in the matching
        (``markets.assignment.blocks``)."""
        if self.open_allowed is None:
            self.open_allowed = self.allowed.copy()
        self.allowed[:, j] = False
        self.held.add(j)

    def shut(self, i: int) -> None:
        """Candidate ``i`` may take no booth today ("only my wishes" with none left)."""
        if self.open_allowed is None:
            self.open_allowed = self.allowed.copy()
        self.allowed[i, :] = False

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
    needed = sorted({p for a in candidates for p in a.needs})
    has = {p: np.array([p in b.properties for b in booths], dtype=bool) for p in needed}
    for i, a in enumerate(candidates):
        for p in a.needs:
            fits[i] &= has[p]
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
        for nth, code in enumerate(a.preferred_booths):
            if code in code_index:
                bonus[code_index[code]] = wish_bonus(w, nth)
        if a.wishes_only and not a.wants_block:
            # (A block needs one wish among its booths, not every booth wished: the
            # block claim checks that, ``markets.assignment.blocks.BlockClaims``.)
            keep = np.zeros(nb, dtype=bool)
            keep[[code_index[c] for c in (*a.preferred_booths, *a.own_booths)
                  if c in code_index]] = True
            allowed[i] &= keep
        if a.wants_premium and a.key in eligible_p:
            ahead = max(0, premium.counts.get(a.key, 0) - floor_p)
            bonus[premium_b] += max(0, w.rotation - w.rotation_step * ahead)
        if a.wants_corner and a.key in eligible_c:
            ahead = max(0, corner.counts.get(a.key, 0) - floor_c)
            bonus[corner_b] += max(0, w.rotation - w.rotation_step * ahead)
        weight[i] += bonus

    # Reserved properties (the organizer's option): a vendor who needs the property gains
    # more on such a booth than any tier is worth, so those booths go to the vendors who
    # need them first, even against tiers; others take them only when none is left out.
    for p in sorted(problem.reserved_properties & set(needed)):
        needers = np.array([p in a.needs for a in candidates], dtype=bool)
        weight[np.ix_(needers, has[p])] += tier_step * (len(tiers) + 1)

    # Standing (tier, years at the market, jury score, vendor id) as an exact tie-break:
    # every gain above is scaled so that all tie-break points together are worth less
    # than one point of it; among equally good placements the better-standing vendors
    # sit, whatever order the applications came in.
    order = sorted(range(nv), key=lambda i: candidates[i].standing)
    tie = np.zeros(nv, dtype=np.int64)
    tie[order] = np.arange(nv, 0, -1, dtype=np.int64)
    scale = nv * (nv + 1) // 2 + 1
    weight = weight * scale + tie.reshape(nv, 1)

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
        penalty=w.same_category_neighbours * scale,
        reserved=problem.reserved_properties,
        scale=scale,
    )


def _eligible(
    candidates: Iterable[Applicant], booths: Sequence[BoothSlot], kind: str
) -> set[VendorKey]:
    special = [b for b in booths if (b.is_premium if kind == "premium" else b.rotates_as_corner)]
    wants = (lambda a: a.wants_premium) if kind == "premium" else (lambda a: a.wants_corner)
    # A regular sits on its own booth (or the one it moved to): no rotation turn to take.
    return {
        a.key for a in candidates
        if wants(a) and a.own_booth is None and any(a.fits(b) for b in special)
    }


def _category_masks(candidates: Sequence[Applicant]) -> list[int]:
    bits: dict[str, int] = {}
    masks = []
    for a in candidates:
        m = 0
        for c in sorted(a.categories):
            m |= 1 << bits.setdefault(c, len(bits))
        masks.append(m)
    return masks
