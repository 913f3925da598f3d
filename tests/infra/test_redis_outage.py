"""A Redis outage in the web process (infra/web/sessions.py): requests that need no session
never ask Redis; a committed write answers with its success; where the session is truly
needed the answer is 503 with ``Retry-After``, never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import redis
from litestar import Litestar
from litestar.stores.redis import RedisStore
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role
from infra.accounts.services import issue_token
from infra.settings import Settings
from shop.cart.models import CartLine
from tests.fixtures.apps import app_client, csrf_from, login
from tests.shop.factories import make_product, make_user, make_vendor


@pytest.fixture
def down_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The suite's settings with Redis at a socket nobody listens on."""
    return settings.with_(redis_url=f"unix://{tmp_path / 'down.sock'}",
                          search_path=tmp_path / "search")


async def _variant(db_session: AsyncSession) -> int:
    vendor = await make_vendor(db_session)
    product = await make_product(db_session, vendor, "마을기업전통한과")
    await db_session.commit()
    return int(product.variants[0].id)


async def _cart_items(db_session: AsyncSession) -> int:
    db_session.expire_all()
    return int(await db_session.scalar(select(func.count()).select_from(CartLine)) or 0)


async def test_requests_without_a_session_are_served_while_redis_is_down(
    down_settings: Settings, db_session: AsyncSession
) -> None:
    shopper = await make_user(db_session, Role.SHOPPER)
    token = await issue_token(db_session, shopper)
    await db_session.commit()
    async with app_client(down_settings) as client:
        health = await client.get("/healthz")
        assert health.status_code == 503  # the broker is down, and it says so: not a 500
        assert health.json()["checks"]["broker"]["ok"] is False
        assert health.json()["checks"]["database"]["ok"] is True
        home = await client.get("/")
        assert home.status_code == 200
        assert "session=" not in home.headers.get("set-cookie", "")  # nothing was stored
        assert (await client.get("/api/markets")).status_code == 200
        client.cookies.set("session", "planted-by-nobody")  # a bearer call ignores cookies
        mine = await client.get("/api/orders", headers={"Authorization": f"Bearer {token}"})
        assert mine.status_code == 200, mine.text


async def test_a_session_that_cannot_be_read_is_a_503_with_retry_after(
    down_settings: Settings, session_factory: Any
) -> None:
    async with app_client(down_settings) as client:
        client.cookies.set("session", "a" * 64)
        page = await client.get("/cart")
        assert page.status_code == 503
        assert page.headers["retry-after"] == "5"
        assert "잠시 후 다시 시도해 주세요" in page.text
        api = await client.get("/api/cart")
        assert api.status_code == 503 and api.headers["retry-after"] == "5"
        assert api.headers["content-type"].startswith("application/problem+json")


async def test_a_committed_write_answers_its_success_though_the_session_cannot_be_kept(
    down_settings: Settings, db_session: AsyncSession
) -> None:
    variant = await _variant(db_session)
    async with app_client(down_settings) as client:
        token = csrf_from((await client.get("/login")).text)
        added = await client.post(
            "/cart/items", data={"_csrf_token": token, "variant_id": str(variant),
                                 "quantity": "2"},
            follow_redirects=False,
        )
        assert added.status_code == 302 and added.headers["location"] == "/cart", added.text
    assert await _cart_items(db_session) == 1


async def test_a_signed_in_write_stands_when_redis_goes_away_mid_request(
    client: AsyncTestClient[Litestar], db_session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    variant = await _variant(db_session)
    shopper = await make_user(db_session, Role.SHOPPER)
    await db_session.commit()
    await login(client, shopper.email)
    token = csrf_from((await client.get("/login")).text)

    async def refuse(*args: Any, **kwargs: Any) -> None:
        raise redis.ConnectionError("Error 111 connecting to var/redis.sock")

    monkeypatch.setattr(RedisStore, "set", refuse)  # the session was read; Redis dies now
    added = await client.post(
        "/cart/items", data={"_csrf_token": token, "variant_id": str(variant), "quantity": "1"},
        follow_redirects=False,
    )
    assert added.status_code == 302 and added.headers["location"] == "/cart", added.text
    assert await _cart_items(db_session) == 1
