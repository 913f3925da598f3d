"""Idempotency keys are the owner's (issue 15, item 10; decision 46): the same key sent by
someone else places their own checkout and never returns the first one's contact details."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.checkout.models import Checkout
from tests.fixtures.apps import csrf_from
from tests.shop.conftest import ADDRESS, Shop, order_body

Client = AsyncTestClient[Litestar]


async def _place(client: Client, body: dict[str, object], **headers: str) -> dict[str, object]:
    response = await client.post("/api/checkout", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_another_shoppers_key_places_their_own_checkout(
    shop: Shop, pay_client: Client, db_session: AsyncSession
) -> None:
    body = order_body([(shop.cookie.id, 1)], key="order-1")
    mine = await _place(pay_client, body, **shop.auth("shopper"))
    again = await _place(pay_client, body, **shop.auth("shopper"))
    assert again["token"] == mine["token"]
    theirs = await _place(pay_client, body, **shop.auth("stranger"))
    assert theirs["token"] != mine["token"]
    # A guest (no token, no session) with the same key but their own contact details.
    guest_body = order_body([(shop.cookie.id, 1)], key="order-1")
    guest_body["address"] = {**ADDRESS, "recipient": "남궁민", "phone": "01099998888"}
    guest = await _place(pay_client, guest_body)
    assert guest["token"] not in (mine["token"], theirs["token"])
    assert int(await db_session.scalar(select(func.count()).select_from(Checkout)) or 0) == 3


async def test_form_keys_are_unguessable(shop: Shop, pay_client: Client) -> None:
    cart = await pay_client.get(f"/products/{shop.cookie.product_id}")
    await pay_client.post("/cart/items", data={
        "_csrf_token": csrf_from(cart.text), "variant_id": str(shop.cookie.id), "quantity": "1"})
    page = await pay_client.get("/checkout")
    match = re.search(r'name="key" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    assert not match.group(1).isdigit() and len(match.group(1)) >= 24
