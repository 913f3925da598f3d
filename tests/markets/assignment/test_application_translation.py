"""How accepted applications become the optimiser's input (``markets.assignment.inputs``)."""

from __future__ import annotations

from markets.assignment.inputs import (
    ApplicationFacts,
    BoothFacts,
    applicant,
    matching_zones,
    rotation_history,
)
from markets.assignment.problem import RotationHistory
from markets.booths.models import BoothSize

BOOTHS = [
    BoothFacts("A-01", "A 먹거리", BoothSize.STANDARD, True, True, True),
    BoothFacts("A-02", "A 먹거리", BoothSize.STANDARD, True, False, False),
    BoothFacts("B-01", "B 생활·공예", BoothSize.LARGE, False, True, False),
]


def facts(**overrides: object) -> ApplicationFacts:
    values: dict[str, object] = {
        "vendor_id": 7, "categories": ["food"], "needs_power": False,
        "min_booth_size": "standard", "preferred_zones": [], "preferred_booth_codes": [],
        "priority_tier": 2, "strikes": 0,
    }
    values.update(overrides)
    return ApplicationFacts(**values)  # type: ignore[arg-type]


def test_each_no_show_strike_costs_one_priority_tier() -> None:
    assert applicant(facts(strikes=3), BOOTHS, frozenset({1})).priority == -1


def test_only_the_explicit_flag_means_wanting_a_premium_or_corner_booth() -> None:
    asks = applicant(facts(wants_premium_booth=True), BOOTHS, frozenset({1}))
    names_one = applicant(facts(preferred_booth_codes=["A-01"]), BOOTHS, frozenset({1}))
    assert asks.wants_premium and asks.wants_corner  # one flag: both rotations
    # naming a premium booth is a preference like any other, not joining the rotation
    assert not names_one.wants_premium and not names_one.wants_corner
    assert names_one.preferred_booths == ("A-01",)


def test_unknown_booth_codes_are_dropped_and_zones_match_by_first_word() -> None:
    a = applicant(
        facts(preferred_booth_codes=["Z-99", "B-01"], preferred_zones=["a", "B 생활·공예"]),
        BOOTHS, frozenset({1}),
    )
    assert a.preferred_booths == ("B-01",)
    assert a.preferred_zones == ("A 먹거리", "B 생활·공예")
    assert matching_zones("  ", ["A 먹거리"]) == []


def test_sizes_are_ranks() -> None:
    assert applicant(facts(min_booth_size="large"), BOOTHS, frozenset()).min_size == 2
    assert applicant(facts(min_booth_size="small"), BOOTHS, frozenset()).min_size == 0


def test_history_counts_wanted_special_booths_and_whether_every_day_was_placed() -> None:
    wants = applicant(facts(vendor_id=1, wants_premium_booth=True), BOOTHS, frozenset())
    indifferent = applicant(facts(vendor_id=2), BOOTHS, frozenset())
    by_day = {10: {1: BOOTHS[0], 2: BOOTHS[0]}, 11: {1: BOOTHS[0]}}
    history = rotation_history(by_day, [wants, indifferent])
    assert history[1] == RotationHistory(premium=2, corner=0, placed_every_day=True)
    assert history[2] == RotationHistory(premium=0, corner=0, placed_every_day=False)
