"""Booth assignment at market scale: 500 applicants, 300 booths, a season of 8 days.

Goal on the 2-core reference machine: the whole season in at most 2 s with 0 hard
violations. Run with ``python -m tests.bench bench_assignment``; writes
``var/bench/assignment.json``.

Metrics:

* ``seconds``: wall time of ``solve_season`` for the full instance (median of 3 runs;
  ``seconds_max`` the slowest), the local search capped by the solver's time budget;
  ``cpu_seconds`` the median process CPU time (what a loaded shared machine distorts least).
* ``hard_violations``: broken hard rules (double-booked booth, vendor in two booths, power,
  size, day not applied for, category cap, vendor without booth or reason) counted by the
  independent checker ``markets.assignment.checks``; ``fairness_violations``,
  ``priority_inversions`` and ``seniority_inversions`` (a junior stall against a senior
  single vendor of the same tier, decision 102) likewise.
* ``preference_score``: among placed vendor-days whose vendor stated a preference (booth or
  zone), the share placed in a preferred booth or zone.
* ``placed`` / ``unplaced``: vendor-days with and without a booth over the season.
* ``same_category_pairs``: neighbouring booths whose vendors share a category (soft).
* ``optimality_gap_pct``: on a smaller season (60 applicants, 40 booths, 3 days), for each
  day the solver's objective against the exact optimum of the same day model (HiGHS MILP,
  ``markets.assignment.exact``), as 100 * (optimum - found) / optimum summed over days.
  ``gap_closed_pct`` says how much of the room between the neighbour-blind matching and
  the optimum the local search recovers (100 = all of it); ``exact_seconds`` is what the
  MILP needed for those three small days, for comparison with ``seconds``.
* ``with_blocks``: the same figures when 10 % of the vendors (not regulars) ask for 2–3
  booths side by side in one row (``blocks``: vendor-days holding several booths,
  ``block_booths`` the booths they hold) and one regular in five holds a second own booth
  (``regulars_with_several_booths``); its gap is measured on the day models with the
  claims pinned (``solver.claimed_day_model``).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from markets.assignment.checks import (
    fairness_violations,
    hard_violations,
    preference_score,
    priority_inversions,
    seniority_inversions,
)
from markets.assignment.day_model import Rotation, build_day
from markets.assignment.day_search import match, solve_day_model
from markets.assignment.exact import solve_exact
from markets.assignment.problem import SeasonProblem
from markets.assignment.solver import carry_rotation, claimed_day_model, solve_season
from tests.bench.common import write_result
from tests.markets.assignment.instances import market_instance

APPLICANTS, BOOTHS, DAYS = 500, 300, 8
SMALL = (60, 40, 3)
RUNS = 3


def full_season(block_share: float = 0.0) -> dict[str, Any]:
    problem = market_instance(APPLICANTS, BOOTHS, DAYS, block_share=block_share)
    times, cpu = [], []
    result = None
    for _ in range(RUNS):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = solve_season(problem)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    assert result is not None
    return {
        "applicants": APPLICANTS,
        "booths": BOOTHS,
        "days": DAYS,
        "seconds": statistics.median(times),
        "seconds_max": max(times),
        "cpu_seconds": statistics.median(cpu),
        "hard_violations": len(hard_violations(problem, result)),
        "fairness_violations": len(fairness_violations(problem, result)),
        "priority_inversions": len(priority_inversions(problem, result)),
        "seniority_inversions": len(seniority_inversions(problem, result)),
        "preference_score": round(preference_score(problem, result), 4),
        "placed": sum(len(d.placements) for d in result.days),
        "unplaced": sum(len(d.unplaced) for d in result.days),
        "same_category_pairs": sum(d.same_category_pairs for d in result.days),
        "blocks": sum(len(d.blocks) for d in result.days),
        "block_booths": sum(len(b) for d in result.days for b in d.blocks.values()),
        "regulars_with_several_booths": sum(1 for a in problem.applicants if a.more_own_booths),
    }


def optimality_gap(block_share: float = 0.0) -> dict[str, Any]:
    """Day by day through a small season, each day's model solved both ways. With
    ``block_share``, the model is the one with the day's claims pinned (regulars, blocks,
    wishes: ``claimed_day_model``), the one the local search really optimises."""
    applicants, booths, days = SMALL
    problem: SeasonProblem = market_instance(
        applicants, booths, days, per_row=10, seed=11, block_share=block_share
    )
    premium = Rotation("premium", {}, set())
    corner = Rotation("corner", {}, set())
    for a in problem.applicants:
        premium.members.add(a.key)
        corner.members.add(a.key)
    by_code = {b.code: b for b in problem.booths}
    found_total = optimum_total = matching_total = 0
    exact_seconds = 0.0
    proven_all = True
    for day in problem.days:
        present = [a for a in problem.applicants if a.attends(day)]
        model = (
            claimed_day_model(problem, day, present, premium, corner) if block_share
            else build_day(problem, day, present, premium, corner)
        )
        found, _ = solve_day_model(model, time.perf_counter() + 2.0)
        started = time.perf_counter()
        optimum, proven = solve_exact(model, time_limit_s=120)
        exact_seconds += time.perf_counter() - started
        proven_all &= proven
        found_total += model.objective(found)
        optimum_total += model.objective(optimum)
        matching_total += model.objective(match(model))
        placements = {model.candidates[i].key: model.booths[j].code for i, j in found.items()}
        carry_rotation(premium, corner, present, placements, by_code)
    room = optimum_total - matching_total
    return {
        "optimality_gap_pct": round(100 * (optimum_total - found_total) / optimum_total, 4),
        "gap_closed_pct": round(100 * (found_total - matching_total) / room, 1) if room else 100.0,
        "optimum_proven": proven_all,
        "exact_seconds": exact_seconds,
        "small_instance": f"{applicants} applicants, {booths} booths, {days} days",
    }


def main() -> None:
    metrics = full_season()
    metrics.update(optimality_gap())
    # 10 % of the vendors (not regulars) ask for 2–3 booths side by side in a row.
    blocks = full_season(block_share=0.1)
    blocks.update(optimality_gap(block_share=0.1))
    metrics["with_blocks"] = blocks
    write_result("assignment", metrics)


if __name__ == "__main__":
    main()
