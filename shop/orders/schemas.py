"""The orders API's bodies (msgspec): integer won, Korean status labels beside the codes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from shop.orders.models import Order, OrderLine, OrderRefund, VendorOrder

Won = Annotated[int, msgspec.Meta(description="원 단위 정수")]


class OrderLineOut(msgspec.Struct):
    id: int
    variant_id: int
    product_id: int
    product_name: str
    option_label: str
    sku: str
    unit_price: Won
    quantity: int
    refunded_quantity: int
    line_total: Won
    bundle_label: str

    @classmethod
    def of(cls, line: OrderLine) -> OrderLineOut:
        return cls(
            id=line.id, variant_id=line.variant_id, product_id=line.product_id,
            product_name=line.product_name, option_label=line.option_label, sku=line.sku,
            unit_price=line.unit_price, quantity=line.quantity,
            refunded_quantity=line.refunded_quantity, line_total=line.line_total,
            bundle_label=line.bundle_label,
        )


class VendorOrderOut(msgspec.Struct):
    id: int
    order_number: str
    vendor_id: int
    vendor_name: str
    status: str
    status_label: str
    items_total: Won
    delivery_fee: Won
    total: Won
    refunded_amount: Won
    carrier: str
    tracking_number: str
    lines: list[OrderLineOut]
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None

    @classmethod
    def of(cls, vendor_order: VendorOrder, order: Order) -> VendorOrderOut:
        return cls(
            id=vendor_order.id, order_number=order.number, vendor_id=vendor_order.vendor_id,
            vendor_name=vendor_order.vendor_name, status=vendor_order.status.value,
            status_label=vendor_order.status.label, items_total=vendor_order.items_total,
            delivery_fee=vendor_order.delivery_fee, total=vendor_order.total,
            refunded_amount=vendor_order.refunded_amount, carrier=vendor_order.carrier,
            tracking_number=vendor_order.tracking_number,
            lines=[OrderLineOut.of(line) for line in vendor_order.lines],
            shipped_at=vendor_order.shipped_at, delivered_at=vendor_order.delivered_at,
        )


class AddressOut(msgspec.Struct):
    recipient: str
    phone: str
    postal_code: str
    road_address: str
    detail_address: str
    delivery_note: str


class OrderOut(msgspec.Struct):
    number: str
    placed_at: dt.datetime
    items_total: Won
    delivery_total: Won
    total: Won
    address: AddressOut
    vendor_orders: list[VendorOrderOut]

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        return cls(
            number=order.number, placed_at=order.placed_at, items_total=order.items_total,
            delivery_total=order.delivery_total, total=order.total,
            address=AddressOut(
                recipient=order.recipient, phone=order.phone, postal_code=order.postal_code,
                road_address=order.road_address, detail_address=order.detail_address,
                delivery_note=order.delivery_note,
            ),
            vendor_orders=[VendorOrderOut.of(v, order) for v in order.vendor_orders],
        )


class Page(msgspec.Struct):
    total: int
    page: int
    pages: int


class OrderList(msgspec.Struct):
    items: list[OrderOut]
    page: Page


class VendorOrderList(msgspec.Struct):
    items: list[VendorOrderOut]
    page: Page


class ShipIn(msgspec.Struct, forbid_unknown_fields=True):
    carrier: Annotated[str, msgspec.Meta(examples=["CJ대한통운"])]
    tracking_number: Annotated[str, msgspec.Meta(examples=["123456789012"])]


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str


class RefundLineBody(msgspec.Struct, forbid_unknown_fields=True):
    order_line_id: int
    quantity: int


class RefundIn(msgspec.Struct, forbid_unknown_fields=True):
    lines: list[RefundLineBody]
    reason: str
    key: Annotated[str, msgspec.Meta(description="멱등 키: 같은 키로 다시 보내면 한 번만 환불")]
    include_delivery_fee: bool = False
    restock: Annotated[bool, msgspec.Meta(description="상품이 돌아와 다시 팔 수 있는지")] = False


class RefundOut(msgspec.Struct):
    id: int
    vendor_order_id: int
    amount: Won
    delivery_fee_refunded: Won
    restocked: bool
    reason: str
    created_at: dt.datetime

    @classmethod
    def of(cls, refund: OrderRefund) -> RefundOut:
        return cls(
            id=refund.id, vendor_order_id=refund.vendor_order_id, amount=refund.amount,
            delivery_fee_refunded=refund.delivery_fee_refunded, restocked=refund.restocked,
            reason=refund.reason, created_at=refund.created_at,
        )
