"""The cart for people: a guest adds from the product page, sees totals per vendor, fixes
quantities with the message beside the field, and keeps the cart when signing in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.hooks import STATE_KEY
from shop.cart import services
from shop.cart.models import Cart, CartStatus
from tests.shop.cart.conftest import Client, World, csrf_from, error_beside, sign_in
from tests.shop.shelf import event_names, stock_rows


async def _add_from_product_page(
    client: Client, product_id: int, variant_id: int, quantity: str
) -> Any:
    page = await client.get(f"/products/{product_id}")
    assert page.status_code == 200
    assert 'action="/cart/items"' in page.text
    return await client.post(
        "/cart/items",
        data={"_csrf_token": csrf_from(page.text), "variant_id": str(variant_id),
              "quantity": quantity},
        follow_redirects=False,
    )


async def test_a_guest_adds_from_the_product_page_and_sees_totals_per_vendor(
    client: Client, world: World
) -> None:
    response = await _add_from_product_page(client, world.cookie.product_id, world.cookie.id, "2")
    assert response.status_code in (302, 303), response.text
    assert response.headers["location"] == "/cart"
    await _add_from_product_page(client, world.hangwa.product_id, world.hangwa.id, "1")
    cart = await client.get("/cart")
    assert cart.status_code == 200
    text = cart.text
    assert "장바구니에 담았습니다" in text
    assert "현미 쿠키" in text and "전통 한과" in text
    assert "햇살협동조합" in text and "두레마을기업" in text
    assert "상품 25,000원 + 배송비 3,000원 = <strong>28,000원</strong>" in text
    assert "상품 15,000원 + 배송비 2,500원 = <strong>17,500원</strong>" in text
    assert "25,000원 더 담으면" in text  # 50,000원 무료배송까지
    assert "45,500원" in text  # 합계


async def test_adding_too_many_shows_the_units_left_beside_the_field_and_writes_nothing(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    before = await stock_rows(session_factory)
    response = await _add_from_product_page(client, world.jam.product_id, world.jam.id, "4")
    assert response.status_code == 409
    assert "딸기잼" in response.text  # the product page again
    assert "재고가 3개 남았습니다" in error_beside(response.text, "quantity")
    assert 'value="4"' in response.text  # what was typed comes back
    assert await stock_rows(session_factory) == before  # not even an empty guest cart


async def test_a_quantity_that_is_not_a_number_is_refused_beside_the_field(
    client: Client, world: World
) -> None:
    response = await _add_from_product_page(client, world.jam.product_id, world.jam.id, "두 개")
    assert response.status_code == 400
    assert error_beside(response.text, "quantity") == "수량은 숫자로 입력해 주세요."


async def test_changing_and_removing_lines_on_the_cart_page(
    client: Client, world: World
) -> None:
    await _add_from_product_page(client, world.jam.product_id, world.jam.id, "1")
    page = await client.get("/cart")
    line_id = int(page.text.split('id="item-', 1)[1].split('"', 1)[0])
    token = csrf_from(page.text)

    refused = await client.post(f"/cart/items/{line_id}", data={"_csrf_token": token,
                                                                 "quantity": "5"})
    assert refused.status_code == 409
    assert "재고가 3개 남았습니다" in error_beside(refused.text, f"quantity-{line_id}")
    assert 'value="5"' in refused.text

    changed = await client.post(f"/cart/items/{line_id}", data={"_csrf_token": token,
                                                                 "quantity": "3"})
    assert changed.status_code == 200
    assert "수량을 바꿨습니다" in changed.text
    assert "상품 24,000원" in changed.text

    removed = await client.post(f"/cart/items/{line_id}/delete", data={"_csrf_token": token})
    assert removed.status_code == 200
    assert "장바구니가 비어 있습니다" in removed.text


async def test_forms_without_csrf_are_refused(client: Client, world: World) -> None:
    await client.get("/cart")
    response = await client.post("/cart/items", data={"variant_id": str(world.jam.id),
                                                      "quantity": "1"})
    assert response.status_code == 403


async def test_signing_in_merges_the_guest_cart_into_the_shoppers(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:  # ana's own cart from another device
        ana = services.CartOwner(user=world.ana)
        await services.add_item(session, ana, world.cookie.id, 1)
        await services.add_item(session, ana, world.jam.id, 2)
    await _add_from_product_page(client, world.cookie.product_id, world.cookie.id, "2")
    await _add_from_product_page(client, world.jam.product_id, world.jam.id, "2")
    await _add_from_product_page(client, world.hangwa.product_id, world.hangwa.id, "1")

    page = await sign_in(client, "ana@example.kr")

    assert "로그인 전에 담은 상품 3가지를 장바구니에 옮겼습니다." in page
    assert "재고가 부족해 1가지 상품의 수량을 줄였습니다." in page  # 딸기잼: 2 + 2 > 3
    cart = (await client.get("/api/cart", headers=world.auth("ana"))).json()
    quantities = {ln["product_name"]: ln["quantity"] for g in cart["groups"] for ln in g["lines"]}
    assert quantities == {"현미 쿠키": 3, "딸기잼": 3, "전통 한과": 1}
    async with session_factory() as session:
        guest = await session.scalar(select(Cart).where(Cart.user_id.is_(None)))
    assert guest is not None and guest.status is CartStatus.MERGED
    assert "cart.merged" in await event_names(session_factory)
    # The page now shows the shopper's cart, and the guest cart is not found again.
    assert "전통 한과" in (await client.get("/cart")).text


async def test_merging_the_same_guest_cart_twice_changes_nothing(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    token = services.new_guest_token()
    async with session_factory() as session:
        await services.add_item(session, services.CartOwner(guest_token=token), world.jam.id, 1)
        first = await services.merge_guest_cart(session, token, world.ben)
    before = await stock_rows(session_factory)
    async with session_factory() as session:
        second = await services.merge_guest_cart(session, token, world.ben)
    assert (first.moved, second.moved) == (1, 0)
    assert await stock_rows(session_factory) == before


async def test_signing_up_keeps_the_guest_cart_too(
    client: Client, world: World
) -> None:
    await _add_from_product_page(client, world.hangwa.product_id, world.hangwa.id, "2")
    form = await client.get("/signup")
    response = await client.post("/signup", data={
        "_csrf_token": csrf_from(form.text), "email": "new@example.kr",
        "password": "password-123", "display_name": "새 손님",
        "consent_terms": "yes", "consent_privacy": "yes",
    })
    assert response.status_code == 200
    assert "장바구니에 옮겼습니다" in response.text
    assert "전통 한과" in (await client.get("/cart")).text


async def test_a_failing_sign_in_hook_does_not_stop_the_sign_in(
    client: Client, world: World
) -> None:
    async def broken(*_: Any) -> list[str]:
        raise RuntimeError("boom")

    client.app.state[STATE_KEY] = [broken, services.merge_after_login]
    await _add_from_product_page(client, world.hangwa.product_id, world.hangwa.id, "1")
    page = await sign_in(client, "ben@example.kr")
    assert "로그인했습니다" in page
    assert "장바구니에 옮겼습니다" in page  # the hooks after the broken one still ran


async def test_the_header_counts_the_cart_and_buy_now_goes_straight_to_the_order_form(
    client: Client, world: World
) -> None:
    home = await client.get("/")
    assert 'id="nav-cart"' in home.text and 'class="badge"' not in home.text
    assert 'href="/snack-boxes"' in home.text  # snack boxes in the top menu

    await _add_from_product_page(client, world.cookie.product_id, world.cookie.id, "2")
    await client.get("/cart")
    elsewhere = await client.get(f"/products/{world.hangwa.product_id}")
    assert 'aria-label="담은 상품 2개">2</span>' in elsewhere.text
    assert 'id="buy-now"' in elsewhere.text

    bought = await client.post(
        "/cart/items",
        data={"_csrf_token": csrf_from(elsewhere.text), "variant_id": str(world.hangwa.id),
              "quantity": "1", "buy_now": "1"},
        follow_redirects=False,
    )
    assert bought.status_code in (302, 303)
    assert bought.headers["location"] == "/checkout"
    form = await client.get("/checkout")
    assert form.status_code == 200
    assert "전통 한과" in form.text and "현미 쿠키" in form.text
    assert 'pattern="' not in form.text  # no browser message in English
    assert "우편번호 5자리 숫자" in form.text
    assert 'aria-label="담은 상품 3개">3</span>' in (await client.get("/cart")).text


async def test_the_search_page_shows_no_developer_timing(client: Client, world: World) -> None:
    page = await client.get("/search", params={"q": "쿠키"})
    assert page.status_code == 200
    assert "ms</p>" not in page.text and "검색 " + "0." not in page.text
