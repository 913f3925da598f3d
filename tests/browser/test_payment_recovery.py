"""A signed-in shopper leaves the 3-D Secure step, reloads it, comes back to the payment
page and either finishes the authentication or starts over with another card: one order,
one charge, and never an error page (real Chromium, web process and localstripe)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.browser.conftest import Page
from tests.browser.test_payment_page import (
    order_number_on_done_page,
    order_numbers,
    pay_with,
    to_payment_page,
)
from tests.shop.conftest import THREE_DS, VISA, Shop

pytestmark = pytest.mark.slow


def sign_in(page: Page) -> None:
    page.open("/login")
    page.fill({"email": "shopper@example.kr", "password": "password-123"})
    page.click_and_leave("form[action='/login'] button[type=submit]")
    page.element(".user-nav .who")


def leave_the_3ds_step_and_come_back(page: Page, pay_path: str) -> None:
    pay_with(page, THREE_DS)
    page.element("#three-ds")
    page.open("/")  # away, then the step's URL again (as typed, or from the history)
    page.open(pay_path + "/test-card")
    page.heading("결제하기")
    page.element("#three-ds")
    assert page.element(".user-nav .who").text.endswith("님")  # still signed in
    page.driver.refresh()
    page.element("#three-ds")
    page.open("/")
    page.open(pay_path)  # back on the payment page: continue, or start over
    page.heading("결제하기")
    page.element("#three-ds")
    page.element("#restart-payment")


async def test_a_shopper_back_from_3ds_starts_over_and_pays_with_another_card(
    shop: Shop, page: Page, db_session: AsyncSession
) -> None:
    sign_in(page)
    pay_path = to_payment_page(page, shop)
    leave_the_3ds_step_and_come_back(page, pay_path)
    page.click_and_leave("#restart-button")
    page.heading("결제하기")
    page.element("#test-cards")
    assert page.driver.current_url == page.site.url + pay_path
    assert not page.driver.find_elements("css selector", "#payment-error")
    pay_with(page, VISA)
    number = order_number_on_done_page(page)
    assert await order_numbers(db_session) == [number]


async def test_a_shopper_back_from_3ds_finishes_the_authentication(
    shop: Shop, page: Page, db_session: AsyncSession
) -> None:
    sign_in(page)
    pay_path = to_payment_page(page, shop)
    leave_the_3ds_step_and_come_back(page, pay_path)
    page.element("#three-ds-ok").click()
    number = order_number_on_done_page(page)
    assert await order_numbers(db_session) == [number]


async def test_a_second_checkout_of_the_cart_leaves_the_first_payment_page_unpayable(
    shop: Shop, page: Page, db_session: AsyncSession
) -> None:
    first = to_payment_page(page, shop)
    stale_tab = page.driver.current_window_handle
    page.driver.switch_to.new_window("tab")  # the same cart checked out again in another tab
    page.open("/cart")
    page.click_and_leave("#to-checkout")
    page.heading("주문서")
    page.fill({"recipient": "김장터", "phone": "010-1234-5678", "postal_code": "04524",
               "road_address": "서울특별시 중구 세종대로 110", "email": "guest@example.kr"})
    page.click_and_leave("#place-order")
    page.heading("결제하기")
    second = page.driver.current_url.removeprefix(page.site.url)
    assert second != first
    new_tab = page.driver.current_window_handle

    page.driver.switch_to.window(stale_tab)  # the first tab still shows the cards: pay there
    pay_with(page, VISA)
    assert "새 주문서" in page.element("#payment-closed").text
    assert not page.driver.find_elements("css selector", "#test-cards")
    page.open(first)  # and opened again, it says the same
    page.heading("취소된 주문서입니다")
    assert "새 주문서" in page.element("#order-cancelled").text
    assert await order_numbers(db_session) == []

    page.driver.switch_to.window(new_tab)
    pay_with(page, VISA)
    number = order_number_on_done_page(page)
    assert await order_numbers(db_session) == [number]
