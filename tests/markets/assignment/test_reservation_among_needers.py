"""The reservation option favours needers over non-needers only (decision 95).

"Keep property booths for vendors who need them, even against tiers" used to exempt every
needer from the tier rule, so a lower-tier stall needing cooking kept two cooking booths
while higher-tier single cooks waited (decision 92's note). Among vendors who all need the
property the usual order holds: the higher tier first, its minimum before anyone's extras.
Maps of 2–4 booths in one row, so each answer can be checked by hand.
"""

from __future__ import annotations

import random

from markets.assignment.checks import hard_violations, priority_inversions
from markets.assignment.problem import (
    Applicant,
    BoothSlot,
    DayResult,
    SeasonProblem,
    SeasonResult,
    UnplacedReason,
)
from markets.assignment.solver import solve_season

COOK = frozenset({"cooking"})


def _row(*booths: BoothSlot) -> tuple[tuple[tuple[str, ...], ...], dict[str, frozenset[str]]]:
    """One row, each booth a neighbour of the next."""
    codes = [b.code for b in booths]
    adjacency = {
        c: frozenset(codes[n + d] for d in (-1, 1) if 0 <= n + d < len(codes))
        for n, c in enumerate(codes)
    }
    return (tuple(codes),), adjacency


def _problem(booths: tuple[BoothSlot, ...], vendors: list[Applicant],
             reserved: frozenset[str] = COOK) -> SeasonProblem:
    rows, adjacency = _row(*booths)
    return SeasonProblem(booths=booths, adjacency=adjacency, rows=rows, days=(1,),
                         applicants=tuple(vendors), reserved_properties=reserved)


def _solve(problem: SeasonProblem) -> DayResult:
    result = solve_season(problem)
    assert hard_violations(problem, result) == []
    assert priority_inversions(problem, result) == []
    return result.days[0]


def _cook(key: int, priority: int = 0, *, booths_min: int = 1, booths_max: int = 1,
          preferred_booths: tuple[str, ...] = (), own_booth: str | None = None) -> Applicant:
    return Applicant(key, frozenset({"food"}), needs=COOK, priority=priority,
                     booths_min=booths_min, booths_max=booths_max,
                     preferred_booths=preferred_booths, own_booth=own_booth)


# [K1][K2][P1]: K1 K2 have a fire permit (cooking, reserved), P1 is plain.
ROW = (BoothSlot("K1", properties=COOK), BoothSlot("K2", properties=COOK), BoothSlot("P1"))


def test_higher_tier_single_cooks_come_before_a_lower_tier_cooking_stall() -> None:
    """Decision 92's reproduction: a tier-0 food stall needs two cooking booths side by
    side (only K1-K2), two tier-2 cooks one each. The cooks take K1 and K2; the stall
    waits, told in Korean that higher tiers came first. It used to keep K1-K2 while the
    cooks got ``zone_full``."""
    stall = _cook(1, 0, booths_min=2, booths_max=2)
    vendors = [stall, _cook(5, 2), _cook(6, 2)]
    day = _solve(_problem(ROW, vendors))
    assert {day.placements[5], day.placements[6]} == {"K1", "K2"}
    assert day.unplaced == {1: UnplacedReason.LOWER_TIER}
    assert day.unplaced[1].label == UnplacedReason.LOWER_TIER.label
    assert "우선순위" in day.unplaced[1].label
    # The same in any input order (100 shuffles).
    rng = random.Random(13)
    for _ in range(100):
        rng.shuffle(vendors)
        again = _solve(_problem(ROW, vendors))
        assert (again.placements, again.blocks, again.unplaced) == (
            day.placements, day.blocks, day.unplaced
        )


def test_a_higher_tier_cooking_stall_still_comes_before_lower_tier_cooks() -> None:
    """The other way round the stall, tier 2, has K1-K2 and the tier-0 cooks wait: every
    cooking booth is taken (``zone_full``, "필요한 부스 속성 … 모두 찼거나 없음")."""
    day = _solve(_problem(ROW, [_cook(1, 2, booths_min=2, booths_max=2), _cook(5), _cook(6)]))
    assert day.blocks[1] == ("K1", "K2")
    assert day.unplaced == {5: UnplacedReason.ZONE_FULL, 6: UnplacedReason.ZONE_FULL}
    assert day.unplaced[5].label.startswith("필요한 부스 속성")


