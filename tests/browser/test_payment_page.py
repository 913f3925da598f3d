"""The shopper's checkout and payment pages in a real headless Chromium, against a real web
process and a real localstripe: the product page, the cart, the 주문서 form, the test-card
payment page, and the page's own JavaScript that answers localstripe's 3-D Secure step."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.orders.models import Order
from tests.browser.conftest import Page
from tests.shop.conftest import ADDRESS, DECLINED, THREE_DS, VISA, Shop

pytestmark = pytest.mark.slow


def to_payment_page(page: Page, shop: Shop) -> str:
    """As a guest: 2 cookies into the cart, 주문하기, the address form, and on to 결제하기;
    the payment page's path."""
    page.open(f"/products/{shop.cookie.product_id}")
    quantity = page.element("#f-quantity")
    quantity.clear()
    quantity.send_keys("2")
    page.click_and_leave("#add-to-cart button[type=submit]")
    page.open("/cart")
    assert "23,000원" in page.element("#to-checkout").text  # 2 × 10,000 + delivery 3,000
    page.click_and_leave("#to-checkout")
    page.heading("주문서")
    page.fill({
        "recipient": ADDRESS["recipient"], "phone": ADDRESS["phone"],
        "postal_code": ADDRESS["postal_code"], "road_address": ADDRESS["road_address"],
        "email": "guest@example.kr",
    })
    page.click_and_leave("#place-order")
    page.heading("결제하기")
    page.element("#test-cards")
    path = page.driver.current_url.removeprefix(page.site.url)
    assert re.fullmatch(r"/pay/[^/]+", path), path
    return path


def pay_with(page: Page, card: str) -> None:
    page.element(f'#test-cards input[name="card"][value="{card}"]').click()
    page.click_and_leave("#pay-button")


def order_number_on_done_page(page: Page) -> str:
    page.heading("주문이 완료되었습니다")
    number = page.element("#order-number").text
    assert re.fullmatch(r"JT-\d{6}-\d{6}", number), number
    return number


async def order_numbers(db_session: AsyncSession) -> list[str]:
    db_session.expire_all()
    return list((await db_session.scalars(select(Order.number))).all())


async def test_a_guest_pays_with_a_3ds_card_confirmed_in_the_browser(
    shop: Shop, page: Page, db_session: AsyncSession
) -> None:
    to_payment_page(page, shop)
    pay_with(page, THREE_DS)
    page.element("#three-ds")
    assert not page.driver.find_elements("css selector", "#payment-error")
    page.element("#three-ds-ok").click()  # the page's script answers localstripe, then returns
    number = order_number_on_done_page(page)
    assert "/checkout/done/" in page.driver.current_url
    assert await order_numbers(db_session) == [number]


async def test_a_failed_3ds_comes_back_to_the_payment_page_and_another_card_pays(
    shop: Shop, page: Page, db_session: AsyncSession
) -> None:
    pay_path = to_payment_page(page, shop)
    pay_with(page, THREE_DS)
    page.element("#three-ds")
    page.click_and_leave("#three-ds-fail")
    page.heading("결제하기")
    page.element("#test-cards")  # pending again: the cards are offered again
    assert page.driver.current_url == page.site.url + pay_path
    assert "결제가 되지 않았습니다" in page.element("#payment-error").text
    assert await order_numbers(db_session) == []
    pay_with(page, VISA)
    number = order_number_on_done_page(page)
    assert await order_numbers(db_session) == [number]


async def test_a_declined_card_says_so_and_offers_the_cards_again(
    shop: Shop, page: Page, db_session: AsyncSession
) -> None:
    to_payment_page(page, shop)
    pay_with(page, DECLINED)
    assert "결제가 되지 않았습니다" in page.element("#payment-error").text
    page.element("#test-cards")
    assert await order_numbers(db_session) == []
