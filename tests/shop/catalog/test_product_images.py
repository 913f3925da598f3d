"""Images: decoded and re-encoded (only pixels survive), stored with a card rendition under
the public upload directory, served at /media with nosniff, at most eight per product, and
removed from disk with their row."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import InvalidInput
from shop.catalog import images, services
from shop.catalog.images import CARD_SIZE
from shop.catalog.models import ProductImage
from shop.catalog.rules import MAX_IMAGES
from tests.fixtures.images import picture
from tests.shop.catalog.conftest import JPEG, PNG, World, counts, product_json

Client = AsyncTestClient[Litestar]


async def test_an_uploaded_image_is_re_encoded_with_a_card_and_served_under_media(
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
    assert image["content_type"] == "image/webp"
    assert image["alt"] == "쿠키 사진"
    assert image["url"].startswith(f"/media/products/{product['id']}/")
    assert image["url"].endswith(".webp") and image["card_url"].endswith(".card.webp")
    public = world.settings.upload_dir / "public"
    stored = public / image["url"].removeprefix("/media/")
    card = public / image["card_url"].removeprefix("/media/")
    with Image.open(stored) as detail:
        assert (detail.format, detail.size) == ("WEBP", (60, 40))
    with Image.open(card) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("WEBP", (CARD_SIZE, CARD_SIZE))
    for url, path in ((image["url"], stored), (image["card_url"], card)):
        served = await client.get(url)
        assert served.status_code == 200
        assert served.content == path.read_bytes()
        assert served.headers["content-type"] == "image/webp"
        assert served.headers["x-content-type-options"] == "nosniff"

    removed = await client.delete(f"/api/products/{product['id']}/images/{image['id']}", headers=h)
    assert removed.status_code == 204
    assert not stored.exists() and not card.exists()
    listed = await client.get(f"/api/products/{product['id']}", headers=h)
    assert listed.json()["images"] == []


async def test_a_png_with_html_after_it_is_re_encoded_and_a_fake_png_refused(
    client: Client, world: World
) -> None:
    """A polyglot (a picture followed by HTML/SVG) is never served as sent: the stored file
    holds re-encoded pixels only; a PNG signature in front of markup does not decode."""
    h = world.auth("alice")
    product = (await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(), headers=h
    )).json()
    url = f"/api/products/{product['id']}/images"
    markup = b"<html><script>alert(document.cookie)</script><svg onload=alert(1)></svg></html>"
    polyglot = await client.post(
        url, files={"image": ("a.png", PNG + markup, "image/png")}, headers=h
    )
    assert polyglot.status_code == 201, polyglot.text
    served = await client.get(polyglot.json()["url"])
    assert served.headers["content-type"] == "image/webp"
    assert b"<" + b"script" not in served.content and b"svg" not in served.content
    assert served.content.startswith(b"RIFF")

    fake = await client.post(
        url, files={"image": ("b.png", b"\x89PNG\r\n\x1a\n" + markup, "image/png")}, headers=h
    )
    assert fake.status_code == 415
    assert fake.json()["errors"][0]["field"] == "image"


async def test_exif_gps_and_orientation_are_applied_then_dropped(
    client: Client, world: World
) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 41.0)}  # GPS
    photo = picture("JPEG", size=(60, 40), exif=exif)
    with Image.open(io.BytesIO(photo)) as sent:
        assert sent.getexif().get_ifd(0x8825)  # the upload does carry GPS
    h = world.auth("alice")
    product = (await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(), headers=h
    )).json()
    response = await client.post(
        f"/api/products/{product['id']}/images",
        files={"image": ("gps.jpg", photo, "image/jpeg")}, headers=h,
    )
    assert response.status_code == 201, response.text
    served = (await client.get(response.json()["url"])).content
    with Image.open(io.BytesIO(served)) as stored:
        assert stored.size == (40, 60)  # turned upright
        assert not stored.getexif()
        assert not {"exif", "icc_profile", "xmp"} & set(stored.info)
    assert b"PhoneMaker" not in served and b"GPS" not in served


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    # A header claiming 30000 × 30000 px (2.7 GB once decoded) over a few bytes of data.
    header = struct.pack(">IIBBBBB", 30_000, 30_000, 8, 2, 0, 0, 0)
    bomb = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + _png_chunk(b"IEND", b""))
    with pytest.raises(InvalidInput) as refused:
        images.render(bomb)
    assert refused.value.code == "image_too_many_pixels"
    with pytest.raises(InvalidInput):  # a little over the limit, under Pillow's own
        images.render(picture("PNG", size=(images.MAX_SIDE + 1, 1)))


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
    assert before.files == 2 * MAX_IMAGES  # each picture and its card
    extra = await client.post(url, files={"image": ("9.png", PNG + b"x", "image/png")}, headers=h)
    assert extra.status_code == 400
    assert extra.json()["code"] == "too_many_images"
    assert await counts(session_factory, world.settings) == before


async def test_pictures_stored_before_the_pipeline_are_re_encoded_or_removed_once(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """``jangteo reencode-images``: an old upload kept as sent (a PNG with HTML after it)
    becomes a WebP and a card; a disguised file is removed with its row; a rerun does
    nothing."""
    h = world.auth("alice")
    product = (await client.post(
        f"/api/vendors/{world.approved.id}/products", json=product_json(), headers=h
    )).json()
    public = world.settings.upload_dir / "public"
    old_files = {"products/{}/old.png": PNG + b"<html></html>",
                 "products/{}/fake.png": b"\x89PNG\r\n\x1a\n<svg onload=alert(1)>"}
    async with session_factory() as session:
        for position, (pattern, data) in enumerate(old_files.items()):
            path = pattern.format(product["id"])
            (public / path).parent.mkdir(parents=True, exist_ok=True)
            (public / path).write_bytes(data)
            session.add(ProductImage(product_id=product["id"], storage_path=path,
                                     content_type="image/png", position=position,
                                     sha256=hashlib.sha256(data).hexdigest()))
        await session.commit()

    async with session_factory() as session:
        assert await services.reencode_stored_images(session, world.settings) == (1, 1)
        assert await services.reencode_stored_images(session, world.settings) == (0, 0)
    (kept,) = (await client.get(f"/api/products/{product['id']}", headers=h)).json()["images"]
    assert kept["url"] == f"/media/products/{product['id']}/old.webp"
    assert kept["content_type"] == "image/webp"
    assert (await client.get(kept["card_url"])).status_code == 200
    assert not any((public / p.format(product["id"])).exists() for p in old_files)
