"""Server-side sessions in Redis: they exist only when they hold something, under ids we
chose, and fail where they should, and only there.

Litestar's server-side backend keeps whatever id the browser's cookie names, writes a
session for every request (an empty one too), and asks Redis on every request. Three holes
followed:

- *fixation* (decision 46): an id planted in a victim's browser (or any id a visitor makes
  up) stayed the id after sign-in, so whoever planted it shared the signed-in session;
- *empty sessions* (decision 46): every cookieless request stored a 14-day session;
- *outages* (decision 45): in a Redis outage every request was a 500, ``/healthz`` and
  public pages included, and a write that had already committed answered 500 as well, so
  clients retried and duplicated it.

This backend (1) writes nothing and sets no cookie while the session is empty, and deletes
the stored session when it becomes empty; (2) keeps a cookie's id only when the store knew
it, so a made-up id never becomes a session; (3) gives a new id, deleting the old one,
when a request asks for it with :func:`renew_session` (sign-in, sign-up, sign-out, a change
of roles); (4) writes only when the data changed; (5) never asks Redis for a request without
a session cookie or a bearer-token call to ``/api``; (6) answers 503 with ``Retry-After``
when a session cannot be read, before any work is done; (7) logs a session that cannot be
written after the handler ran, and lets the handler's own answer go out.

``/healthz``, ``/metrics``, static files, media and webhooks are outside the session
middleware altogether (``SESSIONLESS_PATHS``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import redis
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.exceptions import ServiceUnavailableException
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty
from litestar.utils.dataclass import extract_dataclass_items

from infra.logging import log

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.types import Message, ScopeSession

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


#: Scope key: this response must carry a new session id (see :func:`renew_session`).
RENEW = "jangteo.session.renew"
#: Scope key: the serialised session the store held for the cookie's id (None: unknown id).
LOADED = "jangteo.session.loaded"


def renew_session(connection: ASGIConnection[Any, Any, Any, Any], data: dict[str, Any]) -> None:
    """Replace the visitor's session with ``data`` under a new id; the old id is deleted.

    Every change of who the visitor is (sign-in, sign-up, sign-out, new roles) goes through
    here, so an id known before the change is worthless after it. Empty ``data`` ends the
    session (the cookie is expired).
    """
    connection.scope[RENEW] = True  # type: ignore[literal-required]
    connection.scope["session"] = data or Empty


def mark_for_renewal(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Keep the session's data but move it to a new id (e.g. the person's roles changed)."""
    connection.scope[RENEW] = True  # type: ignore[literal-required]


class SessionBackend(ServerSideSessionBackend):
    """See the module docstring."""

    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        session_id = connection.cookies.get(self.config.key)
        if _bearer_api_call(connection) or not session_id or session_id == "null":
            return {}
        store = self.config.get_store_from_app(connection.scope["app"])
        try:
            data = await self.get(session_id, store=store)
        except _STORE_DOWN as exc:
            log.warning("session_store_unavailable", phase="read", path=connection.url.path,
                        error=f"{type(exc).__name__}: {exc}")
            connection.scope["session"] = {}  # so the error page can render
            raise store_unavailable() from exc
        if data is None:
            return {}
        connection.scope[LOADED] = data  # type: ignore[literal-required]
        return self.deserialize_data(data)

    def _known_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
        """The cookie's id if the store held a session under it when the request came in."""
        if connection.scope.get(LOADED) is None:
            return None
        return connection.cookies.get(self.config.key)

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        known = self._known_id(connection)
        return known or connection.get_session_id() or self.generate_session_id()

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        if _bearer_api_call(connection):
            return  # the API authenticates by token: nothing read, nothing to keep
        try:
            await self._store(scope_session, message, connection)
        except _STORE_DOWN as exc:
            # The handler has done its work (perhaps committed it): its answer stands.
            log.warning("session_store_unavailable", phase="write", path=connection.url.path,
                        status=message.get("status"), error=f"{type(exc).__name__}: {exc}")

    async def _store(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        scope = connection.scope
        store = self.config.get_store_from_app(scope["app"])
        headers = MutableScopeHeaders.from_message(message)
        cookie_params = dict(
            extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys())
        )
        known = self._known_id(connection)
        sent_cookie = connection.cookies.get(self.config.key)
        renew = bool(scope.get(RENEW))

        if scope_session is Empty or not scope_session:
            if known:
                await self.delete(known, store=store)
            if sent_cookie and sent_cookie != "null":
                headers.add(
                    "Set-Cookie",
                    Cookie(value="null", key=self.config.key, expires=0, **cookie_params)
                    .to_header(header=""),
                )
            return

        serialised = self.serialize_data(scope_session, scope)
        if known and not renew and serialised == scope.get(LOADED):
            return  # unchanged: nothing to write, the cookie already names it
        if known and renew:
            await self.delete(known, store=store)
        session_id = known if known and not renew else self.generate_session_id()
        await self.set(session_id=session_id, data=serialised, store=store)
        headers.add(
            "Set-Cookie",
            Cookie(value=session_id, key=self.config.key, **cookie_params).to_header(header=""),
        )


class SessionConfig(ServerSideSessionConfig):
    """:class:`ServerSideSessionConfig` with :class:`SessionBackend`."""

    _backend_class = SessionBackend
