"""The snack-box pages: organizers compose a box and open slots in the console (errors beside
the field, nothing saved), shoppers read the catalogue and order through the address form to
the payment page."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.apps import csrf_from, post_login
from tests.shop.snackboxes.conftest import ADDRESS, World, delivery_day, snack_rows

Client = AsyncTestClient[Litestar]


async def sign_in(client: Client, email: str) -> None:
    response = await post_login(client, email, "password-123")
    assert response.status_code in (200, 302, 303), response.text


def compose_form(world: World, csrf: str, **overrides: str) -> dict[str, str]:
    form = {
        "_csrf_token": csrf, "name": "햇음 다과꾸러미", "description": "회의용 다과",
        "lead_days": "3", "is_active": "on",
        "sizes[0].headcount": "10", "sizes[0].price": "33,000",
        "sizes[0].components[0].variant_id": str(world.cookie.id),
        "sizes[0].components[0].quantity": "10",
        "sizes[0].components[1].variant_id": str(world.juice.id),
        "sizes[0].components[1].quantity": "10",
        # Row 1 left empty: skipped. Row 2 is the second size.
        "sizes[2].headcount": "20", "sizes[2].price": "95000",
        "sizes[2].components[3].variant_id": str(world.tray.id),
        "sizes[2].components[3].quantity": "1",
    }
    form.update(overrides)
    return form


async def test_an_organizer_composes_in_the_console_with_errors_beside_the_fields(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await sign_in(client, world.organizer.email)
    new = await client.get("/organizer/snack-boxes/new")
    assert new.status_code == 200 and "새 다과꾸러미" in new.text
    assert "유기농 현미 쿠키" in new.text and "심사 중 쿠키" not in new.text

    before = await snack_rows(session_factory)
    bad = await client.post("/organizer/snack-boxes/new", data=compose_form(
        world, csrf_from(new.text), **{"sizes[2].price": "구만원",
                                       "sizes[2].components[3].quantity": "0"}))
    assert bad.status_code == 400
    # The messages sit beside the form's own rows (row 2, component row 3), typed text kept.
    assert 'id="e-sizes[2].price"' in bad.text
    assert 'id="e-sizes[2].components[3].quantity"' in bad.text
    assert 'value="구만원"' in bad.text
    assert await snack_rows(session_factory) == before

    saved = await client.post("/organizer/snack-boxes/new",
                              data=compose_form(world, csrf_from(new.text)),
                              follow_redirects=False)
    assert saved.status_code in (302, 303), saved.text
    edit_url = saved.headers["location"]
    edit = await client.get(edit_url)
    assert "햇음 다과꾸러미 구성" in edit.text and 'value="33000"' in edit.text

    day = delivery_day(6).isoformat()
    slot_url = f"{edit_url}/slots"
    refused = await client.post(slot_url, data={
        "_csrf_token": csrf_from(edit.text), "delivery_date": day, "capacity": "많이"})
    assert refused.status_code == 400 and 'id="e-capacity"' in refused.text
    opened = await client.post(slot_url, data={
        "_csrf_token": csrf_from(edit.text), "delivery_date": day, "capacity": "8",
        "window_label": "오후 2~4시"}, follow_redirects=True)
    assert opened.status_code == 200 and "오후 2~4시" in opened.text and "0 / 8" in opened.text


async def test_shoppers_cannot_open_the_console(world: World, client: Client) -> None:
    await sign_in(client, world.shopper.email)
    assert (await client.get("/organizer/snack-boxes")).status_code == 403


async def test_a_shopper_orders_a_box_from_the_catalogue_to_the_payment_page(
    world: World, client: Client
) -> None:
    from tests.shop.snackboxes.test_ordering_boxes import _box_with_slot

    sizes, slot_id = await _box_with_slot(client, world, capacity=4)
    catalogue = await client.get("/snack-boxes")
    assert "햇음 다과꾸러미" in catalogue.text and "1인당 3,300원" in catalogue.text
    box_id = re.search(r'href="/snack-boxes/(\d+)"', catalogue.text).group(1)  # type: ignore[union-attr]
    page = await client.get(f"/snack-boxes/{box_id}")
    assert "햇살협동조합" in page.text and "떡공방자활기업" in page.text
    assert "남은 4상자" in page.text

    too_many = await client.get(f"/snack-boxes/{box_id}/order",
                                params={"size_id": sizes[10], "quantity": "abc",
                                        "slot_id": slot_id})
    assert too_many.status_code == 400 and 'id="e-quantity"' in too_many.text

    form = await client.get(f"/snack-boxes/{box_id}/order",
                            params={"size_id": sizes[10], "quantity": 2, "slot_id": slot_id})
    assert form.status_code == 200 and "66,000원 결제하러 가기" in form.text
    missing = await client.post(f"/snack-boxes/{box_id}/order", data={
        "_csrf_token": csrf_from(form.text), "size_id": str(sizes[10]), "quantity": "2",
        "slot_id": str(slot_id), **ADDRESS, "postal_code": "12", "email": "buyer@example.kr"})
    assert missing.status_code == 400 and 'id="e-postal_code"' in missing.text
    placed = await client.post(f"/snack-boxes/{box_id}/order", data={
        "_csrf_token": csrf_from(form.text), "size_id": str(sizes[10]), "quantity": "2",
        "slot_id": str(slot_id), **ADDRESS, "email": "buyer@example.kr", "key": "page-1"},
        follow_redirects=False)
    assert placed.status_code in (302, 303), placed.text
    assert placed.headers["location"].startswith("/pay/")
    again = await client.get(f"/snack-boxes/{box_id}")
    assert "남은 2상자" in again.text

    full = await client.post(f"/snack-boxes/{box_id}/order", data={
        "_csrf_token": csrf_from(form.text), "size_id": str(sizes[10]), "quantity": "3",
        "slot_id": str(slot_id), **ADDRESS, "email": "buyer@example.kr"})
    assert full.status_code == 409 and 'id="e-slot_id"' in full.text and "2상자 남았" in full.text
