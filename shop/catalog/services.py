"""Catalog use cases: each one checks who asks, applies the rules, and commits one transaction
holding the rows and the outbox event that describes them.

Bad input raises before anything is added to the session, so it writes nothing: no row, no
event, no file. Image files (re-encoded, never the upload's bytes) are written inside the
transaction and removed again if it fails; a removed image's files go only after its row is
gone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import end_read, transaction
from infra.errors import Conflict, NotFound
from infra.outbox import record
from infra.settings import Settings
from shop.catalog import images, rules
from shop.catalog.errors import CatalogErrorCode as Code
from shop.catalog.errors import FieldError
from shop.catalog.events import (
    ProductCreated,
    ProductPublished,
    ProductUnpublished,
    ProductUpdated,
    StockChanged,
)
from shop.catalog.models import (
    PRODUCT_TRANSITIONS,
    Product,
    ProductImage,
    ProductStatus,
    ProductStatusChange,
    ProductVariant,
)
from shop.catalog.rules import CleanProduct, CleanVariant, ProductChanges, ProductDraft
from shop.checkout import availability
from shop.vendors.access import member_role, vendor_for_member
from shop.vendors.models import Vendor

MAX_PAGE_SIZE = 100


def _now() -> dt.datetime:
    return utcnow()


def _actor(user: User | None) -> int | None:
    return user.id if user is not None else None


def public_dir(settings: Settings) -> Path:
    """Files here are served by the app under ``/media``."""
    return settings.upload_dir / "public"


# -- loading ------------------------------------------------------------------------------


async def _load(session: AsyncSession, product_id: int) -> Product:
    # populate_existing: always the row as committed, with its variants and images loaded.
    product = await session.get(Product, product_id, populate_existing=True)
    if product is None:
        raise NotFound(Code.PRODUCT_NOT_FOUND, "상품을 찾을 수 없습니다.", field="product_id")
    return product


async def product_for_member(
    session: AsyncSession, user: User | None, product_id: int
) -> tuple[Product, Vendor]:
    """The product and its vendor, if ``user`` may manage it (404 / 403 otherwise)."""
    product = await _load(session, product_id)
    vendor = await vendor_for_member(session, user, product.vendor_id)
    return product, vendor


async def get_product(session: AsyncSession, user: User | None, product_id: int) -> Product:
    """A product as ``user`` may see it: anyone sees products on sale at an approved vendor;
    the vendor's members and admins see every status. Others get 404, not 403, so drafts
    stay unknown."""
    product = await _load(session, product_id)
    vendor = await session.get(Vendor, product.vendor_id)
    if product.status is ProductStatus.PUBLISHED and vendor is not None and vendor.can_sell:
        return product
    if user is not None and (
        user.is_admin or await member_role(session, user, product.vendor_id) is not None
    ):
        return product
    raise NotFound(Code.PRODUCT_NOT_FOUND, "상품을 찾을 수 없습니다.", field="product_id")


async def list_vendor_products(
    session: AsyncSession,
    user: User | None,
    vendor_id: int,
    *,
    status: ProductStatus | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[Product], int]:
    """One page of a vendor's products in every status (members and admins), newest first."""
    await vendor_for_member(session, user, vendor_id)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    offset = max(0, offset)
    where = [Product.vendor_id == vendor_id]
    if status is not None:
        where.append(Product.status == status)
    total = await session.scalar(select(func.count(Product.id)).where(*where)) or 0
    rows = await session.scalars(
        select(Product).where(*where).order_by(Product.id.desc()).limit(limit).offset(offset)
    )
    return list(rows.all()), int(total)


# -- creating and editing -----------------------------------------------------------------


async def _ensure_skus_free(
    session: AsyncSession, variants: Sequence[CleanVariant], product_id: int | None
) -> None:
    """SKUs are unique across the mall: refuse one that another product already uses."""
    skus = [v.sku for v in variants]
    if not skus:
        return
    stmt = select(ProductVariant.sku).where(ProductVariant.sku.in_(skus))
    if product_id is not None:
        stmt = stmt.where(ProductVariant.product_id != product_id)
    taken = set((await session.scalars(stmt)).all())
    if taken:
        errors = [
            FieldError(
                f"variants[{i}].sku",
                Code.DUPLICATE_SKU,
                f"SKU '{v.sku}'는 이미 다른 상품에서 쓰고 있습니다.",
            )
            for i, v in enumerate(variants)
            if v.sku in taken
        ]
        first = errors[0]
        raise Conflict(
            first.code, first.message, field=first.field,
            extra={"errors": [e.as_dict() for e in errors]},
        )


