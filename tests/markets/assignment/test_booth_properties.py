"""Booth properties (zones) on small maps: needs, the reservation option, zone_full."""

from __future__ import annotations

import dataclasses

from markets.assignment.checks import hard_violations, priority_inversions
from markets.assignment.problem import (
    Applicant,
    BoothSlot,
    DayResult,
    RotationHistory,
    SeasonProblem,
    SeasonResult,
    UnplacedReason,
)
from markets.assignment.solver import solve_season

COOK = frozenset({"cooking"})
# K1 K2 have a fire permit (cooking), P1 P2 are plain.
MAP = (BoothSlot("K1", properties=COOK), BoothSlot("K2", properties=COOK),
       BoothSlot("P1"), BoothSlot("P2"))


def _day(vendors: list[Applicant], booths: tuple[BoothSlot, ...] = MAP,
         reserved: frozenset[str] = frozenset()) -> DayResult:
    problem = SeasonProblem(booths=booths, adjacency={}, applicants=tuple(vendors), days=(1,),
                            reserved_properties=reserved)
    result = solve_season(problem)
    assert hard_violations(problem, result) == []
    assert priority_inversions(problem, result) == []
    return result.days[0]


def _craft(key: int, priority: int = 0) -> Applicant:
    return Applicant(key, frozenset({"craft"}), priority=priority)


def _food(key: int, priority: int = 0) -> Applicant:
    return Applicant(key, frozenset({"food"}), needs=COOK, priority=priority)


def test_a_vendor_that_needs_a_property_only_gets_booths_that_have_it() -> None:
    day = _day([_food(1), _food(2), _food(3, priority=1)])
    assert set(day.placements) == {2, 3} or set(day.placements) == {1, 3}
    assert set(day.placements.values()) == {"K1", "K2"}
    (left,) = set(day.unplaced)
    assert day.unplaced[left].value == "zone_full"
    assert day.unplaced[left].label.startswith("필요한 부스 속성")


def test_reserved_cooking_booths_go_to_food_even_against_a_higher_tier() -> None:
    """Four higher-tier crafts and two food vendors for four booths: with the option on,
    K1 and K2 go to the food vendors and two crafts wait; off, the crafts take all four."""
    vendors = [_craft(1, 2), _craft(2, 2), _craft(3, 2), _craft(4, 2), _food(5), _food(6)]
    on = _day(vendors, reserved=COOK)
    assert {on.placements[5], on.placements[6]} == {"K1", "K2"}
    assert sorted(on.unplaced) == [3, 4]  # equal crafts: the lower ids rank ahead
    off = _day(vendors)
    assert set(off.placements) == {1, 2, 3, 4}
    assert {off.unplaced[5].value, off.unplaced[6].value} == {"zone_full"}


def test_a_vendor_kept_out_of_a_reserved_booth_is_told_so_in_korean() -> None:
    """K1 K2 cooking (reserved), P1 P2 plain. Four tier-2 crafts and two tier-0 cooks:
    the cooks take K1 K2, crafts 1 and 2 take P1 P2, crafts 3 and 4 wait. They fit K1 and
    K2 and rank ahead of the cooks: the reservation, not the tiers, kept them out, and
    that is what they are told (``reserved_for_need``), in Korean, also in the notice."""
    from markets.assignment.notices import unplaced_message
    from markets.days.models import MarketDay
    from markets.models import Market

    vendors = [_craft(1, 2), _craft(2, 2), _craft(3, 2), _craft(4, 2), _food(5), _food(6)]
    on = _day(vendors, reserved=COOK)
    assert {on.unplaced[3], on.unplaced[4]} == {UnplacedReason.RESERVED_FOR_NEED}
    label = UnplacedReason.RESERVED_FOR_NEED.label
    assert "설비가 꼭 필요한 업체에 먼저" in label
    # Without the option they take the cooking booths; with more crafts than booths and
    # no reservation, the ones left out hear "market full", not the reservation.
    off = _day([*vendors[:4], _craft(7, 2), _craft(8, 2)], reserved=COOK)
    assert set(off.unplaced.values()) == {UnplacedReason.MARKET_FULL}
    # A cook of a HIGHER tier on the reserved booth: the craft is told lower_tier.
    higher = _day([_craft(1), _craft(2), _craft(3), _food(5, 2), _food(6, 2)], reserved=COOK)
    assert higher.unplaced[3] == UnplacedReason.LOWER_TIER
    # "Only my wishes" for K1 held by a cook ranked behind: the same reason.
    wisher = Applicant(9, frozenset({"craft"}), preferred_booths=("K1",), wishes_only=True,
                       priority=3)
    only = _day([wisher, _food(5), _food(6)], reserved=COOK)
    assert only.unplaced[9] == UnplacedReason.RESERVED_FOR_NEED
    import datetime as dt

    market = Market(name="광화문 장터", timezone="Asia/Seoul")
    sunday = MarketDay(day=dt.date(2026, 5, 3))
    assert label in unplaced_message(market, sunday, "reserved_for_need")


