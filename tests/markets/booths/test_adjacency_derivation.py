"""Neighbours from positions: side by side or back to back within the gap; never corner to
corner, never across an aisle; a hand-made list wins for the pairs it touches."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from markets.booths.adjacency import (
    DEFAULT_GAP_M,
    Footprint,
    derive_adjacency,
    effective_adjacency,
    touching,
)


def box(code: str, x: float, y: float, w: float = 3, h: float = 3, *adj: str) -> Footprint:
    return Footprint(code, x, y, w, h, tuple(adj))


def test_side_by_side_and_back_to_back_booths_are_neighbours() -> None:
    row = [box("A1", 0, 0), box("A2", 3, 0), box("B1", 0, 3)]
    assert derive_adjacency(row) == {
        "A1": frozenset({"A2", "B1"}), "A2": frozenset({"A1"}), "B1": frozenset({"A1"}),
    }


def test_a_gap_up_to_the_threshold_still_counts_and_an_aisle_does_not() -> None:
    assert touching(box("a", 0, 0), box("b", 3 + DEFAULT_GAP_M, 0))
    assert not touching(box("a", 0, 0), box("b", 3 + DEFAULT_GAP_M + 0.01, 0))
    assert not touching(box("a", 0, 0), box("b", 0, 7))  # 4 m aisle
    assert touching(box("a", 0, 0), box("b", 4, 0), gap=1.0)


def test_booths_meeting_only_at_a_corner_are_not_neighbours() -> None:
    assert not touching(box("a", 0, 0), box("b", 3, 3))
    assert not touching(box("a", 0, 0), box("b", 3.2, 3.2))


def test_a_partly_facing_side_is_enough() -> None:
    assert touching(box("a", 0, 0), box("b", 3, 2, 3, 3))  # 1 m of shared side


def test_a_hand_made_list_wins_for_the_pairs_it_touches() -> None:
    booths = [
        box("A1", 0, 0), box("A2", 3, 0, 3, 3, "C9"),  # a wall between A1 and A2
        box("A3", 6, 0), box("C9", 50, 50),
    ]
    neighbours = effective_adjacency(booths)
    assert neighbours["A1"] == frozenset()
    assert neighbours["A2"] == frozenset({"C9"})
    assert neighbours["C9"] == frozenset({"A2"})  # symmetric even though C9 lists nobody
    assert neighbours["A3"] == frozenset()


def test_unknown_and_self_references_are_ignored() -> None:
    neighbours = effective_adjacency([box("A1", 0, 0, 3, 3, "A1", "ZZ"), box("A2", 3, 0)])
    assert neighbours == {"A1": frozenset(), "A2": frozenset()}


coords = st.integers(0, 20).map(lambda v: v / 2)
sides = st.sampled_from([2.0, 3.0, 6.0])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(coords, coords, sides, sides), max_size=25))
def test_the_sweep_finds_exactly_the_pairs_a_full_comparison_finds(
    rects: list[tuple[float, float, float, float]],
) -> None:
    booths = [box(f"b{i}", x, y, w, h) for i, (x, y, w, h) in enumerate(rects)]
    expected: dict[str, set[str]] = {b.code: set() for b in booths}
    for a, b in itertools.combinations(booths, 2):
        if touching(a, b):
            expected[a.code].add(b.code)
            expected[b.code].add(a.code)
    found = derive_adjacency(booths)
    assert found == {k: frozenset(v) for k, v in expected.items()}
    assert all(a in found[b] for a, ns in found.items() for b in ns)  # symmetric
