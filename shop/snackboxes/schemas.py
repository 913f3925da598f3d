"""The snack-box API's bodies (msgspec). Won, counts and ids are JSON integers (decision 8)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from shop.catalog.images import card_path
from shop.snackboxes import delivery_days, rules
from shop.snackboxes.models import SnackBox
from shop.snackboxes.services import ComponentView, SizeView, SlotView

Won = Annotated[int, msgspec.Meta(description="원 단위 정수")]


class ComponentIn(msgspec.Struct, forbid_unknown_fields=True):
    variant_id: Annotated[int, msgspec.Meta(description="구성 상품 옵션(SKU) id")]
    quantity: Annotated[int, msgspec.Meta(description="상자 하나에 들어가는 개수", examples=[20])]


class SizeIn(msgspec.Struct, forbid_unknown_fields=True):
    headcount: Annotated[int, msgspec.Meta(description="몇 인분 (10, 20, 50 …)", examples=[20])]
    price: Annotated[Won, msgspec.Meta(description="상자 하나의 세트 가격 (원)", examples=[160000])]
    components: list[ComponentIn]


class SnackBoxIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(description="이름", examples=["햇음 다과꾸러미"])]
    sizes: list[SizeIn]
    description: Annotated[str, msgspec.Meta(description="설명")] = ""
    lead_days: Annotated[
        int, msgspec.Meta(description="준비 기간(일): 오늘(서울) + 이 날수 이후 배송일만 주문 가능")
    ] = 3
    is_active: Annotated[bool, msgspec.Meta(description="판매 중 (목록에 보임)")] = False
    assembler_vendor_id: Annotated[
        int | None,
        msgspec.Meta(description="상자를 꾸려 배송하는 입점기업 id (승인된 기업). 없으면 운영자"),
    ] = None
    closed_days: Annotated[
        list[str],
        msgspec.Meta(description="운영자가 쉬는 날 (YYYY-MM-DD): 공휴일처럼 배송하지 않음",
                     examples=[["2025-12-31"]]),
    ] = msgspec.field(default_factory=list)

    def draft(self) -> rules.BoxDraft:
        return rules.BoxDraft(
            name=self.name, description=self.description, lead_days=self.lead_days,
            is_active=self.is_active, assembler_vendor_id=self.assembler_vendor_id,
            closed_days="\n".join(self.closed_days),
            sizes=[
                rules.SizeDraft(
                    headcount=s.headcount, price=s.price,
                    components=[rules.ComponentDraft(c.variant_id, c.quantity)
                                for c in s.components],
                )
                for s in self.sizes
            ],
        )


class SlotIn(msgspec.Struct, forbid_unknown_fields=True):
    delivery_date: Annotated[
        str, msgspec.Meta(description="배송일 (YYYY-MM-DD, 서울 날짜)", examples=["2025-06-12"])
    ]
    capacity: Annotated[int, msgspec.Meta(description="이 배송일에 받을 수 있는 상자 수")]
    window_label: Annotated[
        str, msgspec.Meta(description="시간대 (선택)", examples=["오전 10~12시"])
    ] = ""


class SlotPatch(msgspec.Struct, forbid_unknown_fields=True):
    capacity: Annotated[
        int | None, msgspec.Meta(description="새 수량 (이미 잡힌 상자 수보다 작을 수 없음)")
    ] = None
    is_active: Annotated[bool | None, msgspec.Meta(description="주문 받기 (false면 마감)")] = None


class SnackBoxOrderIn(msgspec.Struct, forbid_unknown_fields=True):
    """One snack-box line of a checkout: ``quantity`` boxes of a size for a delivery slot."""

    size_id: Annotated[int, msgspec.Meta(description="다과꾸러미 크기 id (sizes[].id)")]
    quantity: Annotated[int, msgspec.Meta(description="상자 수", examples=[2])]
    slot_id: Annotated[int, msgspec.Meta(description="배송일 id (slots[].id)")]


class ComponentOut(msgspec.Struct):
    variant_id: int
    product_id: int
    product_name: str
    option_label: str
    vendor_id: int
    vendor_name: str
    quantity: Annotated[int, msgspec.Meta(description="상자 하나에 들어가는 개수")]
    list_price: Annotated[Won, msgspec.Meta(description="낱개 판매가")]
    on_sale: bool

    @classmethod
    def of(cls, view: ComponentView) -> ComponentOut:
        return cls(
            variant_id=view.variant_id, product_id=view.product_id,
            product_name=view.product_name, option_label=view.option_label,
            vendor_id=view.vendor_id, vendor_name=view.vendor_name, quantity=view.quantity,
            list_price=view.list_price, on_sale=view.on_sale,
        )


class SizeOut(msgspec.Struct):
    id: int
    headcount: int
    price: Annotated[Won, msgspec.Meta(description="상자 하나의 세트 가격")]
    price_per_person: Annotated[Won, msgspec.Meta(description="1인당 가격 (반올림)")]
    list_value: Annotated[Won, msgspec.Meta(description="구성품을 낱개로 살 때의 합계")]
    is_active: bool
    orderable: bool
    components: list[ComponentOut]

    @classmethod
    def of(cls, view: SizeView) -> SizeOut:
        size = view.size
        return cls(
            id=size.id, headcount=size.headcount, price=size.price,
            price_per_person=size.price_per_person, list_value=view.list_value,
            is_active=size.is_active, orderable=view.orderable,
            components=[ComponentOut.of(c) for c in view.components],
        )


class SlotOut(msgspec.Struct):
    id: int
    delivery_date: dt.date
    window_label: str
    label: Annotated[str, msgspec.Meta(examples=["6월 12일(목) 오전 10~12시"])]
    capacity: int
    held: Annotated[int, msgspec.Meta(description="주문·결제 대기로 잡힌 상자 수")]
    available: Annotated[int, msgspec.Meta(description="더 주문할 수 있는 상자 수")]
    is_active: bool
    orderable: bool
    problem: Annotated[str | None, msgspec.Meta(description="지금 주문할 수 없는 이유")]

    @classmethod
    def of(cls, view: SlotView) -> SlotOut:
        slot = view.slot
        return cls(
            id=slot.id, delivery_date=slot.delivery_date, window_label=slot.window_label,
            label=view.label, capacity=slot.capacity, held=view.held, available=view.available,
            is_active=slot.is_active, orderable=view.orderable, problem=view.problem,
        )


def image_url(box: SnackBox) -> str | None:
    return f"/media/{box.image_path}" if box.image_path else None


def card_url(box: SnackBox) -> str | None:
    """The box's square card picture (400 × 400), for the list of boxes."""
    return f"/media/{card_path(box.image_path)}" if box.image_path else None


