"""Ranked wishes on small maps: who wins a contested booth, "only my wishes", and the same
answer whatever order the applications come in."""

from __future__ import annotations

import random

from markets.assignment.checks import hard_violations, priority_inversions
from markets.assignment.problem import Applicant, BoothSlot, SeasonProblem, SeasonResult
from markets.assignment.solver import solve_season
from tests.markets.assignment.instances import symmetric

ROW = tuple(BoothSlot(f"B{j}") for j in range(1, 5))  # B1 B2 B3 B4, no specials


def _solve(vendors: list[Applicant], booths: tuple[BoothSlot, ...] = ROW) -> SeasonResult:
    problem = SeasonProblem(booths=booths, adjacency={}, applicants=tuple(vendors), days=(1,))
    result = solve_season(problem)
    assert hard_violations(problem, result) == []
    return result


def _v(key: int, *wishes: str, **extra: object) -> Applicant:
    return Applicant(key, frozenset({f"c{key}"}), preferred_booths=wishes, **extra)  # type: ignore[arg-type]


def test_the_first_wish_goes_to_whoever_ranks_it_first_when_nobody_else_wants_it() -> None:
    day = _solve([_v(1, "B3", "B1"), _v(2, "B1", "B3")]).days[0]
    assert day.placements == {1: "B3", 2: "B1"}


def test_a_contested_booth_goes_to_the_higher_tier_even_if_listed_later() -> None:
    day = _solve([_v(1, "B2"), _v(2, "B2", priority=1)]).days[0]
    assert day.placements[2] == "B2" and day.placements[1] != "B2"


def test_within_a_tier_seniority_decides_then_the_jury_score() -> None:
    senior = _solve([_v(1, "B2", seniority=1, jury_score=2.0),
                     _v(2, "B2", seniority=5, jury_score=1.0)]).days[0]
    assert senior.placements[2] == "B2"
    jury = _solve([_v(1, "B2", seniority=3, jury_score=8.5),
                   _v(2, "B2", seniority=3, jury_score=9.0)]).days[0]
    assert jury.placements[2] == "B2"
    # All equal: the vendor id decides (stable), never the order of the list.
    tie = _solve([_v(9, "B2"), _v(4, "B2")]).days[0]
    assert tie.placements[4] == "B2"


def test_the_loser_gets_its_second_wish_before_any_other_booth() -> None:
    day = _solve([_v(1, "B2", priority=1), _v(2, "B2", "B4"), _v(3)]).days[0]
    assert day.placements[1] == "B2" and day.placements[2] == "B4"


def test_only_my_wishes_places_nowhere_else_and_says_why() -> None:
    day = _solve([_v(1, "B2", priority=1), _v(2, "B2", wishes_only=True), _v(3)]).days[0]
    assert 2 not in day.placements
    assert day.unplaced[2].value == "wishes_taken"
    assert day.unplaced[2].label.startswith("희망 부스에만")
    anywhere = _solve([_v(1, "B2", priority=1), _v(2, "B2")]).days[0]
    assert anywhere.placements[2] in {"B1", "B3", "B4"}


def test_a_wish_does_not_buy_a_seat_over_a_higher_tier() -> None:
    """One booth: the tier-0 vendor's granted wish is withdrawn so the tier-1 vendor sits."""
    booths = (BoothSlot("B1"),)
    day = _solve([_v(1, "B1"), _v(2, priority=1)], booths).days[0]
    assert day.placements == {2: "B1"}
    assert day.unplaced[1].value == "lower_tier"


