"""The catalog's JSON API: vendors' members manage products; anyone reads products on sale.

Thin handlers: parse, call one service, shape the answer. Who may act is decided in the
services (``vendor_for_member``); the guards only turn anonymous callers away early.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from infra.auth import requires_user
from infra.settings import Settings
from infra.web.params import DbSession, MultipartData, SignedIn, Viewer, strict_body
from shop.catalog import services
from shop.catalog.errors import CatalogErrorCode as Code
from shop.catalog.errors import FieldError, invalid
from shop.catalog.models import ProductStatus
from shop.catalog.schemas import (
    ImageOut,
    ProductIn,
    ProductOut,
    ProductPage,
    ProductPatch,
    StockIn,
    UnpublishIn,
)

TAGS = ["상품 (Catalog)"]


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


AppSettings = NamedDependency[Settings]


class VendorProductsApi(Controller):
    path = "/api/vendors/{vendor_id:int}/products"
    tags = TAGS
    guards = [requires_user]
    dependencies = {"settings": Provide(provide_settings, sync_to_thread=False)}

    @post(
        "/", operation_id="createProduct", summary="상품 등록 (작성 중 상태로)",
        status_code=HTTP_201_CREATED,
    )
    async def create(
        self,
        user: SignedIn,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        settings: AppSettings,
        vendor_id: FromPath[int],
        data: JSONBody[ProductIn],
    ) -> ProductOut:
        data = await strict_body(request, ProductIn)
        product = await services.create_product(
            db_session, settings, user, vendor_id, data.draft()
        )
        return ProductOut.of(product)

    @get("/", operation_id="listVendorProducts", summary="입점기업의 상품 목록 (모든 상태)")
    async def list_products(
        self,
        user: SignedIn,
        db_session: DbSession,
        vendor_id: FromPath[int],
        status: FromQuery[ProductStatus | None] = None,
        limit: FromQuery[int] = 20,
        offset: FromQuery[int] = 0,
    ) -> ProductPage:
        limit = max(1, min(limit, services.MAX_PAGE_SIZE))
        offset = max(0, offset)
        items, total = await services.list_vendor_products(
            db_session, user, vendor_id, status=status, limit=limit,
            offset=offset,
        )
        return ProductPage(
            items=[ProductOut.of(p) for p in items], total=total, limit=limit, offset=offset
        )


class ProductsApi(Controller):
    path = "/api/products/{product_id:int}"
    tags = TAGS
    dependencies = {"settings": Provide(provide_settings, sync_to_thread=False)}

    @get(
        "/", operation_id="getProduct",
        summary="상품 조회 (판매 중 상품은 누구나, 그 밖은 구성원·관리자만)",
    )
    async def get_product(
        self, viewer: Viewer, db_session: DbSession, product_id: FromPath[int]
    ) -> ProductOut:
        product = await services.get_product(db_session, viewer, product_id)
        return ProductOut.of(product)

    @patch(
        "/", operation_id="updateProduct", summary="상품 수정 (옵션은 SKU 기준으로 교체)",
        guards=[requires_user],
    )
    async def update(
        self,
        user: SignedIn,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        settings: AppSettings,
        product_id: FromPath[int],
        data: JSONBody[ProductPatch],
    ) -> ProductOut:
        data = await strict_body(request, ProductPatch)
        product = await services.update_product(
            db_session, settings, user, product_id, data.changes()
        )
        return ProductOut.of(product)

    @post(
        "/publish", operation_id="publishProduct", summary="상품 공개 (승인된 입점기업만)",
        status_code=HTTP_200_OK, guards=[requires_user],
    )
    async def publish(
        self, user: SignedIn, db_session: DbSession, product_id: FromPath[int]
    ) -> ProductOut:
        product = await services.publish(db_session, user, product_id)
        return ProductOut.of(product)

    @post(
        "/unpublish", operation_id="unpublishProduct", summary="상품 판매 중지 (사유와 함께)",
        status_code=HTTP_200_OK, guards=[requires_user],
    )
    async def unpublish(
        self,
        user: SignedIn,
        db_session: DbSession,
        product_id: FromPath[int],
        data: JSONBody[UnpublishIn | None] = None,
    ) -> ProductOut:
        reason = data.reason if data is not None else ""
        product = await services.unpublish(db_session, user, product_id, reason)
        return ProductOut.of(product)

    @put(
        "/variants/{sku:str}/stock", operation_id="setVariantStock", summary="옵션(SKU) 재고 설정",
        guards=[requires_user],
    )
    async def set_stock(
        self,
        user: SignedIn,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        product_id: FromPath[int],
        sku: FromPath[str],
        data: JSONBody[StockIn],
    ) -> ProductOut:
        data = await strict_body(request, StockIn)
        product = await services.set_stock(
            db_session, user, product_id, sku, data.stock
        )
        return ProductOut.of(product)

    @post(
        "/images", operation_id="addProductImage",
        summary="상품 이미지 올리기 (multipart: image, alt; PNG·JPEG·WebP, 8장까지)",
        description="올린 파일은 그대로 저장하지 않습니다: 이미지로 읽어 회전 정보를 적용하고 "
        "픽셀만 WebP로 다시 저장합니다(EXIF·위치 정보 삭제). `url`은 긴 변 1200px 이하, "
        "`card_url`은 400×400 카드용입니다. 읽을 수 없는 파일은 415, 4천만 화소를 넘으면 400.",
        status_code=HTTP_201_CREATED, guards=[requires_user],
    )
    async def add_image(
        self,
        user: SignedIn,
        db_session: DbSession,
        settings: AppSettings,
        product_id: FromPath[int],
        data: MultipartData,
    ) -> ImageOut:
        upload = data.get("image")
        if not isinstance(upload, UploadFile):
            raise invalid([FieldError("image", Code.IMAGE_MISSING, "이미지 파일을 골라 주세요.")])
        content = await upload.read()
        alt = data.get("alt")
        image = await services.add_image(
            db_session, settings, user, product_id, content,
            alt=alt if isinstance(alt, str) else "",
        )
        return ImageOut.of(image)

    @delete(
        "/images/{image_id:int}", operation_id="removeProductImage", summary="상품 이미지 삭제",
        guards=[requires_user],
    )
    async def remove_image(
        self,
        user: SignedIn,
        db_session: DbSession,
        settings: AppSettings,
        product_id: FromPath[int],
        image_id: FromPath[int],
    ) -> None:
        await services.remove_image(
            db_session, settings, user, product_id, image_id
        )


ROUTES: list[Any] = [VendorProductsApi, ProductsApi]
