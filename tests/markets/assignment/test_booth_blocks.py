"""Several booths for one vendor (min..max side by side in one row) on small maps whose
right answer can be checked by hand, plus random seasons for the two hard promises: no
booth holds two vendors, and every block is a run of neighbours in one row."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings

from markets.assignment.blocks import windows
from markets.assignment.checks import hard_violations, priority_inversions
from markets.assignment.problem import (
    Applicant,
    BoothSlot,
    DayResult,
    SeasonProblem,
    SeasonResult,
)
from markets.assignment.solver import solve_season
from tests.markets.assignment.instances import season_problems

# One row of six booths A1..A6 with a pillar between A3 and A4 (no adjacency there):
#   [A1][A2][A3] | [A4][A5][A6]
ROW = tuple(BoothSlot(f"A{n}") for n in range(1, 7))
PAIRS = {"A1": {"A2"}, "A2": {"A1", "A3"}, "A3": {"A2"}, "A4": {"A5"},
         "A5": {"A4", "A6"}, "A6": {"A5"}}
ADJ = {k: frozenset(v) for k, v in PAIRS.items()}
ROWS = (tuple(b.code for b in ROW),)


def _day(vendors: list[Applicant], booths: tuple[BoothSlot, ...] = ROW,
         rows: tuple[tuple[str, ...], ...] = ROWS) -> DayResult:
    problem = SeasonProblem(booths=booths, adjacency=ADJ, applicants=tuple(vendors),
                            days=(1,), rows=rows)
    result = solve_season(problem)
    assert hard_violations(problem, result) == []
    assert priority_inversions(problem, result) == []
    return result.days[0]


def _stall(key: int, lo: int, hi: int, priority: int = 0, **kw: object) -> Applicant:
    return Applicant(key, frozenset({"food"}), booths_min=lo, booths_max=hi,
                     priority=priority, **kw)  # type: ignore[arg-type]


def test_windows_stop_at_the_pillar() -> None:
    assert windows(ROWS, ADJ, 3) == [("A1", "A2", "A3"), ("A4", "A5", "A6")]
    assert windows(ROWS, ADJ, 4) == []


def test_a_vendor_wanting_two_to_three_booths_gets_three_side_by_side_when_free() -> None:
    day = _day([_stall(1, 2, 3)])
    assert day.blocks[1] == ("A1", "A2", "A3")
    assert day.placements[1] == "A1"


def test_the_pillar_breaks_a_block_so_a_fourth_booth_is_never_added_across_it() -> None:
    day = _day([_stall(1, 2, 4), _stall(2, 2, 4)])
    assert day.blocks == {1: ("A1", "A2", "A3"), 2: ("A4", "A5", "A6")}


def test_an_extra_booth_goes_to_a_single_vendor_first() -> None:
    """A1-A3 only, a 2–3 stall and one single: the stall keeps its two, the single sits in
    the third booth; without the single the stall takes all three."""
    booths, rows = ROW[:3], (("A1", "A2", "A3"),)
    day = _day([_stall(1, 2, 3), Applicant(2, frozenset({"craft"}))], booths=booths, rows=rows)
    assert day.blocks[1] == ("A1", "A2") and day.placements[2] == "A3"
    alone = _day([_stall(1, 2, 3)], booths=booths, rows=rows)
    assert alone.blocks[1] == ("A1", "A2", "A3")


def test_minimum_first_then_extras_only_from_spare_booths() -> None:
    singles = [Applicant(k, frozenset({"craft"})) for k in range(10, 14)]
    day = _day([_stall(1, 2, 3), *singles])
    held = [c for v in day.placements for c in day.booths_of(v)]
    assert len(held) == len(set(held)) == 6
    assert len(day.blocks[1]) == 2 and len(day.placements) == 5


def test_a_stall_whose_minimum_does_not_fit_in_any_run_is_unplaced_with_the_reason() -> None:
    day = _day([_stall(1, 4, 4), Applicant(2, frozenset({"craft"}))])
    assert 1 not in day.placements
    assert day.unplaced[1].value == "no_adjacent_block"
    assert "나란히" in day.unplaced[1].label


def test_a_higher_tier_single_is_not_left_out_for_a_lower_tier_block() -> None:
    """Three booths A1-A3 only; a tier-0 stall wants all three, a tier-1 single wants one:
    the single sits, the stall (needing three) waits for lack of a block."""
    booths = ROW[:3]
    day = _day([_stall(1, 3, 3), Applicant(2, frozenset({"craft"}), priority=1)],
               booths=booths, rows=(("A1", "A2", "A3"),))
    assert 2 in day.placements and 1 not in day.placements
    assert day.unplaced[1].value == "lower_tier"


def test_the_wished_booth_is_inside_the_block() -> None:
    day = _day([_stall(1, 2, 2, preferred_booths=("A5",))])
    assert "A5" in day.blocks[1] and day.placements[1] == "A5"


def test_only_my_wishes_needs_one_wished_booth_in_the_block_not_every_booth() -> None:
    """Found by a random run (issue 13, "lower tiers hold block"): A1-A2 only, two tier-0
    singles, and a tier-1 stall wanting two booths with "only my wishes" on A1. Its block
    A1+A2 holds its wish; the stall sits there and the singles wait (they were given both
    booths because A2, not wished, was closed to the stall)."""
    booths, rows = ROW[:2], (("A1", "A2"),)
    stall = _stall(3, 2, 2, priority=1, preferred_booths=("A1",), wishes_only=True)
    day = _day([Applicant(1, frozenset({"x"})), Applicant(2, frozenset({"y"})), stall],
               booths=booths, rows=rows)
    assert day.blocks == {3: ("A1", "A2")} and day.placements == {3: "A1"}
    assert day.unplaced[1].value == day.unplaced[2].value == "lower_tier"


def test_a_reserved_booth_nobody_waits_for_goes_into_a_higher_tier_block() -> None:
    """Cooking reserved; A1 (cooking) and A2 side by side, C1 (cooking) apart. The one
    cook wishes C1 and gets it, so nobody needing cooking waits for A1: the tier-1 stall
    wanting two booths takes A1+A2 and the two tier-0 singles wait (they held both before,
    A1 having been kept from the stall for a cook who sat elsewhere)."""
    cook = frozenset({"cooking"})
    booths = (BoothSlot("A1", properties=cook), BoothSlot("A2"), BoothSlot("C1", properties=cook))
    vendors = (Applicant(1, frozenset({"food"}), needs=cook, preferred_booths=("C1",)),
               Applicant(2, frozenset({"x"})), Applicant(3, frozenset({"y"})),
               _stall(4, 2, 2, priority=1))
    problem = SeasonProblem(booths=booths, adjacency=ADJ, applicants=vendors, days=(1,),
                            rows=(("A1", "A2"), ("C1",)), reserved_properties=cook)
    result = solve_season(problem)
    assert hard_violations(problem, result) == [] and priority_inversions(problem, result) == []
    day = result.days[0]
    assert day.placements == {1: "C1", 4: "A1"} and day.blocks == {4: ("A1", "A2")}


def test_the_block_only_uses_booths_the_vendor_fits() -> None:
    powered = tuple(
        BoothSlot(b.code, has_power=b.code in {"A2", "A3", "A4", "A5"}) for b in ROW
    )
    day = _day([_stall(1, 2, 3, needs_power=True)], booths=powered)
    assert day.blocks[1] in (("A2", "A3"), ("A4", "A5"))


def test_shuffled_applications_give_the_same_blocks() -> None:
    vendors = [_stall(1, 2, 3), _stall(2, 2, 2, priority=1), Applicant(3, frozenset({"x"})),
               Applicant(4, frozenset({"y"}))]
    first = _day(vendors)
    rng = random.Random(13)
    for _ in range(20):
        rng.shuffle(vendors)
        again = _day(vendors)
        assert (again.placements, again.blocks, again.unplaced) == (
            first.placements, first.blocks, first.unplaced)


SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(season_problems(max_booths=10, max_vendors=12, max_days=2))
def test_no_booth_is_double_booked_and_every_block_is_a_run_of_neighbours(
    problem: SeasonProblem,
) -> None:
    result = solve_season(problem)
    for day in result.days:
        held = [c for v in day.placements for c in day.booths_of(v)]
        assert len(held) == len(set(held))
        for vendor, block in day.blocks.items():
            a = next(a for a in problem.applicants if a.key == vendor)
            if a.more_own_booths:  # a regular's own booths, wherever they lie (decision 80)
                assert set(block) <= set(a.own_booths)
                continue
            least = 1 if a.own_booth else a.booths_min
            assert least <= len(block) <= a.booths_max
            assert block in windows(problem.rows, problem.adjacency, len(block))
    assert hard_violations(problem, result) == []
    assert priority_inversions(problem, result) == []


def _result(placements: dict[int, str], blocks: dict[int, tuple[str, ...]]) -> SeasonResult:
    day = DayResult(day=1, placements=placements, unplaced={}, objective=0,
                    same_category_pairs=0, local_search_moves=0, seconds=0.0, blocks=blocks)
    return SeasonResult(days=(day,), seconds=0.0)


def test_the_checker_catches_a_block_across_the_pillar_and_a_booth_held_twice() -> None:
    problem = SeasonProblem(booths=ROW, adjacency=ADJ, applicants=(_stall(1, 2, 2),
                            Applicant(2, frozenset({"x"}))), days=(1,), rows=ROWS)
    across = hard_violations(problem, _result({1: "A3", 2: "A1"}, {1: ("A3", "A4")}))
    assert any("not side by side" in v for v in across)
    twice = hard_violations(problem, _result({1: "A1", 2: "A2"}, {1: ("A1", "A2")}))
    assert any("booth A2 holds 2 vendors" in v for v in twice)
    short = hard_violations(problem, _result({1: "A1", 2: "A2"}, {}))
    assert any("needs 2 booths" in v for v in short)
