"""The vendor console through its HTML forms: CSRF on every post, errors beside the field
with the typed input kept, a flash after each action, and the create → publish flow."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.catalog.models import Product, ProductStatus
from shop.catalog.pages import REVIEW_NOTE
from tests.shop.catalog.conftest import (
    JPEG,
    World,
    counts,
    csrf_from,
    event_names,
    sign_in,
)

Client = AsyncTestClient[Litestar]


def product_form(csrf: str, **overrides: str) -> dict[str, str]:
    form = {
        "_csrf_token": csrf,
        "name": "수제 유자청",
        "category": "food",
        "description": "고흥 유자로 만든 유자청",
        "strategic_items.green_agriculture": "on",
        "eco_friendly": "on",
        "variants[0].sku": "YUJA-500",
        "variants[0].option_label": "500g",
        "variants[0].price": "15,000",
        "variants[0].stock": "20",
    }
    form.update(overrides)
    return form


async def only_product(factory: async_sessionmaker[AsyncSession]) -> Product:
    async with factory() as session:
        products = (await session.scalars(select(Product))).all()
        assert len(products) == 1
        return products[0]


async def test_create_then_publish_through_the_console(
    member_client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    client = member_client
    console = await client.get("/console")
    assert console.status_code == 200
    assert world.approved.name in console.text
    assert "등록한 상품이 없습니다" in console.text

    new = await client.get(f"/console/vendors/{world.approved.id}/products/new")
    assert new.status_code == 200
    created = await client.post(
        f"/console/vendors/{world.approved.id}/products/new",
        data=product_form(csrf_from(new.text)), follow_redirects=True,
    )
    assert created.status_code == 200
    assert "수제 유자청&#39; 상품을 등록했습니다 (작성 중)" in created.text
    product = await only_product(session_factory)
    assert product.status is ProductStatus.DRAFT
    assert product.eco_friendly is True
    assert product.strategic_items == ["green_agriculture"]
    assert [(v.sku, v.option_label, v.price, v.stock) for v in product.variants] == [
        ("YUJA-500", "500g", 15000, 20)
    ]

    console = await client.get("/console")
    assert "수제 유자청" in console.text
    assert "작성 중" in console.text
    assert "15,000원" in console.text
    assert f'action="/console/products/{product.id}/publish"' in console.text
    published = await client.post(
        f"/console/products/{product.id}/publish",
        data={"_csrf_token": csrf_from(console.text), "next": "/console"}, follow_redirects=True,
    )
    assert published.status_code == 200
    assert "상품을 공개했습니다" in published.text
    assert "판매 중" in published.text
    assert (await only_product(session_factory)).status is ProductStatus.PUBLISHED

    stopped = await client.post(
        f"/console/products/{product.id}/unpublish",
        data={"_csrf_token": csrf_from(published.text), "reason": "재료 소진"},
        follow_redirects=True,
    )
    assert "판매를 중지했습니다" in stopped.text
    assert "사유: 재료 소진" in stopped.text
    assert await event_names(session_factory) == [
        "product.created", "product.published", "product.unpublished",
    ]


async def test_a_wrong_field_is_shown_beside_it_and_the_typed_input_is_kept(
    member_client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    client = member_client
    new = await client.get(f"/console/vendors/{world.approved.id}/products/new")
    before = await counts(session_factory, world.settings)
    form = product_form(
        csrf_from(new.text),
        **{"variants[2].sku": "YUJA-1K", "variants[2].price": "-3000",
           "variants[2].option_label": "1kg", "category": "weapons"},
    )
    response = await client.post(f"/console/vendors/{world.approved.id}/products/new", data=form)
    assert response.status_code == 400
    html = response.text
    row_error = re.search(r'id="e-variants\[2\]\.price">([^<]+)<', html)
    assert row_error and "0원보다 커야" in row_error.group(1)  # beside the row it was typed in
    assert re.search(r'id="e-category">[^<]*카테고리', html)
    assert 'value="수제 유자청"' in html
    assert 'value="YUJA-1K"' in html
    assert 'value="-3000"' in html
    assert "checked" in html  # the ticked boxes stay ticked
    assert await counts(session_factory, world.settings) == before


async def test_edit_replaces_variants_and_keeps_input_on_error(
    member_client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    client = member_client
    new = await client.get(f"/console/vendors/{world.approved.id}/products/new")
    await client.post(f"/console/vendors/{world.approved.id}/products/new",
                      data=product_form(csrf_from(new.text)))
    product = await only_product(session_factory)
    edit = await client.get(f"/console/products/{product.id}/edit")
    assert edit.status_code == 200
    assert 'value="YUJA-500"' in edit.text
    csrf = csrf_from(edit.text)

    bad = await client.post(f"/console/products/{product.id}/edit", data=product_form(
        csrf, **{"variants[0].price": "12.5", "name": "바뀐 이름"}))
    assert bad.status_code == 400
    assert 'value="바뀐 이름"' in bad.text
    assert re.search(r'id="e-variants\[0\]\.price">[^<]*정수', bad.text)

    good = await client.post(
        f"/console/products/{product.id}/edit",
        data=product_form(csrf, **{
            "variants[0].sku": "YUJA-300", "variants[0].price": "9000",
            "variants[0].option_label": "300g",
        }),
        follow_redirects=True,
    )
    assert good.status_code == 200
    assert "상품 정보를 저장했습니다" in good.text
    fresh = await only_product(session_factory)
    assert {(v.sku, v.is_active) for v in fresh.variants} == {
        ("YUJA-500", False), ("YUJA-300", True)
    }


async def test_a_vendor_under_review_sees_the_note_and_cannot_publish(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await sign_in(client, "bora@example.kr")
    console = await client.get("/console")
    assert REVIEW_NOTE in console.text
    new = await client.get(f"/console/vendors/{world.applied.id}/products/new")
    created = await client.post(
        f"/console/vendors/{world.applied.id}/products/new",
        data=product_form(csrf_from(new.text)), follow_redirects=True,
    )
    assert created.status_code == 200
    assert REVIEW_NOTE in created.text
    product = await only_product(session_factory)
    before = await counts(session_factory, world.settings)
    refused = await client.post(
        f"/console/products/{product.id}/publish",
        data={"_csrf_token": csrf_from(created.text)}, follow_redirects=True,
    )
    assert "입점 승인을 받은 기업만" in refused.text
    assert await counts(session_factory, world.settings) == before


async def test_console_forms_need_the_csrf_token(
    member_client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    before = await counts(session_factory, world.settings)
    form = product_form("")
    del form["_csrf_token"]
    response = await member_client.post(
        f"/console/vendors/{world.approved.id}/products/new", data=form
    )
    assert response.status_code == 403
    assert await counts(session_factory, world.settings) == before


async def test_console_is_for_members_only(
    client: Client, world: World
) -> None:
    anonymous = await client.get("/console", follow_redirects=False)
    assert anonymous.status_code in (302, 303)
    assert anonymous.headers["location"].startswith("/login")
    await sign_in(client, "mallory@example.kr")
    other = await client.get(f"/console/vendors/{world.approved.id}/products/new")
    assert other.status_code == 403


async def test_image_upload_and_removal_in_the_console(
    member_client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    client = member_client
    new = await client.get(f"/console/vendors/{world.approved.id}/products/new")
    await client.post(f"/console/vendors/{world.approved.id}/products/new",
                      data=product_form(csrf_from(new.text)))
    product = await only_product(session_factory)
    edit = await client.get(f"/console/products/{product.id}/edit")
    csrf = csrf_from(edit.text)
    before = await counts(session_factory, world.settings)
    wrong = await client.post(
        f"/console/products/{product.id}/images",
        data={"_csrf_token": csrf}, files={"image": ("doc.png", b"%PDF-1.4", "image/png")},
    )
    assert wrong.status_code == 415
    assert re.search(r'id="e-image">[^<]*PNG, JPEG, WebP', wrong.text)
    assert await counts(session_factory, world.settings) == before

    uploaded = await client.post(
        f"/console/products/{product.id}/images",
        data={"_csrf_token": csrf, "alt": "유자청 병"},
        files={"image": ("yuja.jpg", JPEG, "image/jpeg")}, follow_redirects=True,
    )
    assert "이미지를 올렸습니다" in uploaded.text
    match = re.search(r'<img src="(/media/products/[^"]+\.webp)" alt="유자청 병"', uploaded.text)
    assert match
    served = await client.get(match.group(1))
    assert served.headers["content-type"] == "image/webp" and served.content != JPEG
    image_id = re.search(r"/images/(\d+)/delete", uploaded.text)
    assert image_id
    removed = await client.post(
        f"/console/products/{product.id}/images/{image_id.group(1)}/delete",
        data={"_csrf_token": csrf_from(uploaded.text)}, follow_redirects=True,
    )
    assert "이미지를 삭제했습니다" in removed.text
    after = await counts(session_factory, world.settings)
    assert (after.images, after.files) == (0, 0)
