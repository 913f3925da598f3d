"""The orders API's bodies (msgspec): integer won, Korean status labels beside the codes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from shop.orders.models import NOT_SHIPPED, Order, OrderLine, OrderRefund, VendorOrder
from shop.snackboxes.bought import BoughtBox, BuyerOrder, Parcel

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


class ParcelOut(msgspec.Struct):
    """A vendor order as its buyer sees it: only the loose items (a snack box's parts are in
    ``snack_boxes``), their total with the delivery fee and what was refunded of them."""

    id: int
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
    cancellable: Annotated[bool, msgspec.Meta(description="이 기업 주문을 따로 취소할 수 있음")]

    @classmethod
    def of(cls, parcel: Parcel) -> ParcelOut:
        vo = parcel.vendor_order
        return cls(
            id=vo.id, vendor_id=vo.vendor_id, vendor_name=vo.vendor_name,
            status=vo.status.value, status_label=vo.status.label,
            items_total=parcel.items_total, delivery_fee=vo.delivery_fee, total=parcel.total,
            refunded_amount=parcel.refunded, carrier=vo.carrier,
            tracking_number=vo.tracking_number,
            lines=[OrderLineOut.of(line) for line in parcel.lines],
            shipped_at=vo.shipped_at, delivered_at=vo.delivered_at,
            cancellable=vo.status in NOT_SHIPPED and not parcel.holds_box_part,
        )


class SnackBoxItemOut(msgspec.Struct):
    """A bought snack box: one item with one price, whatever vendors made its parts."""

    id: Annotated[int, msgspec.Meta(description="취소에 쓰는 id")]
    snack_box_id: int
    name: str
    headcount: Annotated[int, msgspec.Meta(description="몇 인분")]
    quantity: Annotated[int, msgspec.Meta(description="상자 수")]
    delivery_date: dt.date | None
    window_label: str
    slot_label: Annotated[str, msgspec.Meta(examples=["10월 10일(금) 오전 10~12시"])]
    assembler: Annotated[str, msgspec.Meta(description="꾸려서 배송하는 곳")]
    price: Annotated[Won, msgspec.Meta(description="결제한 세트 가격 (상자 수 포함, 배송비 포함)")]
    refunded_amount: Won
    status: str
    status_label: str
    cancellable: bool

    @classmethod
    def of(cls, box: BoughtBox) -> SnackBoxItemOut:
        return cls(
            id=box.id, snack_box_id=box.snack_box_id, name=box.name, headcount=box.headcount,
            quantity=box.boxes, delivery_date=box.delivery_date, window_label=box.window_label,
            slot_label=box.slot_label, assembler=box.assembler, price=box.price,
            refunded_amount=box.refunded,
            status="cancelled" if box.cancelled else box.status.value,
            status_label="주문 취소" if box.cancelled else box.status_label,
            cancellable=box.cancellable,
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
    snack_boxes: Annotated[
        list[SnackBoxItemOut], msgspec.Meta(description="다과꾸러미 (상자별 한 줄)")
    ]
    vendor_orders: Annotated[list[ParcelOut], msgspec.Meta(description="낱개 상품 (기업별)")]

    @classmethod
    def of(cls, view: BuyerOrder) -> OrderOut:
        order = view.order
        return cls(
            number=order.number, placed_at=order.placed_at, items_total=order.items_total,
            delivery_total=order.delivery_total, total=order.total,
            address=AddressOut(
                recipient=order.recipient, phone=order.phone, postal_code=order.postal_code,
                road_address=order.road_address, detail_address=order.detail_address,
                delivery_note=order.delivery_note,
            ),
            snack_boxes=[SnackBoxItemOut.of(b) for b in view.boxes],
            vendor_orders=[ParcelOut.of(p) for p in view.parcels],
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
