"""Which booths stand side by side: derived from positions, or given by the organizer.

The assignment keeps vendors of one category apart, so it needs neighbours. Drawing the
map already places every booth in metres, so neighbours follow from geometry: two booths
are neighbours when they face each other across a shared side, touching or separated by at
most ``gap`` metres (a tent pole, a narrow gutter). Booths meeting only at a corner are not
neighbours; booths across an aisle wider than ``gap`` are not either.

Geometry is wrong sometimes (a wall between two touching booths, a shared awning across an
aisle), so an organizer can list a booth's neighbours by hand. A hand-made list wins for
every pair involving that booth (see :func:`effective_adjacency`). Pure functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

#: Booths at most this far apart (metres) along facing sides are neighbours.
DEFAULT_GAP_M = 0.5
#: Facing sides must overlap by more than this (metres) to count; corners-only do not.
MIN_SHARED_SIDE_M = 0.01


@dataclass(frozen=True)
class Footprint:
    """A booth's rectangle on the map (metres from the top-left corner)."""

    code: str
    x: float
    y: float
    width: float
    height: float
    #: Neighbours given by hand; empty means "derive from positions".
    adjacent_codes: tuple[str, ...] = ()


def _gap_and_overlap(a0: float, a1: float, b0: float, b1: float) -> tuple[float, float]:
    """Along one axis: the gap between two intervals (0 if they meet or overlap) and the
    length they overlap (0 if they do not)."""
    gap = max(0.0, max(a0, b0) - min(a1, b1))
    overlap = max(0.0, min(a1, b1) - max(a0, b0))
    return gap, overlap


def touching(a: Footprint, b: Footprint, gap: float = DEFAULT_GAP_M) -> bool:
    """Whether ``a`` and ``b`` face each other across a side, at most ``gap`` metres apart."""
    gx, ox = _gap_and_overlap(a.x, a.x + a.width, b.x, b.x + b.width)
    gy, oy = _gap_and_overlap(a.y, a.y + a.height, b.y, b.y + b.height)
    side_by_side = gx <= gap and oy > MIN_SHARED_SIDE_M
    one_behind_the_other = gy <= gap and ox > MIN_SHARED_SIDE_M
    return side_by_side or one_behind_the_other


def overlapping(a: Footprint, b: Footprint) -> bool:
    """Whether two rectangles share area (a drawing error: two booths on one spot)."""
    _, ox = _gap_and_overlap(a.x, a.x + a.width, b.x, b.x + b.width)
    _, oy = _gap_and_overlap(a.y, a.y + a.height, b.y, b.y + b.height)
    return ox > MIN_SHARED_SIDE_M and oy > MIN_SHARED_SIDE_M


def derive_adjacency(
    booths: Sequence[Footprint], gap: float = DEFAULT_GAP_M
) -> dict[str, frozenset[str]]:
    """Neighbours of every booth from positions alone (symmetric by construction).

    Sweeps booths sorted by x so only booths whose x-ranges come within ``gap`` are
    compared: a 300-booth map costs a few thousand comparisons, not 45,000.
    """
    ordered = sorted(booths, key=lambda b: b.x)
    found: dict[str, set[str]] = {b.code: set() for b in booths}
    for i, a in enumerate(ordered):
        right = a.x + a.width + gap
        for b in ordered[i + 1:]:
            if b.x > right:
                break
            if touching(a, b, gap):
                found[a.code].add(b.code)
                found[b.code].add(a.code)
    return {code: frozenset(codes) for code, codes in found.items()}


def effective_adjacency(
    booths: Sequence[Footprint], gap: float = DEFAULT_GAP_M
) -> dict[str, frozenset[str]]:
    """Neighbours the assignment uses: derived, except around booths with a hand-made list.

    For a pair where either booth has a hand-made list, the pair are neighbours exactly when
    one of the lists names the other; otherwise geometry decides. The result is symmetric,
    and codes that name no booth of the layout are ignored.
    """
    derived = derive_adjacency(booths, gap)
    codes = {b.code for b in booths}
    explicit: Mapping[str, frozenset[str]] = {
        b.code: frozenset(c for c in b.adjacent_codes if c in codes and c != b.code)
        for b in booths
        if b.adjacent_codes
    }
    out: dict[str, set[str]] = {code: set() for code in codes}
    for code, neighbours in derived.items():
        if code in explicit:
            continue
        for other in neighbours:
            if other not in explicit:
                out[code].add(other)
    for code, neighbours in explicit.items():
        for other in neighbours:
            out[code].add(other)
            out[other].add(code)
    return {code: frozenset(n) for code, n in out.items()}


def booth_rows(booths: Sequence[Footprint], tolerance: float = 0.05) -> list[tuple[str, ...]]:
    """Lines of booths for several-booth stalls, in map order: booths sharing their top
    edge and height form a row, left to right; a booth alone in its row joins a column
    of booths sharing their left edge and width, top to bottom (a line along a vertical
    aisle). Whether two consecutive booths of a line really stand side by side is the
    adjacency's say (a gap or a hand-made list breaks the run); lines of one booth are
    left out."""

    def lines(
        key: Callable[[Footprint], tuple[float, float]], order: Callable[[Footprint], float]
    ) -> list[list[Footprint]]:
        groups: list[list[Footprint]] = []
        for b in sorted(booths, key=lambda b: (*key(b), order(b))):
            last = groups[-1][-1] if groups else None
            if last is not None and all(
                abs(p - q) <= tolerance for p, q in zip(key(last), key(b), strict=True)
            ):
                groups[-1].append(b)
            else:
                groups.append([b])
        return groups

    rows = [g for g in lines(lambda b: (b.y, b.height), lambda b: b.x) if len(g) > 1]
    in_rows = {b.code for g in rows for b in g}
    booths = [b for b in booths if b.code not in in_rows]
    columns = [g for g in lines(lambda b: (b.x, b.width), lambda b: b.y) if len(g) > 1]
    return [tuple(b.code for b in g) for g in (*rows, *columns)]
