"""Counting attempts in Redis, atomically, so that racing requests cannot share one count.

Litestar's ``RateLimitMiddleware`` reads a counter from the store and writes it back in two
steps and knows only the client's address: N requests racing past the limit all read the
same count (decision 55). Here one Lua script increments a counter and starts its window in
the same step, so every attempt is counted exactly once, however many arrive together.

A :class:`Limit` is *N attempts per window* for one kind of key (an account, an address).
:meth:`RateLimiter.hit` counts an attempt under every key it names and raises
:class:`TooManyAttempts` (a 429 with ``Retry-After``) when any is past its limit; the caller
may give an attempt back with :meth:`RateLimiter.refund` (a correct password is not a
guess). The windows are Redis' clock (a key's TTL), never the app's.

A Redis that cannot be reached raises ``redis.RedisError``: the error handlers answer 503
with ``Retry-After`` (decision 45), since letting attempts through uncounted would be the
bypass the limit exists to stop.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from litestar.exceptions import TooManyRequestsException

#: INCR the key; the first attempt of a window sets its expiry. Returns (count, seconds left).
_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
"""
#: Give one attempt back (never below zero).
_REFUND = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return n
"""


@dataclass(frozen=True)
class Limit:
    """``attempts`` per ``window_s`` seconds for keys of one ``scope`` (e.g. "sign_in:account")."""

    scope: str
    attempts: int
    window_s: int


class TooManyAttempts(TooManyRequestsException):
    """429 with ``Retry-After``: the seconds until the fullest window ends."""

    def __init__(self, retry_after_s: int, detail: str) -> None:
        self.retry_after_s = max(1, retry_after_s)
        super().__init__(detail=detail, headers={"Retry-After": str(self.retry_after_s)})


def key_part(value: str) -> str:
    """A key component that keeps e-mail addresses out of Redis key names."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


class RateLimiter:
    """Counters under ``prefix`` in an asyncio Redis client shared with the session store."""

    def __init__(self, redis: Any, prefix: str, *, factor: int = 1) -> None:
        self._redis = redis
        self._prefix = prefix
        self._factor = max(1, factor)
        self._hit = redis.register_script(_HIT)
        self._refund = redis.register_script(_REFUND)

    def _key(self, limit: Limit, value: str) -> str:
        return f"{self._prefix}:{limit.scope}:{key_part(value)}"

    def allowed(self, limit: Limit) -> int:
        return limit.attempts * self._factor

    async def hit(self, checks: list[tuple[Limit, str]], detail: str) -> None:
        """Count one attempt under each (limit, key); past any limit, :class:`TooManyAttempts`.

        Every key is counted even when an earlier one is already full, so an attacker who
        spreads guesses over addresses still fills the account's window and vice versa.
        """
        waits: list[int] = []
        for limit, value in checks:
            count, ttl = await self._hit(keys=[self._key(limit, value)], args=[limit.window_s])
            if int(count) > self.allowed(limit):
                waits.append(int(ttl))
        if waits:
            raise TooManyAttempts(max(waits), detail)

    async def refund(self, checks: list[tuple[Limit, str]]) -> None:
        for limit, value in checks:
            await self._refund(keys=[self._key(limit, value)])

    async def clear(self, limit: Limit, value: str) -> None:
        await self._redis.delete(self._key(limit, value))
