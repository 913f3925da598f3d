"""Bad input is a 4xx problem detail naming the field, and it writes nothing at all:
no product, no variant, no image, no outbox event, no file."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.shop.catalog.conftest import PNG, World, counts, product_json

Client = AsyncTestClient[Litestar]


def assert_problem(response: Any, status: int, field: str, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert field in [e["field"] for e in body["errors"]], body
    if code is not None:
        assert body["code"] == code, body


def with_variant(**variant: Any) -> dict[str, Any]:
    row = {"sku": "NEW-1", "option_label": "1개", "price": 1000, "stock": 1}
    row.update(variant)
    return product_json(variants=[row])


PRICE = "variants[0].price"
STOCK = "variants[0].stock"
BAD_BODIES = [
    pytest.param(with_variant(price=-1000), PRICE, "invalid_price", id="negative price"),
    pytest.param(with_variant(price=0), PRICE, "invalid_price", id="zero price"),
    pytest.param(with_variant(price=12.5), PRICE, "validation", id="float price"),
    pytest.param(with_variant(price=12000.0), PRICE, "validation", id="whole float price"),
    pytest.param(with_variant(price="abc"), PRICE, "validation", id="text price"),
    pytest.param(with_variant(price="12000"), PRICE, "validation", id="numeric string price"),
    pytest.param(with_variant(stock=-1), STOCK, "invalid_stock", id="negative stock"),
    pytest.param(with_variant(stock=1.5), STOCK, "validation", id="float stock"),
    pytest.param(product_json(category="weapons"), "category", "unknown_category",
                 id="unknown category"),
    pytest.param(product_json(strategic_items=["green_cycle", "green_mars"]), "strategic_items[1]",
                 "unknown_strategic_item", id="unknown strategic item"),
    pytest.param(product_json(variants=[{"sku": "D", "price": 1000}, {"sku": "D", "price": 2000}]),
                 "variants[1].sku", "duplicate_sku", id="duplicate sku in product"),
    pytest.param(product_json(variants=[]), "variants", "no_variants", id="no variants"),
    pytest.param(product_json(name="x"), "name", "invalid_name", id="short name"),
]


@pytest.mark.parametrize(("body", "field", "code"), BAD_BODIES)
async def test_bad_product_is_refused_and_writes_nothing(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession],
    body: dict[str, Any], field: str, code: str,
) -> None:
    before = await counts(session_factory, world.settings)
    response = await client.post(
        f"/api/vendors/{world.approved.id}/products", json=body, headers=world.auth("alice")
    )
    assert_problem(response, 400, field, code)
    assert await counts(session_factory, world.settings) == before


async def test_sku_used_by_another_product_is_a_conflict_and_writes_nothing(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    first = await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(),
        headers=world.auth("alice"),
    )
    assert first.status_code == 201
    before = await counts(session_factory, world.settings)
    body = product_json(
        variants=[{"sku": "FRESH-1", "price": 500}, {"sku": "COOKIE-2", "price": 900}]
    )
    response = await client.post(
        f"/api/vendors/{world.applied.id}/products", json=body, headers=world.auth("bora")
    )
    assert_problem(response, 409, "variants[1].sku", "duplicate_sku")
    assert await counts(session_factory, world.settings) == before


@pytest.mark.parametrize(("patch", "field"), [
    ({"variants": [{"sku": "COOKIE-1", "price": -5}]}, "variants[0].price"),
    ({"variants": [{"sku": "COOKIE-1", "price": 1.5}]}, "variants[0].price"),
    ({"category": "nope"}, "category"),
    ({"name": ""}, "name"),
])
async def test_bad_update_is_refused_and_leaves_the_product_as_it_was(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession],
    patch: dict[str, Any], field: str,
) -> None:
    created = await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(),
        headers=world.auth("alice"),
    )
    product = created.json()
    before = await counts(session_factory, world.settings)
    response = await client.patch(
        f"/api/products/{product['id']}", json=patch, headers=world.auth("alice")
    )
    assert_problem(response, 400, field)
    assert await counts(session_factory, world.settings) == before
    again = await client.get(f"/api/products/{product['id']}", headers=world.auth("alice"))
    assert again.json()["variants"] == product["variants"]
    assert again.json()["name"] == product["name"]


@pytest.mark.parametrize(("stock", "status"), [(-1, 400), (2.5, 400), ("ten", 400)])
async def test_bad_stock_is_refused_and_records_nothing(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession],
    stock: Any, status: int,
) -> None:
    created = await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(),
        headers=world.auth("alice"),
    )
    before = await counts(session_factory, world.settings)
    response = await client.put(
        f"/api/products/{created.json()['id']}/variants/COOKIE-1/stock",
        json={"stock": stock}, headers=world.auth("alice"),
    )
    assert_problem(response, status, "stock")
    assert await counts(session_factory, world.settings) == before


@pytest.mark.parametrize(("payload", "status", "code"), [
    pytest.param(b"GIF89a" + b"\x00" * 100, 415, "image_type_not_allowed", id="gif"),
    pytest.param(b"%PDF-1.7 not an image", 415, "image_type_not_allowed", id="pdf named .png"),
    pytest.param(b"", 400, "image_missing", id="empty file"),
])
async def test_wrong_image_is_refused_and_stores_nothing(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession],
    payload: bytes, status: int, code: str,
) -> None:
    created = await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(),
        headers=world.auth("alice"),
    )
    before = await counts(session_factory, world.settings)
    response = await client.post(
        f"/api/products/{created.json()['id']}/images",
        files={"image": ("photo.png", payload, "image/png")}, headers=world.auth("alice"),
    )
    assert_problem(response, status, "image", code)
    assert await counts(session_factory, world.settings) == before


async def test_oversize_image_is_refused_and_stores_nothing(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    created = await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(),
        headers=world.auth("alice"),
    )
    before = await counts(session_factory, world.settings)
    too_big = PNG + b"\x00" * world.settings.max_upload_bytes
    response = await client.post(
        f"/api/products/{created.json()['id']}/images",
        files={"image": ("big.png", too_big, "image/png")}, headers=world.auth("alice"),
    )
    assert_problem(response, 413, "image", "image_too_large")
    assert await counts(session_factory, world.settings) == before


async def test_upload_without_a_file_names_the_image_field(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    created = await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(),
        headers=world.auth("alice"),
    )
    before = await counts(session_factory, world.settings)
    response = await client.post(
        f"/api/products/{created.json()['id']}/images",
        files={"alt": (None, "설명")}, headers=world.auth("alice"),
    )
    assert_problem(response, 400, "image", "image_missing")
    assert await counts(session_factory, world.settings) == before
