"""What the rest of the platform does when someone signs in, without ``infra`` knowing it.

Plumbing imports no domain, yet signing in must, for example, carry a guest's cart over to
the shopper. So the app factory (a composition module) lists the domains' callbacks in
``app.state.after_login``; the sign-in and sign-up pages run them with the session data the
visitor had *before* signing in (the old session is deleted and the id renewed, against
session fixation: ``infra.web.sessions``).
A callback returns Korean messages to flash to the person; one that fails is logged and
skipped: nothing may stop a correct password from signing in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import structlog
from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User

AfterLogin = Callable[[AsyncSession, Mapping[str, Any], User], Awaitable[Sequence[str]]]

#: The key in ``app.state`` under which the app factory puts the callbacks.
STATE_KEY = "after_login"

log = structlog.get_logger("jangteo.accounts")


def previous_session(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """A copy of the visitor's session data, taken before it is cleared."""
    data = request.scope.get("session")
    return dict(data) if isinstance(data, dict) else {}


async def run_after_login(
    request: Request[Any, Any, Any],
    db_session: AsyncSession,
    user: User,
    before: Mapping[str, Any],
) -> list[str]:
    callbacks: Sequence[AfterLogin] = request.app.state.get(STATE_KEY) or ()
    messages: list[str] = []
    for callback in callbacks:
        try:
            messages.extend(await callback(db_session, before, user))
        except Exception:
            await db_session.rollback()
            log.exception("after_login_failed", callback=getattr(callback, "__name__", "?"))
    return messages
