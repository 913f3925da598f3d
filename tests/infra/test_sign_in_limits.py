"""Brute force is limited (decision 55): wrong passwords per account and per address, sign-ups
and tokens per address and account, each past its limit a 429 with ``Retry-After``; attempts
racing past a limit are every one counted; a Redis outage is a 503, not an open door."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts import limits
from infra.accounts.models import Role
from infra.settings import Settings
from infra.web.rate_limits import Limit, key_part
from tests.fixtures.apps import PASSWORD, app_client, csrf_from, post_login
from tests.shop.factories import make_user

CONSENTS = {"consent_terms": "yes", "consent_privacy": "yes"}


@pytest.fixture
def limited_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The real limits, with counters of this test's own (a fresh namespace)."""
    return settings.with_(rate_limit_factor=1, namespace=f"jt-limits-{uuid.uuid4().hex[:8]}",
                          search_path=tmp_path / "search")


@pytest.fixture
async def limited(
    limited_settings: Settings, session_factory: Any
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with app_client(limited_settings) as client:
        yield client


def _key(settings: Settings, limit: Limit, value: str) -> str:
    return f"{settings.namespace}:ratelimit:{limit.scope}:{key_part(value)}"


def counted(settings: Settings, limit: Limit, value: str) -> int:
    assert settings.redis_url
    return int(redis.Redis.from_url(settings.redis_url).get(_key(settings, limit, value)) or 0)


def attempts_made(settings: Settings, limit: Limit, value: str, n: int) -> None:
    """Attempts as if made earlier in the window (argon2 is slow on a shared machine)."""
    assert settings.redis_url
    redis.Redis.from_url(settings.redis_url).set(_key(settings, limit, value), n,
                                                 ex=limit.window_s)


async def test_wrong_passwords_lock_the_account_not_the_person_who_knows_it_elsewhere(
    limited: AsyncTestClient[Litestar], limited_settings: Settings, db_session: AsyncSession
) -> None:
    victim = await make_user(db_session, Role.SHOPPER)
    other = await make_user(db_session, Role.SHOPPER)
    await db_session.commit()
    allowed = limits.SIGN_IN_ACCOUNT.attempts
    attempts_made(limited_settings, limits.SIGN_IN_ACCOUNT, victim.email, allowed - 2)
    for _ in range(2):
        assert (await post_login(limited, victim.email, "wrong-guess")).status_code == 400
    assert counted(limited_settings, limits.SIGN_IN_ACCOUNT, victim.email) == allowed
    refused = await post_login(limited, victim.email, "wrong-guess")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= limits.SIGN_IN_ACCOUNT.window_s
    assert "시도가 너무 많습니다" in refused.text
    # Past the limit even the right password waits: guesses cannot be told from it.
    assert (await post_login(limited, victim.email, PASSWORD)).status_code == 429
    # The token API shares the account's count, and says so as problem details.
    api = await limited.post("/api/auth/token", json={"email": victim.email,
                                                      "password": PASSWORD})
    assert api.status_code == 429
    assert api.headers["retry-after"]
    assert api.headers["content-type"].startswith("application/problem+json")
    # Another account from the same address signs in (the address is far from its limit).
    limited.cookies.clear()
    assert (await post_login(limited, other.email, PASSWORD)).status_code == 200


async def test_right_passwords_do_not_use_up_the_window(
    limited: AsyncTestClient[Litestar], limited_settings: Settings, db_session: AsyncSession
) -> None:
    user = await make_user(db_session, Role.SHOPPER)
    await db_session.commit()
    attempts_made(limited_settings, limits.SIGN_IN_ACCOUNT, user.email,
                  limits.SIGN_IN_ACCOUNT.attempts - 1)
    for _ in range(3):
        limited.cookies.clear()
        assert (await post_login(limited, user.email, PASSWORD)).status_code == 200
    assert counted(limited_settings, limits.SIGN_IN_ACCOUNT, user.email) == (
        limits.SIGN_IN_ACCOUNT.attempts - 1)


async def test_sign_ups_are_limited_per_address(
    limited: AsyncTestClient[Litestar], limited_settings: Settings
) -> None:
    page = await limited.get("/signup")
    token = csrf_from(page.text)
    statuses = []
    for n in range(limits.SIGN_UP_ADDRESS.attempts + 1):
        response = await limited.post("/signup", follow_redirects=False, data={
            "_csrf_token": token, "email": f"spam{n}@example.kr", "password": "longenough1",
            "display_name": "가입", **CONSENTS})
        statuses.append(response.status_code)
    assert all(s in (302, 303) for s in statuses[:-1]), statuses
    assert statuses[-1] == 429
    assert counted(limited_settings, limits.SIGN_UP_ADDRESS, "testclient") == len(statuses)
    # The form comes back, in Korean, with the message beside the e-mail field.
    last = await limited.post("/signup", data={
        "_csrf_token": token, "email": "one-more@example.kr", "password": "longenough1",
        "display_name": "가입", **CONSENTS})
    assert last.status_code == 429 and "시도가 너무 많습니다" in last.text
    assert last.headers["retry-after"]


async def test_tokens_are_limited_per_account(
    limited: AsyncTestClient[Litestar], limited_settings: Settings, db_session: AsyncSession
) -> None:
    user = await make_user(db_session, Role.SHOPPER)
    await db_session.commit()
    body = {"email": user.email, "password": PASSWORD, "name": "script"}
    attempts_made(limited_settings, limits.TOKEN_ACCOUNT, user.email,
                  limits.TOKEN_ACCOUNT.attempts - 1)
    assert (await limited.post("/api/auth/token", json=body)).status_code == 201
    refused = await limited.post("/api/auth/token", json=body)
    assert refused.status_code == 429
    assert refused.json()["status"] == 429


async def test_racing_guesses_are_all_counted(
    limited: AsyncTestClient[Litestar], limited_settings: Settings, db_session: AsyncSession
) -> None:
    """N wrong passwords sent at once, N beyond the limit: exactly the limit is checked, the
    rest refused, and every one is in the count (no bypass by racing)."""
    victim = await make_user(db_session, Role.SHOPPER)
    await db_session.commit()
    allowed = limits.SIGN_IN_ACCOUNT.attempts
    racers = allowed * 3
    answers = await asyncio.gather(*(
        limited.post("/api/auth/token", json={"email": victim.email, "password": f"guess-{n}"})
        for n in range(racers)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [401] * allowed + [429] * (racers - allowed)
    assert counted(limited_settings, limits.SIGN_IN_ACCOUNT, victim.email) == racers


async def test_a_redis_outage_refuses_sign_in_with_503_not_500(
    settings: Settings, tmp_path: Path, db_session: AsyncSession
) -> None:
    """Counting needs Redis; without it, letting guesses through uncounted would be the
    bypass, so the answer is 503 with Retry-After (decision 45)."""
    user = await make_user(db_session, Role.SHOPPER)
    await db_session.commit()
    down = settings.with_(redis_url=f"unix://{tmp_path / 'down.sock'}", rate_limit_factor=1,
                          search_path=tmp_path / "search")
    async with app_client(down) as client:
        response = await client.post("/api/auth/token",
                                     json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 503
        assert response.headers["retry-after"]