async def _flush(session: AsyncSession) -> None:
    """Flush; a SKU taken by a concurrent request between check and insert is a 409, not a 500."""
    try:
        await session.flush()
    except IntegrityError as exc:
        if "sku" not in str(exc.orig).lower():
            raise
        raise Conflict(
            Code.DUPLICATE_SKU, "같은 SKU가 방금 다른 상품에 등록되었습니다.", field="variants"
        ) from exc


def _clean_of(product: Product) -> CleanProduct:
    return CleanProduct(
        name=product.name,
        description=product.description or "",
        category=product.category,
        strategic_items=tuple(rules.StrategicItem(v) for v in product.strategic_items or ()),
        eco_friendly=bool(product.eco_friendly),
        variants=tuple(
            CleanVariant(sku=v.sku, option_label=v.option_label, price=v.price, stock=v.stock)
            for v in product.variants
            if v.is_active
        ),
    )


def draft_of(product: Product) -> ProductDraft:
    """The product as an editable draft (active variants only)."""
    return ProductDraft(
        name=product.name,
        description=product.description or "",
        category=product.category.value,
        strategic_items=tuple(product.strategic_items or ()),
        eco_friendly=bool(product.eco_friendly),
        variants=tuple(
            rules.VariantDraft(
                sku=v.sku, option_label=v.option_label, price=v.price, stock=v.stock
            )
            for v in product.variants
            if v.is_active
        ),
    )


async def create_product(
    session: AsyncSession,
    settings: Settings,
    user: User | None,
    vendor_id: int,
    draft: ProductDraft,
) -> Product:
    """A new product in draft (작성 중). A vendor under review may prepare its catalog."""
    vendor = await vendor_for_member(session, user, vendor_id)
    clean = rules.validate_draft(draft)
    await _ensure_skus_free(session, clean.variants, None)
    async with transaction(session):
        product = Product(
            vendor_id=vendor.id,
            name=clean.name,
            description=clean.description,
            category=clean.category,
            strategic_items=[i.value for i in clean.strategic_items],
            eco_friendly=clean.eco_friendly,
            status=ProductStatus.DRAFT,
            status_reason="",
            variants=[
                ProductVariant(
                    sku=v.sku, option_label=v.option_label, price=v.price, stock=v.stock,
                    is_active=True,
                )
                for v in clean.variants
            ],
            images=[],
        )
        session.add(product)
        await _flush(session)
        record(session, ProductCreated(
            id=product.id, vendor_id=vendor.id, actor_user_id=_actor(user)
        ))
    return product


async def update_product(
    session: AsyncSession,
    settings: Settings,
    user: User | None,
    product_id: int,
    changes: ProductChanges,
) -> Product:
    """Apply ``changes``; variants are matched by SKU: existing ones updated (and reactivated),
    new ones added, missing ones deactivated (kept for past orders). No change, no event."""
    product, _vendor = await product_for_member(session, user, product_id)
    before = _clean_of(product)
    after = rules.validate_draft(changes.applied_to(draft_of(product)))
    fields = rules.changed_fields(before, after)
    if not fields:
        return product
    if "variants" in fields:
        await _ensure_skus_free(session, after.variants, product.id)
    async with transaction(session):
        if "variants" in fields:
            current = {v.sku: v.id for v in product.variants}
            await _refuse_below_committed(
                session,
                {current[v.sku]: v.stock for v in after.variants if v.sku in current},
                field="variants",
            )
        product.name = after.name
        product.description = after.description
        product.category = after.category
        product.strategic_items = [i.value for i in after.strategic_items]
        product.eco_friendly = after.eco_friendly
        if "variants" in fields:
            _replace_variants(product, after.variants)
        await _flush(session)
        record(session, ProductUpdated(
            id=product.id, vendor_id=product.vendor_id, actor_user_id=_actor(user), fields=fields
        ))
    return product


