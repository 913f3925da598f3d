"""A product page's prices and stock are read after its request arrived, never reused:
requests that arrive while a read is under way share the next one."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from shop.catalog.models import ProductStatus
from shop.catalog.taxonomy import Category
from shop.mall import product_page
from shop.mall.product_page import Described, FreshReads, PageProduct


def _page() -> Described:
    product = PageProduct(
        id=7, name="햇살사과", description="", category=Category.FOOD,
        status=ProductStatus.PUBLISHED, eco_friendly=False, strategic_items=[], images=[],
        variants=[],
    )
    return Described(product, vendor=None)  # type: ignore[arg-type]


async def _settle() -> None:
    """Let every ready task run as far as it can."""
    for _ in range(10):
        await asyncio.sleep(0)


async def test_requests_during_a_read_share_the_next_read_begun_after_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = {"price": 10_000}
    started: list[int] = []
    release = [asyncio.Event(), asyncio.Event()]

    async def fake_read(_engine: Any, page: Described, _now: dt.datetime) -> Any:
        seen = database["price"]  # what the database says when the read begins
        started.append(seen)
        await release[len(started) - 1].wait()
        return page.product, {"price": seen}

    monkeypatch.setattr(product_page, "with_fresh_variants", fake_read)
    reads = FreshReads()
    first = asyncio.ensure_future(reads.read(None, _page()))  # type: ignore[arg-type]
    await _settle()
    assert started == [10_000]

    database["price"] = 9_000  # a change commits while the first read is under way
    later = [asyncio.ensure_future(reads.read(None, _page()))  # type: ignore[arg-type]
             for _ in range(3)]
    await _settle()
    assert started == [10_000]  # they wait: that read began before they arrived

    release[0].set()
    assert (await first)[1] == {"price": 10_000}
    await _settle()
    assert started == [10_000, 9_000]  # one read for the three, begun after they arrived
    release[1].set()
    assert [(await r)[1] for r in later] == [{"price": 9_000}] * 3
    assert started == [10_000, 9_000]

    again = asyncio.ensure_future(reads.read(None, _page()))  # type: ignore[arg-type]
    release.append(asyncio.Event())
    release[2].set()
    assert (await again)[1] == {"price": 9_000} and len(started) == 3  # nothing reused
