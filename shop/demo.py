"""Load the demo enterprises, people and products into the database (idempotent).

Rows are written as a finished onboarding would leave them (vendors approved, products
published) together with the events and audit rows those decisions produce, so the worker
indexes them and the admin pages show a believable history.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra import outbox
from infra.accounts.models import Role, User
from infra.accounts.services import create_user
from infra.clock import utcnow
from shop import demo_pictures
from shop.catalog import events as catalog_events
from shop.catalog import images
from shop.catalog.models import Product, ProductImage, ProductStatus, ProductVariant
from shop.demo_data import DEMO_PASSWORD, demo_products, demo_users, demo_vendors
from shop.vendors import events as vendor_events
from shop.vendors.models import MemberRole, Vendor, VendorMember, VendorStatus, VendorStatusChange

DEMO_REASON = "데모 데이터"


def _draw_and_store(public: Path, product: Product) -> ProductImage:
    drawn = demo_pictures.draw(product.name, product.category.value, product.category.label)
    digest = hashlib.sha256(drawn).hexdigest()
    renditions = images.render(drawn)
    stored = images.store(public, f"products/{product.id}/{digest}", renditions)
    return ProductImage(
        storage_path=stored, content_type=images.CONTENT_TYPE, alt=product.name[:200],
        position=0, sha256=digest, size_bytes=len(renditions.detail),
    )


async def _add_pictures(public: Path, products: list[Product]) -> None:
    """Each product's drawn picture, through the upload pipeline; Pillow releases the GIL
    while it encodes, so a few threads share the work."""
    def work() -> list[ProductImage]:
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            return list(pool.map(lambda p: _draw_and_store(public, p), products))

    for product, image in zip(products, await asyncio.to_thread(work), strict=True):
        product.images.append(image)


async def load(session: AsyncSession, *, public: Path | None = None) -> str:
    """Write the demo rows; with ``public`` (the served upload directory) every product also
    gets its drawn picture (``shop.demo_pictures``) through the upload pipeline."""
    if await session.scalar(select(func.count(Vendor.id))):
        return "입점기업 데이터가 이미 있어 데모 상품을 건너뜁니다."
    now = utcnow()
    people: dict[str, User] = {}
    for person in demo_users():
        user = await session.scalar(select(User).where(User.email == person.email))
        if user is None:
            user = await create_user(
                session,
                email=person.email,
                password=person.password,
                display_name=person.display_name,
                roles=[Role(r) for r in person.roles],
            )
        people[person.email] = user
    admin = next((u for u in people.values() if u.is_admin), None)

    seeds = demo_vendors()
    vendors: list[Vendor] = []
    for seed in seeds:
        vendor = Vendor(
            name=seed.name,
            enterprise_type=seed.enterprise_type,
            business_registration_number=seed.business_registration_number,
            representative=seed.representative,
            district=seed.district,
            phone=seed.phone,
            email=seed.email,
            description=seed.description,
            certification_number=seed.certification_number,
            certified_from=seed.certified_from,
            certified_to=seed.certified_to,
            status=VendorStatus.APPROVED,
            approved_at=now,
        )
        session.add(vendor)
        vendors.append(vendor)
    await session.flush()
    for vendor in vendors:
        session.add(
            VendorStatusChange(
                vendor_id=vendor.id,
                from_status=None,
                to_status=VendorStatus.APPLIED,
                reason=DEMO_REASON,
            )
        )
        session.add(
            VendorStatusChange(
                vendor_id=vendor.id,
                from_status=VendorStatus.APPLIED,
                to_status=VendorStatus.APPROVED,
                actor_user_id=admin.id if admin else None,
                reason=DEMO_REASON,
            )
        )
        outbox.record(
            session,
            vendor_events.VendorApproved(
                id=vendor.id, actor_user_id=admin.id if admin else None, reason=DEMO_REASON
            ),
        )
    for person in demo_users():
        if person.vendor_index is not None:
            session.add(
                VendorMember(
                    vendor_id=vendors[person.vendor_index].id,
                    user_id=people[person.email].id,
                    role=MemberRole.OWNER,
                )
            )

    products = demo_products(seeds)
    made: list[Product] = []
    for index, product_seed in enumerate(products):
        vendor = vendors[product_seed.vendor_index]
        product = Product(
            vendor_id=vendor.id,
            name=product_seed.name,
            description=product_seed.description,
            category=product_seed.category,
            strategic_items=[s.value for s in product_seed.strategic_items],
            eco_friendly=product_seed.eco_friendly,
            status=ProductStatus.PUBLISHED,
            # Spread publication over the last weeks so "newest" sorting means something.
            published_at=now - dt.timedelta(hours=len(products) - index),
            variants=[
                ProductVariant(sku=v.sku, option_label=v.label, price=v.price, stock=v.stock)
                for v in product_seed.variants
            ],
            images=[],
        )
        session.add(product)
        await session.flush()
        made.append(product)
        outbox.record(session, catalog_events.ProductCreated(id=product.id, vendor_id=vendor.id))
        outbox.record(session, catalog_events.ProductPublished(id=product.id, vendor_id=vendor.id))
    if public is not None:
        await _add_pictures(public, made)
    await session.commit()
    return (
        f"데모 데이터를 불러왔습니다: 입점기업 {len(vendors)}곳, 상품 {len(products)}개, "
        f"사용자 {len(people)}명 ({', '.join(p.email for p in demo_users())}; "
        f"데모 비밀번호 {DEMO_PASSWORD})"
    )
