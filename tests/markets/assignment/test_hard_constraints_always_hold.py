"""Whatever the instance, the optimiser never breaks a hard rule, and says why for everyone
it leaves out; checked by the independent checker in ``markets.assignment.checks``."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from markets.assignment.checks import (
    fairness_violations,
    hard_violations,
    priority_inversions,
    seniority_inversions,
)
from markets.assignment.problem import SeasonProblem
from markets.assignment.solver import solve_season
from tests.markets.assignment.instances import market_instance, season_problems

#: Fixed examples (derandomize) so CI is repeatable. Gaps are hunted with random seeds
#: outside CI; each one found becomes a hand-checkable test: "lower tiers hold block" (a
#: stall with "only my wishes", a reserved booth no cook waited for) in test_booth_blocks.py,
#: a vendor the neighbour search left out behind a lower tier's wish in
#: test_ranked_wishes.py; a cook sitting out its premium/corner turn in
#: test_booth_properties.py.
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(season_problems())
def test_random_seasons_break_no_hard_rule(problem: SeasonProblem) -> None:
    result = solve_season(problem)
    assert hard_violations(problem, result) == []


@SETTINGS
@given(season_problems())
def test_no_higher_priority_vendor_waits_while_a_lower_one_holds_a_booth_it_fits(
    problem: SeasonProblem,
) -> None:
    """Tiers come first: an unplaced vendor never fits an ordinary booth held by a vendor of
    lower priority (premium and corner booths follow the rotation, category caps their own
    order, so they are left out of this comparison). Within a tier, a junior stall never
    holds a senior single vendor's wish, nor keeps a senior stall out (decision 102)."""
    result = solve_season(problem)
    assert priority_inversions(problem, result) == []
    assert seniority_inversions(problem, result) == []


@SETTINGS
@given(season_problems())
def test_nobody_is_left_out_while_a_booth_they_fit_stays_empty(problem: SeasonProblem) -> None:
    booths = {b.code: b for b in problem.booths}
    result = solve_season(problem)
    for day in result.days:
        held = {c for v in day.placements for c in day.booths_of(v)}
        empty = [b for code, b in booths.items() if code not in held]
        for key, reason in day.unplaced.items():
            if reason.value in ("category_cap", "rotation_hold"):
                continue
            a = next(a for a in problem.applicants if a.key == key)
            if a.wants_block:
                continue  # one empty booth is no block (tests/.../test_booth_blocks.py)
            takes = [b for b in empty if not a.wishes_only or b.code in a.preferred_booths]
            assert not any(a.fits(b) for b in takes), (day.day, key, reason)


def test_a_big_market_season_has_no_violation() -> None:
    problem = market_instance(200, 120, 4, seed=7, time_limit_s=5.0)
    result = solve_season(problem)
    assert hard_violations(problem, result) == []
    assert fairness_violations(problem, result) == []
    assert priority_inversions(problem, result) == []
    assert seniority_inversions(problem, result) == []
    assert all(len(d.placements) == 120 for d in result.days)  # more vendors than booths
