"""Images: stored by content hash under the public upload directory, served at /media,
at most eight per product, and removed from disk with their row."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.catalog.rules import MAX_IMAGES
from tests.shop.catalog.conftest import JPEG, PNG, WEBP, World, counts, product_json

Client = AsyncTestClient[Litestar]


async def test_an_uploaded_image_is_stored_by_hash_and_served_under_media(
    client: Client, world: World
) -> None:
    h = world.auth("alice")
    product = (await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(), headers=h
    )).json()
    response = await client.post(
        f"/api/products/{product['id']}/images",
        files={"image": ("쿠키.jpg", JPEG, "image/jpeg")}, data={"alt": "쿠키 사진"}, headers=h,
    )
    assert response.status_code == 201, response.text
    image = response.json()
    assert image["content_type"] == "image/jpeg"
    assert image["alt"] == "쿠키 사진"
    assert image["url"].startswith(f"/media/products/{product['id']}/")
    assert image["url"].endswith(".jpg")
    stored = world.settings.upload_dir / "public" / image["url"].removeprefix("/media/")
    assert stored.read_bytes() == JPEG
    served = await client.get(image["url"])
    assert served.status_code == 200
    assert served.content == JPEG

    removed = await client.delete(f"/api/products/{product['id']}/images/{image['id']}", headers=h)
    assert removed.status_code == 204
    assert not stored.exists()
    listed = await client.get(f"/api/products/{product['id']}", headers=h)
    assert listed.json()["images"] == []


async def test_the_type_comes_from_the_bytes_not_the_name(client: Client, world: World) -> None:
    h = world.auth("alice")
    product = (await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(), headers=h
    )).json()
    response = await client.post(
        f"/api/products/{product['id']}/images",
        files={"image": ("photo.jpg", WEBP, "image/jpeg")}, headers=h,
    )
    assert response.status_code == 201
    assert response.json()["content_type"] == "image/webp"
    assert response.json()["url"].endswith(".webp")


async def test_the_same_image_twice_is_a_conflict(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    h = world.auth("alice")
    product = (await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(), headers=h
    )).json()
    url = f"/api/products/{product['id']}/images"
    assert (await client.post(url, files={"image": ("a.png", PNG, "image/png")}, headers=h)
            ).status_code == 201
    before = await counts(session_factory, world.settings)
    again = await client.post(url, files={"image": ("b.png", PNG, "image/png")}, headers=h)
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_image"
    assert await counts(session_factory, world.settings) == before


async def test_a_product_holds_at_most_eight_images(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    h = world.auth("alice")
    product = (await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(), headers=h
    )).json()
    url = f"/api/products/{product['id']}/images"
    for i in range(MAX_IMAGES):
        data = PNG + bytes([i])
        response = await client.post(url, files={"image": (f"{i}.png", data, "image/png")},
                                     headers=h)
        assert response.status_code == 201
        assert response.json()["position"] == i
    before = await counts(session_factory, world.settings)
    assert before.files == MAX_IMAGES
    extra = await client.post(url, files={"image": ("9.png", PNG + b"x", "image/png")}, headers=h)
    assert extra.status_code == 400
    assert extra.json()["code"] == "too_many_images"
    assert await counts(session_factory, world.settings) == before
