"""The dramatiq broker on Redis, with the middleware every process of ours needs.

AsyncIO lets actors be coroutines that call the async domain services; periodiq adds the
``periodic`` actor option that the scheduler reads; FailureCounter keeps per-actor failure
counts in Redis, where the web process's ``/metrics`` can read them.
"""

from __future__ import annotations

import contextlib
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO, Middleware
from periodiq import PeriodiqMiddleware

from infra.redis import redis_url
from infra.settings import Settings

ACTOR_FAILURES_KEY = "metrics:actor_failures"


class FailureCounter(Middleware):
    def __init__(self, client: redis.Redis, namespace: str) -> None:
        self.client = client
        self.key = f"{namespace}:{ACTOR_FAILURES_KEY}"

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        if exception is not None:
            with contextlib.suppress(redis.RedisError):
                self.client.hincrby(self.key, message.actor_name, 1)


def make_broker(settings: Settings) -> RedisBroker:
    url = redis_url(settings)
    broker = RedisBroker(
        url=url,
        namespace=f"{settings.namespace}:dramatiq",
        heartbeat_timeout=settings.broker_heartbeat_ms,
        maintenance_chance=settings.broker_maintenance_chance,
    )
    broker.add_middleware(AsyncIO())
    broker.add_middleware(PeriodiqMiddleware(skip_delay=60))
    broker.add_middleware(FailureCounter(redis.Redis.from_url(url), settings.namespace))
    return broker


def install_broker(settings: Settings) -> RedisBroker:
    """Make the broker and set it as dramatiq's global one (actors bind to it on import)."""
    broker = make_broker(settings)
    dramatiq.set_broker(broker)
    return broker
