"""The exact day optimum, as a mixed-integer program: the yardstick for the fast solver.

Not used to assign booths: HiGHS needs seconds to minutes where the matching plus local
search needs milliseconds (docs/decisions.md). The benchmark and the tests use it to measure
how far :func:`markets.assignment.day_search.solve_day_model` is from the optimum of the very
same :class:`~markets.assignment.day_model.DayModel` objective.

Model: ``x[i, j]`` = candidate ``i`` in booth ``j`` (binary, allowed pairs only); ``p[j, k]``
= neighbouring booths ``j`` and ``k`` hold vendors sharing a category. For every category
``c``: ``s[j, c] + s[k, c] - p[j, k] <= 1`` where ``s[j, c]`` is 1 when booth ``j``'s vendor
sells ``c``; minimising ``penalty * p`` makes ``p`` exactly that indicator.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from markets.assignment.day_model import DayModel


def solve_exact(model: DayModel, *, time_limit_s: float = 60.0) -> tuple[dict[int, int], bool]:
    """The optimal placement (candidate -> booth) and whether optimality was proven."""
    pairs = np.argwhere(model.allowed)
    n_x = len(pairs)
    if n_x == 0:
        return {}, True
    edges = sorted({(min(j, k), max(j, k)) for j, ns in enumerate(model.neighbours) for k in ns})
    n_p = len(edges)
    bits = sorted({b for m in model.masks for b in range(m.bit_length()) if m >> b & 1})
    nb = len(model.booths)
    nv = len(model.candidates)

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    r = 0
    for j in range(nb):  # one vendor per booth
        for x in np.flatnonzero(pairs[:, 1] == j):
            rows.append(r)
            cols.append(int(x))
            vals.append(1.0)
        lower.append(-np.inf)
        upper.append(1.0)
        r += 1
    for i in range(nv):  # one booth per vendor
        for x in np.flatnonzero(pairs[:, 0] == i):
            rows.append(r)
            cols.append(int(x))
            vals.append(1.0)
        lower.append(-np.inf)
        upper.append(1.0)
        r += 1
    by_booth = {j: np.flatnonzero(pairs[:, 1] == j) for j in range(nb)}
    for e, (j, k) in enumerate(edges):
        for bit in bits:
            for booth in (j, k):
                for x in by_booth[booth]:
                    if model.masks[int(pairs[x, 0])] >> bit & 1:
                        rows.append(r)
                        cols.append(int(x))
                        vals.append(1.0)
            rows.append(r)
            cols.append(n_x + e)
            vals.append(-1.0)
            lower.append(-np.inf)
            upper.append(1.0)
            r += 1
    matrix = coo_matrix((vals, (rows, cols)), shape=(r, n_x + n_p)).tocsr()
    gains = model.weight[pairs[:, 0], pairs[:, 1]].astype(float)
    cost = np.concatenate([-gains, np.full(n_p, float(model.penalty))])
    integrality = np.concatenate([np.ones(n_x), np.zeros(n_p)])
    result = milp(
        cost,
        constraints=LinearConstraint(matrix, lower, upper),
        integrality=integrality,
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit_s, "disp": False},
    )
    if result.x is None:
        return {}, False
    chosen = np.flatnonzero(result.x[:n_x] > 0.5)
    placement = {int(pairs[x, 0]): int(pairs[x, 1]) for x in chosen}
    return placement, bool(result.status == 0)