def test_reserved_booths_left_over_go_to_anyone() -> None:
    day = _day([_craft(1), _craft(2), _craft(3), _food(4)], reserved=COOK)
    assert day.placements[4] in {"K1", "K2"}
    assert len(day.placements) == 4


def test_a_wish_for_a_reserved_booth_is_no_claim_for_a_vendor_that_does_not_need_it() -> None:
    wisher = Applicant(1, frozenset({"craft"}), preferred_booths=("K1",), priority=3)
    day = _day([wisher, _food(2), _food(3)], reserved=COOK)
    assert {day.placements[2], day.placements[3]} == {"K1", "K2"}
    assert day.placements[1] in {"P1", "P2"}


def test_the_checker_catches_a_missing_property_and_a_broken_reservation() -> None:
    from markets.assignment.problem import SeasonResult, UnplacedReason

    problem = SeasonProblem(booths=MAP, adjacency={}, days=(1,), reserved_properties=COOK,
                            applicants=(_food(1), _craft(2)))
    bad = DayResult(day=1, placements={1: "P1", 2: "K1"}, unplaced={}, objective=0,
                    same_category_pairs=0, local_search_moves=0, seconds=0.0)
    found = "\n".join(hard_violations(problem, SeasonResult(days=(bad,), seconds=0.0)))
    assert "vendor 1 needs cooking, booth P1 lacks it" in found
    kept = DayResult(day=1, placements={2: "K1"}, unplaced={1: UnplacedReason.ZONE_FULL},
                     objective=0, same_category_pairs=0, local_search_moves=0, seconds=0.0)
    found = "\n".join(hard_violations(problem, SeasonResult(days=(kept,), seconds=0.0)))
    assert "booth K1 (cooking) went to vendor 2 while vendor 1, who needs it, has none" in found


def test_reserved_cooking_booths_hold_a_food_truck_block_even_against_a_higher_tier() -> None:
    """Cooking reserved; K1 K2 side by side in a row, P1 P2 plain in another. A tier-0
    food truck needs both cooking booths (two side by side); the tier-2 craft vendor, who
    fits them too, takes a plain booth; with no plain booth left it waits rather than take
    K1 from the truck (it used to: the truck's block was withdrawn for the higher tier).
    The checker, told about blocks, would have caught it."""
    truck = Applicant(1, frozenset({"food"}), needs=COOK, booths_min=2, booths_max=2)
    rows = (("K1", "K2"), ("P1", "P2"))
    adjacency = {"K1": frozenset({"K2"}), "K2": frozenset({"K1"}),
                 "P1": frozenset({"P2"}), "P2": frozenset({"P1"})}
    for booths, crafts in ((MAP, [_craft(2, priority=2)]), (MAP[:2], [_craft(2, priority=2)])):
        problem = SeasonProblem(booths=booths, adjacency=adjacency,
                                applicants=(truck, *crafts), days=(1,), reserved_properties=COOK,
                                rows=tuple(r for r in rows if r[0] in {b.code for b in booths}))
        result = solve_season(problem)
        assert hard_violations(problem, result) == []
        assert priority_inversions(problem, result) == []
        day = result.days[0]
        assert day.blocks[1] == ("K1", "K2")
        assert day.placements.get(2) == ("P1" if len(booths) == 4 else None)
    taken = DayResult(day=1, placements={2: "K1"}, unplaced={1: UnplacedReason.LOWER_TIER},
                      objective=0, same_category_pairs=0, local_search_moves=0, seconds=0.0)
    assert any("kept for it" in v for v in hard_violations(problem, SeasonResult((taken,), 0.0)))


