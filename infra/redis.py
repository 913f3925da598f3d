"""Which Redis to use: the configured server, or the embedded one started on demand."""

from __future__ import annotations

import redis

from infra.embedded_redis import ensure_embedded_redis
from infra.settings import Settings


def redis_url(settings: Settings) -> str:
    return settings.redis_url or ensure_embedded_redis(settings.var_dir)


#: A web request never waits longer than this on a Redis that hangs (stopped, overloaded):
#: it fails, and the failure is a 503 (``infra.web.sessions``), not a stuck request.
SOCKET_TIMEOUT_S = 3.0
CONNECT_TIMEOUT_S = 2.0


def redis_client(settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(redis_url(settings), socket_timeout=SOCKET_TIMEOUT_S,
                                socket_connect_timeout=CONNECT_TIMEOUT_S)


def describe(url: str) -> str:
    """A URL fit for logs and health output: no password."""
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