def _replace_variants(product: Product, variants: Sequence[CleanVariant]) -> None:
    by_sku = {v.sku: v for v in product.variants}
    wanted = {v.sku for v in variants}
    for clean in variants:
        row = by_sku.get(clean.sku)
        if row is None:
            product.variants.append(ProductVariant(
                sku=clean.sku, option_label=clean.option_label, price=clean.price,
                stock=clean.stock, is_active=True,
            ))
            continue
        row.option_label = clean.option_label
        row.price = clean.price
        row.stock = clean.stock
        row.is_active = True
    for row in product.variants:
        if row.sku not in wanted:
            row.is_active = False


# -- status -------------------------------------------------------------------------------


def _transition(
    session: AsyncSession, product: Product, target: ProductStatus, user: User | None, reason: str
) -> None:
    PRODUCT_TRANSITIONS.check(product.status, target)
    session.add(ProductStatusChange(
        product_id=product.id, from_status=product.status, to_status=target,
        actor_user_id=_actor(user), reason=reason,
    ))
    product.status = target


async def publish(session: AsyncSession, user: User | None, product_id: int) -> Product:
    """Put the product on sale (판매 중); only an approved vendor sells."""
    product, vendor = await product_for_member(session, user, product_id)
    if not vendor.can_sell:
        raise Conflict(
            Code.VENDOR_NOT_APPROVED,
            "입점 승인을 받은 기업만 상품을 공개(판매)할 수 있습니다. "
            f"현재 상태: {vendor.status.label}",
            field="vendor_id",
            extra={"vendor_status": vendor.status.value},
        )
    PRODUCT_TRANSITIONS.check(product.status, ProductStatus.PUBLISHED)
    if not any(v.is_active for v in product.variants):
        raise Conflict(Code.NO_VARIANTS, "판매할 옵션(SKU)이 없습니다.", field="variants")
    async with transaction(session):
        _transition(session, product, ProductStatus.PUBLISHED, user, "")
        product.published_at = _now()
        product.status_reason = ""
        record(session, ProductPublished(
            id=product.id, vendor_id=product.vendor_id, actor_user_id=_actor(user)
        ))
    return product


async def unpublish(
    session: AsyncSession, user: User | None, product_id: int, reason: str = ""
) -> Product:
    """Take the product off sale (판매 중지), saying why."""
    product, _vendor = await product_for_member(session, user, product_id)
    reason = rules.validate_reason(reason)
    PRODUCT_TRANSITIONS.check(product.status, ProductStatus.UNPUBLISHED)
    async with transaction(session):
        _transition(session, product, ProductStatus.UNPUBLISHED, user, reason)
        product.status_reason = reason
        record(session, ProductUnpublished(
            id=product.id, vendor_id=product.vendor_id, actor_user_id=_actor(user), reason=reason
        ))
    return product


# -- stock --------------------------------------------------------------------------------


async def set_stock(
    session: AsyncSession, user: User | None, product_id: int, sku: str, stock: int | str
) -> Product:
    """Set one variant's stock; the same number again changes nothing and records nothing."""
    product, _vendor = await product_for_member(session, user, product_id)
    variant = next((v for v in product.variants if v.sku == sku), None)
    if variant is None:
        message = f"이 상품에 SKU '{sku}' 옵션이 없습니다."
        raise NotFound(Code.VARIANT_NOT_FOUND, message, field="sku")
    value = rules.validate_stock(stock)
    if variant.stock == value:
        return product
    async with transaction(session):
        await _refuse_below_committed(session, {variant.id: value}, field="stock")
        variant.stock = value
        record(session, StockChanged(
            id=product.id, vendor_id=product.vendor_id, actor_user_id=_actor(user),
            sku=variant.sku, stock=value,
        ))
    return product


async def _refuse_below_committed(
    session: AsyncSession, new_stock: dict[int, int], *, field: str
) -> None:
    """Stock may not drop below units already sold (paid, not yet shipped) or held by a
    checkout in progress: those sales would then have nothing to ship. The variant rows are
    locked first, as checkouts lock them, so no sale slips in between."""
    if not new_stock:
        return
    await availability.lock_variants(session, list(new_stock))
    levels = await availability.stock_levels(session, list(new_stock), utcnow())
    for variant_id, value in sorted(new_stock.items()):
        level = levels.get(variant_id)
        committed = level.allocated + level.reserved if level else 0
        if value < committed:
            raise Conflict(
                Code.STOCK_BELOW_SOLD,
                f"재고를 {committed}개보다 적게 할 수 없습니다: 결제되어 발송을 기다리는 상품이 "
                f"{level.allocated if level else 0}개, 결제 중인 주문에 잡힌 상품이 "
                f"{level.reserved if level else 0}개 있습니다.",
                field=field, extra={"variant_id": variant_id, "committed": committed},
            )


