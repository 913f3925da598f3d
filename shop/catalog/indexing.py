"""From catalog rows to search documents: what the mall may show, and nothing else.

Only published products of approved vendors are in the index. Consumers never trust the
event's payload for content: they re-read the product (and its vendor) and either upsert
its current document or delete it. That makes indexing idempotent and order-free: replaying
an old event, or getting two out of order, still leaves the index equal to the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import utcnow
from search.documents import ProductDocument
from search.engine import SearchEngine
from shop.catalog.models import Product, ProductStatus
from shop.search_tuning.services import saved_synonyms
from shop.vendors.models import Vendor, VendorStatus


def is_listed(product: Product, vendor: Vendor) -> bool:
    return (
        product.status is ProductStatus.PUBLISHED
        and vendor.status is VendorStatus.APPROVED
        and any(v.is_active for v in product.variants)
    )


def to_document(product: Product, vendor: Vendor) -> ProductDocument:
    image = product.images[0].card_url if product.images else None
    return ProductDocument(
        id=product.id,
        name=product.name,
        description=product.description,
        category=product.category.value,
        category_label=product.category.label,
        enterprise_type=vendor.enterprise_type.value,
        enterprise_type_label=vendor.enterprise_type.label,
        vendor_id=vendor.id,
        vendor_name=vendor.name,
        district=vendor.district.value,
        strategic_items=list(product.strategic_items or []),
        eco_friendly=product.eco_friendly,
        price_min=product.price_min,
        price_max=product.price_max,
        image_url=image,  # the card rendition: what result cards show
        published_at=product.published_at or product.created_at,
        url=f"/products/{product.id}",
    )


async def _load(session: AsyncSession, where: object) -> list[tuple[Product, Vendor]]:
    rows = await session.execute(
        select(Product, Vendor).join(Vendor, Vendor.id == Product.vendor_id).where(where)  # type: ignore[arg-type]
    )
    return [(p, v) for p, v in rows.all()]


def _split(
    pairs: Iterable[tuple[Product, Vendor]], wanted: Iterable[int]
) -> tuple[list[ProductDocument], list[int]]:
    docs: list[ProductDocument] = []
    found: set[int] = set()
    for product, vendor in pairs:
        found.add(product.id)
        if is_listed(product, vendor):
            docs.append(to_document(product, vendor))
    removed = [pid for pid in wanted if pid not in {d.id for d in docs}]
    return docs, removed


async def sync_products(
    session: AsyncSession, engine: SearchEngine, product_ids: Sequence[int]
) -> tuple[int, int]:
    """Make the index agree with the database for these products; (upserted, deleted)."""
    ids = sorted(set(product_ids))
    docs, removed = _split(await _load(session, Product.id.in_(ids)), ids)
    if docs:
        await asyncio.to_thread(engine.upsert, docs)
    if removed:
        await asyncio.to_thread(engine.delete, removed)
    return len(docs), len(removed)


async def sync_vendor(
    session: AsyncSession, engine: SearchEngine, vendor_id: int
) -> tuple[int, int]:
    """A vendor's status or name changed: every one of its products' documents changes."""
    pairs = await _load(session, Product.vendor_id == vendor_id)
    docs, removed = _split(pairs, [p.id for p, _ in pairs])
    if docs:
        await asyncio.to_thread(engine.upsert, docs)
    if removed:
        await asyncio.to_thread(engine.delete, removed)
    return len(docs), len(removed)


async def listed_documents(
    session: AsyncSession, batch: int = 1000
) -> AsyncIterator[ProductDocument]:
    """Every document the index should hold, in id order, for a rebuild."""
    last_id = 0
    while True:
        rows = await session.execute(
            select(Product, Vendor)
            .join(Vendor, Vendor.id == Product.vendor_id)
            .where(
                Product.id > last_id,
                Product.status == ProductStatus.PUBLISHED,
                Vendor.status == VendorStatus.APPROVED,
            )
            .order_by(Product.id)
            .limit(batch)
        )
        pairs = rows.all()
        if not pairs:
            return
        for product, vendor in pairs:
            if is_listed(product, vendor):
                yield to_document(product, vendor)
        last_id = pairs[-1][0].id
        session.expunge_all()


async def rebuild_index(
    session: AsyncSession, engine: SearchEngine
) -> dict[str, float | int | None]:
    """Rebuild the whole index into a new generation and swap it in, then catch up.

    The build reads a snapshot; products changed while it ran are re-synced right after the
    swap, so an edit made during a rebuild is never lost from the new index. The newest
    synonym version admins saved goes in with it (none saved: the engine keeps the seed file).
    """
    started = utcnow()
    synonyms = await saved_synonyms(session)
    docs = [doc async for doc in listed_documents(session)]
    stats = await asyncio.to_thread(engine.rebuild, docs, synonyms)
    changed = set(
        (await session.scalars(select(Product.id).where(Product.updated_at >= started))).all()
    )
    changed |= set(
        (
            await session.scalars(
                select(Product.id)
                .join(Vendor, Vendor.id == Product.vendor_id)
                .where(Vendor.updated_at >= started)
            )
        ).all()
    )
    if changed:
        await sync_products(session, engine, sorted(changed))
    return {
        "documents": stats.docs,
        "caught_up": len(changed),
        "seconds": round(stats.seconds, 3),
        "synonyms_version": synonyms.version if synonyms is not None else None,
    }
