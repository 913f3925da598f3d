"""What a product page shows: the catalog's description of the product, kept while the
search index says the catalog has not changed, and its variants' prices and stock, read from
the database on every request.

Loading a product with its vendor, variants and pictures through the ORM was most of a
product page's cost. The description part (name, text, pictures, labels, the vendor's card)
changes only through the catalog's events, and each such event, once the worker has indexed
it, gives the search engine a new snapshot whose cache starts empty
(``SearchEngine.catalog_cache``): keeping the description there means it is never older than
search results are. Prices, which options are on sale and the units left are read fresh,
in two statements, so a shopper about to buy sees the database's numbers (decision 83).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shop.catalog.models import Product, ProductImage, ProductStatus, ProductVariant
from shop.catalog.taxonomy import Category
from shop.checkout import availability
from shop.vendors.models import Vendor

#: Product pages kept per snapshot, beside the search engine's own entries.
PAGES_KEPT = 2048


@dataclasses.dataclass(frozen=True, slots=True)
class PageVariant:
    id: int
    option_label: str
    price: int
    stock: int
    is_active: bool


@dataclasses.dataclass(frozen=True, slots=True)
class PageProduct:
    """The attributes ``mall/product.html`` reads, as the ORM product has them."""

    id: int
    name: str
    description: str
    category: Category
    status: ProductStatus
    eco_friendly: bool
    strategic_items: list[str]
    images: list[ProductImage]
    variants: list[PageVariant]


@dataclasses.dataclass(frozen=True, slots=True)
class Described:
    """What is kept: the product without its variants' numbers, and its vendor."""

    product: PageProduct
    vendor: Vendor


def described(product: Product, vendor: Vendor) -> Described:
    """The catalog's part of a loaded product (its variants are read per request)."""
    return Described(
        PageProduct(
            id=product.id, name=product.name, description=product.description,
            category=product.category, status=product.status,
            eco_friendly=product.eco_friendly, strategic_items=list(product.strategic_items),
            images=list(product.images), variants=[],
        ),
        vendor,
    )


def kept(cache: dict[Any, Any] | None, product_id: int) -> Described | None:
    if cache is None:
        return None
    found = cache.get(("mall:product", product_id))
    return found if isinstance(found, Described) else None


def keep(cache: dict[Any, Any] | None, page: Described) -> None:
    if cache is None:
        return
    if len(cache) >= PAGES_KEPT:
        cache.pop(next(iter(cache)), None)
    cache[("mall:product", page.product.id)] = page


async def with_fresh_variants(
    read_engine: AsyncEngine, page: Described, now: dt.datetime
) -> tuple[PageProduct, dict[int, int]]:
    """The product with its variants as the database has them now, and the units left:
    two statements on the read engine, outside any transaction (``infra.db.make_read_engine``;
    the two may straddle a commit, which a page about to be reloaded can afford)."""
    async with AsyncSession(read_engine) as session:
        return await _fresh_variants(session, page, now)


async def _fresh_variants(
    session: AsyncSession, page: Described, now: dt.datetime
) -> tuple[PageProduct, dict[int, int]]:
    rows = (
        await session.execute(
            select(
                ProductVariant.id, ProductVariant.option_label, ProductVariant.price,
                ProductVariant.stock, ProductVariant.is_active,
            )
            .where(ProductVariant.product_id == page.product.id)
            .order_by(ProductVariant.id)
        )
    ).all()
    variants = [PageVariant(*row) for row in rows]
    free = await availability.available(session, [v.id for v in variants], now)
    return dataclasses.replace(page.product, variants=variants), free
