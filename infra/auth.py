"""Who is asking: the signed-in person (session cookie) or a program (bearer token).

Pages use the server-side session set at sign-in; programs call the JSON API under ``/api``
with ``Authorization: Bearer jt_…`` tokens. A browser may read ``/api`` with its cookie, but
a cookie-authenticated *unsafe* request to ``/api`` (POST, PUT, PATCH, DELETE) must carry the
CSRF token in the ``X-CSRFToken`` header, as the forms carry it in a field; Litestar's CSRF
middleware leaves ``/api`` to this check so that bearer-token clients need no CSRF cookie
(decision 46). Anonymous requests carry ``user = None``; guards decide what needs whom.

The session remembers the roles the person had when it was made: when they change (an admin
grants one, onboarding makes a vendor member), the session moves to a new id.
"""

from __future__ import annotations

from hmac import compare_digest
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role, User
from infra.accounts.services import password_stamp, user_for_token
from infra.errors import AccessErrorCode, Forbidden
from infra.web.sessions import mark_for_renewal

SESSION_USER_KEY = "user_id"
#: The roles the person had when the session was made (a change renews the session id).
SESSION_ROLES_KEY = "roles"
#: A digest of the password the session was made with: a password change or reset ends
#: every other session of the person (``services.password_stamp``).
SESSION_PASSWORD_KEY = "pw"  # noqa: S105 - a session key, not a password
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def signed_in_session(user: User) -> dict[str, Any]:
    """What a session holds for a signed-in person (sign-in and sign-up store it)."""
    return {SESSION_USER_KEY: user.id, SESSION_ROLES_KEY: sorted(user.roles),
            SESSION_PASSWORD_KEY: password_stamp(user)}


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
        if scope["path"].startswith("/api") and scope.get("method", "GET") not in SAFE_METHODS:
            _require_csrf_header(scope, headers)
        async with factory() as session:
            user = await session.get(User, int(user_id))
        if user is None or not user.is_active:
            return None
        stamp = session_data.get(SESSION_PASSWORD_KEY)
        if stamp is not None and stamp != password_stamp(user):
            return None  # made before the password changed
        roles = sorted(user.roles)
        if session_data.get(SESSION_ROLES_KEY) != roles:
            session_data[SESSION_ROLES_KEY] = roles
            mark_for_renewal(ASGIConnection(scope))
        return user


def _require_csrf_header(scope: Scope, headers: dict[bytes, bytes]) -> None:
    """A cookie-authenticated unsafe ``/api`` request must prove it comes from our pages.

    The header must hold the same (signed) token as the CSRF cookie, exactly as Litestar's
    CSRF middleware checks a form's ``_csrf_token``; a cross-site form cannot set a header.
    """
    config = scope["app"].csrf_config
    if config is None:
        return
    cookie = ASGIConnection(scope).cookies.get(config.cookie_name)
    sent = headers.get(config.header_name.lower().encode("latin-1"), b"").decode("latin-1")
    mine = _csrf_secret(cookie or "", config.secret)
    if mine is None or not compare_digest(mine, _csrf_secret(sent, config.secret) or "-"):
        raise PermissionDeniedException(
            "쿠키로 로그인한 API 요청에는 X-CSRFToken 헤더가 필요합니다 (또는 Bearer 토큰)."
        )


def _csrf_secret(token: str, secret: str) -> str | None:
    """The random part of a signed CSRF token, or None when its signature is wrong."""
    if len(token) <= CSRF_SECRET_LENGTH:
        return None
    random_part, signature = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    expected = generate_csrf_hash(token=random_part, secret=secret)
    return random_part if compare_digest(signature, expected) else None


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
