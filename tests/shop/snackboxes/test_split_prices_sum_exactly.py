"""The set price is split across the components in whole won and the parts sum exactly, so
each vendor is paid its share and the shopper pays the set price, never a won more or less.
Also the calendar rules: the lead time counts from today in Seoul."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.snackboxes import rules
from shop.snackboxes.rules import ComponentPrice, split_price


def test_a_round_example_is_one_line_per_component_proportional_to_list_value() -> None:
    # List value 20×1,500 + 20×2,000 + 1×30,000 = 100,000; the box sells for 95,000.
    parts = split_price(95_000, 2, [
        ComponentPrice(1, 20, 1_500), ComponentPrice(2, 20, 2_000), ComponentPrice(3, 1, 30_000),
    ])
    assert [(p.variant_id, p.quantity, p.unit_price) for p in parts] == [
        (1, 40, 1_425), (2, 40, 1_900), (3, 2, 28_500),
    ]
    assert sum(p.total for p in parts) == 190_000


def test_the_remainder_goes_to_the_largest_component() -> None:
    # 10,003 over list value 3×1,000 + 1×7,000 = 10,000: the floors 1,000 (×3) and 7,002
    # leave 1 won, which the tray (largest by list value) takes.
    parts = split_price(10_003, 1, [ComponentPrice(1, 3, 1_000), ComponentPrice(2, 1, 7_000)])
    by_variant = {p.variant_id: p for p in parts}
    assert by_variant[1].unit_price == 1_000  # ⌊10,003 × 1,000 / 10,000⌋
    assert by_variant[2].unit_price == 7_003  # 7,002 + the 1 won left over
    assert sum(p.total for p in parts) == 10_003


def test_a_remainder_that_does_not_divide_is_written_as_two_lines_of_the_same_variant() -> None:
    # 13 cookies (largest) and 1 juice: 1,000 won over list value 13×100 + 1×50 = 1,350.
    parts = split_price(1_000, 3, [ComponentPrice(7, 13, 100), ComponentPrice(8, 1, 50)])
    cookies = [p for p in parts if p.variant_id == 7]
    assert len(cookies) == 2
    assert sum(p.quantity for p in cookies) == 39
    assert {p.unit_price for p in cookies} == {cookies[0].unit_price, cookies[0].unit_price + 1}
    assert sum(p.total for p in parts) == 3_000


components = st.lists(
    st.tuples(st.integers(1, 50), st.integers(0, 200_000)), min_size=1, max_size=12
)


@given(set_price=st.integers(0, 10_000_000), boxes=st.integers(1, 100), parts=components)
def test_parts_always_sum_to_the_set_price_times_boxes(
    set_price: int, boxes: int, parts: list[tuple[int, int]]
) -> None:
    given_components = [ComponentPrice(i + 1, units, price) for i, (units, price) in
                        enumerate(parts)]
    split = split_price(set_price, boxes, given_components)
    assert sum(p.total for p in split) == set_price * boxes
    assert all(p.unit_price >= 0 and p.quantity > 0 for p in split)
    # Every component's units are all there, and at most one component is split in two.
    for c in given_components:
        assert sum(p.quantity for p in split if p.variant_id == c.variant_id) == c.units * boxes
    assert len(split) <= len(given_components) + 1
    # Shares follow list prices: a unit never gets less than its proportional floor.
    list_value = sum(c.units * c.list_price for c in given_components)
    if list_value:
        for p in split:
            c = next(c for c in given_components if c.variant_id == p.variant_id)
            assert p.unit_price >= set_price * c.list_price // list_value


def test_a_box_needs_a_component() -> None:
    with pytest.raises(ValueError):
        split_price(10_000, 1, [])


def test_price_per_person_is_rounded_to_whole_won() -> None:
    from shop.snackboxes.models import SnackBoxSize

    assert SnackBoxSize(headcount=20, price=95_000).price_per_person == 4_750
    assert SnackBoxSize(headcount=3, price=10_000).price_per_person == 3_333


# -- lead time, in Seoul ------------------------------------------------------------------


def test_today_is_the_seoul_date_not_the_utc_date() -> None:
    # 2025-06-09 15:30 UTC is already 06-10 00:30 in Seoul.
    assert rules.local_today(dt.datetime(2025, 6, 9, 15, 30, tzinfo=dt.UTC)) == dt.date(2025, 6, 10)
    assert rules.local_today(dt.datetime(2025, 6, 9, 14, 59, tzinfo=dt.UTC)) == dt.date(2025, 6, 9)


def test_a_slot_before_today_plus_lead_time_is_too_soon() -> None:
    today = dt.date(2025, 6, 10)
    assert rules.slot_problem(day=dt.date(2025, 6, 13), active=True, today=today,
                              lead_days=3) is None
    code, message = rules.slot_problem(
        day=dt.date(2025, 6, 12), active=True, today=today, lead_days=3
    ) or (None, "")
    assert code == "slot_too_soon" and "6월 13일(금)" in message
    closed = rules.slot_problem(day=dt.date(2025, 6, 20), active=False, today=today, lead_days=3)
    assert closed is not None and closed[0] == "slot_closed"


def test_boxes_per_line_keep_every_component_under_the_line_limit() -> None:
    assert rules.max_boxes([10, 10]) == 99  # 99 × 10 = 990 ≤ 999
    assert rules.max_boxes([1]) == rules.MAX_BOXES_PER_LINE
    assert rules.max_boxes([50, 2]) == 19
