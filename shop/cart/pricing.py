"""What a cart costs, in pure code: lines grouped per vendor, each group with that vendor's
delivery fee, and totals in whole won.

Each vendor ships its own parcel, so delivery is charged per vendor group: the vendor's flat
``delivery_fee``, or nothing once the group's goods reach ``free_delivery_over`` (5만원 이상
무료배송: the threshold itself is free). A line that is no longer on sale is shown with its
problem but costs nothing; a line asking for more than is available still counts (the
shopper sees the problem and fixes it; checkout refuses it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from shop.checkout.demand import out_of_stock_message

NOT_FOR_SALE_MESSAGE = "지금은 판매하지 않는 상품입니다. 장바구니에서 빼 주세요."


@dataclasses.dataclass(frozen=True)
class LineFacts:
    """One cart line with everything read from the catalog at this moment."""

    line_id: int
    variant_id: int
    product_id: int
    product_name: str
    option_label: str
    sku: str
    unit_price: int
    quantity: int
    available: int
    on_sale: bool
    vendor_id: int
    vendor_name: str
    delivery_fee: int
    free_delivery_over: int | None


@dataclasses.dataclass(frozen=True)
class PricedLine:
    facts: LineFacts
    line_total: int
    problem: str | None


@dataclasses.dataclass(frozen=True)
class VendorGroup:
    vendor_id: int
    vendor_name: str
    lines: tuple[PricedLine, ...]
    subtotal: int
    delivery_fee: int
    free_delivery_over: int | None
    #: How much more of this vendor's goods would make delivery free (None if it cannot).
    free_delivery_gap: int | None

    @property
    def total(self) -> int:
        return self.subtotal + self.delivery_fee


@dataclasses.dataclass(frozen=True)
class CartView:
    cart_id: int | None
    groups: tuple[VendorGroup, ...]

    @property
    def items_total(self) -> int:
        return sum(g.subtotal for g in self.groups)

    @property
    def delivery_total(self) -> int:
        return sum(g.delivery_fee for g in self.groups)

    @property
    def total(self) -> int:
        return self.items_total + self.delivery_total

    @property
    def item_count(self) -> int:
        return sum(line.facts.quantity for g in self.groups for line in g.lines)

    @property
    def line_count(self) -> int:
        return sum(len(g.lines) for g in self.groups)

    @property
    def problems(self) -> int:
        return sum(1 for g in self.groups for line in g.lines if line.problem)

    @property
    def ready(self) -> bool:
        """Whether checkout may start: something to buy and nothing to fix first."""
        return self.line_count > 0 and self.problems == 0


def delivery_fee(subtotal: int, fee: int, free_over: int | None) -> int:
    if subtotal <= 0:
        return 0
    if free_over is not None and subtotal >= free_over:
        return 0
    return fee


def price_line(facts: LineFacts) -> PricedLine:
    if not facts.on_sale:
        return PricedLine(facts, 0, NOT_FOR_SALE_MESSAGE)
    problem = (
        out_of_stock_message(facts.available) if facts.quantity > facts.available else None
    )
    return PricedLine(facts, facts.unit_price * facts.quantity, problem)


def price_cart(cart_id: int | None, lines: Sequence[LineFacts]) -> CartView:
    """Group ``lines`` per vendor (in the order the vendor first appears) and price them."""
    by_vendor: dict[int, list[PricedLine]] = {}
    for facts in lines:
        by_vendor.setdefault(facts.vendor_id, []).append(price_line(facts))
    groups = []
    for vendor_id, priced in by_vendor.items():
        first = priced[0].facts
        subtotal = sum(line.line_total for line in priced)
        fee = delivery_fee(subtotal, first.delivery_fee, first.free_delivery_over)
        gap = None
        if fee > 0 and first.free_delivery_over is not None:
            gap = first.free_delivery_over - subtotal
        groups.append(VendorGroup(
            vendor_id=vendor_id, vendor_name=first.vendor_name, lines=tuple(priced),
            subtotal=subtotal, delivery_fee=fee, free_delivery_over=first.free_delivery_over,
            free_delivery_gap=gap,
        ))
    return CartView(cart_id=cart_id, groups=tuple(groups))
