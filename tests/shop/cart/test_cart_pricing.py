"""Delivery is charged per vendor group: a flat fee, free from the vendor's threshold on; a
line no longer on sale costs nothing; a line over availability is flagged, not hidden."""

from __future__ import annotations

import dataclasses

from shop.cart.pricing import LineFacts, delivery_fee, price_cart


def facts(**overrides: object) -> LineFacts:
    values: dict[str, object] = {
        "line_id": 1, "variant_id": 1, "product_id": 1, "product_name": "현미 쿠키",
        "option_label": "10개입", "sku": "C-1", "unit_price": 12_500, "quantity": 1,
        "available": 10, "on_sale": True, "vendor_id": 1, "vendor_name": "햇살",
        "delivery_fee": 3000, "free_delivery_over": 50_000,
    }
    values.update(overrides)
    return LineFacts(**values)  # type: ignore[arg-type]


def test_delivery_is_free_from_the_threshold_itself() -> None:
    assert delivery_fee(49_999, 3000, 50_000) == 3000
    assert delivery_fee(50_000, 3000, 50_000) == 0
    assert delivery_fee(80_000, 3000, None) == 3000  # no threshold: never free
    assert delivery_fee(0, 3000, 50_000) == 0  # nothing to ship


def test_groups_follow_vendors_in_order_of_first_appearance_with_their_own_fees() -> None:
    view = price_cart(7, [
        facts(line_id=1, quantity=2),
        facts(line_id=2, vendor_id=2, vendor_name="두레", unit_price=15_000,
              delivery_fee=2500, free_delivery_over=None),
        facts(line_id=3, variant_id=3, unit_price=8000, quantity=3),
    ])
    first, second = view.groups
    assert (first.vendor_name, [ln.facts.line_id for ln in first.lines]) == ("햇살", [1, 3])
    assert (first.subtotal, first.delivery_fee, first.total) == (49_000, 3000, 52_000)
    assert first.free_delivery_gap == 1000
    assert (second.subtotal, second.delivery_fee, second.free_delivery_gap) == (15_000, 2500, None)
    assert (view.items_total, view.delivery_total, view.total) == (64_000, 5500, 69_500)
    assert view.item_count == 6 and view.ready


def test_a_line_not_on_sale_costs_nothing_and_blocks_checkout() -> None:
    view = price_cart(1, [facts(quantity=2), facts(line_id=2, variant_id=2, on_sale=False)])
    (group,) = view.groups
    assert group.subtotal == 25_000
    assert group.lines[1].line_total == 0 and group.lines[1].problem
    assert not view.ready


def test_a_line_over_availability_says_how_many_are_left() -> None:
    view = price_cart(1, [facts(quantity=5, available=2)])
    line = view.groups[0].lines[0]
    assert line.problem is not None and "재고가 2개 남았습니다" in line.problem
    assert line.line_total == 62_500  # still counted: the shopper fixes the quantity
    assert not view.ready


def test_an_empty_cart_costs_nothing() -> None:
    view = price_cart(None, [])
    assert (view.total, view.line_count, view.ready) == (0, 0, False)


def test_money_stays_integer_won() -> None:
    view = price_cart(1, [facts(unit_price=333, quantity=3)])
    for value in (view.total, view.items_total, view.delivery_total):
        assert type(value) is int
    assert dataclasses.asdict(view.groups[0])["subtotal"] == 999
