"""A regular granted several booths moving as a whole stall (decision 94), checked by hand.

One row [B1][B2][B3][B4][B5][B6], each booth a neighbour of the next unless a test breaks
the row. A stall's wish names the first booth of a run as long as the stall, in row order:
stall B1+B2 wishing B4 asks for B4+B5.
"""

from __future__ import annotations

import itertools
import random

from markets.assignment.checks import hard_violations, priority_inversions
from markets.assignment.problem import (
    Applicant,
    BoothSlot,
    DayResult,
    SeasonProblem,
    SeasonResult,
)
from markets.assignment.solver import solve_season

CODES = tuple(f"B{j}" for j in range(1, 7))
BOOTHS = tuple(BoothSlot(c) for c in CODES)


def _problem(vendors: list[Applicant], gap_after: str | None = None,
             booths: tuple[BoothSlot, ...] = BOOTHS) -> SeasonProblem:
    """The row; ``gap_after``: that booth and the next are no neighbours (an obstacle)."""
    adjacency: dict[str, set[str]] = {c: set() for c in CODES}
    for left, right in itertools.pairwise(CODES):
        if left != gap_after:
            adjacency[left].add(right)
            adjacency[right].add(left)
    return SeasonProblem(booths=booths, days=(1,), applicants=tuple(vendors), rows=(CODES,),
                         adjacency={c: frozenset(n) for c, n in adjacency.items()})


def _solve(problem: SeasonProblem) -> DayResult:
    result = solve_season(problem)
    assert hard_violations(problem, result) == []
    assert priority_inversions(problem, result) == []
    return result.days[0]


def _stall(key: int, own: tuple[str, ...], wishes: tuple[str, ...] = (),
           seniority: int = 0) -> Applicant:
    return Applicant(key, frozenset({f"c{key}"}), own_booth=own[0], more_own_booths=own[1:],
                     preferred_booths=wishes, seniority=seniority)


def _regular(key: int, own: str, wishes: tuple[str, ...] = ()) -> Applicant:
    return Applicant(key, frozenset({f"c{key}"}), own_booth=own, preferred_booths=wishes)


def _v(key: int, wishes: tuple[str, ...] = ()) -> Applicant:
    return Applicant(key, frozenset({f"c{key}"}), preferred_booths=wishes)


def test_a_stall_moves_as_a_whole_to_a_free_run_and_frees_its_booths() -> None:
    """Stall 1 (B1+B2) wishes B4: B4+B5 are free, so it moves there; vendor 3, wishing
    B1, gets its old booth."""
    day = _solve(_problem([_stall(1, ("B1", "B2"), ("B4",)), _v(3, ("B1",))]))
    assert day.blocks[1] == ("B4", "B5")
    assert day.placements[1] == "B4"
    assert day.placements[3] == "B1"


def test_a_wish_past_the_rows_end_or_across_an_obstacle_names_no_run() -> None:
    """Stall 1 (B1+B2) wishing B6 (no booth after it) or, with an obstacle between B3 and
    B4, wishing B3, asks for nothing it can have: it keeps B1+B2. Its next wish counts."""
    day = _solve(_problem([_stall(1, ("B1", "B2"), ("B6",))]))
    assert set(day.booths_of(1)) == {"B1", "B2"}
    broken = _solve(_problem([_stall(1, ("B1", "B2"), ("B3",))], gap_after="B3"))
    assert set(broken.booths_of(1)) == {"B1", "B2"}
    second = _solve(_problem([_stall(1, ("B1", "B2"), ("B3", "B4"))], gap_after="B3"))
    assert second.blocks[1] == ("B4", "B5")


def test_a_run_held_by_a_regular_who_stays_is_not_taken() -> None:
    """Regular 2 owns B5 and stays: stall 1 wishing B4 (B4+B5) keeps B1+B2, or with a
    second wish B3 (B3+B4) moves there."""
    day = _solve(_problem([_stall(1, ("B1", "B2"), ("B4",)), _regular(2, "B5")]))
    assert set(day.booths_of(1)) == {"B1", "B2"}
    assert day.placements[2] == "B5"
    day = _solve(_problem([_stall(1, ("B1", "B2"), ("B4", "B3")), _regular(2, "B5")]))
    assert day.blocks[1] == ("B3", "B4")


def test_a_run_freed_by_a_regulars_move_is_taken() -> None:
    """Regular 2 owns B5 and moves to its wish B6: B4+B5 are then free for stall 1."""
    day = _solve(_problem([_stall(1, ("B1", "B2"), ("B4",)), _regular(2, "B5", ("B6",))]))
    assert day.placements[2] == "B6"
    assert day.blocks[1] == ("B4", "B5")


