"""The one way a page runs a use case for a person.

Every form post does the same thing: parse what was typed, call the use case, and then

* on success, say what happened (a flash message) and redirect (post/redirect/get);
* on a refusal the person can fix (bad input 400, a clash with the current state 409, a file
  too large or of the wrong kind 413/415), roll the request's session back and show the page
  again with each message beside its field and everything typed kept;
* on anything else (403, 404, a bug) let the app's error handlers answer.

:func:`attempt` is that middle step; :func:`act_and_redirect` is the whole of it for buttons
that have no form to re-render (publish, accept, cancel): the message goes into a flash.
Parsing belongs inside the use case callable so a :class:`~infra.errors.Problems` raised
while reading the form is handled exactly like one raised by the service.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass, field
from typing import Any, TypeVar

from litestar import Request
from litestar.plugins.flash import flash
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from infra.errors import DomainError, field_errors

T = TypeVar("T")

#: The statuses a person can act on by changing the form (others go to the error pages).
FORM_STATUSES: frozenset[int] = frozenset({400, 409, 413, 415})
#: For pages that have always shown every refusal, as a flash or beside the form (someone
#: else's application, a booth gone meanwhile, a batch in the wrong state): ``shown=``.
EVERY_REFUSAL: frozenset[int] = frozenset(range(400, 500))


@dataclass(frozen=True)
class Refusal:
    """What a use case refused: messages per field (``_form`` for the whole form), the
    status to answer the re-rendered page with, the first message for a flash, and the error
    itself for a page that must still raise it when it cannot show it."""

    errors: dict[str, str]
    status_code: int
    message: str
    code: str
    error: DomainError | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, exc: DomainError) -> Refusal:
        return cls(field_errors(exc), exc.status_code, exc.message, exc.code, exc)


async def attempt(
    session: AsyncSession,
    use_case: Callable[[], Awaitable[T]],
    *,
    shown: Container[int] = FORM_STATUSES,
) -> T | Refusal:
    """Run ``use_case``; a domain error the person can fix comes back as a :class:`Refusal`
    after the session is rolled back (nothing half-written survives), any other is raised."""
    try:
        return await use_case()
    except DomainError as exc:
        await session.rollback()
        if exc.status_code not in shown:
            raise
        return Refusal.of(exc)


async def act_and_redirect(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    use_case: Callable[[], Awaitable[T]],
    *,
    done: str | Callable[[T], str],
    to: str | Callable[[T], str],
    refused_to: str | None = None,
    shown: Container[int] = FORM_STATUSES,
) -> Redirect:
    """Run a button's use case, flash what happened (or why not), redirect.

    ``done`` and ``to`` may be computed from the use case's result; a refusal goes to
    ``refused_to`` (default: the same place as success when ``to`` is a plain path, else the
    page the person came from).
    """
    outcome = await attempt(session, use_case, shown=shown)
    if isinstance(outcome, Refusal):
        flash(request, outcome.message, category="error")
        if refused_to is not None:
            return Redirect(refused_to)
        if isinstance(to, str):
            return Redirect(to)
        return Redirect(safe_next(request.headers.get("referer"), "/"))
    flash(request, done(outcome) if callable(done) else done, category="success")
    return Redirect(to(outcome) if callable(to) else to)


def safe_next(value: str | None, default: str) -> str:
    """A redirect target from user input, only if it stays on this site (no open redirect)."""
    if value and value.startswith("/") and not value.startswith("//"):
        return value
    if value and "://" in value:  # a full Referer of our own pages: keep the path only
        path = "/" + value.split("://", 1)[1].partition("/")[2]
        if not path.startswith("//"):
            return path
    return default
