"""A regular granted several booths (a big stall's 고정 부스) on small maps checked by hand.

The rule (decision 80): attending, it holds every one of its own booths that fits it;
nobody else takes any of them; absent, all of them are free that day. (Moving as a whole
stall, decision 94, needs rows: ``test_stall_moves.py``; these maps have none.)
"""

from __future__ import annotations

import dataclasses
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

ROW = tuple(BoothSlot(f"B{j}") for j in range(1, 7))  # B1..B6, no adjacency needed


def _problem(vendors: list[Applicant], booths: tuple[BoothSlot, ...] = ROW, **extra: object
             ) -> SeasonProblem:
    return SeasonProblem(booths=booths, adjacency={}, applicants=tuple(vendors), days=(1, 2),
                         **extra)  # type: ignore[arg-type]


def _solve(problem: SeasonProblem) -> SeasonResult:
    result = solve_season(problem)
    assert hard_violations(problem, result) == []
    assert priority_inversions(problem, result) == []
    return result


def _stall(key: int, *own: str, **extra: object) -> Applicant:
    return Applicant(key, frozenset({"food"}), own_booth=own[0], more_own_booths=own[1:],
                     **extra)  # type: ignore[arg-type]


def _v(key: int, *wishes: str, **extra: object) -> Applicant:
    return Applicant(key, frozenset({f"c{key}"}), preferred_booths=wishes,
                     **extra)  # type: ignore[arg-type]


def test_a_regular_with_two_booths_holds_both_and_nobody_else_takes_them() -> None:
    """Stall 1 owns B2 and B5 (not side by side: an organizer may grant any two). Vendor 2
    of a higher tier wishes B5 first, vendor 3 wants only B2: B1 B3 B4 B6 are left for the
    others, so 2 sits elsewhere and 3 is told its wishes were taken."""
    day = _solve(_problem([
        _stall(1, "B2", "B5"), _v(2, "B5", "B6", priority=2),
        _v(3, "B2", wishes_only=True, priority=3), _v(4), _v(5),
    ])).days[0]
    assert set(day.booths_of(1)) == {"B2", "B5"}
    assert day.placements[1] == "B2"
    assert day.placements[2] == "B6"
    assert day.unplaced[3] == UnplacedReason.WISHES_TAKEN
    assert {day.placements[4], day.placements[5]} <= {"B1", "B3", "B4"}


def test_an_absent_regular_frees_all_its_booths_that_day() -> None:
    """Stall 1 comes on day 2 only; on day 1 vendors 2 and 3 get B2 and B5, their first
    wishes; on day 2 the stall has both and they sit elsewhere."""
    result = _solve(_problem([
        _stall(1, "B2", "B5", days=frozenset({2})), _v(2, "B2"), _v(3, "B5"),
    ]))
    assert result.day(1).placements == {2: "B2", 3: "B5"}
    assert set(result.day(2).booths_of(1)) == {"B2", "B5"}
    assert not {result.day(2).placements[2], result.day(2).placements[3]} & {"B2", "B5"}


def test_a_regular_with_several_booths_does_not_move_and_nobody_moves_onto_them() -> None:
    """Stall 1 (B1+B2) wishes B4; regular 2 owns B3 and wishes B2 and then B5. The stall
    keeps B1+B2; regular 2 cannot have B2 (the stall's) and moves to its next wish B5."""
    day = _solve(_problem([
        _stall(1, "B1", "B2", preferred_booths=("B4",), seniority=20),
        Applicant(2, frozenset({"books"}), own_booth="B3", preferred_booths=("B2", "B5")),
    ])).days[0]
    assert set(day.booths_of(1)) == {"B1", "B2"}
    assert day.placements[2] == "B5"


def test_an_own_booth_the_stall_does_not_fit_today_is_free_for_others() -> None:
    """The stall needs power; of its booths only B1 has it. It sits in B1 alone and B2
    goes to vendor 2, who wished it."""
    booths = (BoothSlot("B1", has_power=True), BoothSlot("B2"), BoothSlot("B3"))
    day = _solve(_problem([_stall(1, "B1", "B2", needs_power=True), _v(2, "B2")],
                          booths)).days[0]
    assert day.booths_of(1) == ("B1",)
    assert day.placements[2] == "B2"


