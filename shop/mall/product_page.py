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

import asyncio
import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from infra.clock import utcnow
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


Fresh = tuple[PageProduct, dict[int, int]]


class FreshReads:
    """Requests for one product's numbers that arrive while a read of them is under way
    share the *next* read, which starts when that one ends: every answer still comes from a
    read begun after its request arrived (nothing is reused), but a busy product page asks
    the database once per read's duration rather than once per request. One per
    application (``app.state.product_reads``)."""

    def __init__(self) -> None:
        self._running: dict[int, asyncio.Future[Fresh]] = {}
        #: Per product, the answer the next read owes, and the description it is read for
        #: (the first waiter's: the newest one seen).
        self._next: dict[int, tuple[asyncio.Future[Fresh], Described]] = {}

    async def read(self, read_engine: AsyncEngine, page: Described) -> Fresh:
        key = page.product.id
        if key not in self._running:
            return await asyncio.shield(self._start(read_engine, page))
        if key not in self._next:
            self._next[key] = (asyncio.get_running_loop().create_future(), page)
        return await asyncio.shield(self._next[key][0])

    def _start(self, read_engine: AsyncEngine, page: Described) -> asyncio.Future[Fresh]:
        key = page.product.id
        running = asyncio.ensure_future(with_fresh_variants(read_engine, page, utcnow()))
        self._running[key] = running

        def done(_finished: asyncio.Future[Fresh]) -> None:
            # ``_finished``'s answer is collected by the requests that awaited it.
            del self._running[key]
            if key not in self._next:
                return
            waiting, newest = self._next.pop(key)
            following = self._start(read_engine, newest)
            following.add_done_callback(lambda f: _settle(waiting, f))

        running.add_done_callback(done)
        return running


def _settle(waiting: asyncio.Future[Fresh], finished: asyncio.Future[Fresh]) -> None:
    if waiting.cancelled():
        return
    if finished.cancelled():
        waiting.cancel()
    elif (error := finished.exception()) is not None:
        waiting.set_exception(error)
    else:
        waiting.set_result(finished.result())


async def with_fresh_variants(
    read_engine: AsyncEngine, page: Described, now: dt.datetime
) -> Fresh:
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
