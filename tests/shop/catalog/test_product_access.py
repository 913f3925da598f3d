"""Who may do what: members manage their vendor's products, others get 403 (or 401 when
anonymous); drafts are invisible to the public; products on sale are visible to all."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.vendors.models import Vendor, VendorStatus
from tests.shop.catalog.conftest import PNG, World, counts, product_json

Client = AsyncTestClient[Litestar]


async def create(client: Client, world: World) -> dict[str, Any]:
    response = await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(),
        headers=world.auth("alice"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def mutations(product_id: int, vendor_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("POST", f"/api/vendors/{vendor_id}/products", {"json": product_json(
            variants=[{"sku": "OTHER-1", "price": 1000}])}),
        ("PATCH", f"/api/products/{product_id}", {"json": {"name": "가로챈 이름"}}),
        ("POST", f"/api/products/{product_id}/publish", {}),
        ("POST", f"/api/products/{product_id}/unpublish", {"json": {"reason": "x"}}),
        ("PUT", f"/api/products/{product_id}/variants/COOKIE-1/stock", {"json": {"stock": 0}}),
        ("POST", f"/api/products/{product_id}/images",
         {"files": {"image": ("a.png", PNG, "image/png")}}),
    ]


@pytest.mark.parametrize("index", range(6))
async def test_a_non_member_gets_403_and_changes_nothing(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession], index: int
) -> None:
    product = await create(client, world)
    method, url, kwargs = mutations(product["id"], world.approved.id)[index]
    before = await counts(session_factory, world.settings)
    response = await client.request(method, url, headers=world.auth("mallory"), **kwargs)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "not_a_member"
    assert await counts(session_factory, world.settings) == before


@pytest.mark.parametrize("index", range(6))
async def test_anonymous_callers_must_sign_in(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession], index: int
) -> None:
    product = await create(client, world)
    method, url, kwargs = mutations(product["id"], world.approved.id)[index]
    before = await counts(session_factory, world.settings)
    response = await client.request(method, url, **kwargs)
    assert response.status_code == 401
    assert await counts(session_factory, world.settings) == before


async def test_member_of_another_vendor_cannot_list_its_products(
    client: Client, world: World
) -> None:
    await create(client, world)
    response = await client.get(
        f"/api/vendors/{world.approved.id}/products", headers=world.auth("bora")
    )
    assert response.status_code == 403


async def test_admin_may_act_for_any_vendor(client: Client, world: World) -> None:
    product = await create(client, world)
    response = await client.patch(
        f"/api/products/{product['id']}", json={"name": "관리자가 고친 이름"},
        headers=world.auth("admin"),
    )
    assert response.status_code == 200
    assert response.json()["name"] == "관리자가 고친 이름"


async def test_a_draft_is_hidden_from_everyone_but_members_and_admins(
    client: Client, world: World
) -> None:
    product = await create(client, world)
    url = f"/api/products/{product['id']}"
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url, headers=world.auth("mallory"))).status_code == 404
    assert (await client.get(url, headers=world.auth("alice"))).status_code == 200
    assert (await client.get(url, headers=world.auth("admin"))).status_code == 200


async def test_a_published_product_is_public_until_its_vendor_is_suspended(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    product = await create(client, world)
    url = f"/api/products/{product['id']}"
    published = await client.post(f"{url}/publish", headers=world.auth("alice"))
    assert published.status_code == 200
    public = await client.get(url)
    assert public.status_code == 200
    assert public.json()["status_label"] == "판매 중"
    async with session_factory() as session:
        vendor = await session.get(Vendor, world.approved.id)
        assert vendor is not None
        vendor.status = VendorStatus.SUSPENDED
        await session.commit()
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url, headers=world.auth("alice"))).status_code == 200


async def test_unknown_product_is_404_problem(client: Client, world: World) -> None:
    response = await client.patch(
        "/api/products/999999", json={"name": "없음"}, headers=world.auth("alice")
    )
    assert response.status_code == 404
    assert response.json()["code"] == "product_not_found"


async def test_members_list_their_products_in_every_status_page_by_page(
    client: Client, world: World
) -> None:
    for i in range(3):
        body = product_json(name=f"상품 {i}", variants=[{"sku": f"P-{i}", "price": 1000 + i}])
        created = await client.post(
            f"/api/vendors/{world.approved.id}/products", json=body, headers=world.auth("alice")
        )
        assert created.status_code == 201
    await client.post(f"/api/products/{created.json()['id']}/publish", headers=world.auth("alice"))
    url = f"/api/vendors/{world.approved.id}/products"
    page = (await client.get(url, params={"limit": 2}, headers=world.auth("alice"))).json()
    assert page["total"] == 3
    assert page["limit"] == 2
    assert page["offset"] == 0
    assert [p["name"] for p in page["items"]] == ["상품 2", "상품 1"]
    rest = (await client.get(url, params={"limit": 2, "offset": 2},
                             headers=world.auth("alice"))).json()
    assert [p["name"] for p in rest["items"]] == ["상품 0"]
    drafts = (await client.get(url, params={"status": "draft"}, headers=world.auth("alice"))).json()
    assert drafts["total"] == 2
    assert {p["status"] for p in drafts["items"]} == {"draft"}