def test_a_stall_holding_three_booths_counts_once_towards_a_category_cap() -> None:
    """Food is capped at 2. Stall 1 (food, three booths) and food vendors 2, 3 (tier 1
    and 0): the stall plus vendor 2 make two food vendors; vendor 3 is capped."""
    day = _solve(_problem([
        _stall(1, "B1", "B2", "B3"),
        Applicant(2, frozenset({"food"}), priority=1), Applicant(3, frozenset({"food"})),
    ], category_caps={"food": 2})).days[0]
    assert len(day.booths_of(1)) == 3
    assert 2 in day.placements
    assert day.unplaced[3] == UnplacedReason.CATEGORY_CAP


def test_a_hundred_shuffles_give_the_same_placement_reasons_and_blocks() -> None:
    vendors = [
        _stall(1, "B2", "B5"), _stall(2, "B6", "B1", preferred_booths=("B3",)),
        _v(3, "B3"), _v(4, "B3"), _v(5, "B4"), _v(6), _v(7, priority=1),
    ]
    expected = _solve(_problem(vendors))
    rng = random.Random(13)
    for _ in range(100):
        shuffled = vendors[:]
        rng.shuffle(shuffled)
        got = solve_season(_problem(shuffled))
        for a, b in zip(expected.days, got.days, strict=True):
            assert (a.placements, a.unplaced, a.blocks) == (b.placements, b.unplaced, b.blocks)


def test_the_checker_catches_a_stall_short_of_a_booth_and_a_stranger_on_one() -> None:
    problem = _problem([_stall(1, "B1", "B3"), _v(2)])

    def day(placements: dict[int, str], blocks: dict[int, tuple[str, ...]]) -> DayResult:
        return DayResult(day=1, placements=placements, unplaced={}, objective=0,
                         same_category_pairs=0, local_search_moves=0, seconds=0.0,
                         blocks=blocks)

    second = dataclasses.replace(day({1: "B1", 2: "B2"}, {1: ("B1", "B3")}), day=2)
    short = "\n".join(hard_violations(problem, SeasonResult(
        (day({1: "B1", 2: "B2"}, {}), second), 0.0)))
    assert "regular 1 holds ['B1'], its own booths are ['B1', 'B3']" in short
    taken = "\n".join(hard_violations(problem, SeasonResult(
        (day({1: "B1", 2: "B3"}, {}), second), 0.0)))
    assert "vendor 2 took regular 1's booth B3" in taken
    beyond = "\n".join(hard_violations(problem, SeasonResult(
        (day({1: "B1"}, {1: ("B1", "B2", "B3")}), second), 0.0)))
    assert "beyond its own booths" in beyond
    sound = SeasonResult((dataclasses.replace(second, day=1), second), 0.0)
    assert hard_violations(problem, sound) == []


def test_a_what_if_names_one_booth_for_a_stall_and_replaces_all_of_its_booths() -> None:
    """Stall 1 holds B1+B2. A preview giving vendor 2 the stall's B2 is a clash on
    ``regulars.2``; giving the stall B4 replaces both its booths; giving it none ends them."""
    import pytest

    from infra.errors import InvalidInput, Problems
    from markets.applications.models import Application
    from markets.assignment.overrides import with_overrides

    problem = _problem([_stall(1, "B1", "B2"), _v(2)])
    apps = {k: Application(vendor_id=k, priority_tier=0, only_wishes=False) for k in (1, 2)}
    with pytest.raises(InvalidInput) as clash:
        with_overrides(problem, apps, Problems(), regulars={"2": "B2"})
    assert clash.value.field == "regulars.2"
    moved = with_overrides(problem, apps, Problems(), regulars={"1": "B4"})
    assert moved.applicants[0].own_booths == ("B4",)
    ended = with_overrides(problem, apps, Problems(), regulars={"1": None})
    assert ended.applicants[0].own_booths == ()
