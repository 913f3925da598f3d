"""The pure rules behind applications: a place is never given twice, the waitlist order is
priority tier less strikes then jury total then submission time, totals are weighted means,
and an application form is refused field by field."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from infra.errors import Problems
from markets.applications.rules import (
    ApplicationForm,
    Booking,
    WaitlistEntry,
    clean_application,
    criterion_results,
    fits,
    jury_total,
    waitlist_order,
)

T0 = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
DAYS = [11, 12, 13, 14]


def test_a_full_day_refuses_anyone_who_asks_for_it() -> None:
    held = [Booking(True), Booking(False, frozenset({12}))]
    assert fits(3, DAYS, held, Booking(False, frozenset({12})))  # 2 of 3 taken on the 12th
    held.append(Booking(False, frozenset({12})))
    assert not fits(3, DAYS, held, Booking(False, frozenset({12})))
    assert fits(3, DAYS, held, Booking(False, frozenset({11, 13})))
    assert not fits(3, DAYS, held, Booking(True))  # the season includes the full 12th


def test_whole_season_places_are_counted_beyond_the_generated_days() -> None:
    # No days generated yet (applying in winter for next season): only season places count.
    assert fits(2, [], [Booking(True)], Booking(True))
    assert not fits(2, [], [Booking(True), Booking(True)], Booking(True))
    assert fits(None, DAYS, [Booking(True)] * 50, Booking(True))  # no limit set
    assert not fits(0, DAYS, [], Booking(True))


@given(
    capacity=st.integers(1, 4),
    requests=st.lists(
        st.one_of(st.just(None), st.frozensets(st.sampled_from(DAYS), min_size=1)),
        max_size=12,
    ),
)
def test_accepting_only_what_fits_never_overbooks_a_day(
    capacity: int, requests: list[frozenset[int] | None]
) -> None:
    held: list[Booking] = []
    for wanted in requests:
        candidate = Booking(True) if wanted is None else Booking(False, wanted)
        if fits(capacity, DAYS, held, candidate):
            held.append(candidate)
    for day in DAYS:
        assert sum(1 for b in held if b.covers(day)) <= capacity
    assert sum(1 for b in held if b.whole_season) <= capacity


def test_waitlist_order_is_tier_less_strikes_then_score_then_time() -> None:
    def entry(n: int, tier: int, strikes: int, total: float | None, minutes: int) -> WaitlistEntry:
        return WaitlistEntry(n, tier, strikes, total, T0 + dt.timedelta(minutes=minutes))

    entries = [
        entry(1, 0, 0, 9.0, 5),
        entry(2, 1, 0, 5.0, 9),  # higher tier beats a better score
        entry(3, 1, 1, 9.9, 0),  # a strike drops it to tier 0
        entry(4, 0, 0, 9.0, 1),  # same tier and score as 1, but earlier
        entry(5, 0, 0, None, 0),  # not scored yet: after the scored ones
    ]
    assert [e.application_id for e in waitlist_order(entries)] == [2, 3, 4, 1, 5]


def test_jury_total_is_the_weighted_mean_of_criterion_means() -> None:
    criteria = [(1, "사회적 가치", 40), (2, "상품", 30), (3, "기여", 30)]
    scores = [(1, 8, "좋음"), (1, 6, ""), (2, 10, ""), (3, 4, "보완 필요")]
    results = criterion_results(criteria, scores)
    assert [(r.mean, r.scores) for r in results] == [(7.0, 2), (10.0, 1), (4.0, 1)]
    assert results[0].comments == ("좋음",)
    assert jury_total(results) == round((40 * 7 + 30 * 10 + 30 * 4) / 100, 2)
    assert jury_total(criterion_results(criteria, [])) is None
    # Criteria not scored yet do not pull the total down.
    assert jury_total(criterion_results(criteria, [(2, 6, "")])) == 6.0


def test_a_bad_form_names_every_wrong_field() -> None:
    problems = Problems()
    clean = clean_application(
        ApplicationForm(
            season="2031", whole_season=False, market_day_ids=["x"], categories=["weapons"],
            tables_needed="9", min_booth_size="huge", preferred_zones=["A"] * 3 + ["B" * 41],
            note="가" * 2001,
        ),
        problems,
        open_seasons=[2027, 2028],
        days_by_id={11: (2027, dt.date(2027, 5, 2))},
    )
    assert clean is None
    assert {p.field for p in problems.items} == {
        "season", "market_day_ids", "categories", "tables_needed", "min_booth_size",
        "preferred_zones", "note",
    }


def test_a_good_form_is_cleaned() -> None:
    problems = Problems()
    clean = clean_application(
        ApplicationForm(
            season="2027", whole_season=False, market_day_ids=["11", 11], categories=["food"],
            tables_needed="2", needs_power=True, preferred_zones=[" A구역 ", "A구역", ""],
        ),
        problems,
        open_seasons=[2027, 2028],
        days_by_id={11: (2027, dt.date(2027, 5, 2))},
    )
    assert not problems and clean is not None
    assert (clean.season, clean.market_day_ids, clean.tables_needed) == (2027, [11], 2)
    assert clean.preferred_zones == ["A구역"] and clean.needs_power
