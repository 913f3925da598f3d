"""The paths people take, in a real headless Chromium against a real web process: pictures on
the home page, a second checkout of one cart making the older payment page refuse, a snack
box shown as one box with one price and one cancel, the organizer's menu reaching each of
its pages, and sign-up refused without the required consents."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role, User
from infra.accounts.services import issue_token
from search.engine import make_engine
from shop import demo_pictures
from shop.catalog import images, indexing
from shop.catalog.models import Product, ProductImage
from shop.catalog.services import public_dir
from shop.checkout.services import SUPERSEDED
from tests.browser.conftest import Page
from tests.browser.test_payment_page import order_number_on_done_page, pay_with, to_payment_page
from tests.fixtures.apps import PASSWORD
from tests.shop.conftest import ADDRESS, VISA, Shop
from tests.shop.factories import make_user
from tests.shop.snackboxes.conftest import delivery_day

pytestmark = pytest.mark.slow


def sign_in(page: Page, email: str) -> None:
    page.open("/login")
    page.fill({"email": email, "password": PASSWORD})
    page.click_and_leave("form[action='/login'] button[type=submit]")


async def test_home_page_cards_show_their_pictures_or_a_placeholder(
    page: Page, shop: Shop, session_factory: async_sessionmaker[AsyncSession], site_dir: Path,
) -> None:
    async with session_factory() as session:
        cookie = await session.get(Product, shop.cookie.product_id)
        assert cookie is not None
        drawn = demo_pictures.draw(cookie.name, cookie.category.value, cookie.category.label)
        stored = images.store(public_dir(shop.settings), f"products/{cookie.id}/drawn",
                              images.render(drawn))
        cookie.images.append(ProductImage(storage_path=stored, alt=cookie.name,
                                          content_type=images.CONTENT_TYPE))
        await session.commit()
        engine = make_engine(meilisearch_url=None, meilisearch_key=None,
                             data_dir=site_dir / "search")
        try:  # as the worker would
            await indexing.sync_products(session, engine, [cookie.id, shop.tea.product_id])
        finally:
            engine.close()

    page.open("/")
    picture = page.element(f"img.card-image[alt='{cookie.name}']")
    page.until("the card picture to load", lambda d: d.execute_script(
        "const i = arguments[0]; return i.complete && i.naturalWidth", picture) == 400)
    assert picture.size["width"] > 100 and picture.size["width"] == picture.size["height"]
    assert page.element(".card-image-none").text == "사진 준비 중"  # the tea has no picture


async def test_paying_an_older_checkout_of_the_same_cart_is_refused_with_a_reason(
    page: Page, shop: Shop,
) -> None:
    first = to_payment_page(page, shop)  # this tab keeps the first payment page open
    old_tab = page.driver.current_window_handle
    page.driver.switch_to.new_window("tab")
    page.open("/cart")
    page.click_and_leave("#to-checkout")
    page.heading("주문서")
    page.fill({"recipient": ADDRESS["recipient"], "phone": ADDRESS["phone"],
               "postal_code": ADDRESS["postal_code"], "road_address": ADDRESS["road_address"],
               "email": "guest@example.kr"})
    page.click_and_leave("#place-order")
    page.heading("결제하기")
    second = page.driver.current_url.removeprefix(page.site.url)
    assert second != first

    page.driver.switch_to.window(old_tab)
    pay_with(page, VISA)
    refused = page.element("#payment-closed").text
    assert SUPERSEDED in refused and "새 주문서에서 결제해 주세요" in refused

    page.open(second)
    pay_with(page, VISA)
    order_number_on_done_page(page)


async def test_a_snack_box_is_one_box_with_one_price_and_one_cancel(
    page: Page, shop: Shop, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        organizer = await make_user(session, Role.ORGANIZER)
        organizer_token = await issue_token(session, organizer)
        await session.commit()
    organizer_auth = {"Authorization": f"Bearer {organizer_token}"}
    box_body = {
        "name": "햇살 다과꾸러미", "description": "쿠키와 작설차로 꾸린 다과", "lead_days": 3,
        "is_active": True, "sizes": [{"headcount": 10, "price": 25_000, "components": [
            {"variant_id": shop.cookie.id, "quantity": 2},
            {"variant_id": shop.tea.id, "quantity": 1}]}],
    }
    async with httpx.AsyncClient(base_url=page.site.url, timeout=20) as api:
        box = await api.post("/api/snack-boxes", headers=organizer_auth, json=box_body)
        assert box.status_code == 201, box.text
        slot = await api.post(
            f"/api/snack-boxes/{box.json()['id']}/slots", headers=organizer_auth,
            json={"delivery_date": delivery_day(5).isoformat(), "capacity": 3,
                  "window_label": "오전 10~12시"})
        assert slot.status_code == 201, slot.text
        placed = await api.post("/api/checkout", headers=shop.auth("shopper"), json={
            "address": ADDRESS, "email": "shopper@example.kr",
            "snack_boxes": [{"size_id": box.json()["sizes"][0]["id"], "quantity": 1,
                             "slot_id": slot.json()["id"]}]})
        assert placed.status_code == 201, placed.text
        paid = await api.post(f"/api/payments/{placed.json()['payment']['token']}/test-card",
                              json={"card": VISA})
        assert paid.json()["status"] == "succeeded", paid.text
        checkout = await api.get(f"/api/checkout/{placed.json()['token']}")
        number = checkout.json()["order_number"]

    sign_in(page, shop.shopper.email)
    page.open(f"/orders/{number}")
    boxes = page.driver.find_elements("css selector", "section.snack-box")
    assert len(boxes) == 1
    assert "햇살 다과꾸러미 10인 × 1상자" in boxes[0].text and "25,000원" in boxes[0].text
    cancels = page.driver.find_elements("css selector", "form[action$='/cancel'] button")
    assert [c.text for c in cancels] == ["다과꾸러미 취소 (전액 환불)"]  # none per vendor part
    page.click_and_leave("section.snack-box form[action$='/cancel'] button")
    page.until("the box to show as cancelled", lambda d: "주문 취소" in d.find_element(
        "css selector", "section.snack-box h2").text)
    assert not page.driver.find_elements("css selector", "form[action$='/cancel']")


async def test_the_organizer_menu_reaches_each_of_its_pages(
    page: Page, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session:
        organizer = await make_user(session, Role.ORGANIZER, email="organizer@jangteo.kr")
        await session.commit()
    sign_in(page, organizer.email)
    page.open("/")
    links = [(a.text, a.get_attribute("href") or "") for a in
             page.driver.find_elements("css selector", "#nav-organizer a")]
    assert [label for label, _ in links] == [
        "장터 운영", "장비 대여 창구", "다과꾸러미 관리", "장터 분석"]
    for label, href in links:
        path = href.removeprefix(page.site.url)
        page.open("/")
        page.click_and_leave(f"#nav-organizer a[href='{path}']")
        page.element("h1")
        body = page.driver.find_element("tag name", "body").text
        assert "오류 코드" not in body, (label, page.driver.current_url, body[:500])
        assert page.driver.current_url.startswith(href), label


async def test_sign_up_is_refused_without_the_required_consents(
    page: Page, session_factory: async_sessionmaker[AsyncSession],
) -> None:
    page.open("/signup")
    page.fill({"display_name": "새 이웃", "email": "neighbour@example.kr",
               "password": "a-long-password-1"})
    page.element("input[name='consent_marketing']").click()  # optional, not enough
    page.click_and_leave("form[action='/signup'] button[type=submit]")
    page.heading("회원가입")
    assert "이용약관 동의는 필수입니다" in page.element("#e-consent_terms").text
    assert "필수입니다" in page.element("#e-consent_privacy").text
    async with session_factory() as session:
        assert await session.scalar(select(func.count(User.id)).where(
            User.email == "neighbour@example.kr")) == 0