# -- images -------------------------------------------------------------------------------


async def add_image(
    session: AsyncSession,
    settings: Settings,
    user: User | None,
    product_id: int,
    data: bytes,
    *,
    alt: str = "",
) -> ProductImage:
    """Re-encode an upload (``shop.catalog.images``) and store it at
    ``public/products/<id>/<sha256 of the upload>.webp`` with its card (served at ``/media``).
    """
    product, _vendor = await product_for_member(session, user, product_id)
    clean = await asyncio.to_thread(
        rules.validate_image,
        data, max_bytes=settings.max_upload_bytes, existing=len(product.images), alt=alt,
    )
    digest = hashlib.sha256(data).hexdigest()
    if any(image.sha256 == digest for image in product.images):
        raise Conflict(Code.DUPLICATE_IMAGE, "이미 올린 이미지입니다.", field="image")
    public = public_dir(settings)
    stored: str | None = None
    try:
        async with transaction(session):
            stored = await asyncio.to_thread(
                images.store, public, f"products/{product.id}/{digest}", clean.renditions
            )
            image = ProductImage(
                storage_path=stored, content_type=clean.content_type,
                alt=clean.alt or product.name[:200],
                position=max((i.position for i in product.images), default=-1) + 1,
                sha256=digest, size_bytes=len(clean.renditions.detail),
            )
            product.images.append(image)
            record(session, ProductUpdated(
                id=product.id, vendor_id=product.vendor_id, actor_user_id=_actor(user),
                fields=("images",),
            ))
            await session.flush()
    except BaseException:
        if stored is not None:
            await asyncio.to_thread(images.remove, public, stored)
        raise
    return image


async def remove_image(
    session: AsyncSession, settings: Settings, user: User | None, product_id: int, image_id: int
) -> Product:
    product, _vendor = await product_for_member(session, user, product_id)
    image = next((i for i in product.images if i.id == image_id), None)
    if image is None:
        raise NotFound(Code.IMAGE_NOT_FOUND, "이미지를 찾을 수 없습니다.", field="image_id")
    stored = image.storage_path
    async with transaction(session):
        product.images.remove(image)
        for position, remaining in enumerate(product.images):
            remaining.position = position
        record(session, ProductUpdated(
            id=product.id, vendor_id=product.vendor_id, actor_user_id=_actor(user),
            fields=("images",),
        ))
    await asyncio.to_thread(images.remove, public_dir(settings), stored)
    return product


async def reencode_stored_images(session: AsyncSession, settings: Settings) -> tuple[int, int]:
    """Pictures stored as uploaded, before the pipeline (decision 58): each re-encoded in
    place of its file, or removed with its row when it does not decode as a picture (a
    disguised file). One transaction and one ``ProductUpdated`` per picture, so search
    picks up the card. Returns (re-encoded, removed); a second run finds nothing."""
    public = public_dir(settings)
    rows = (await session.execute(
        select(ProductImage, Product.vendor_id)
        .join(Product, Product.id == ProductImage.product_id)
        .where(~ProductImage.storage_path.endswith(f".{images.EXTENSION}"))
        .order_by(ProductImage.id)
    )).all()
    await end_read(session)
    done = removed = 0
    for image, vendor_id in rows:
        old = image.storage_path
        stored = await asyncio.to_thread(images.reencode_file, public, old)
        async with transaction(session):
            if stored is None:
                await session.delete(image)
                removed += 1
            else:
                image.storage_path, image.content_type = stored, images.CONTENT_TYPE
                image.size_bytes = (public / stored).stat().st_size
                done += 1
            record(session, ProductUpdated(id=image.product_id, vendor_id=vendor_id,
                                           actor_user_id=None, fields=("images",)))
        await asyncio.to_thread(images.remove, public, old)
    return done, removed