def test_a_hundred_shuffles_give_the_same_placement_and_reasons() -> None:
    booths = tuple(BoothSlot(f"B{j}", has_power=j in (4, 5)) for j in range(1, 9))
    adjacency = symmetric({f"B{j}": {f"B{j + 1}"} for j in range(1, 8)})
    vendors = [
        Applicant(1, frozenset({"food"}), preferred_booths=("B2", "B3")),
        Applicant(2, frozenset({"food"}), preferred_booths=("B2",), seniority=2),
        Applicant(3, frozenset({"craft"}), preferred_booths=("B3", "B2"), wishes_only=True),
        Applicant(4, frozenset({"craft"}), needs_power=True, priority=1),
        Applicant(5, frozenset({"food"}), needs_power=True),
        Applicant(6, frozenset({"food"}), preferred_booths=("B6",), jury_score=7.5),
        Applicant(7, frozenset({"craft"}), preferred_booths=("B6",), jury_score=8.0),
        Applicant(8, frozenset({"books"}), own_booth="B8", preferred_booths=("B1",)),
        Applicant(9, frozenset({"food"})),
        Applicant(10, frozenset({"craft"}), needs_power=True),
        Applicant(11, frozenset({"books"}), preferred_booths=("B8",), wishes_only=True),
    ]
    rng = random.Random(13)
    outcomes = set()
    for _ in range(100):
        shuffled = vendors[:]
        rng.shuffle(shuffled)
        problem = SeasonProblem(booths=booths, adjacency=adjacency,
                                applicants=tuple(shuffled), days=(1,))
        day = solve_season(problem).days[0]
        assert hard_violations(problem, solve_season(problem)) == []
        outcomes.add((
            tuple(sorted(day.placements.items())),
            tuple(sorted((k, r.value) for k, r in day.unplaced.items())),
        ))
    assert len(outcomes) == 1
    placements, reasons = outcomes.pop()
    placed = dict(placements)
    # By hand: B2 to 2 (more years), so 1 falls back to its second wish B3; 3 wanted B3
    # first but ranks after 1 (same tier and years, higher id) and, wanting only its
    # wishes, is left out.
    assert placed[2] == "B2" and placed[1] == "B3"
    assert placed[7] == "B6"  # better jury score
    assert placed[8] == "B1"  # the regular moved to its free wish; B8 is freed for 11
    assert placed[11] == "B8"
    assert dict(reasons)[3] == "wishes_taken"
    assert placed[4] in {"B4", "B5"}  # tier 1 and needs power
    assert placed[6] == "B7"  # the last booth: 6 and 9 tie on everything but the jury
    assert dict(reasons)[9] == "lower_tier"  # B4 or B5 went to tier-1 vendor 4


def test_a_capped_vendor_admitted_late_never_wishes_a_higher_tier_out_of_its_booth() -> None:
    """Found by CI's property test: five food vendors, a food cap of four. The first plan
    leaves tier-1 vendor 2 without a cooking booth; the cap room it frees lets in vendor 3
    (tier 0), whose wish for the cooking booth B5 must not take it while 2 waits for it."""
    cooking = frozenset({"cooking"})
    booths = (
        BoothSlot("B0", size=0), BoothSlot("B1", size=1, has_power=True, properties=cooking),
        BoothSlot("B2", size=0), BoothSlot("B3", size=0),
        BoothSlot("B5", size=1, properties=cooking),
    )
    food = frozenset({"food"})
    vendors = (
        Applicant(1, food), Applicant(2, food, priority=1, needs=cooking),
        Applicant(3, food, preferred_booths=("B5",)),
        Applicant(4, food, min_size=1, priority=1),
        Applicant(5, food, needs_power=True, priority=1),
    )
    problem = SeasonProblem(booths=booths, adjacency={}, applicants=vendors, days=(1,),
                            category_caps={"food": 4})
    result = solve_season(problem)
    assert hard_violations(problem, result) == []
    assert priority_inversions(problem, result) == []
    day = result.days[0]
    assert {day.placements.get(4), day.placements.get(5)} == {"B1", "B5"}
    assert day.placements.get(3) != "B5"


def test_a_vendor_the_neighbour_search_leaves_out_still_outranks_a_lower_tier_wish() -> None:
    """Found by a random run (issue 13). X (premium, large) next to Y (small, power), W
    (large) apart. Tier 1: vendor 7 (household and food, wants a premium turn, likes zone
    A) and vendor 14 (food, only my wish X); tier 0: vendor 15 (household, needs power: Y)
    and vendor 10 (wishes W). The matching seats 7 in X (turn + zone 32 beats 14's wish 30), the
    neighbour search then prefers 14 in X (7 next to 15 sells household too). 7
    must then take W from the lower-tier wisher 10, not wait (it did: W stayed granted)."""
    booths = (BoothSlot("X", zone="A", size=2, is_premium=True),
              BoothSlot("Y", zone="A", size=0, has_power=True), BoothSlot("W", zone="B", size=2))
    vendors = (
        Applicant(7, frozenset({"household", "food"}), min_size=2, preferred_zones=("A",),
                  priority=1, wants_premium=True),
        Applicant(14, frozenset({"food"}), min_size=2, preferred_booths=("X",), priority=1,
                  wishes_only=True),
        Applicant(15, frozenset({"household"}), needs_power=True),
        Applicant(10, frozenset({"food"}), preferred_booths=("W",)),
    )
    problem = SeasonProblem(booths=booths, adjacency=symmetric({"X": {"Y"}}),
                            applicants=vendors, days=(1,))
    result = solve_season(problem)
    assert hard_violations(problem, result) == [] and priority_inversions(problem, result) == []
    day = result.days[0]
    assert day.placements == {14: "X", 15: "Y", 7: "W"}
    assert day.unplaced[10].value == "lower_tier"
