"""Every vendor left without a booth gets the most specific true reason."""

from __future__ import annotations

from markets.assignment.problem import (
    LARGE,
    SMALL,
    STANDARD,
    Applicant,
    BoothSlot,
    SeasonProblem,
    UnplacedReason,
)
from markets.assignment.solver import solve_day


def _day(booths: list[BoothSlot], vendors: list[Applicant], **extra: object) -> dict[int, str]:
    problem = SeasonProblem(
        booths=tuple(booths), adjacency={}, applicants=tuple(vendors), days=(1,), **extra  # type: ignore[arg-type]
    )
    return {k: r.value for k, r in solve_day(problem, 1).unplaced.items()}


def test_lower_tier_when_a_fitting_booth_went_to_a_vendor_of_higher_priority() -> None:
    booths = [BoothSlot("A")]
    vendors = [Applicant(1, frozenset({"a"}), priority=2), Applicant(2, frozenset({"b"}))]
    assert _day(booths, vendors) == {2: UnplacedReason.LOWER_TIER.value}


def test_market_full_when_the_booth_went_to_an_equal_tier_vendor_with_more_years() -> None:
    booths = [BoothSlot("A")]
    vendors = [Applicant(1, frozenset({"a"})), Applicant(2, frozenset({"b"}), seniority=3)]
    assert _day(booths, vendors) == {1: UnplacedReason.MARKET_FULL.value}


def test_no_booth_with_power_when_no_booth_large_enough_has_power() -> None:
    booths = [BoothSlot("A", size=LARGE), BoothSlot("B", size=SMALL, has_power=True)]
    vendors = [Applicant(1, frozenset({"a"}), needs_power=True, min_size=STANDARD)]
    assert _day(booths, vendors) == {1: "no_booth_with_power"}


def test_no_booth_large_enough_when_the_market_has_none_that_big() -> None:
    booths = [BoothSlot("A", size=STANDARD, has_power=True)]
    vendors = [Applicant(1, frozenset({"a"}), min_size=LARGE)]
    assert _day(booths, vendors) == {1: "no_booth_large_enough"}


def test_power_booths_taken_when_empty_booths_lack_power() -> None:
    booths = [BoothSlot("P", has_power=True), BoothSlot("N")]
    vendors = [
        Applicant(1, frozenset({"a"}), needs_power=True, priority=1),
        Applicant(2, frozenset({"b"}), needs_power=True),
    ]
    assert _day(booths, vendors) == {2: "power_booths_taken"}


def test_large_booths_taken_when_only_small_booths_are_left() -> None:
    booths = [BoothSlot("L", size=LARGE), BoothSlot("S", size=SMALL)]
    vendors = [
        Applicant(1, frozenset({"a"}), min_size=LARGE, priority=1),
        Applicant(2, frozenset({"b"}), min_size=LARGE),
    ]
    assert _day(booths, vendors) == {2: "large_booths_taken"}


def test_category_cap_when_the_day_already_has_enough_of_that_category() -> None:
    booths = [BoothSlot(c) for c in "ABCD"]
    vendors = [
        Applicant(1, frozenset({"food"}), priority=2),
        Applicant(2, frozenset({"food"}), priority=1),
        Applicant(3, frozenset({"food", "household"})),
        Applicant(4, frozenset({"household"})),
    ]
    assert _day(booths, vendors, category_caps={"food": 2}) == {3: "category_cap"}


def test_cap_room_left_by_a_vendor_that_fits_nowhere_goes_to_the_next_in_line() -> None:
    booths = [BoothSlot("A"), BoothSlot("B")]
    vendors = [
        Applicant(1, frozenset({"food"}), min_size=LARGE, priority=2),  # fits nowhere
        Applicant(2, frozenset({"food"}), priority=1),
        Applicant(3, frozenset({"food"})),
    ]
    reasons = _day(booths, vendors, category_caps={"food": 2})
    assert reasons == {1: "no_booth_large_enough"}


def test_every_reason_has_a_korean_label() -> None:
    assert all(reason.label and reason.label != reason.value for reason in UnplacedReason)