def test_a_cook_sitting_out_its_corner_turn_is_told_so_not_zone_full() -> None:
    """Found by a random run. Cooking reserved; K1 is a cooking corner, K2 a cooking booth
    a regular (no cook) holds, P1 plain. The cook had the corner before and vendor 11 not:
    the rotation keeps the cook out of K1 today and 11 takes it. The cook waits for its
    turn (``rotation_hold``); it used to be told ``zone_full``, which the reservation
    check rightly refused (a cooking booth went to a non-cook while a cook waited)."""
    booths = (BoothSlot("K1", properties=COOK, is_corner=True),
              BoothSlot("K2", properties=COOK), BoothSlot("P1"))
    vendors = (Applicant(2, frozenset({"craft"}), own_booth="K2"),
               Applicant(11, frozenset({"craft"}), wants_corner=True),
               Applicant(12, frozenset({"food"}), needs=COOK, wants_corner=True))
    # Also with an empty small cooking booth S1 the cook is too big for (it was told
    # ``large_booths_taken``).
    small = BoothSlot("S1", size=0, properties=COOK)
    for extra, size in (((), 0), ((small,), 1)):
        cook = dataclasses.replace(vendors[2], min_size=size)
        problem = SeasonProblem(
            booths=(*booths, *extra), adjacency={}, applicants=(*vendors[:2], cook),
            days=(1,), reserved_properties=COOK,
            history={11: RotationHistory(corner=0), 12: RotationHistory(corner=1)})
        result = solve_season(problem)
        assert hard_violations(problem, result) == []
        assert priority_inversions(problem, result) == []
        day = result.days[0]
        assert day.placements == {2: "K2", 11: "K1"}
        assert day.unplaced[12] is UnplacedReason.ROTATION_HOLD


def test_a_stall_kept_out_of_every_window_by_reserved_booths_is_told_so() -> None:
    """One row [K1][K2][P1] (K1 K2 cooking, reserved), neighbours in a line, so the only
    windows of two are K1-K2 and K2-P1. A tier-2 craft stall needs two booths; two tier-0
    cooks take K1 and K2, so every window holds a cook ranked behind the stall and P1
    stays empty. Without the option the stall claims K1-K2 first: the reservation kept it
    out (``reserved_for_need``, not ``no_adjacent_block``/``lower_tier``). A tier-3 cook on
    K2: ``lower_tier``."""
    booths = MAP[:3]
    rows = (("K1", "K2", "P1"),)
    adjacency = {"K1": frozenset({"K2"}), "K2": frozenset({"K1", "P1"}),
                 "P1": frozenset({"K2"})}

    def day(vendors: list[Applicant], reserved: frozenset[str] = COOK) -> DayResult:
        problem = SeasonProblem(booths=booths, adjacency=adjacency, rows=rows, days=(1,),
                                applicants=tuple(vendors), reserved_properties=reserved)
        result = solve_season(problem)
        assert hard_violations(problem, result) == []
        assert priority_inversions(problem, result) == []
        return result.days[0]

    stall = Applicant(1, frozenset({"craft"}), booths_min=2, booths_max=2, priority=2)
    on = day([stall, _food(5), _food(6)])
    assert {on.placements[5], on.placements[6]} == {"K1", "K2"}
    assert on.unplaced[1] is UnplacedReason.RESERVED_FOR_NEED
    off = day([stall, _food(5), _food(6)], reserved=frozenset())
    assert off.blocks[1] == ("K1", "K2")
    # Both cooks of a higher tier: lower_tier.
    both = day([stall, _food(5, priority=3), _food(6, priority=3)])
    assert both.unplaced[1] is UnplacedReason.LOWER_TIER
    # Cooks of the same tier with more years stand ahead of the stall: not the reason.
    senior = day([stall, *(dataclasses.replace(_food(k, 2), seniority=5) for k in (5, 6))])
    assert senior.unplaced[1] is UnplacedReason.NO_ADJACENT_BLOCK
