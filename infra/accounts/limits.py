"""How often one may try to sign in, sign up, get a token or ask for a reset link, per
account and per address (decision 55).

Guesses are counted *before* the password is checked (``RateLimiter.hit`` is one atomic
step in Redis), so N attempts sent at once are N counts, and the ones past the limit are
refused even if their password is right. A correct password gives its attempt back: only
wrong guesses fill the sign-in windows, and a person who signs in often is never locked out
by it. Sign-ups, tokens and reset mails count whatever the outcome.

The address is the client's as the web server sees it; behind a reverse proxy every visitor
shares the proxy's (raise ``JANGTEO_RATE_LIMIT_FACTOR`` there, or let the proxy limit).
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from infra.web.rate_limits import Limit, RateLimiter

#: The key in ``app.state`` where the app factory puts the :class:`RateLimiter`.
STATE_KEY = "rate_limiter"

MINUTE = 60
HOUR = 60 * MINUTE

#: Wrong passwords (sign-in page, token API, password change) per account, and per address.
SIGN_IN_ACCOUNT = Limit("sign_in:account", 10, 15 * MINUTE)
SIGN_IN_ADDRESS = Limit("sign_in:address", 50, 15 * MINUTE)
#: Sign-up attempts per e-mail address asked for, and per client address.
SIGN_UP_ACCOUNT = Limit("sign_up:account", 5, HOUR)
SIGN_UP_ADDRESS = Limit("sign_up:address", 10, HOUR)
#: Tokens issued per account, and token requests per address.
TOKEN_ACCOUNT = Limit("token:account", 20, HOUR)
TOKEN_ADDRESS = Limit("token:address", 60, HOUR)
#: Reset mails asked for per account, and per address.
RESET_ACCOUNT = Limit("reset:account", 5, HOUR)
RESET_ADDRESS = Limit("reset:address", 20, HOUR)

MESSAGE = "시도가 너무 많습니다. 잠시 후 다시 시도해 주세요."

Checks = list[tuple[Limit, str]]


def limiter(connection: ASGIConnection[Any, Any, Any, Any]) -> RateLimiter:
    return connection.app.state[STATE_KEY]


def address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    client = connection.client
    return client.host if client else "unknown"


def sign_in_checks(connection: ASGIConnection[Any, Any, Any, Any], email: str) -> Checks:
    return [(SIGN_IN_ACCOUNT, email), (SIGN_IN_ADDRESS, address(connection))]


def sign_up_checks(connection: ASGIConnection[Any, Any, Any, Any], email: str) -> Checks:
    return [(SIGN_UP_ACCOUNT, email), (SIGN_UP_ADDRESS, address(connection))]


def token_checks(connection: ASGIConnection[Any, Any, Any, Any], email: str) -> Checks:
    return [(TOKEN_ACCOUNT, email), (TOKEN_ADDRESS, address(connection))]


def reset_checks(connection: ASGIConnection[Any, Any, Any, Any], email: str) -> Checks:
    return [(RESET_ACCOUNT, email), (RESET_ADDRESS, address(connection))]


async def count(connection: ASGIConnection[Any, Any, Any, Any], checks: Checks) -> None:
    """Count one attempt under ``checks``; past a limit, ``TooManyAttempts`` (429)."""
    await limiter(connection).hit(checks, MESSAGE)


async def give_back(connection: ASGIConnection[Any, Any, Any, Any], checks: Checks) -> None:
    """The attempt was not a guess (the password was right): it does not count."""
    await limiter(connection).refund(checks)
