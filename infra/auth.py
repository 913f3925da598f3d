"""Who is asking: the signed-in person (session cookie) or a program (bearer token).

Pages use the server-side session set at sign-in; the JSON API under ``/api`` takes
``Authorization: Bearer jt_…`` tokens and never the cookie, which is why CSRF protection can
leave ``/api`` out. Anonymous requests carry ``user = None``; guards decide what needs whom.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role, User
from infra.accounts.services import user_for_token
from infra.errors import AccessErrorCode, Forbidden

SESSION_USER_KEY = "user_id"


class AuthMiddleware(ASGIMiddleware):
    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope["user"] = await self._load_user(scope)
        scope["auth"] = None
        await next_app(scope, receive, send)

    async def _load_user(self, scope: Scope) -> User | None:
        factory: async_sessionmaker[AsyncSession] | None = getattr(
            scope["app"].state, "session_factory", None
        )
        if factory is None:
            return None
        headers = dict(scope.get("headers") or [])
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        if scope["path"].startswith("/api") and authorization.lower().startswith("bearer "):
            async with factory() as session:
                return await user_for_token(session, authorization[7:].strip())
        session_data: Any = scope.get("session") or {}
        user_id = session_data.get(SESSION_USER_KEY) if isinstance(session_data, dict) else None
        if not user_id:
            return None
        async with factory() as session:
            user = await session.get(User, int(user_id))
            return user if user and user.is_active else None


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    return connection.scope.get("user")


def provide_user(request: Request[Any, Any, Any]) -> User:
    """The signed-in person, injected as ``user`` (see ``infra.web.params.SignedIn``).

    Guards decide who may reach a handler; a handler that needs the person asks for ``user``
    instead of digging it out of the request. Without a session this is a 401 (pages turn it
    into the sign-in redirect), so a handler never sees ``None``.
    """
    user = current_user(request)
    if user is None:
        raise NotAuthorizedException("로그인이 필요합니다.")
    return user


def provide_viewer(request: Request[Any, Any, Any]) -> User | None:
    """Whoever is looking, injected as ``viewer`` (``infra.web.params.Viewer``): the signed-in
    person, or ``None`` for a visitor. For the handlers anyone may reach (the mall, a cart,
    a public vendor page) that show more to someone signed in; a handler that needs the
    person asks for ``user`` instead."""
    return current_user(request)


def require_organizer(user: User | None) -> User:
    """Market and snack-box organizers (and platform admins) run what they organize.

    Services check it as well as the route guards, so a CLI or worker caller cannot skip it.
    """
    if user is None:
        raise Forbidden(AccessErrorCode.LOGIN_REQUIRED, "로그인이 필요합니다.")
    if not user.has_role(Role.ORGANIZER):
        raise Forbidden(AccessErrorCode.ORGANIZER_ONLY, "장터 운영자만 할 수 있습니다.")
    return user


def requires_user(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if current_user(connection) is None:
        raise NotAuthorizedException("로그인이 필요합니다.")


#: Read by ``infra.web.openapi``: operations behind this guard declare the bearer scheme.
requires_user.needs_sign_in = True  # type: ignore[attr-defined]


def requires_role(*roles: Role) -> Any:
    """A guard admitting users holding any of ``roles`` (admins always pass)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user is None:
            raise NotAuthorizedException("로그인이 필요합니다.")
        if not user.has_role(*roles):
            raise PermissionDeniedException("이 기능을 쓸 권한이 없습니다.")

    guard.__name__ = "requires_" + "_or_".join(r.value for r in roles)
    guard.needs_sign_in = True  # type: ignore[attr-defined]
    return guard


requires_admin = requires_role(Role.ADMIN)
