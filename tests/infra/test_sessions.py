"""Sessions (issue 15, items 5–7; decision 46): a new id whenever who you are changes, no
session for a visitor who stores nothing, and no cookie-authenticated write to ``/api``
without the CSRF header."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.settings import Settings
from tests.fixtures.apps import csrf_from, login, post_login
from tests.shop.factories import make_user

Client = AsyncTestClient[Litestar]


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    """A Redis namespace of this test's own, so its sessions can be counted."""
    return settings.with_(search_path=tmp_path / "search", namespace=f"jt-s-{uuid.uuid4().hex[:8]}")


def _redis(settings: Settings) -> redis.Redis:
    assert settings.redis_url
    return redis.Redis.from_url(settings.redis_url)


def _session_keys(settings: Settings) -> list[Any]:
    return list(_redis(settings).keys(f"{settings.namespace}:sessions*"))


def _plant(settings: Settings, session_id: str, data: bytes) -> None:
    """A session the store holds (a guest's), written the way the app's store writes it."""
    _redis(settings).set(f"{settings.namespace}:sessions:{session_id}", data)


def _stored(settings: Settings, session_id: str) -> bool:
    return bool(_redis(settings).exists(f"{settings.namespace}:sessions:{session_id}"))


def _use_cookie(client: Client, session_id: str | None) -> None:
    client.cookies.clear()
    if session_id:
        client.cookies.set("session", session_id, domain="testserver.local")


async def _me(client: Client) -> int:
    """200 when the client's cookie signs someone in, else the guard's answer."""
    return (await client.get("/api/analytics/platform")).status_code


async def test_a_planted_session_id_is_not_the_id_after_sign_in(
    client: Client, db_session: AsyncSession
) -> None:
    admin = await make_user(db_session, Role.ADMIN)
    await db_session.commit()
    _use_cookie(client, "planted-by-the-attacker")
    response = await post_login(client, admin.email, follow_redirects=False)
    assert response.status_code == 302
    issued = client.cookies.get("session")
    assert issued and issued != "planted-by-the-attacker"
    assert await _me(client) == 200
    _use_cookie(client, "planted-by-the-attacker")
    assert await _me(client) == 401


async def test_a_guest_session_gets_a_new_id_at_sign_in_and_sign_up(
    client: Client, db_session: AsyncSession, app_settings: Settings
) -> None:
    admin = await make_user(db_session, Role.ADMIN)
    await db_session.commit()
    page = await client.get("/login")
    # A flash message or a cart makes a guest session; any stored data will do.
    failed = await client.post("/login", data={
        "_csrf_token": csrf_from(page.text), "email": admin.email, "password": "wrong"})
    assert failed.status_code == 400
    _plant(app_settings, "guest-id", b'{"cart_token": "abc"}')
    _use_cookie(client, "guest-id")
    response = await post_login(client, admin.email, follow_redirects=False)
    assert response.status_code == 302
    assert client.cookies.get("session") not in (None, "guest-id")
    assert not _stored(app_settings, "guest-id")

    _plant(app_settings, "guest-2", b'{"cart_token": "def"}')
    _use_cookie(client, "guest-2")
    page = await client.get("/signup")
    signed_up = await client.post("/signup", data={
        "_csrf_token": csrf_from(page.text), "email": "new@example.kr",
        "password": "longenough1", "display_name": "새사람",
        "consent_terms": "yes", "consent_privacy": "yes"}, follow_redirects=False)
    assert signed_up.status_code in (302, 303)
    assert client.cookies.get("session") not in (None, "guest-2")
    assert not _stored(app_settings, "guest-2")


async def test_sign_out_ends_the_session_for_whoever_kept_its_id(
    client: Client, db_session: AsyncSession
) -> None:
    admin = await make_user(db_session, Role.ADMIN)
    await db_session.commit()
    await login(client, admin.email)
    kept = client.cookies.get("session")
    page = await client.get("/")
    assert (await client.post("/logout", data={"_csrf_token": csrf_from(page.text)},
                              follow_redirects=False)).status_code in (302, 303)
    _use_cookie(client, kept)
    assert await _me(client) == 401


async def test_a_change_of_roles_moves_the_session_to_a_new_id(
    client: Client, db_session: AsyncSession
) -> None:
    person = await make_user(db_session, Role.SHOPPER)
    await db_session.commit()
    await login(client, person.email)
    before = client.cookies.get("session")
    assert await _me(client) == 403
    user = await db_session.get(User, person.id)
    assert user is not None
    user.roles = [*user.roles, Role.ADMIN.value]
    await db_session.commit()
    assert await _me(client) == 200
    after = client.cookies.get("session")
    assert after and after != before
    _use_cookie(client, before)
    assert await _me(client) == 401


async def test_cookieless_visits_store_no_session(client: Client, app_settings: Settings) -> None:
    for path in ("/", "/healthz", "/login", "/products", "/api/markets"):
        response = await client.get(path)
        assert response.status_code < 500, path
        assert "session=" not in response.headers.get("set-cookie", ""), path
        client.cookies.clear()
    assert _session_keys(app_settings) == []


async def test_a_session_that_becomes_empty_is_deleted(
    client: Client, db_session: AsyncSession, app_settings: Settings
) -> None:
    admin = await make_user(db_session, Role.ADMIN)
    await db_session.commit()
    await login(client, admin.email)
    assert len(_session_keys(app_settings)) == 1
    page = await client.get("/")
    await client.post("/logout", data={"_csrf_token": csrf_from(page.text)})
    assert _session_keys(app_settings) == []
