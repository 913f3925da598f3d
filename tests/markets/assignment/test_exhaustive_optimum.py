"""The fast solver against the exhaustive optimum of the very same objective.

The day objective is exact integer arithmetic (``DayModel.objective``); a small case is
enumerated completely and the solver must reach the same value. On random tiny days the
solver may stop at a local optimum (it is a heuristic for the neighbour term), so there the
tests pin what it guarantees: never below the exact matching, never above the optimum, and
the MILP reference (``markets.assignment.exact``) equals brute force.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings

from markets.assignment.day_model import Rotation
from markets.assignment.day_search import match, solve_day_model
from markets.assignment.exact import solve_exact
from markets.assignment.problem import Applicant, BoothSlot, SeasonProblem
from markets.assignment.solver import _claimed_day, solve_day
from tests.markets.assignment.instances import (
    brute_force,
    first_day_model,
    season_problems,
    symmetric,
)


def _row_market() -> SeasonProblem:
    """Six booths in a row; five food vendors and two craft vendors who all want the
    middle. The matching alone puts food next to food; the optimum interleaves them."""
    booths = tuple(
        BoothSlot(code=f"R{j}", zone="A" if j < 3 else "B", has_power=j in (0, 5),
                  is_premium=j == 2)
        for j in range(6)
    )
    adjacency = symmetric({f"R{j}": {f"R{j + 1}"} for j in range(5)})
    vendors = (
        Applicant(1, frozenset({"food"}), needs_power=True, preferred_booths=("R2", "R3")),
        Applicant(2, frozenset({"food"}), preferred_booths=("R2",), priority=1),
        Applicant(3, frozenset({"food"}), preferred_zones=("A",)),
        Applicant(4, frozenset({"food", "household"}), preferred_booths=("R3",)),
        Applicant(5, frozenset({"household"}), preferred_zones=("A",), wants_premium=True),
        Applicant(6, frozenset({"fashion_beauty"}), preferred_booths=("R4",)),
        Applicant(7, frozenset({"food"}), needs_power=True, priority=-1),
    )
    return SeasonProblem(booths=booths, adjacency=adjacency, applicants=vendors, days=(1,))


def test_a_row_market_reaches_the_exhaustive_optimum() -> None:
    problem = _row_market()
    model = first_day_model(problem)
    _, best_value = brute_force(model)
    found, _ = solve_day_model(model, time.perf_counter() + 5)
    assert model.objective(found) == best_value
    assert model.objective(match(model)) < best_value  # the neighbour term mattered



def test_with_granted_wishes_pinned_the_day_reaches_the_optimum_of_what_is_left() -> None:
    """Wishes are claims, not just weights: R3 goes to vendor 4 (vendor 1 ranks ahead but
    needs power, R3 has none), R4 to vendor 6. R2 is premium: it rotates, so wishing it
    stays a preference. The rest of the day is optimised around the claims, exhaustively
    checked."""
    problem = _row_market()
    present = list(problem.applicants)
    plan = _claimed_day(problem, 1, present, Rotation("premium", {}, set()),
                        Rotation("corner", {}, set()))
    assert plan.grants == {4: "R3", 6: "R4"}
    best, best_value = brute_force(plan.model)
    day = solve_day(problem, 1)
    assert day.objective == best_value // plan.model.scale
    assert day.same_category_pairs == plan.model.conflicts(best)
    assert (day.placements[4], day.placements[6]) == ("R3", "R4")


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(season_problems(max_booths=5, max_vendors=6, max_days=1))
def test_on_tiny_days_the_solver_lies_between_the_matching_and_the_optimum(
    problem: SeasonProblem,
) -> None:
    model = first_day_model(problem)
    _, best_value = brute_force(model)
    found, _ = solve_day_model(model, time.perf_counter() + 5)
    assert model.objective(match(model)) <= model.objective(found) <= best_value


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(season_problems(max_booths=5, max_vendors=6, max_days=1))
def test_the_milp_reference_equals_brute_force(problem: SeasonProblem) -> None:
    model = first_day_model(problem)
    _, best_value = brute_force(model)
    placement, proven = solve_exact(model, time_limit_s=30)
    assert proven
    assert model.objective(placement) == best_value
