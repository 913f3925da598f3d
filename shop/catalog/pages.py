"""The vendor console (판매자 콘솔): HTML forms for a vendor's members to manage products.

Works without JavaScript: every action is a CSRF-protected form post. A form with wrong
input comes back with what was typed and the message beside the field; every successful
action redirects with a flash message saying what happened.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.auth import requires_user
from infra.web.forms import Refusal, act_and_redirect, attempt, safe_next
from infra.web.params import DbSession, FormData, MultipartData, SignedIn
from shop.catalog import rules, services
from shop.catalog.controllers import AppSettings, provide_settings
from shop.catalog.models import PRODUCT_TRANSITIONS, Product, ProductStatus
from shop.catalog.rules import ProductChanges, ProductDraft, VariantDraft
from shop.catalog.taxonomy import Category, StrategicItem
from shop.vendors.access import vendor_for_member, vendors_of
from shop.vendors.models import Vendor, VendorStatus

#: Variant rows the form shows at least (more when a product already has more options).
VARIANT_ROWS = 5
CONSOLE_PAGE_SIZE = 20
REVIEW_NOTE = "심사 중에는 상품을 등록할 수 있지만 판매(공개)는 승인 후 가능합니다"
VARIANT_KEY = re.compile(r"^variants\[(\d+)\]\.(sku|option_label|price|stock)$")
VARIANT_FIELDS = ("sku", "option_label", "price", "stock")


def vendor_note(vendor: Vendor) -> str:
    """Why a vendor cannot sell yet, in the words the console shows (empty if it can)."""
    if vendor.can_sell:
        return ""
    if vendor.status is VendorStatus.APPLIED:
        return REVIEW_NOTE
    return f"현재 입점 상태가 '{vendor.status.label}'이어서 상품을 공개(판매)할 수 없습니다."


# -- form <-> draft -----------------------------------------------------------------------


def _row_count(form: dict[str, str], minimum: int) -> int:
    indices = [int(m.group(1)) for key in form if (m := VARIANT_KEY.match(key))]
    return min(max([minimum, *(i + 1 for i in indices)]), rules.MAX_VARIANTS)


def draft_from_form(form: dict[str, str]) -> tuple[ProductDraft, list[int]]:
    """The draft a form describes, and for each of its variants the form row it came from.

    Empty variant rows are skipped; a row with anything typed in it is a variant.
    """
    variants: list[VariantDraft] = []
    rows: list[int] = []
    for row in range(_row_count(form, 0)):
        cells = {f: (form.get(f"variants[{row}].{f}") or "").strip() for f in VARIANT_FIELDS}
        if not any(cells.values()):
            continue
        variants.append(VariantDraft(
            sku=cells["sku"], option_label=cells["option_label"],
            price=cells["price"], stock=cells["stock"] or "0",
        ))
        rows.append(row)
    draft = ProductDraft(
        name=form.get("name", ""),
        description=form.get("description", ""),
        category=form.get("category", ""),
        strategic_items=tuple(
            item.value for item in StrategicItem if form.get(f"strategic_items.{item.value}")
        ),
        eco_friendly=bool(form.get("eco_friendly")),
        variants=tuple(variants),
    )
    return draft, rows


def errors_for_form(errors: dict[str, str], rows: list[int]) -> dict[str, str]:
    """The error messages keyed by the form's own field names (variant index → form row)."""
    out: dict[str, str] = {}
    for field, message in errors.items():
        key = field
        if match := re.match(r"^variants\[(\d+)\]\.(\w+)$", field):
            index = int(match.group(1))
            row = rows[index] if index < len(rows) else index
            key = f"variants[{row}].{match.group(2)}"
        elif field.startswith("strategic_items"):
            key = "strategic_items"
        out.setdefault(key, message)
    return out


def form_of(product: Product) -> dict[str, str]:
    form: dict[str, str] = {
        "name": product.name,
        "description": product.description,
        "category": product.category.value,
    }
    if product.eco_friendly:
        form["eco_friendly"] = "on"
    for value in product.strategic_items or ():
        form[f"strategic_items.{value}"] = "on"
    active = [v for v in product.variants if v.is_active]
    for row, variant in enumerate(active):
        form[f"variants[{row}].sku"] = variant.sku
        form[f"variants[{row}].option_label"] = variant.option_label
        form[f"variants[{row}].price"] = str(variant.price)
        form[f"variants[{row}].stock"] = str(variant.stock)
    return form


