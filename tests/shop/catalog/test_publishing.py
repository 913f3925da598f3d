"""Publishing: only an approved vendor sells; every transition follows PRODUCT_TRANSITIONS,
and a refused one is a 409 that changes nothing."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.catalog.models import ProductStatusChange
from tests.shop.catalog.conftest import World, counts, event_names, product_json

Client = AsyncTestClient[Litestar]


async def create(client: Client, world: World, who: str = "alice") -> dict[str, Any]:
    vendor = world.approved if who == "alice" else world.applied
    response = await client.post(
        f"/api/vendors/{vendor.id}/products", json=product_json(), headers=world.auth(who)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_vendor_under_review_may_prepare_products_but_not_publish_them(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    product = await create(client, world, "bora")
    assert product["status"] == "draft"
    before = await counts(session_factory, world.settings)
    response = await client.post(
        f"/api/products/{product['id']}/publish", headers=world.auth("bora")
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "vendor_not_approved"
    assert body["errors"][0]["field"] == "vendor_id"
    assert body["vendor_status"] == "applied"
    assert await counts(session_factory, world.settings) == before


async def test_an_approved_vendor_publishes_and_the_time_is_kept(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    product = await create(client, world)
    response = await client.post(
        f"/api/products/{product['id']}/publish", headers=world.auth("alice")
    )
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert response.json()["status_label"] == "판매 중"
    assert response.json()["published_at"] is not None
    assert await event_names(session_factory) == ["product.created", "product.published"]


async def test_publish_unpublish_republish_follows_the_state_machine_and_is_audited(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    product = await create(client, world)
    url = f"/api/products/{product['id']}"
    h = world.auth("alice")
    assert (await client.post(f"{url}/publish", headers=h)).status_code == 200
    off = await client.post(f"{url}/unpublish", json={"reason": "재고 정리"}, headers=h)
    assert off.status_code == 200
    assert off.json()["status"] == "unpublished"
    assert off.json()["status_reason"] == "재고 정리"
    again = await client.post(f"{url}/publish", headers=h)
    assert again.status_code == 200
    assert again.json()["status_reason"] == ""
    async with session_factory() as session:
        trail = (await session.scalars(
            select(ProductStatusChange).order_by(ProductStatusChange.id)
        )).all()
    assert [(c.from_status.value, c.to_status.value, c.reason, c.actor_user_id) for c in trail] == [
        ("draft", "published", "", world.alice.id),
        ("published", "unpublished", "재고 정리", world.alice.id),
        ("unpublished", "published", "", world.alice.id),
    ]


async def test_refused_transitions_are_409_and_change_nothing(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    product = await create(client, world)
    url = f"/api/products/{product['id']}"
    h = world.auth("alice")
    before = await counts(session_factory, world.settings)
    draft_off = await client.post(f"{url}/unpublish", headers=h)
    assert draft_off.status_code == 409
    assert draft_off.json()["code"] == "product_invalid_transition"
    assert draft_off.json()["current"] == "draft"
    assert await counts(session_factory, world.settings) == before

    assert (await client.post(f"{url}/publish", headers=h)).status_code == 200
    before = await counts(session_factory, world.settings)
    twice = await client.post(f"{url}/publish", headers=h)
    assert twice.status_code == 409
    assert twice.json()["code"] == "product_invalid_transition"
    assert await counts(session_factory, world.settings) == before


async def test_unpublish_reason_is_limited(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    product = await create(client, world)
    url = f"/api/products/{product['id']}"
    await client.post(f"{url}/publish", headers=world.auth("alice"))
    before = await counts(session_factory, world.settings)
    response = await client.post(
        f"{url}/unpublish", json={"reason": "가" * 501}, headers=world.auth("alice")
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason"
    assert await counts(session_factory, world.settings) == before
