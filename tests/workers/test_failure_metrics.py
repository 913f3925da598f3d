"""Actor failures counted by the worker show up in the web process's /metrics."""

from __future__ import annotations

from types import SimpleNamespace

import redis
from litestar import Litestar
from litestar.testing import AsyncTestClient

from infra.broker import ACTOR_FAILURES_KEY, FailureCounter
from infra.settings import Settings
from tests.fixtures.apps import scrape


async def test_failed_messages_are_counted_per_actor_and_exported(
    app: Litestar, client: AsyncTestClient, settings: Settings
) -> None:
    client_redis = redis.Redis.from_url(settings.redis_url or "")
    client_redis.delete(f"{settings.namespace}:{ACTOR_FAILURES_KEY}")
    counter = FailureCounter(client_redis, settings.namespace)
    message = SimpleNamespace(actor_name="index_catalog_change")
    counter.after_process_message(None, message, exception=RuntimeError("boom"))
    counter.after_process_message(None, message, exception=RuntimeError("boom"))
    counter.after_process_message(None, message, result="fine")

    text = await scrape(client)
    assert 'jangteo_actor_failures_total{actor="index_catalog_change"} 2.0' in text
