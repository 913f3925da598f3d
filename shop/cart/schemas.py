"""The cart API's bodies (msgspec). Quantities and ids are JSON integers (decision 8)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from shop.cart.pricing import CartView, PricedLine, VendorGroup
from shop.checkout.demand import MAX_QUANTITY

Quantity = Annotated[
    int, msgspec.Meta(description=f"수량 (1 ~ {MAX_QUANTITY} 정수)", examples=[2])
]
Won = Annotated[int, msgspec.Meta(description="원 단위 정수")]


class CartItemIn(msgspec.Struct, forbid_unknown_fields=True):
    variant_id: Annotated[int, msgspec.Meta(description="상품 옵션(SKU) id")]
    quantity: Quantity = 1


class CartItemPatch(msgspec.Struct, forbid_unknown_fields=True):
    quantity: Quantity


class CartLineOut(msgspec.Struct):
    id: int
    variant_id: int
    product_id: int
    product_name: str
    option_label: str
    sku: str
    unit_price: Won
    quantity: int
    line_total: Won
    available: Annotated[int, msgspec.Meta(description="지금 주문할 수 있는 수량")]
    on_sale: bool
    problem: Annotated[str | None, msgspec.Meta(description="주문 전에 고쳐야 할 점")]

    @classmethod
    def of(cls, line: PricedLine) -> CartLineOut:
        f = line.facts
        return cls(
            id=f.line_id, variant_id=f.variant_id, product_id=f.product_id,
            product_name=f.product_name, option_label=f.option_label, sku=f.sku,
            unit_price=f.unit_price, quantity=f.quantity, line_total=line.line_total,
            available=f.available, on_sale=f.on_sale, problem=line.problem,
        )


class VendorGroupOut(msgspec.Struct):
    vendor_id: int
    vendor_name: str
    lines: list[CartLineOut]
    subtotal: Won
    delivery_fee: Won
    free_delivery_over: Won | None
    free_delivery_gap: Annotated[
        int | None, msgspec.Meta(description="무료배송까지 더 담아야 할 금액")
    ]
    total: Won

    @classmethod
    def of(cls, group: VendorGroup) -> VendorGroupOut:
        return cls(
            vendor_id=group.vendor_id, vendor_name=group.vendor_name,
            lines=[CartLineOut.of(line) for line in group.lines], subtotal=group.subtotal,
            delivery_fee=group.delivery_fee, free_delivery_over=group.free_delivery_over,
            free_delivery_gap=group.free_delivery_gap, total=group.total,
        )


class CartOut(msgspec.Struct):
    id: int | None
    groups: list[VendorGroupOut]
    items_total: Won
    delivery_total: Won
    total: Won
    item_count: int
    ready: Annotated[bool, msgspec.Meta(description="고칠 점 없이 주문할 수 있는지")]

    @classmethod
    def of(cls, view: CartView) -> CartOut:
        return cls(
            id=view.cart_id, groups=[VendorGroupOut.of(g) for g in view.groups],
            items_total=view.items_total, delivery_total=view.delivery_total,
            total=view.total, item_count=view.item_count, ready=view.ready,
        )
