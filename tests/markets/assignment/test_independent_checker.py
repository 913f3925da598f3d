"""The checker the benchmark and the properties trust: it must catch each broken rule."""

from __future__ import annotations

from markets.assignment.checks import hard_violations, preference_score, priority_inversions
from markets.assignment.problem import (
    LARGE,
    Applicant,
    BoothSlot,
    DayResult,
    SeasonProblem,
    SeasonResult,
    UnplacedReason,
)

BOOTHS = (BoothSlot("P", zone="A", has_power=True), BoothSlot("S", zone="B"),
          BoothSlot("L", zone="B", size=LARGE))
VENDORS = (
    Applicant(1, frozenset({"food"}), needs_power=True, preferred_zones=("A",)),
    Applicant(2, frozenset({"food"}), min_size=LARGE, preferred_booths=("S",), priority=1),
    Applicant(3, frozenset({"craft"}), days=frozenset({2})),
)
PROBLEM = SeasonProblem(booths=BOOTHS, adjacency={}, applicants=VENDORS, days=(1,),
                        category_caps={"food": 1})


def result(placements: dict[int, str], unplaced: dict[int, UnplacedReason]) -> SeasonResult:
    day = DayResult(day=1, placements=placements, unplaced=unplaced, objective=0,
                    same_category_pairs=0, local_search_moves=0, seconds=0.0)
    return SeasonResult(days=(day,), seconds=0.0)


def test_a_sound_result_has_no_violation() -> None:
    ok = result({2: "L"}, {1: UnplacedReason.CATEGORY_CAP})
    assert hard_violations(PROBLEM, ok) == []
    assert preference_score(PROBLEM, ok) == 0.0


def test_each_broken_rule_is_reported() -> None:
    broken = result({1: "S", 2: "S", 3: "L"}, {})
    found = "\n".join(hard_violations(PROBLEM, broken))
    assert "booth S holds 2 vendors" in found
    assert "vendor 1 needs power" in found
    assert "booth S is smaller than vendor 2 needs" in found
    assert "vendor 3 placed on a day it did not apply for" in found
    assert "2 vendors sell food, cap 1" in found


def test_a_vendor_without_booth_or_reason_is_reported() -> None:
    assert hard_violations(PROBLEM, result({2: "L"}, {})) == [
        "day 1: vendor 1 neither placed nor given a reason"
    ]


def test_a_priority_inversion_is_reported() -> None:
    inverted = result({1: "P"}, {2: UnplacedReason.MARKET_FULL})
    assert priority_inversions(PROBLEM, inverted) == []  # P is too small for vendor 2
    low = Applicant(4, frozenset({"craft"}))
    problem = SeasonProblem(booths=BOOTHS, adjacency={}, applicants=(VENDORS[1], low), days=(1,))
    low_in_large = result({4: "L"}, {2: UnplacedReason.MARKET_FULL})
    assert priority_inversions(problem, low_in_large) == ["day 1: 2 unplaced, lower 4 in L"]


CLAIMS = SeasonProblem(
    booths=(BoothSlot("B1"), BoothSlot("B2"), BoothSlot("B3")), adjacency={}, days=(1,),
    applicants=(
        Applicant(1, frozenset({"food"}), own_booth="B1", preferred_booths=("B2",)),
        Applicant(2, frozenset({"craft"}), preferred_booths=("B3",), wishes_only=True),
        Applicant(3, frozenset({"food"}), own_booth="B3"),
    ),
    category_caps={"food": 1},
)


def test_regulars_and_only_my_wishes_are_checked() -> None:
    # Regulars 1 and 3 may exceed the food cap of 1; 1 moved to its wish B2.
    assert hard_violations(CLAIMS, result({1: "B2", 2: "B1", 3: "B3"}, {})) == [
        "day 1: vendor 2 wanted only its wishes, got B1"
    ]
    moved_wrongly = result({1: "B3", 2: "B1"}, {3: UnplacedReason.MANUAL})
    found = "\n".join(hard_violations(CLAIMS, moved_wrongly))
    assert "regular 1 moved to B3, not one of its wishes" in found
    assert "regular 3 attends but has no booth" in found
    assert "vendor 1 took regular 3's booth B3" in found
    capped = SeasonProblem(booths=CLAIMS.booths, adjacency={}, days=(1,),
                           applicants=(*CLAIMS.applicants, Applicant(4, frozenset({"food"}))),
                           category_caps={"food": 2})
    assert "3 vendors sell food, cap 2" in "\n".join(
        hard_violations(
            capped, result({1: "B1", 3: "B3", 4: "B2"}, {2: UnplacedReason.WISHES_TAKEN})
        )
    )
