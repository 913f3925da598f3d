"""Several booths for one vendor: blocks of booths side by side in one row.

A vendor asking for ``booths_min``..``booths_max`` booths (a food truck, a large stall) is
placed on a *block*: consecutive booths of one row of the map that are neighbours in the
adjacency (a gap wider than the neighbour tolerance, or an organizer's hand-made neighbour
list around a pillar, breaks the run). Two steps, both hard-rule-safe by construction:

1. **Claim the minimum** (:class:`BlockClaims`, before the matching, after the regulars):
   in standing order, in one line with the single vendors' wishes (decision 102), each
   block vendor takes the best free window of ``booths_min`` booths it may take (every
   booth fits it, is allowed to it today, is no rotating premium/corner booth and is not
   held or claimed yet: a senior single vendor's wish comes first). One booth of the
   window is pinned to the vendor in the matching, the others are closed to everybody; so
   no booth can hold two vendors and the window stays whole. A lower tier's window that
   leaves a higher tier out is withdrawn by the solver's revocation rounds like a granted
   wish.
2. **Extras last** (:func:`extend_blocks`, after the day is solved): a block grows at its
   ends towards ``booths_max`` only into booths that stayed empty and that no vendor left
   out today would fit, so an extra booth never costs anybody a place ("extra booths go
   out only after everyone in a higher tier has their minimum" and more: after everyone).

The independent checker (``markets.assignment.checks``) re-verifies both with its own
walk over the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

import numpy as np

from markets.assignment.day_model import DayModel
from markets.assignment.problem import Applicant, BoothSlot, VendorKey


def windows(
    rows: Sequence[Sequence[str]], adjacency: Mapping[str, Collection[str]], size: int
) -> list[tuple[str, ...]]:
    """Every run of ``size`` consecutive booths of a row whose consecutive members are
    neighbours, in row order (rows in their given order)."""
    out: list[tuple[str, ...]] = []
    for row in rows:
        run: list[str] = []
        for code in row:
            if run and code not in adjacency.get(run[-1], ()):
                run = []
            run.append(code)
            if len(run) >= size:
                out.append(tuple(run[-size:]))
    return out


def _rotating(booth: BoothSlot) -> bool:
    return booth.is_premium or booth.is_corner


def anchor_of(a: Applicant, block: Sequence[str]) -> str:
    """The booth of the block that stands for it in the matching and in ``placements``:
    its best wish, else its first booth."""
    wished = [c for c in a.preferred_booths if c in block]
    return wished[0] if wished else block[0]


class BlockClaims:
    """The claim of each block vendor's window of ``booths_min`` booths, one vendor at a
    time in the order the caller settles claims (``markets.assignment.claims.claim_in_line``:
    standing order, single vendors' wishes in between, decision 102).

    ``held``: booth indices already claimed; ``can_take``: a boolean vector over
    ``booths``, what the vendor may take today. A booth is free until held, claimed by a
    window or :meth:`take`-n by someone else's claim; premium/corner booths rotate and are
    never free for a block."""

    def __init__(
        self,
        rows: Sequence[Sequence[str]],
        adjacency: Mapping[str, Collection[str]],
        booths: Sequence[BoothSlot],
        held: Collection[int],
        can_take: Callable[[Applicant], np.ndarray],
    ) -> None:
        self.rows, self.adjacency, self.booths, self.can_take = rows, adjacency, booths, can_take
        self.index = {b.code: j for j, b in enumerate(booths)}
        self.free = np.array([not _rotating(b) for b in booths], dtype=bool)
        self.free[list(held)] = False
        self.size = np.array([b.size for b in booths], dtype=np.int64)
        self.power = np.array([b.has_power for b in booths], dtype=np.int64)
        self.zone = [b.zone for b in booths]
        self.cache: dict[int, np.ndarray] = {}

    def take(self, code: str) -> None:
        """Someone else claimed the booth (a granted wish)."""
        j = self.index.get(code)
        if j is not None:
            self.free[j] = False

    def claim(self, a: Applicant) -> tuple[str, ...] | None:
        """The vendor's best free window, now claimed; None when it has none.

        The best window holds the earliest wish, then lies most in preferred zones, then
        wastes least size and power, then comes first in map order."""
        booths, index = self.booths, self.index
        k = a.booths_min
        if k not in self.cache:
            found = windows(self.rows, self.adjacency, k)
            self.cache[k] = np.array(
                [[index[c] for c in w] for w in found if all(c in index for c in w)],
                dtype=np.int64,
            ).reshape(-1, k)
        options = self.cache[k]
        ok = (self.can_take(a) & self.free)[options].all(axis=1)
        wish = np.full(len(booths), len(a.preferred_booths), dtype=np.int64)
        for n, code in enumerate(a.preferred_booths):
            if code in index:
                wish[index[code]] = n
        wish_w = wish[options].min(axis=1) if len(options) else wish[:0]
        if a.wishes_only:
            ok &= wish_w < len(a.preferred_booths)
        if not ok.any():
            return None
        away = np.array([z not in a.preferred_zones for z in self.zone], dtype=np.int64) \
            if a.preferred_zones else np.zeros(len(booths), dtype=np.int64)
        waste = self.size - a.min_size + self.power * (not a.needs_power)
        keys = np.lexsort((
            np.arange(len(options)), waste[options].sum(axis=1), away[options].sum(axis=1),
            wish_w,
        ))
        best = next(int(w) for w in keys if ok[w])
        chosen = options[best]
        self.free[chosen] = False
        return tuple(booths[j].code for j in chosen)


def extend_blocks(
    vendors: Sequence[Applicant],
    placed: Mapping[VendorKey, tuple[str, ...]],
    rows: Sequence[Sequence[str]],
    adjacency: Mapping[str, Collection[str]],
    booths: Mapping[str, BoothSlot],
    left_out: Sequence[Applicant],
) -> dict[VendorKey, tuple[str, ...]]:
    """Grow the blocks (or single booths) of vendors asking for more towards
    ``booths_max``, in standing order, one booth at a time at either end of the run in its
    row, into booths nobody holds and no vendor in ``left_out`` would take.

    ``placed``: every placed vendor's booths today. Returns the grown blocks only."""
    occupied = {c for block in placed.values() for c in block}

    def spare(code: str) -> bool:
        booth = booths[code]
        return (
            code not in occupied and not _rotating(booth)
            and not any(
                w.fits(booth) and (not w.wishes_only or code in w.preferred_booths)
                for w in left_out
            )
        )

    row_of: dict[str, tuple[int, int]] = {}
    for r, row in enumerate(rows):
        for n, code in enumerate(row):
            row_of.setdefault(code, (r, n))
    grown: dict[VendorKey, tuple[str, ...]] = {}
    for a in sorted(vendors, key=lambda a: a.standing):
        block = list(placed.get(a.key, ()))
        if not block or len(block) >= a.booths_max:
            continue
        row_index = _common_row(block, rows, row_of)
        if row_index is None:
            continue
        row = rows[row_index]
        first, last = row.index(block[0]), row.index(block[-1])
        added = False
        while len(block) < a.booths_max:
            ends = []
            if last + 1 < len(row):
                ends.append((last + 1, row[last + 1], block[-1]))
            if first > 0:
                ends.append((first - 1, row[first - 1], block[0]))
            pick = next(
                (e for e in ends
                 if e[1] in booths and e[1] in adjacency.get(e[2], ()) and spare(e[1])
                 and a.fits(booths[e[1]])),
                None,
            )
            if pick is None:
                break
            n, code, _ = pick
            if n > last:
                block.append(code)
                last = n
            else:
                block.insert(0, code)
                first = n
            occupied.add(code)
            added = True
        if added:
            grown[a.key] = tuple(block)
    return grown


def _common_row(
    block: Sequence[str],
    rows: Sequence[Sequence[str]],
    row_of: Mapping[str, tuple[int, int]],
) -> int | None:
    """The row holding the whole block as a consecutive run (a single booth: its first
    row), None when there is none."""
    if len(block) == 1:
        place = row_of.get(block[0])
        return None if place is None else place[0]
    for r, row in enumerate(rows):
        if block[0] in row:
            start = row.index(block[0])
            if tuple(row[start:start + len(block)]) == tuple(block):
                return r
    return None


def held_windows(
    waiting: Iterable[Applicant],
    rows: Sequence[Sequence[str]],
    adjacency: Mapping[str, Collection[str]],
    booths: Mapping[str, BoothSlot],
    holder: Mapping[str, Applicant],
    may_take: Callable[[Applicant, str], bool],
    reserved: Collection[str] = frozenset(),
) -> dict[VendorKey, tuple[str, ...]]:
    """Windows to give block vendors a plan left out while lower tiers hold them (the
    rule ``markets.assignment.checks.priority_inversions`` checks for blocks: a higher
    tier's minimum block is never blocked by lower tiers when one exists).

    ``waiting``: unplaced block vendors, in any order (standing order is used);
    ``holder``: booth code -> who holds it in the plan; ``may_take``: whether the vendor
    may take the booth at all (it fits, no vendor left out of a higher tier is kept it).
    A window qualifies when every booth is no rotating premium/corner booth, the vendor
    may take it, and is empty or held by a lower tier (any tier, on a booth with a
    reserved property the vendor needs and the holder does not) that is no regular and
    does not hold it as a reserved booth it needs while the vendor does not ("only my
    wishes": one booth is a wish). Windows are
    chosen in standing order without overlap, the earliest wish first, then map order."""
    out: dict[VendorKey, tuple[str, ...]] = {}
    taken: set[str] = set()
    for a in sorted(waiting, key=lambda a: a.standing):
        rank = {c: n for n, c in enumerate(a.preferred_booths)}

        def free(code: str, a: Applicant = a) -> bool:
            booth, other = booths.get(code), holder.get(code)
            if booth is None or _rotating(booth) or code in taken or not may_take(a, code):
                return False
            if other is None:
                return True
            kept = booth.properties & set(reserved)
            # A booth with a reserved property goes to a vendor who needs it before one
            # who does not, even against tiers; among needers (or others) tiers decide.
            mine, theirs = bool(kept & a.needs), bool(kept & other.needs)
            return other.own_booth is None and not (theirs and not mine) and (
                other.priority < a.priority or (mine and not theirs)
            )

        found = [
            w for w in windows(rows, adjacency, a.booths_min)
            if all(free(c) for c in w)
            and (not a.wishes_only or any(c in rank for c in w))
        ]
        if found:
            best = min(found, key=lambda w: min(rank.get(c, len(rank)) for c in w))
            out[a.key] = best
            taken.update(best)
    return out


def rescued_blocks(
    rows: Sequence[Sequence[str]],
    adjacency: Mapping[str, Collection[str]],
    model: DayModel,
    booth_of: Mapping[int, int],
    blocks: Mapping[VendorKey, tuple[str, ...]],
    closed: Mapping[str, int],
) -> dict[VendorKey, tuple[str, ...]]:
    """Block vendors a placement (``booth_of``, with its claimed ``blocks``) left out
    while a window they may take is empty or held by lower tiers (:func:`held_windows`):
    the solver claims those windows for them first in its next plan of the day, so the
    lower tiers move or wait. ``closed``: booth code -> the lowest tier that may claim it."""
    waiting = [
        a for i, a in enumerate(model.candidates) if a.wants_block and i not in booth_of
    ]
    if not waiting:
        return {}
    allowed = model.open_allowed if model.open_allowed is not None else model.allowed
    index = {a.key: i for i, a in enumerate(model.candidates)}
    code_index = {b.code: j for j, b in enumerate(model.booths)}
    holder = {model.booths[j].code: model.candidates[i] for i, j in booth_of.items()}
    by_key = {a.key: a for a in model.candidates}
    holder.update({c: by_key[k] for k, block in blocks.items() for c in block})
    # A booth with a reserved property stays out of reach while a vendor needing it, who
    # fits it, is left out (the reservation comes before the tiers).
    needy = [
        a for i, a in enumerate(model.candidates)
        if i not in booth_of and a.needs & model.reserved and not a.wants_block
    ]

    def may_take(a: Applicant, code: str) -> bool:
        j = code_index[code]
        booth = model.booths[j]
        kept = booth.properties & model.reserved
        return bool(allowed[index[a.key], j]) and a.priority >= closed.get(
            code, a.priority
        ) and not (kept and not kept & a.needs and any(
            kept & w.needs and w.fits(booth)
            and (not w.wishes_only or code in w.preferred_booths) for w in needy
        ))

    return held_windows(
        waiting, rows, adjacency, {b.code: b for b in model.booths}, holder, may_take,
        model.reserved,
    )
