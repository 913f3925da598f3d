"""``/metrics`` is the operator's (issue 15, item 16; decision 46), and a 405 says ``Allow``."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from infra.settings import Settings
from infra.web.ops import may_scrape
from tests.fixtures.apps import METRICS_TOKEN, app_client

Client = AsyncTestClient[Litestar]


async def test_metrics_need_the_token(client: Client) -> None:
    assert (await client.get("/metrics")).status_code == 404
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 404
    right = await client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert right.status_code == 200 and "jangteo_outbox_backlog" in right.text


async def test_without_a_token_only_loopback_scrapes(app_settings: Settings) -> None:
    async with app_client(app_settings.with_(metrics_token=None)) as client:
        # The test client is not on loopback ("testclient").
        assert (await client.get("/metrics")).status_code == 404

    def asking(host: str, **headers: str) -> Any:
        return SimpleNamespace(client=SimpleNamespace(host=host), headers=headers)

    assert may_scrape(asking("127.0.0.1"), None) and may_scrape(asking("::1"), None)
    assert not may_scrape(asking("203.0.113.9"), None)
    # With a token set, being on loopback is not enough (a local reverse proxy is loopback).
    assert not may_scrape(asking("127.0.0.1"), "t0ken")
    assert may_scrape(asking("203.0.113.9", authorization="Bearer t0ken"), "t0ken")


async def test_a_405_carries_allow(client: Client) -> None:
    api = await client.delete("/api/markets")
    assert api.status_code == 405
    assert "GET" in api.headers.get("allow", "")
    page = await client.put("/login")
    assert page.status_code == 405 and "GET" in page.headers.get("allow", "")