def test_a_craft_stall_is_still_kept_out_by_lower_tier_cooks() -> None:
    """Needers over non-needers is unchanged: a tier-2 craft stall is kept out of K1-K2
    by two tier-0 cooks (``reserved_for_need``, decision 92)."""
    stall = Applicant(1, frozenset({"craft"}), booths_min=2, booths_max=2, priority=2)
    day = _solve(_problem(ROW, [stall, _cook(5), _cook(6)]))
    assert {day.placements[5], day.placements[6]} == {"K1", "K2"}
    assert day.unplaced[1] is UnplacedReason.RESERVED_FOR_NEED


def test_a_lower_tier_cooks_granted_wish_gives_way_to_a_higher_tier_cook() -> None:
    """[K1][P1]: a tier-0 cook wishes K1, a tier-2 cook has no wish; only K1 cooks. The
    wish is a claim on which booth, not on whether: the tier-2 cook sits in K1 (the
    reservation used to shield the wish from the withdrawal round)."""
    booths = (BoothSlot("K1", properties=COOK), BoothSlot("P1"))
    day = _solve(_problem(booths, [_cook(1, 0, preferred_booths=("K1",)), _cook(5, 2)]))
    assert day.placements == {5: "K1"}
    assert day.unplaced == {1: UnplacedReason.ZONE_FULL}


def test_a_cooking_stalls_minimum_before_its_extras_and_before_lower_tiers() -> None:
    """[K1][K2][K3][P1]: a tier-0 stall wants 2–3 cooking booths, a tier-2 cook one. The
    stall gets its minimum of two and the cook the third cooking booth; with the tiers
    swapped the answer is the same (extras only go out when nobody left out would take
    them)."""
    booths = (*(BoothSlot(f"K{n}", properties=COOK) for n in (1, 2, 3)), BoothSlot("P1"))
    for stall_tier, cook_tier in ((0, 2), (2, 0)):
        day = _solve(_problem(booths, [_cook(1, stall_tier, booths_min=2, booths_max=3),
                                       _cook(5, cook_tier)]))
        assert day.blocks[1] == ("K1", "K2")
        assert day.placements[5] == "K3"
        assert day.unplaced == {}


def test_the_checker_reports_a_lower_tier_needer_on_a_reserved_booth() -> None:
    """The old answer to decision 92's reproduction is now a hard violation (and a tier
    inversion): the tier-0 stall on K1-K2 while the tier-2 cooks wait."""
    problem = _problem(ROW, [_cook(1, 0, booths_min=2, booths_max=2), _cook(5, 2), _cook(6, 2)])
    old = DayResult(day=1, placements={1: "K1"}, blocks={1: ("K1", "K2")},
                    unplaced={5: UnplacedReason.ZONE_FULL, 6: UnplacedReason.ZONE_FULL},
                    objective=0, same_category_pairs=0, local_search_moves=0, seconds=0.0)
    result = SeasonResult(days=(old,), seconds=0.0)
    found = hard_violations(problem, result)
    assert ("day 1: booth K2 (cooking) went to vendor 1 of a lower tier while vendor 6, "
            "who needs it too, has none") in found
    assert len(found) == 4  # two booths, two cooks
    assert "day 1: 5 unplaced, lower 1 in K1" in priority_inversions(problem, result)
    # A single lower-tier cook on the only cooking booth, likewise.
    single = _problem(ROW[:1], [_cook(1, 0), _cook(5, 2)])
    kept = DayResult(day=1, placements={1: "K1"}, unplaced={5: UnplacedReason.ZONE_FULL},
                     objective=0, same_category_pairs=0, local_search_moves=0, seconds=0.0)
    assert len(hard_violations(single, SeasonResult((kept,), 0.0))) == 1
    # A tier-2 cooking stall waiting while tier-0 cooks hold its only window.
    stall_out = _problem(ROW, [_cook(1, 2, booths_min=2, booths_max=2), _cook(5), _cook(6)])
    held = DayResult(day=1, placements={5: "K1", 6: "K2"},
                     unplaced={1: UnplacedReason.LOWER_TIER},
                     objective=0, same_category_pairs=0, local_search_moves=0, seconds=0.0)
    assert any("kept for it" in v
               for v in hard_violations(stall_out, SeasonResult((held,), 0.0)))
    # A regular cook on its own cooking booth keeps it whatever its tier.
    regular = _problem(ROW[:1], [_cook(1, 0, own_booth="K1"), _cook(5, 2)])
    own = DayResult(day=1, placements={1: "K1"}, unplaced={5: UnplacedReason.ZONE_FULL},
                    objective=0, same_category_pairs=0, local_search_moves=0, seconds=0.0)
    assert hard_violations(regular, SeasonResult((own,), 0.0)) == []
