"""Within one tier, seniority decides a contested booth between a stall and a single vendor
(decision 102).

Issue 13: "when two applicants want the same booth, the higher tier wins; within a tier,
seniority (years at this market) then the jury score decide; never input order". Blocks
of several booths used to be claimed before every single vendor's wish, so a junior stall
took the booth a senior single vendor wished. Now stalls and wishers claim in one line, in
standing order (tier, years, jury score, vendor id). One row of 3 or 4 booths, so each
answer can be checked by hand.
"""

from __future__ import annotations

import random

from markets.assignment.checks import (
    hard_violations,
    priority_inversions,
    seniority_inversions,
)
from markets.assignment.problem import (
    Applicant,
    BoothSlot,
    DayResult,
    SeasonProblem,
    SeasonResult,
    UnplacedReason,
)
from markets.assignment.solver import solve_season


def _problem(n: int, vendors: list[Applicant]) -> SeasonProblem:
    """One row A1..An, each booth a neighbour of the next."""
    codes = tuple(f"A{k}" for k in range(1, n + 1))
    adjacency = {
        c: frozenset(codes[k + d] for d in (-1, 1) if 0 <= k + d < n)
        for k, c in enumerate(codes)
    }
    return SeasonProblem(booths=tuple(BoothSlot(c) for c in codes), adjacency=adjacency,
                         rows=(codes,), days=(1,), applicants=tuple(vendors))


def _solve(n: int, vendors: list[Applicant]) -> DayResult:
    """Solve, check, and solve 100 shuffles of the input: the same answer every time."""
    problem = _problem(n, vendors)
    result = solve_season(problem)
    assert hard_violations(problem, result) == []
    assert priority_inversions(problem, result) == []
    assert seniority_inversions(problem, result) == []
    day = result.days[0]
    rng = random.Random(102)
    shuffled = list(vendors)
    for _ in range(100):
        rng.shuffle(shuffled)
        again = solve_season(_problem(n, shuffled)).days[0]
        assert (again.placements, again.blocks, again.unplaced) == (
            day.placements, day.blocks, day.unplaced
        )
    return day


def _stall(key: int, years: int, score: float = 0.0, priority: int = 0,
           wishes: tuple[str, ...] = ()) -> Applicant:
    return Applicant(key, frozenset({"food"}), booths_min=2, booths_max=2,
                     seniority=years, jury_score=score, priority=priority,
                     preferred_booths=wishes)


def _single(key: int, years: int, score: float = 0.0, priority: int = 0,
            wishes: tuple[str, ...] = ("A2",), wishes_only: bool = False) -> Applicant:
    return Applicant(key, frozenset({"craft"}), seniority=years, jury_score=score,
                     priority=priority, preferred_booths=wishes, wishes_only=wishes_only)


def test_a_senior_single_keeps_its_wish_and_the_junior_stall_takes_another_run() -> None:
    """[A1][A2][A3][A4], one tier. A stall with 1 year wants two booths side by side, a
    single vendor with 5 years wishes A2. The senior gets A2; the stall takes A3-A4, the
    only run left (it used to take A1-A2 first and push the senior to A3)."""
    day = _solve(4, [_stall(1, years=1), _single(2, years=5)])
    assert day.placements[2] == "A2"
    assert day.blocks[1] == ("A3", "A4")
    assert day.unplaced == {}


def test_a_junior_stall_with_no_run_left_is_told_no_adjacent_block_in_korean() -> None:
    """[A1][A2][A3]: every run of two holds A2, the senior single's wish. The stall waits,
    told that no block of booths side by side is left; A1 and A3 stay empty."""
    day = _solve(3, [_stall(1, years=1), _single(2, years=5)])
    assert day.placements == {2: "A2"}
    assert day.unplaced == {1: UnplacedReason.NO_ADJACENT_BLOCK}
    assert "붙어 있는 빈 부스 묶음이 없음" in day.unplaced[1].label


def test_a_senior_stall_takes_the_run_a_junior_single_wished() -> None:
    """The mirror: the stall has 5 years, the single 1. The stall claims first; with no
    wish of its own it takes the first run in map order, A1-A2; the single sits on A3."""
    day = _solve(3, [_stall(1, years=5), _single(2, years=1)])
    assert day.blocks[1] == ("A1", "A2")
    assert day.placements[2] == "A3"
    assert day.unplaced == {}


def test_a_senior_stall_keeps_a_wished_run_against_a_junior_only_my_wishes_single() -> None:
    """The stall (5 years) wishes A2; the single (1 year) wants A2 or nothing: the single
    is placed nowhere, told its wishes went to someone ranked ahead."""
    day = _solve(3, [_stall(1, years=5, wishes=("A2",)),
                     _single(2, years=1, wishes_only=True)])
    assert day.blocks[1] in {("A1", "A2"), ("A2", "A3")}
    assert day.unplaced == {2: UnplacedReason.WISHES_TAKEN}


def test_equal_years_the_jury_score_decides_both_ways() -> None:
    """Both have 3 years. The single scores 8.5 against the stall's 7.0: it keeps A2 and
    the stall waits. Scores swapped: the stall takes A1-A2 and the single sits on A3."""
    day = _solve(3, [_stall(1, years=3, score=7.0), _single(2, years=3, score=8.5)])
    assert day.placements == {2: "A2"}
    assert day.unplaced == {1: UnplacedReason.NO_ADJACENT_BLOCK}
    day = _solve(3, [_stall(1, years=3, score=8.5), _single(2, years=3, score=7.0)])
    assert day.blocks[1] == ("A1", "A2")
    assert day.placements[2] == "A3"


def test_everything_equal_the_lower_vendor_id_wins_never_the_input_order() -> None:
    """Same years and score: the vendor id decides (stable across runs), in every order."""
    day = _solve(3, [_stall(2, years=3), _single(1, years=3)])
    assert day.placements == {1: "A2"}
    day = _solve(3, [_stall(1, years=3), _single(2, years=3)])
    assert day.blocks[1] == ("A1", "A2")


def test_a_higher_tier_still_beats_seniority() -> None:
    """A tier-1 junior stall against a tier-0 senior single: the tier wins A1-A2."""
    day = _solve(3, [_stall(1, years=1, priority=1), _single(2, years=9)])
    assert day.blocks[1] == ("A1", "A2")
    assert day.placements[2] == "A3"


def test_the_checker_tells_the_old_wrong_answers() -> None:
    """The junior stall on the senior single's wish, and a senior stall left out while a
    junior single's wish is the only thing in the way of a run."""
    problem = _problem(3, [_stall(1, years=1), _single(2, years=5)])
    wrong = DayResult(day=1, placements={1: "A1", 2: "A3"}, unplaced={}, objective=0,
                      same_category_pairs=0, local_search_moves=0, seconds=0.0,
                      blocks={1: ("A1", "A2")})
    found = seniority_inversions(problem, SeasonResult(days=(wrong,), seconds=0.0))
    assert len(found) == 1 and "A2" in found[0]
    problem = _problem(3, [_stall(1, years=5), _single(2, years=1)])
    wrong = DayResult(day=1, placements={2: "A2"},
                      unplaced={1: UnplacedReason.NO_ADJACENT_BLOCK}, objective=0,
                      same_category_pairs=0, local_search_moves=0, seconds=0.0)
    found = seniority_inversions(problem, SeasonResult(days=(wrong,), seconds=0.0))
    assert len(found) == 1 and "vendor 1" in found[0]
