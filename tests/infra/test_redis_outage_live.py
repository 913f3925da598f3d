"""A Redis outage under a real web process and worker (issue 15): while Redis is down,
browsing, bearer-token calls and committed writes are answered as usual, signed-in pages
are a 503 with ``Retry-After``, nothing is a 500; when it is back, the session is still
there (the embedded Redis persists) and every event written meanwhile is relayed."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role
from infra.accounts.services import issue_token
from infra.embedded_redis import ensure_embedded_redis, stop_embedded_redis
from infra.outbox import OutboxEvent
from infra.settings import Settings
from tests.fixtures.apps import PASSWORD
from tests.processes import running_web, start, stop
from tests.shop.factories import make_product, make_user, make_vendor

pytestmark = [pytest.mark.slow, pytest.mark.platform]

#: How long Redis stays away: a few seconds prove the same as the issue's 30 s, which is
#: ``JANGTEO_REDIS_OUTAGE_S=30`` (decision 71).
OUTAGE_S = float(os.environ.get("JANGTEO_REDIS_OUTAGE_S", "6"))


async def _csrf(client: httpx.AsyncClient) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', (await client.get("/login")).text)
    assert match
    return match.group(1)


async def _unsent(db_session: AsyncSession) -> int:
    db_session.expire_all()
    return int(await db_session.scalar(
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))
    ) or 0)


async def test_nothing_is_a_500_while_redis_is_down_and_nothing_is_lost(
    worker_settings: Settings, db_session: AsyncSession,
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
) -> None:
    var = tmp_path_factory.mktemp("ro")  # short: the Redis socket lives here
    settings = worker_settings.with_(redis_url=ensure_embedded_redis(var),
                                     search_path=tmp_path / "search")
    vendor = await make_vendor(db_session)
    variant = int((await make_product(db_session, vendor, "마을기업전통한과")).variants[0].id)
    shopper = await make_user(db_session, Role.SHOPPER)
    token = await issue_token(db_session, shopper)
    await db_session.commit()

    worker = start(["worker"], settings, tmp_path / "worker.log")
    try:
        with running_web(settings, tmp_path / "web.log") as web:
            signed_in = httpx.AsyncClient(base_url=web.url, timeout=10)
            base = web.url
            await signed_in.post("/login", data={"_csrf_token": await _csrf(signed_in),
                                           "email": shopper.email, "password": PASSWORD})
            assert signed_in.cookies.get("session")
            assert (await signed_in.get("/orders")).status_code == 200

            stop_embedded_redis(var)
            statuses: Counter[str] = Counter()
            added = 0
            until = time.monotonic() + OUTAGE_S
            while time.monotonic() < until:
                async with httpx.AsyncClient(base_url=base, timeout=10) as anonymous:
                    for path in ("/", "/api/markets", "/healthz"):
                        statuses[f"GET {path} {(await anonymous.get(path)).status_code}"] += 1
                    add = await anonymous.post("/cart/items", data={
                        "_csrf_token": await _csrf(anonymous), "variant_id": str(variant),
                        "quantity": "1"})
                    statuses[f"POST /cart/items {add.status_code}"] += 1
                    added += add.status_code == 302
                    bearer = {"Authorization": f"Bearer {token}"}
                    mine = await anonymous.get("/api/orders", headers=bearer)
                    put = await anonymous.post("/api/cart/items", headers=bearer,
                                               json={"variant_id": variant, "quantity": 1})
                    if put.status_code == 201:  # and out again: the cart never outgrows stock
                        line = put.json()["groups"][0]["lines"][0]["id"]
                        gone = await anonymous.delete(f"/api/cart/items/{line}", headers=bearer)
                        statuses[f"DELETE /api/cart/items (bearer) {gone.status_code}"] += 1
                        added += gone.is_success
                statuses[f"GET /api/orders (bearer) {mine.status_code}"] += 1
                statuses[f"POST /api/cart/items (bearer) {put.status_code}"] += 1
                added += put.status_code == 201
                page = await signed_in.get("/orders")
                statuses[f"GET /orders (signed in) {page.status_code}"] += 1
                assert page.status_code != 503 or page.headers["retry-after"] == "5"
            unsent_during = await _unsent(db_session)
            ensure_embedded_redis(var)

            assert not [k for k in statuses if k.endswith(" 500")], statuses
            assert added >= 2 and not [k for k in statuses if k.startswith("POST")
                                       and not k.endswith((" 302", " 201"))], statuses
            assert not [k for k in statuses if k.startswith("DELETE") and " 20" not in k]
            assert statuses["GET /healthz 503"] >= 1 and statuses["GET / 200"] >= 1
            assert statuses["GET /orders (signed in) 503"] >= 1, statuses
            assert not [k for k in statuses if k.startswith("GET") and "bearer" in k
                        and not k.endswith(" 200")]
            assert unsent_during >= added  # the relay could not publish meanwhile

            # Back: the session survived Redis's restart, and the outbox drains.
            assert (await signed_in.get("/orders")).status_code == 200
            deadline = time.monotonic() + 60
            while await _unsent(db_session):
                assert time.monotonic() < deadline, "the outbox did not drain"
                await asyncio.sleep(0.2)
            await signed_in.aclose()
    finally:
        stop(worker)
        stop_embedded_redis(var)
