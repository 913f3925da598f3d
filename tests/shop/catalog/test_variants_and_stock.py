"""Variants are replaced by SKU (update, add, deactivate, never delete) and stock changes
are recorded as StockChanged events."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.shop.catalog.conftest import World, counts, last_event, product_json

Client = AsyncTestClient[Litestar]


async def test_replacing_variants_updates_adds_and_deactivates_by_sku(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    h = world.auth("alice")
    created = (await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(), headers=h
    )).json()
    response = await client.patch(f"/api/products/{created['id']}", headers=h, json={
        "variants": [
            {"sku": "COOKIE-1", "option_label": "10개입", "price": 13000, "stock": 30},
            {"sku": "COOKIE-3", "option_label": "선물 세트", "price": 30000, "stock": 5},
        ],
    })
    assert response.status_code == 200, response.text
    variants = {v["sku"]: v for v in response.json()["variants"]}
    assert variants["COOKIE-1"]["price"] == 13000
    assert variants["COOKIE-1"]["is_active"] is True
    assert variants["COOKIE-2"]["is_active"] is False  # kept for past orders, no longer sold
    assert variants["COOKIE-3"]["is_active"] is True
    assert response.json()["price_min"] == 13000
    assert response.json()["price_max"] == 30000
    assert response.json()["total_stock"] == 35
    event = await last_event(session_factory)
    assert event.name == "product.updated"
    assert event.payload["fields"] == ["variants"]

    back = await client.patch(f"/api/products/{created['id']}", headers=h, json={
        "variants": [{"sku": "COOKIE-2", "price": 21000, "stock": 2}],
    })
    variants = {v["sku"]: v for v in back.json()["variants"]}
    assert variants["COOKIE-2"]["is_active"] is True
    assert variants["COOKIE-2"]["price"] == 21000
    assert not variants["COOKIE-1"]["is_active"]
    assert not variants["COOKIE-3"]["is_active"]


async def test_stock_update_is_recorded(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    h = world.auth("alice")
    created = (await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(), headers=h
    )).json()
    response = await client.put(
        f"/api/products/{created['id']}/variants/COOKIE-2/stock", json={"stock": 0}, headers=h
    )
    assert response.status_code == 200
    stock = {v["sku"]: v["stock"] for v in response.json()["variants"]}
    assert stock == {"COOKIE-1": 30, "COOKIE-2": 0}
    event = await last_event(session_factory)
    assert event.name == "product.stock_changed"
    assert event.payload == {
        "id": created["id"], "vendor_id": world.approved.id, "actor_user_id": world.alice.id,
        "sku": "COOKIE-2", "stock": 0,
    }


async def test_stock_of_an_unknown_sku_is_404_and_records_nothing(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    h = world.auth("alice")
    created = (await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(), headers=h
    )).json()
    before = await counts(session_factory, world.settings)
    response = await client.put(
        f"/api/products/{created['id']}/variants/NOPE/stock", json={"stock": 3}, headers=h
    )
    assert response.status_code == 404
    assert response.json()["code"] == "variant_not_found"
    assert await counts(session_factory, world.settings) == before
