"""Assignment instances for tests and the benchmark: hypothesis strategies and a seeded
generator shaped like a real market (rows of booths, a few zones, food-heavy categories).
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Mapping

from hypothesis import strategies as st

from markets.assignment.day_model import DayModel, Rotation, build_day
from markets.assignment.problem import Applicant, BoothSlot, RotationHistory, SeasonProblem

CATEGORIES = ("food", "household", "fashion_beauty", "office_it", "travel_leisure",
              "books_education")
CATEGORY_WEIGHTS = (40, 20, 15, 10, 7, 8)
ZONES = ("A", "B", "C", "D")


def symmetric(pairs: Mapping[str, set[str]]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {k: set(v) for k, v in pairs.items()}
    for code, others in pairs.items():
        for other in others:
            out.setdefault(other, set()).add(code)
    return {k: frozenset(v) for k, v in out.items()}


_BOOTH = st.tuples(st.sampled_from(ZONES[:3]), st.integers(0, 2), st.booleans(), st.booleans(),
                   st.booleans())
_VENDOR = st.tuples(
    st.sets(st.sampled_from(CATEGORIES[:3]), min_size=1, max_size=2),  # categories
    st.booleans(),  # needs power
    st.integers(0, 2),  # size
    st.lists(st.integers(0, 30), max_size=2),  # preferred booths (indices, wrapped)
    st.lists(st.sampled_from(ZONES[:3]), max_size=1),  # preferred zones
    st.integers(-1, 2),  # priority
    st.booleans(),  # wants premium
    st.booleans(),  # wants corner
    st.one_of(st.none(), st.sets(st.integers(1, 8))),  # days (None: every day)
    st.one_of(st.none(), st.tuples(st.integers(0, 1), st.booleans())),  # history
    st.tuples(st.booleans(), st.booleans(), st.integers(0, 3)),  # only wishes, cooks, years
)
#: Booths a vendor asks for: (min, extra up to max); mostly one.
_BLOCK = st.one_of(st.just((1, 0)), st.just((1, 0)),
                   st.tuples(st.integers(1, 3), st.integers(0, 1)))


@st.composite
def season_problems(
    draw: st.DrawFn,
    *,
    max_booths: int = 14,
    max_vendors: int = 22,
    max_days: int = 4,
    premium_heavy: bool = False,
) -> SeasonProblem:
    """Small random seasons: any sizes, powers, flags, adjacency, preferences and days."""
    size = draw(st.integers(1, max_booths))
    raw_booths = draw(st.lists(_BOOTH, min_size=size, max_size=size))
    n_booths = len(raw_booths)
    booths = tuple(
        BoothSlot(
            code=f"B{j}", zone=zone, size=size, has_power=power,
            is_corner=j % 3 == 0 if premium_heavy else corner,
            is_premium=j % 2 == 0 if premium_heavy else premium,
            properties=frozenset({"cooking"}) if j % 4 == 1 else frozenset(),
        )
        for j, (zone, size, power, corner, premium) in enumerate(raw_booths)
    )
    codes = [b.code for b in booths]
    edges = draw(
        st.lists(st.tuples(st.integers(0, n_booths - 1), st.integers(0, n_booths - 1)),
                 max_size=3 * n_booths)
    )
    pairs: dict[str, set[str]] = {c: set() for c in codes}
    for a, b in edges:
        if a != b:
            pairs[codes[a]].add(codes[b])
    # Rows of up to five booths in code order; a drawn gap (an obstacle) breaks a row.
    per_row = draw(st.integers(2, 5))
    rows = tuple(tuple(codes[r:r + per_row]) for r in range(0, n_booths, per_row))
    gaps = draw(st.lists(st.booleans(), min_size=n_booths, max_size=n_booths))
    for line in rows:
        for n in range(len(line) - 1):
            if not gaps[codes.index(line[n])]:
                pairs[line[n]].add(line[n + 1])
    days = tuple(range(1, draw(st.integers(1, max_days)) + 1))
    applicants = []
    history = {}
    count = draw(st.integers(0, max_vendors))
    # Some vendors are regulars, each on its own booth (distinct booths).
    regulars = draw(st.integers(0, min(count, n_booths, 3)))
    blocks = draw(st.lists(_BLOCK, min_size=count, max_size=count))
    for k, row in enumerate(draw(st.lists(_VENDOR, min_size=count, max_size=count))):
        cats, power, size, prefs, zones, priority, premium, corner, chosen, past, more = row
        many = blocks[k]
        only, cooks, years = more
        applicants.append(
            Applicant(
                key=k + 1, categories=frozenset(cats), needs_power=power, min_size=size,
                preferred_booths=tuple(dict.fromkeys(codes[i % n_booths] for i in prefs)),
                preferred_zones=tuple(zones), priority=priority,
                wants_premium=premium or premium_heavy, wants_corner=corner,
                days=None if chosen is None else frozenset(d for d in chosen if d in days),
                wishes_only=only and bool(prefs) and k >= regulars,
                needs=frozenset({"cooking"}) if cooks and "food" in cats else frozenset(),
                seniority=years,
                own_booth=codes[k] if k < regulars else None,
                booths_min=many[0], booths_max=many[0] + many[1],
            )
        )
        if past is not None:
            history[k + 1] = RotationHistory(premium=past[0], corner=0, placed_every_day=past[1])
    # The first regular may be a big stall granted one or two more booths (decision 80).
    more_own = tuple(codes[regulars:regulars + draw(st.integers(0, 2))]) if regulars else ()
    if more_own:
        applicants[0] = dataclasses.replace(applicants[0], more_own_booths=more_own)
    caps: dict[str, int] = draw(
        st.one_of(
            st.just({}),
            st.dictionaries(st.sampled_from(CATEGORIES[:3]), st.integers(0, 6), max_size=2),
        )
    )
    return SeasonProblem(
        booths=booths, adjacency=symmetric(pairs), applicants=tuple(applicants), days=days,
        category_caps=caps, history=history, time_limit_s=5.0, rows=rows,
        reserved_properties=frozenset({"cooking"}) if draw(st.booleans()) else frozenset(),
    )


def market_instance(
    applicants: int = 500, booths: int = 300, days: int = 8, *, seed: int = 20240901,
    per_row: int = 25, time_limit_s: float = 1.5, block_share: float = 0.0,
) -> SeasonProblem:
    """A season like a big market's: rows of booths back to back with aisles between row
    pairs, four zones, a third of booths with power, row ends as corners, one in ten
    premium; 70 % of vendors apply for the whole season, the rest for a few days.
    ``block_share`` of the vendors who are not regulars ask for 2–3 booths side by side
    (drawn from a second generator, so the rest of the instance does not change)."""
    rng = random.Random(seed)
    slots: list[BoothSlot] = []
    rows = (booths + per_row - 1) // per_row
    for j in range(booths):
        row, col = divmod(j, per_row)
        zone = ZONES[min(len(ZONES) - 1, row * len(ZONES) // rows)]
        slots.append(
            BoothSlot(
                code=f"{zone}-{j:03d}", zone=zone,
                size=rng.choices((0, 1, 2), (40, 45, 15))[0],
                has_power=rng.random() < 0.35,
                is_corner=col in (0, per_row - 1),
                is_premium=rng.random() < 0.1,
            )
        )
    pairs: dict[str, set[str]] = {b.code: set() for b in slots}
    for j, b in enumerate(slots):
        row, col = divmod(j, per_row)
        if col + 1 < per_row and j + 1 < booths:
            pairs[b.code].add(slots[j + 1].code)  # side by side
        if row % 2 == 0 and j + per_row < booths:
            pairs[b.code].add(slots[j + per_row].code)  # back to back with the next row
    day_keys = tuple(range(1, days + 1))
    vendors = []
    # One vendor in ten is a regular with its own ordinary booth (distinct booths); a
    # third of them ask to move somewhere. Years at the market and jury scores vary.
    ordinary = [b.code for b in slots if not b.is_premium and not b.is_corner]
    regular_booths = rng.sample(ordinary, min(len(ordinary), applicants // 10))
    for k in range(applicants):
        preferred = tuple(rng.sample([b.code for b in slots], rng.choice((0, 0, 1, 2, 3))))
        whole = rng.random() < 0.7
        chosen = None if whole else frozenset(
            rng.sample(day_keys, rng.randint(1, max(1, days - 2)))
        )
        # The application's one explicit 프리미엄·코너 부스 희망 flag (markets.assignment.inputs):
        # naming a premium booth is only a preference; about a third of vendors tick the box.
        wants_special = rng.random() < 0.35
        vendors.append(
            Applicant(
                key=k + 1,
                categories=frozenset(rng.choices(CATEGORIES, CATEGORY_WEIGHTS,
                                                 k=rng.choice((1, 1, 1, 2)))),
                needs_power=rng.random() < 0.3,
                min_size=rng.choices((0, 1, 2), (60, 30, 10))[0],
                preferred_booths=preferred,
                preferred_zones=tuple(rng.sample(ZONES, rng.choice((0, 1, 1, 2)))),
                priority=rng.choice((0, 0, 1, 2)),
                wants_premium=wants_special,
                wants_corner=wants_special,
                days=chosen,
                seniority=rng.choice((0, 0, 1, 2, 3, 5, 8)),
                jury_score=round(rng.uniform(5, 10), 1),
                wishes_only=bool(preferred) and rng.random() < 0.2,
            )
        )
    for k, code in enumerate(regular_booths):
        v = vendors[k * (applicants // max(1, len(regular_booths)))]
        moving = rng.random() < 0.3
        vendors[vendors.index(v)] = dataclasses.replace(
            v, own_booth=code, wishes_only=False, needs_power=False, min_size=0,
            preferred_booths=tuple(rng.sample(ordinary, 2)) if moving else (),
        )
    stalls = random.Random(seed + 1)
    for k, v in enumerate(vendors):
        if v.own_booth is None and stalls.random() < block_share:
            vendors[k] = dataclasses.replace(v, booths_min=2, booths_max=3)
    if block_share:
        # With big stalls in the market, one regular in five holds a second own booth
        # (any other ordinary booth nobody owns; decision 80).
        extra = random.Random(seed + 2)
        spare = sorted(set(ordinary) - set(regular_booths))
        for k, v in enumerate(vendors):
            if v.own_booth is not None and spare and extra.random() < 0.2:
                second = spare.pop(extra.randrange(len(spare)))
                vendors[k] = dataclasses.replace(v, more_own_booths=(second,))
    rows_of = tuple(
        tuple(b.code for b in slots[r:r + per_row]) for r in range(0, booths, per_row)
    )
    return SeasonProblem(
        booths=tuple(slots), adjacency=symmetric(pairs), applicants=tuple(vendors),
        days=day_keys, time_limit_s=time_limit_s, rows=rows_of,
    )


def first_day_model(problem: SeasonProblem) -> DayModel:
    """The first day's model with fresh rotation state (what a one-day run optimises)."""
    day = problem.days[0]
    present = [a for a in problem.applicants if a.attends(day)]
    return build_day(problem, day, present, Rotation("premium", {}, set()),
                     Rotation("corner", {}, set()))


def brute_force(model: DayModel) -> tuple[dict[int, int], int]:
    """Every placement of a tiny day, the best objective (exhaustive; ≤ ~6 booths)."""
    nv, nb = model.allowed.shape
    best: dict[int, int] = {}
    best_value = model.objective({})
    options = [[-1, *(i for i in range(nv) if model.allowed[i, j])] for j in range(nb)]
    for choice in itertools.product(*options):
        used = [i for i in choice if i >= 0]
        if len(used) != len(set(used)):
            continue
        placement = {i: j for j, i in enumerate(choice) if i >= 0}
        value = model.objective(placement)
        if value > best_value:
            best, best_value = placement, value
    return best, best_value