def test_a_run_freed_by_another_stalls_move_is_taken() -> None:
    """Stall 1 (B1+B2, the senior) wishes B3; stall 2 holds B3+B4 and wishes B5 (free).
    Stall 2 moves to B5+B6 and stall 1 then to B3+B4: a chain of two whole stalls."""
    day = _solve(_problem([
        _stall(1, ("B1", "B2"), ("B3",), seniority=9), _stall(2, ("B3", "B4"), ("B5",)),
    ]))
    assert day.blocks[2] == ("B5", "B6")
    assert day.blocks[1] == ("B3", "B4")


def test_two_stalls_wishing_each_others_booths_swap() -> None:
    """Stall 1 (B1+B2) wishes B4, stall 2 (B4+B5) wishes B1: neither run is free, each is
    the other's, so they swap; B3 and B6 stay free."""
    day = _solve(_problem([_stall(1, ("B1", "B2"), ("B4",)), _stall(2, ("B4", "B5"), ("B1",))]))
    assert day.blocks[1] == ("B4", "B5")
    assert day.blocks[2] == ("B1", "B2")


def test_the_senior_stall_wins_a_contested_run() -> None:
    """Stalls 1 (B1+B2) and 2 (B5+B6) both wish B3 (B3+B4). The one with more years at
    the market moves; the other keeps its booths, whatever the vendor ids."""
    for senior, junior in ((1, 2), (2, 1)):
        own = {1: ("B1", "B2"), 2: ("B5", "B6")}
        day = _solve(_problem([
            _stall(senior, own[senior], ("B3",), seniority=10),
            _stall(junior, own[junior], ("B3",), seniority=2),
        ]))
        assert day.blocks[senior] == ("B3", "B4")
        assert set(day.booths_of(junior)) == set(own[junior])


def test_a_single_booth_regular_moves_into_a_booth_the_stall_left() -> None:
    """Regular 3 owns B6 and wishes B1, the stall's booth while it stays; stall 1 moves
    to B3+B4, so regular 3 moves to B1 and B6 is free."""
    day = _solve(_problem([_stall(1, ("B1", "B2"), ("B3",)), _regular(3, "B6", ("B1",))]))
    assert day.blocks[1] == ("B3", "B4")
    assert day.placements[3] == "B1"


def test_a_stall_does_not_move_onto_a_booth_it_does_not_fit() -> None:
    """B5 is too small for stall 1 (size 1): its wish B4 (B4+B5) fails, it keeps B1+B2."""
    small = tuple(BoothSlot(c, size=0) if c == "B5" else BoothSlot(c) for c in CODES)
    stall = Applicant(1, frozenset({"food"}), own_booth="B1", more_own_booths=("B2",),
                      preferred_booths=("B4",), min_size=1)
    day = _solve(_problem([stall], booths=small))
    assert set(day.booths_of(1)) == {"B1", "B2"}


def test_a_hundred_shuffles_give_the_same_moves() -> None:
    vendors = [
        _stall(1, ("B1", "B2"), ("B3",), seniority=9), _stall(2, ("B3", "B4"), ("B5",)),
        _regular(3, "B6", ("B1",)), _v(4, ("B2",)), _v(5),
    ]
    first = _solve(_problem(vendors))
    rng = random.Random(94)
    for _ in range(100):
        rng.shuffle(vendors)
        day = _solve(_problem(vendors))
        assert (day.placements, day.blocks, day.unplaced) == (
            first.placements, first.blocks, first.unplaced
        )


def test_the_checker_allows_a_wished_run_and_nothing_else() -> None:
    problem = _problem([_stall(1, ("B1", "B2"), ("B4",)), _v(3)])

    def day(blocks: dict[int, tuple[str, ...]], placements: dict[int, str]) -> list[str]:
        result = DayResult(day=1, placements=placements, unplaced={}, blocks=blocks,
                           objective=0, same_category_pairs=0, local_search_moves=0,
                           seconds=0.0)
        return hard_violations(problem, SeasonResult((result,), 0.0))

    assert day({1: ("B4", "B5")}, {1: "B4", 3: "B1"}) == []
    assert day({1: ("B1", "B2")}, {1: "B1", 3: "B4"}) == []
    wrong = day({1: ("B3", "B4")}, {1: "B3", 3: "B1"})
    assert "day 1: regular 1 holds ['B3', 'B4'], its own booths are ['B1', 'B2']" in wrong
    # Staying home, nobody else may sit on its booths.
    assert "day 1: vendor 3 took regular 1's booth B2" in day(
        {1: ("B1",)}, {1: "B1", 3: "B2"}
    )