def _form_page(
    *,
    vendor: Vendor,
    product: Product | None,
    form: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    return Template(
        "catalog/product_form.html",
        context={
            "vendor": vendor,
            "product": product,
            "form": form,
            "errors": errors,
            "rows": range(_row_count(form, VARIANT_ROWS)),
            "vendor_note": vendor_note(vendor),
            "max_images": rules.MAX_IMAGES,
            "category_options": [(c.value, c.label) for c in Category],
        },
        status_code=status_code,
    )


async def _edit_page(
    session: AsyncSession,
    user: User,
    product_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    product, vendor = await services.product_for_member(session, user, product_id)
    return _form_page(
        vendor=vendor, product=product, form=form if form is not None else form_of(product),
        errors=errors or {}, status_code=status_code,
    )


class ConsolePages(Controller):
    path = "/console"
    include_in_schema = False
    guards = [requires_user]
    dependencies = {"settings": Provide(provide_settings, sync_to_thread=False)}

    @get("/", name="catalog:console")
    async def console(
        self,
        user: SignedIn,
        db_session: DbSession,
        vendor: FromQuery[int | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        page = max(1, page)
        sections = []
        for v in await vendors_of(db_session, user):
            current = page if vendor == v.id else 1
            products, total = await services.list_vendor_products(
                db_session, user, v.id, limit=CONSOLE_PAGE_SIZE,
                offset=(current - 1) * CONSOLE_PAGE_SIZE,
            )
            sections.append({
                "vendor": v,
                "note": vendor_note(v),
                "products": products,
                "total": total,
                "page": current,
                "pages": max(1, -(-total // CONSOLE_PAGE_SIZE)),
            })
        return Template(
            "catalog/console.html",
            context={
                "sections": sections,
                "can_publish": lambda p: PRODUCT_TRANSITIONS.can(p.status, ProductStatus.PUBLISHED),
                "can_unpublish": lambda p: PRODUCT_TRANSITIONS.can(
                    p.status, ProductStatus.UNPUBLISHED
                ),
            },
        )

    @get("/vendors/{vendor_id:int}/products/new", name="catalog:new")
    async def new_form(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int]
    ) -> Template:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        return _form_page(vendor=vendor, product=None, form={}, errors={})

    @post("/vendors/{vendor_id:int}/products/new")
    async def create(
        self,
        request: Request[Any, Any, Any],
        user: SignedIn,
        db_session: DbSession,
        settings: AppSettings,
        vendor_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        draft, rows = draft_from_form(data)

        async def create() -> Product:
            return await services.create_product(db_session, settings, user, vendor_id, draft)

        product = await attempt(db_session, create)
        if isinstance(product, Refusal):
            vendor = await vendor_for_member(db_session, user, vendor_id)  # the rollback expired it
            return _form_page(
                vendor=vendor, product=None, form=data,
                errors=errors_for_form(product.errors, rows), status_code=product.status_code,
            )
        hint = "" if vendor.can_sell else " " + REVIEW_NOTE + "."
        flash(
            request,
            f"'{product.name}' 상품을 등록했습니다 (작성 중).{hint}",
            category="success",
        )
        return Redirect(f"/console/products/{product.id}/edit")

    @get("/products/{product_id:int}/edit", name="catalog:edit")
    async def edit_form(
        self, user: SignedIn, db_session: DbSession, product_id: FromPath[int]
    ) -> Template:
        return await _edit_page(db_session, user, product_id)

    @post("/products/{product_id:int}/edit")
    async def update(
        self,
        request: Request[Any, Any, Any],
        user: SignedIn,
        db_session: DbSession,
        settings: AppSettings,
        product_id: FromPath[int],
        data: FormData,
    ) -> Template | Redirect:
        draft, rows = draft_from_form(data)
        changes = ProductChanges(
            name=draft.name, description=draft.description, category=draft.category,
            strategic_items=draft.strategic_items, eco_friendly=draft.eco_friendly,
            variants=draft.variants,
        )

        async def save() -> Product:
            return await services.update_product(db_session, settings, user, product_id, changes)

        product = await attempt(db_session, save)
        if isinstance(product, Refusal):
            return await _edit_page(
                db_session, user, product_id, form=data,
                errors=errors_for_form(product.errors, rows), status_code=product.status_code,
            )
        flash(request, f"'{product.name}' 상품 정보를 저장했습니다.", category="success")
        return Redirect(f"/console/products/{product.id}/edit")

    @post("/products/{product_id:int}/publish")
    async def publish(
        self,
        request: Request[Any, Any, Any],
        user: SignedIn,
        db_session: DbSession,
        product_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        return await act_and_redirect(
            request, db_session, lambda: services.publish(db_session, user, product_id),
            done=lambda product: f"'{product.name}' 상품을 공개했습니다. 이제 몰에서 판매됩니다.",
            to=safe_next(data.get("next"), "/console"), shown={409},
        )

    @post("/products/{product_id:int}/unpublish")
    async def unpublish(
        self,
        request: Request[Any, Any, Any],
        user: SignedIn,
        db_session: DbSession,
        product_id: FromPath[int],
        data: FormData,
    ) -> Redirect:
        return await act_and_redirect(
            request, db_session,
            lambda: services.unpublish(db_session, user, product_id, data.get("reason", "")),
            done=lambda product: f"'{product.name}' 상품의 판매를 중지했습니다.",
            to=safe_next(data.get("next"), "/console"),
        )

    @post("/products/{product_id:int}/images")
    async def add_image(
        self,
        request: Request[Any, Any, Any],
        user: SignedIn,
        db_session: DbSession,
        settings: AppSettings,
        product_id: FromPath[int],
        data: MultipartData,
    ) -> Template | Redirect:
        async def upload() -> None:
            image = data.get("image")
            content = await image.read() if isinstance(image, UploadFile) else b""
            alt = data.get("alt")
            await services.add_image(
                db_session, settings, user, product_id, content,
                alt=alt if isinstance(alt, str) else "",
            )

        refused = await attempt(db_session, upload)
        if isinstance(refused, Refusal):
            return await _edit_page(
                db_session, user, product_id,
                errors=refused.errors, status_code=refused.status_code,
            )
        flash(request, "이미지를 올렸습니다.", category="success")
        return Redirect(f"/console/products/{product_id}/edit")

    @post("/products/{product_id:int}/images/{image_id:int}/delete")
    async def remove_image(
        self,
        request: Request[Any, Any, Any],
        user: SignedIn,
        db_session: DbSession,
        settings: AppSettings,
        product_id: FromPath[int],
        image_id: FromPath[int],
    ) -> Redirect:
        await services.remove_image(db_session, settings, user, product_id, image_id)
        flash(request, "이미지를 삭제했습니다.", category="success")
        return Redirect(f"/console/products/{product_id}/edit")


ROUTES: list[Any] = [ConsolePages]
