"""Server-side sessions in Redis that fail where they should, and only there.

Litestar's backend asks Redis on every request: it reads the session of any cookie, and on
the way out it writes the session (an empty one too) as the response starts. In a Redis
outage that made every request a 500, ``/healthz`` and public pages included, and a write
that had already committed answered 500 as well, so clients retried and duplicated it.

Here:

* a request without a session cookie, and a bearer-token call to ``/api``, never asks Redis
  (nothing to read; nothing is written unless the handler put something in the session);
* a session that cannot be read is a 503 with ``Retry-After`` before any work is done;
* a session that cannot be written after the handler ran is logged, and the handler's own
  answer goes out: whatever it committed stays committed and is reported as such.

``/healthz``, ``/metrics``, static files, media and webhooks are outside the session
middleware altogether (``SESSIONLESS_PATHS``).
"""

from __future__ import annotations

from typing import Any

import redis
from litestar.connection import ASGIConnection
from litestar.exceptions import ServiceUnavailableException
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, ScopeSession

from infra.logging import log

#: Paths served without a session: probes, files and machine-to-machine calls.
SESSIONLESS_PATHS = ["/healthz", "/metrics", "/static", "/media", "/webhooks"]
#: Seconds a client is asked to wait when the session store is unreachable.
RETRY_AFTER_S = 5

_STORE_DOWN = (redis.RedisError, OSError)


def store_unavailable() -> ServiceUnavailableException:
    return ServiceUnavailableException(
        detail="로그인 정보를 잠시 불러올 수 없습니다. 잠시 후 다시 시도해 주세요.",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def _bearer_api_call(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """The API authenticates these by token (``infra.auth``), never by the cookie."""
    authorization = connection.headers.get("authorization", "")
    return connection.scope["path"].startswith("/api") and authorization.lower().startswith(
        "bearer "
    )


class ResilientSessionBackend(ServerSideSessionBackend):
    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        if _bearer_api_call(connection) or not connection.cookies.get(self.config.key):
            return {}
        try:
            return await super().load_from_connection(connection)
        except _STORE_DOWN as exc:
            log.warning("session_store_unavailable", phase="read", path=connection.url.path,
                        error=f"{type(exc).__name__}: {exc}")
            connection.scope["session"] = {}  # so the error page can render
            raise store_unavailable() from exc

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        had_cookie = bool(connection.cookies.get(self.config.key))
        nothing_to_keep = scope_session is Empty or not scope_session
        if _bearer_api_call(connection) or (not had_cookie and nothing_to_keep):
            return  # nothing was read and nothing is to be kept: Redis is not asked
        try:
            await super().store_in_message(scope_session, message, connection)
        except _STORE_DOWN as exc:
            # The handler has done its work (perhaps committed it): its answer stands.
            log.warning("session_store_unavailable", phase="write", path=connection.url.path,
                        status=message.get("status"), error=f"{type(exc).__name__}: {exc}")


class ResilientSessionConfig(ServerSideSessionConfig):
    _backend_class = ResilientSessionBackend
