"""Regulars' own booths (고정 부스) on small maps whose answer can be checked by hand."""

from __future__ import annotations

from markets.assignment.checks import hard_violations, priority_inversions
from markets.assignment.claims import regular_places
from markets.assignment.problem import Applicant, BoothSlot, DayResult, SeasonProblem
from markets.assignment.solver import solve_season

ROW = tuple(BoothSlot(f"B{j}") for j in range(1, 6))  # B1..B5


def _day(vendors: list[Applicant], booths: tuple[BoothSlot, ...] = ROW, **extra: object
         ) -> DayResult:
    problem = SeasonProblem(
        booths=booths, adjacency={}, applicants=tuple(vendors), days=(1, 2), **extra  # type: ignore[arg-type]
    )
    result = solve_season(problem)
    assert hard_violations(problem, result) == []
    assert priority_inversions(problem, result) == []
    return result.days[0]


def _reg(key: int, own: str, *wishes: str, **extra: object) -> Applicant:
    return Applicant(key, frozenset({f"c{key}"}), own_booth=own, preferred_booths=wishes,
                     **extra)  # type: ignore[arg-type]


def test_a_regular_gets_its_booth_even_against_a_higher_tier_that_wishes_it() -> None:
    day = _day([_reg(1, "B3"), Applicant(2, frozenset({"x"}), preferred_booths=("B3",),
                                         priority=2, wishes_only=True)])
    assert day.placements == {1: "B3"}
    assert day.unplaced[2].value == "wishes_taken"


def test_an_absent_regular_frees_its_booth_for_that_day_only() -> None:
    problem = SeasonProblem(
        booths=ROW, adjacency={}, days=(1, 2),
        applicants=(
            _reg(1, "B3", days=frozenset({2})),
            Applicant(2, frozenset({"x"}), preferred_booths=("B3",)),
        ),
    )
    result = solve_season(problem)
    assert result.day(1).placements == {2: "B3"}
    assert result.day(2).placements[1] == "B3" and result.day(2).placements[2] != "B3"
    assert hard_violations(problem, result) == []


def test_two_regulars_who_wish_each_others_booth_swap() -> None:
    day = _day([_reg(1, "B1", "B2"), _reg(2, "B2", "B1")])
    assert day.placements == {1: "B2", 2: "B1"}


def test_a_chain_of_three_moves_into_a_free_booth() -> None:
    """1 wants 2's booth, 2 wants 3's, 3 wants the free B5: all three move."""
    day = _day([_reg(1, "B1", "B2"), _reg(2, "B2", "B3"), _reg(3, "B3", "B5")])
    assert day.placements == {1: "B2", 2: "B3", 3: "B5"}


def test_a_chain_stops_where_a_regular_stays_and_everyone_keeps_a_booth() -> None:
    """3 does not want to move: 2 keeps B2, so 1 keeps B1."""
    day = _day([_reg(1, "B1", "B2"), _reg(2, "B2", "B3"), _reg(3, "B3")])
    assert day.placements == {1: "B1", 2: "B2", 3: "B3"}


def test_the_senior_regular_wins_a_contested_wish_and_the_junior_keeps_its_own() -> None:
    day = _day([_reg(1, "B1", "B4", seniority=2), _reg(2, "B2", "B4", seniority=7)])
    assert day.placements == {1: "B1", 2: "B4"}
    # Freed by a move: the booth a senior vacates can be the junior's wish.
    chain = _day([_reg(1, "B1", "B2", seniority=2), _reg(2, "B2", "B4", seniority=7)])
    assert chain.placements == {1: "B2", 2: "B4"}


def test_a_regular_never_moves_onto_another_attending_regulars_booth() -> None:
    day = _day([_reg(1, "B1", "B2", seniority=9), _reg(2, "B2", seniority=1)])
    assert day.placements == {1: "B1", 2: "B2"}


def test_a_regulars_move_beats_a_newcomers_wish_and_its_old_booth_is_free() -> None:
    day = _day([_reg(1, "B1", "B4"), Applicant(2, frozenset({"x"}), preferred_booths=("B4", "B1"),
                                               priority=3)])
    assert day.placements == {1: "B4", 2: "B1"}


def test_regulars_may_exceed_a_category_cap_others_may_not() -> None:
    vendors = [
        Applicant(1, frozenset({"food"}), own_booth="B1"),
        Applicant(2, frozenset({"food"}), own_booth="B2"),
        Applicant(3, frozenset({"food"}), priority=5),
    ]
    day = _day(vendors, category_caps={"food": 1})
    assert day.placements == {1: "B1", 2: "B2"}
    assert day.unplaced[3].value == "category_cap"


def test_the_claims_rule_alone_on_a_three_way_cycle() -> None:
    regulars = [_reg(1, "B1", "B2"), _reg(2, "B2", "B3"), _reg(3, "B3", "B1")]
    seats = regular_places(regulars, lambda a, code: True, {"B1", "B2", "B3"})
    assert seats == {1: "B2", 2: "B3", 3: "B1"}
