"""``/api`` and the browser (issue 15, item 6; decision 46): a cookie-authenticated write
needs the CSRF header, a bearer token needs none, and a JSON endpoint takes only JSON."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role
from tests.fixtures.apps import PASSWORD, login
from tests.shop.factories import make_user

Client = AsyncTestClient[Litestar]
ITEM = {"variant_id": 987654, "quantity": 1}


async def test_a_cookie_write_to_the_api_needs_the_csrf_header(
    client: Client, db_session: AsyncSession
) -> None:
    shopper = await make_user(db_session, Role.SHOPPER)
    await db_session.commit()
    await login(client, shopper.email)
    # What a cross-site form or fetch can do: the browser sends the cookie, not the header.
    forged = await client.post("/api/cart/items", json=ITEM)
    assert forged.status_code == 403
    assert forged.headers["content-type"].startswith("application/problem+json")
    wrong = await client.post("/api/cart/items", json=ITEM, headers={"X-CSRFToken": "x" * 80})
    assert wrong.status_code == 403
    token = client.cookies.get("csrftoken")
    assert token
    ours = await client.post("/api/cart/items", json=ITEM, headers={"X-CSRFToken": token})
    assert ours.status_code not in (401, 403), ours.text
    # Reading with the cookie stays allowed: no write, nothing to forge.
    assert (await client.get("/api/cart/")).status_code == 200


async def test_a_bearer_token_needs_no_csrf_and_json_must_be_json(
    client: Client, db_session: AsyncSession
) -> None:
    shopper = await make_user(db_session, Role.SHOPPER)
    await db_session.commit()
    issued = await client.post("/api/auth/token",
                               json={"email": shopper.email, "password": PASSWORD})
    auth = {"Authorization": f"Bearer {issued.json()['token']}"}
    client.cookies.clear()
    ours = await client.post("/api/cart/items", json=ITEM, headers=auth)
    assert ours.status_code not in (401, 403, 415), ours.text
    as_text = await client.post(
        "/api/cart/items", content=b'{"variant_id": 987654, "quantity": 1}',
        headers={**auth, "Content-Type": "text/plain"},
    )
    assert as_text.status_code == 415
    assert as_text.headers["content-type"].startswith("application/problem+json")
    as_form = await client.post("/api/auth/token", data={"email": shopper.email,
                                                          "password": PASSWORD})
    assert as_form.status_code == 415
    vendor_json = await client.post(
        "/api/auth/token", content=b'{"email": "a@b.kr", "password": "x"}',
        headers={"Content-Type": "application/vnd.jangteo+json"},
    )
    assert vendor_json.status_code == 401
