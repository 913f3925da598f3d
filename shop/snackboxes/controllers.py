"""``/api/snack-boxes``: anyone reads the active boxes (sizes, prices per person, components
and their vendors, open delivery slots); organizers compose boxes and open slots.

Ordering goes through ``POST /api/checkout`` with ``snack_boxes: [{size_id, quantity,
slot_id}]``. Thin handlers: parse strictly (decision 8), call one service, shape the answer.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.auth import requires_role
from infra.web.params import DbSession, MultipartData, SignedIn, Viewer, strict_body
from shop.snackboxes import rules, services
from shop.snackboxes.errors import FieldError, invalid
from shop.snackboxes.errors import SnackBoxErrorCode as Code
from shop.snackboxes.models import SnackBox
from shop.snackboxes.schemas import (
    EligibleVariantOut,
    SizeOut,
    SlotIn,
    SlotOut,
    SlotPatch,
    SnackBoxIn,
    SnackBoxOut,
    SnackBoxSummary,
    image_url,
)

TAGS = ["다과꾸러미 (Snack boxes)"]
requires_organizer = requires_role(Role.ORGANIZER)


async def box_out(session: AsyncSession, box: SnackBox, viewer: User | None) -> SnackBoxOut:
    organizer = services.is_organizer(viewer)
    today = rules.local_today()
    sizes = await services.size_views(session, box, include_inactive=organizer)
    slots = await services.slot_views(session, box, today=today, include_closed=organizer)
    return SnackBoxOut.of(box, sizes, slots, today,
                          await services.assembler_name(session, box))


class SnackBoxesApi(Controller):
    path = "/api/snack-boxes"
    tags = TAGS

    @get("/", operation_id="listSnackBoxes", summary="다과꾸러미 목록 (판매 중)")
    async def list_boxes(
        self,
        viewer: Viewer,
        db_session: DbSession,
        include_inactive: FromQuery[bool] = False,
    ) -> list[SnackBoxSummary]:
        boxes = await services.list_boxes(
            db_session, include_inactive=include_inactive and services.is_organizer(viewer)
        )
        out = []
        for box in boxes:
            sizes = await services.size_views(db_session, box)
            out.append(SnackBoxSummary(
                id=box.id, name=box.name, description=box.description,
                image_url=image_url(box), is_active=box.is_active, lead_days=box.lead_days,
                sizes=[SizeOut.of(s) for s in sizes],
            ))
        return out

    @get(
        "/{box_id:int}", operation_id="getSnackBox",
        summary="다과꾸러미: 크기별 가격·1인당 가격, 구성품과 입점기업, 배송일",
    )
    async def get_box(
        self, viewer: Viewer, db_session: DbSession, box_id: FromPath[int]
    ) -> SnackBoxOut:
        box = await services.get_box(db_session, box_id, viewer=viewer)
        return await box_out(db_session, box, viewer)

    @post(
        "/", operation_id="createSnackBox", summary="다과꾸러미 구성 (운영자)",
        status_code=HTTP_201_CREATED, guards=[requires_organizer],
        description="구성품은 승인된 입점기업의 판매 중인 상품 옵션만 넣을 수 있습니다. "
        "잘못된 입력은 400, errors[].field가 그 칸을 가리킵니다 (예: sizes[0].price).",
    )
    async def create(
        self, user: SignedIn, request: Request[Any, Any, Any], db_session: DbSession,
        data: JSONBody[SnackBoxIn],
    ) -> SnackBoxOut:
        data = await strict_body(request, SnackBoxIn)
        box = await services.create_box(db_session, user, data.draft())
        return await box_out(db_session, box, user)

    @put(
        "/{box_id:int}", operation_id="composeSnackBox",
        summary="다과꾸러미 다시 구성 (운영자)",
        description="크기는 인원으로 맞추고, 빠진 크기는 삭제합니다 (주문된 적 있으면 중지).",
        guards=[requires_organizer],
    )
    async def compose(
        self, user: SignedIn, request: Request[Any, Any, Any], db_session: DbSession,
        box_id: FromPath[int],
        data: JSONBody[SnackBoxIn],
    ) -> SnackBoxOut:
        data = await strict_body(request, SnackBoxIn)
        box = await services.compose_box(db_session, user, box_id, data.draft())
        return await box_out(db_session, box, user)

    @put(
        "/{box_id:int}/image", operation_id="setSnackBoxImage",
        summary="다과꾸러미 사진 (multipart: image; PNG·JPEG·WebP, 운영자)",
        guards=[requires_organizer], status_code=HTTP_200_OK,
    )
    async def set_image(
        self, user: SignedIn, request: Request[Any, Any, Any], db_session: DbSession,
        box_id: FromPath[int],
        data: MultipartData,
    ) -> SnackBoxOut:
        upload = data.get("image")
        if not isinstance(upload, UploadFile):
            raise invalid([FieldError("image", Code.INVALID_IMAGE, "이미지 파일을 골라 주세요.")])
        box = await services.set_image(
            db_session, request.app.state.settings, user, box_id, await upload.read()
        )
        return await box_out(db_session, box, user)

    @post(
        "/{box_id:int}/slots", operation_id="openSnackBoxSlot",
        summary="배송일 열기 (운영자): 날짜, 시간대(선택), 받을 상자 수",
        status_code=HTTP_201_CREATED, guards=[requires_organizer],
    )
    async def add_slot(
        self, user: SignedIn, request: Request[Any, Any, Any], db_session: DbSession,
        box_id: FromPath[int],
        data: JSONBody[SlotIn],
    ) -> SlotOut:
        data = await strict_body(request, SlotIn)
        slot = await services.add_slot(db_session, user, box_id, rules.SlotDraft(
            delivery_date=data.delivery_date, capacity=data.capacity,
            window_label=data.window_label,
        ))
        box = await services.get_box(db_session, box_id, viewer=user)
        views = await services.slot_views(db_session, box, include_closed=True)
        return SlotOut.of(next(v for v in views if v.slot.id == slot.id))

    @patch(
        "/{box_id:int}/slots/{slot_id:int}", operation_id="changeSnackBoxSlot",
        summary="배송일 수량 바꾸기·마감 (운영자): 이미 잡힌 상자 수보다 줄일 수 없음 (409)",
        guards=[requires_organizer],
    )
    async def change_slot(
        self, user: SignedIn, request: Request[Any, Any, Any], db_session: DbSession,
        box_id: FromPath[int],
        slot_id: FromPath[int], data: JSONBody[SlotPatch],
    ) -> SlotOut:
        data = await strict_body(request, SlotPatch)
        slot = await services.change_slot(
            db_session, user, box_id, slot_id, capacity=data.capacity, is_active=data.is_active
        )
        box = await services.get_box(db_session, box_id, viewer=user)
        views = await services.slot_views(db_session, box, include_closed=True,
                                          today=min(slot.delivery_date, rules.local_today()))
        return SlotOut.of(next(v for v in views if v.slot.id == slot.id))

    @get(
        "/eligible-variants", operation_id="listSnackBoxVariants",
        summary="구성에 넣을 수 있는 상품 옵션 (운영자): 승인된 입점기업의 판매 중 상품",
        guards=[requires_organizer],
    )
    async def eligible(
        self, user: SignedIn, db_session: DbSession, q: FromQuery[str] = "",
        limit: FromQuery[int] = 100,
    ) -> list[EligibleVariantOut]:
        found = await services.eligible_variants(db_session, user, q=q,
                                                 limit=limit)
        return [
            EligibleVariantOut(
                variant_id=v.variant_id, product_id=v.product_id, product_name=v.product_name,
                option_label=v.option_label, vendor_name=v.vendor_name, price=v.price,
                category=v.category,
            )
            for v in found
        ]


ROUTES: list[Any] = [SnackBoxesApi]
