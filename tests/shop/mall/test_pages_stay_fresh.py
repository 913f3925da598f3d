"""Cached listings never outlive the catalog: a published price change reaches the product
page at once and the listings (category, search page, search API) as soon as the worker has
indexed the event, although those listings were served from the cache a moment before; a
sold-out variant shows on the product page at once and on the listing pages as soon as
their sold-out answer is older than ``SOLD_OUT_MAX_AGE_S`` (stock is read from the database;
the listings' clock is the test's).

Over the public API with a real worker process, like ``tests/e2e/test_thin_slice.py``. The
loop's bound is only a generous limit for a loaded CI machine: how fast it happens is
measured by ``tests/bench/bench_freshness.py``, never here.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role
from infra.settings import Settings
from shop.catalog.models import ProductStatus
from shop.mall.listing_cache import SOLD_OUT_MAX_AGE_S, ListingCache
from tests.processes import start, stop
from tests.shop.factories import make_product, make_user, make_vendor

pytestmark = pytest.mark.slow

NAME = "햇살마을유기농딸기잼"
LISTINGS = ("/", "/categories/food", "/search?q=딸기잼")


async def _until(client: AsyncTestClient, check: object, what: str, log: Path) -> None:
    """Poll until ``check()`` holds; fail naming ``what`` after a generous bound."""
    started = time.monotonic()
    while time.monotonic() - started < 120:  # the worker may still be starting
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    api = (await client.get("/api/search/products", params={"q": "딸기잼"})).text
    pytest.fail(f"never became visible: {what}; search API: {api[:500]}; "
                f"worker: {log.read_text()[-1500:]}")  # noqa: ASYNC240 - a failure message


async def test_price_change_and_sold_out_show_through_the_cached_listings(
    worker_settings: Settings,
    app: Litestar, client: AsyncTestClient, db_session: AsyncSession, tmp_path: Path
) -> None:
    now = [0.0]
    listing_cache: ListingCache = app.state.listing_cache
    listing_cache.clock = lambda: now[0]
    owner = await make_user(db_session, Role.VENDOR_MEMBER, email="jam@example.kr")
    vendor = await make_vendor(db_session, owner=owner)
    product = await make_product(db_session, vendor, NAME, price=12_000,
                                 status=ProductStatus.DRAFT)
    sku = product.variants[0].sku
    await db_session.commit()
    token = (await client.post(
        "/api/auth/token", json={"email": "jam@example.kr", "password": "password-123"}
    )).json()["token"]
    owner_headers = {"Authorization": f"Bearer {token}"}

    async def listed(price: str) -> bool:
        for path in LISTINGS:
            page = await client.get(path)
            if f"/products/{product.id}" not in page.text or price not in page.text:
                return False
        api = (await client.get("/api/search/products", params={"q": "딸기잼"})).json()
        return [(h["name"], h["price_min"]) for h in api["hits"]] == [
            (NAME, int(price.rstrip("원").replace(",", "")))
        ]

    log = tmp_path / "worker.log"
    worker = start(["worker", "--threads", "2"],
                   worker_settings.with_(search_path=app.state.settings.search_path), log)
    try:
        published = await client.post(f"/api/products/{product.id}/publish",
                                      headers=owner_headers)
        assert published.status_code == 200, published.text
        await _until(client, lambda: listed("12,000원"), "the published product", log)
        assert await listed("12,000원")  # served again, now from the cache

        changed = await client.patch(
            f"/api/products/{product.id}", headers=owner_headers,
            json={"variants": [{"sku": sku, "price": 9_500, "stock": 10}]},
        )
        assert changed.status_code == 200, changed.text
        page = await client.get(f"/products/{product.id}")
        assert "9,500원" in page.text and "12,000원" not in page.text  # at once
        await _until(client, lambda: listed("9,500원"), "the new price in every listing", log)

        sold_out = await client.put(f"/api/products/{product.id}/variants/{sku}/stock",
                                    headers=owner_headers, json={"stock": 0})
        assert sold_out.status_code == 200, sold_out.text
        assert "품절" in (await client.get(f"/products/{product.id}")).text  # at once
        now[0] += SOLD_OUT_MAX_AGE_S + 0.001
        for path in LISTINGS:  # and on the cached listings, half a second later at most
            assert "품절" in (await client.get(path)).text, path
    finally:
        stop(worker)
    assert "12,000원" not in (await client.get("/categories/food")).text
