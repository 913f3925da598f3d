"""The cart API: quantities checked against available stock as the shopper goes, lines
grouped per vendor with that vendor's delivery fee, refused input naming the field and
writing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.settings import Settings
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.checkout import stock
from shop.checkout.demand import Demand
from tests.shop.cart.conftest import Client, World
from tests.shop.shelf import event_names, stock_rows


async def test_lines_are_grouped_per_vendor_each_with_its_delivery_fee(
    client: Client, world: World
) -> None:
    h = world.auth("ana")
    await client.post("/api/cart/items", json={"variant_id": world.cookie.id, "quantity": 2},
                      headers=h)
    await client.post("/api/cart/items", json={"variant_id": world.hangwa.id}, headers=h)
    response = await client.post(
        "/api/cart/items", json={"variant_id": world.jam.id, "quantity": 1}, headers=h
    )
    assert response.status_code == 201, response.text
    cart = response.json()
    haessal, dure = cart["groups"]
    assert haessal["vendor_name"] == "햇살협동조합"
    assert [(ln["product_name"], ln["quantity"], ln["line_total"]) for ln in haessal["lines"]] == [
        ("현미 쿠키", 2, 25_000), ("딸기잼", 1, 8000),
    ]
    assert (haessal["subtotal"], haessal["delivery_fee"], haessal["total"]) == (
        33_000, 3000, 36_000
    )
    assert haessal["free_delivery_gap"] == 17_000
    assert (dure["subtotal"], dure["delivery_fee"], dure["free_delivery_over"]) == (
        15_000, 2500, None
    )
    assert (cart["items_total"], cart["delivery_total"], cart["total"]) == (48_000, 5500, 53_500)
    assert cart["item_count"] == 4 and cart["ready"] is True
    assert (await client.get("/api/cart", headers=h)).json() == cart


async def test_delivery_becomes_free_at_the_vendors_threshold(
    client: Client, world: World
) -> None:
    h = world.auth("ana")
    cart = (await client.post(
        "/api/cart/items", json={"variant_id": world.cookie.id, "quantity": 4}, headers=h
    )).json()
    (group,) = cart["groups"]
    assert (group["subtotal"], group["delivery_fee"], group["free_delivery_gap"]) == (
        50_000, 0, None
    )


async def test_adding_beyond_available_stock_says_how_many_are_left_and_writes_nothing(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    h = world.auth("ana")
    await client.post("/api/cart/items", json={"variant_id": world.jam.id, "quantity": 2},
                      headers=h)
    before = await stock_rows(session_factory)
    response = await client.post(
        "/api/cart/items", json={"variant_id": world.jam.id, "quantity": 2}, headers=h
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "out_of_stock"
    assert problem["errors"] == [{"field": "quantity", "message": problem["detail"]}]
    assert "재고가 3개 남았습니다" in problem["detail"]
    assert "이미 2개" in problem["detail"]
    assert await stock_rows(session_factory) == before


async def test_units_held_by_a_checkout_are_not_available_to_carts(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    async with session_factory() as session:
        await stock.reserve(session, settings, [Demand(world.cookie.id, 8)])
    response = await client.post(
        "/api/cart/items", json={"variant_id": world.cookie.id, "quantity": 3},
        headers=world.auth("ana"),
    )
    assert response.status_code == 409
    assert "재고가 2개 남았습니다" in response.json()["detail"]


BAD: list[tuple[str, dict[str, Any], int, str, str]] = [
    ("zero", {"quantity": 0}, 400, "invalid_quantity", "quantity"),
    ("negative", {"quantity": -2}, 400, "invalid_quantity", "quantity"),
    ("too many", {"quantity": 1000}, 400, "invalid_quantity", "quantity"),
    ("string", {"quantity": "2"}, 400, "validation", "quantity"),
    ("fraction", {"quantity": 1.5}, 400, "validation", "quantity"),
    ("whole float", {"quantity": 2.0}, 400, "validation", "quantity"),
    ("unknown variant", {"variant_id": 987_654}, 400, "unknown_variant", "variant_id"),
    ("bad variant", {"variant_id": 0}, 400, "invalid_variant", "variant_id"),
    # Litestar's decoder refuses the body as a whole (field 'data'); the message names it.
    ("unknown field", {"price": 1}, 400, "validation", "data"),
]


@pytest.mark.parametrize(("label", "change", "status", "code", "field"), BAD,
                         ids=[b[0] for b in BAD])
async def test_bad_additions_name_the_field_and_write_nothing(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession],
    label: str, change: dict[str, Any], status: int, code: str, field: str,
) -> None:
    before = await stock_rows(session_factory)
    body = {"variant_id": world.cookie.id, "quantity": 1, **change}
    response = await client.post("/api/cart/items", json=body, headers=world.auth("ana"))
    assert response.status_code == status, response.text
    problem = response.json()
    assert problem["code"] == code
    assert problem["errors"][0]["field"] == field
    if label == "unknown field":
        assert "price" in problem["errors"][0]["message"]
    assert await stock_rows(session_factory) == before


async def test_what_is_not_on_sale_cannot_be_added(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        await session.execute(
            update(Product).where(Product.id == world.jam.product_id)
            .values(status=ProductStatus.UNPUBLISHED)
        )
        await session.commit()
    before = await stock_rows(session_factory)
    response = await client.post(
        "/api/cart/items", json={"variant_id": world.jam.id}, headers=world.auth("ana")
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_for_sale"
    assert response.json()["errors"][0]["field"] == "variant_id"
    assert await stock_rows(session_factory) == before


async def test_quantity_changes_are_checked_and_recorded_and_lines_removed(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    h = world.auth("ana")
    cart = (await client.post(
        "/api/cart/items", json={"variant_id": world.cookie.id}, headers=h
    )).json()
    line_id = cart["groups"][0]["lines"][0]["id"]

    changed = await client.patch(f"/api/cart/items/{line_id}", json={"quantity": 3}, headers=h)
    assert changed.status_code == 200
    assert changed.json()["groups"][0]["lines"][0]["quantity"] == 3

    events = len(await event_names(session_factory))
    same = await client.patch(f"/api/cart/items/{line_id}", json={"quantity": 3}, headers=h)
    assert same.status_code == 200
    assert len(await event_names(session_factory)) == events  # no change, no event

    too_many = await client.patch(f"/api/cart/items/{line_id}", json={"quantity": 11}, headers=h)
    assert too_many.status_code == 409
    assert "재고가 10개 남았습니다" in too_many.json()["detail"]

    removed = await client.delete(f"/api/cart/items/{line_id}", headers=h)
    assert removed.status_code == 204
    assert (await client.get("/api/cart", headers=h)).json()["groups"] == []
    names = await event_names(session_factory)
    assert names == ["cart.item_added", "cart.item_updated", "cart.item_removed"]


async def test_another_shoppers_line_is_not_found(client: Client, world: World) -> None:
    cart = (await client.post(
        "/api/cart/items", json={"variant_id": world.cookie.id}, headers=world.auth("ana")
    )).json()
    line_id = cart["groups"][0]["lines"][0]["id"]
    h = world.auth("ben")
    patched = await client.patch(f"/api/cart/items/{line_id}", json={"quantity": 2}, headers=h)
    deleted = await client.delete(f"/api/cart/items/{line_id}", headers=h)
    assert (patched.status_code, deleted.status_code) == (404, 404)
    assert patched.json()["errors"][0]["field"] == "item_id"


async def test_the_api_needs_a_token(client: Client, world: World) -> None:
    response = await client.get("/api/cart")
    assert response.status_code == 401


async def test_a_line_whose_stock_fell_is_flagged_and_the_cart_not_ready(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    h = world.auth("ana")
    await client.post("/api/cart/items", json={"variant_id": world.cookie.id, "quantity": 5},
                      headers=h)
    async with session_factory() as session:
        await session.execute(
            update(ProductVariant).where(ProductVariant.id == world.cookie.id).values(stock=2)
        )
        await session.commit()
    cart = (await client.get("/api/cart", headers=h)).json()
    line = cart["groups"][0]["lines"][0]
    assert (line["available"], line["quantity"]) == (2, 5)
    assert "재고가 2개 남았습니다" in line["problem"]
    assert cart["ready"] is False
