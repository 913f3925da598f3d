"""A published month never changes: later changes make a new version carrying the difference."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.errors import Conflict
from shop.catalog.taxonomy import Category
from shop.procurement.disclosure import (
    Adjustment,
    CountedPurchase,
    DisclosureVersion,
    FigureKey,
    Month,
    differences_add_up,
    month_figures,
    publish,
)
from shop.procurement.errors import ProcurementErrorCode
from shop.vendors.types import EnterpriseType

D = dt.date
MARCH = Month(2025, 3)
TOWELS = CountedPurchase(
    "PO-1", "일자리정책과", Category.HOUSEHOLD, EnterpriseType.CERTIFIED_SOCIAL,
    contract_date=D(2025, 3, 20), amount=4_400_000,
)
SNACKS = CountedPurchase(
    "PO-2", "일자리정책과", Category.FOOD, EnterpriseType.VILLAGE,
    contract_date=D(2025, 3, 4), amount=1_210_000,
)
PAPER = CountedPurchase(
    "PO-3", "총무과", Category.OFFICE_IT, None, contract_date=D(2025, 3, 31), amount=990_000,
)


def test_a_cancellation_after_publication_makes_version_2_with_the_difference() -> None:
    v1 = publish([], [TOWELS, SNACKS, PAPER], MARCH, D(2025, 4, 5))
    assert v1 is not None
    frozen = copy.deepcopy(v1)
    towels_key = FigureKey("일자리정책과", Category.HOUSEHOLD, EnterpriseType.CERTIFIED_SOCIAL)
    assert v1.amounts()[towels_key] == 4_400_000

    cancelled = [replace(TOWELS, cancelled_on=D(2025, 4, 10)), SNACKS, PAPER]
    v2 = publish([v1], cancelled, MARCH, D(2025, 5, 5))

    assert v2 is not None
    assert v2.version == 2
    assert [(c.key, c.amount) for c in v2.changes] == [(towels_key, -4_400_000)]
    assert towels_key not in v2.amounts()
    assert v2.social_economy_total == 1_210_000
    assert v2.total_for(None) == 990_000
    assert v1 == frozen  # version 1 says what it said
    assert v1.amounts()[towels_key] == 4_400_000
    assert differences_add_up([v1, v2])


def test_the_month_is_the_contract_dates_and_general_purchases_are_kept() -> None:
    april = CountedPurchase("PO-4", "총무과", Category.FOOD, None, D(2025, 4, 1), 100_000)
    figures = month_figures([TOWELS, SNACKS, PAPER, april], MARCH, D(2025, 4, 30))
    assert sum(figures.values()) == 4_400_000 + 1_210_000 + 990_000
    assert figures[FigureKey("총무과", Category.OFFICE_IT, None)] == 990_000


def test_a_version_contains_what_was_known_by_the_end_of_its_day() -> None:
    late = CountedPurchase("PO-5", "총무과", Category.FOOD, None, D(2025, 3, 28), 50_000,
                           recorded_on=D(2025, 4, 6))
    cancelled_that_day = CountedPurchase(
        "PO-6", "총무과", Category.FOOD, None, D(2025, 3, 2), 70_000, cancelled_on=D(2025, 4, 5))
    v1 = publish([], [late, cancelled_that_day], MARCH, D(2025, 4, 5))
    assert v1 is not None  # an empty month is disclosed too
    assert (v1.version, v1.figures) == (1, ())
    assert month_figures([late], MARCH, D(2025, 4, 6)) == {
        FigureKey("총무과", Category.FOOD, None): 50_000
    }


def test_an_inspection_shortfall_after_publication_is_a_negative_change() -> None:
    shortfall = CountedPurchase(
        "PO-7", "보건소", Category.HOUSEHOLD, EnterpriseType.SELF_SUFFICIENCY, D(2025, 3, 10),
        4_840_000, adjustments=(Adjustment(D(2025, 4, 8), -1_210_000),),
    )
    v1 = publish([], [shortfall], MARCH, D(2025, 4, 5))
    assert v1 is not None
    v2 = publish([v1], [shortfall], MARCH, D(2025, 4, 9))
    assert v2 is not None
    assert [c.amount for c in v2.changes] == [-1_210_000]
    assert v2.total == 3_630_000


def test_publishing_again_without_a_change_makes_no_version() -> None:
    v1 = publish([], [SNACKS], MARCH, D(2025, 4, 5))
    assert v1 is not None
    assert publish([v1], [SNACKS], MARCH, D(2025, 5, 5)) is None


def test_a_month_is_published_only_after_it_ends() -> None:
    with pytest.raises(Conflict) as caught:
        publish([], [SNACKS], MARCH, D(2025, 3, 31))
    assert caught.value.code == ProcurementErrorCode.MONTH_NOT_CLOSED
    assert publish([], [SNACKS], MARCH, D(2025, 4, 1)) is not None
    assert Month(2024, 2).last_day == D(2024, 2, 29)


def test_history_must_be_this_months_versions_in_order() -> None:
    v1 = publish([], [SNACKS], MARCH, D(2025, 4, 5))
    assert v1 is not None
    april_v1 = DisclosureVersion(Month(2025, 4), 1, D(2025, 5, 5), ())
    for history in ([april_v1], [v1, v1]):
        with pytest.raises(Conflict) as caught:
            publish(history, [SNACKS], MARCH, D(2025, 6, 1))
        assert caught.value.code == ProcurementErrorCode.DISCLOSURE_HISTORY_MISMATCH
    with pytest.raises(Conflict):
        publish([v1], [], MARCH, D(2025, 4, 4))


changes = st.lists(
    st.tuples(st.sampled_from(["PO-1", "PO-2", "PO-3"]), st.integers(1, 60),
              st.integers(-2_000_000, 2_000_000)),
    max_size=12,
)


@given(changes=changes)
def test_every_version_plus_later_differences_adds_up_to_the_latest(
    changes: list[tuple[str, int, int]],
) -> None:
    base = {p.order_id: p for p in (TOWELS, SNACKS, PAPER)}
    history: list[DisclosureVersion] = []
    for day in range(0, 61, 10):
        today = D(2025, 4, 1) + dt.timedelta(days=day)
        purchases = [
            replace(p, adjustments=tuple(
                Adjustment(D(2025, 4, 1) + dt.timedelta(days=d), amount)
                for order_id, d, amount in changes if order_id == p.order_id
            ))
            for p in base.values()
        ]
        version = publish(history, purchases, MARCH, today)
        if version is not None:
            history.append(version)
        assert differences_add_up(history)
        assert history[-1].amounts() == month_figures(purchases, MARCH, today)