class SnackBoxSummary(msgspec.Struct):
    id: int
    name: str
    description: str
    image_url: str | None
    is_active: bool
    lead_days: int
    sizes: list[SizeOut]


class SnackBoxOut(msgspec.Struct):
    id: int
    name: str
    description: str
    image_url: str | None
    is_active: bool
    lead_days: int
    earliest_delivery_date: Annotated[
        dt.date, msgspec.Meta(description="오늘 주문하면 받을 수 있는 가장 이른 날 (서울)")
    ]
    sizes: list[SizeOut]
    slots: Annotated[list[SlotOut], msgspec.Meta(description="오늘 이후의 배송일")]
    assembler_vendor_id: Annotated[
        int | None, msgspec.Meta(description="꾸려서 배송하는 입점기업 id (없으면 운영자)")
    ]
    assembler_name: Annotated[str, msgspec.Meta(description="꾸려서 배송하는 곳")]
    closed_days: Annotated[list[dt.date], msgspec.Meta(description="운영자가 쉬는 날")]

    @classmethod
    def of(
        cls, box: SnackBox, sizes: list[SizeView], slots: list[SlotView], today: dt.date,
        assembler_name: str,
    ) -> SnackBoxOut:
        return cls(
            id=box.id, name=box.name, description=box.description, image_url=image_url(box),
            is_active=box.is_active, lead_days=box.lead_days,
            earliest_delivery_date=rules.earliest_delivery(today, box.lead_days),
            sizes=[SizeOut.of(s) for s in sizes], slots=[SlotOut.of(s) for s in slots],
            assembler_vendor_id=box.assembler_vendor_id, assembler_name=assembler_name,
            closed_days=sorted(delivery_days.parse_closed_days(box.closed_days)),
        )


class EligibleVariantOut(msgspec.Struct):
    variant_id: int
    product_id: int
    product_name: str
    option_label: str
    vendor_name: str
    price: Won
    category: str
