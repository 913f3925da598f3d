"""Dashboard figures kept between requests for as long as the sales facts have not changed
(decision 100).

The facts are append-only: a sale, refund, booth report or institutional line is a new row,
and a booth report's correction is a new revision whose insert is what clears the old one's
``current`` (``facts.record``). Every summary the figures below read changes only in the
transaction that inserts a fact (the rollups). So the largest fact id names the state of
everything they read: while it is unchanged, figures computed earlier are the figures a fresh
read would give now, and the page may say "as of now". One indexed ``max(id)`` per request
replaces the dashboard's queries.

What is *not* behind this token is never cached here: market-day attendance (check-ins update
rows in place, no fact) is read on every request. A rebuild that corrects summaries which had
drifted (a bug, found by ``--check``) adds no fact; entries are therefore also dropped after
:data:`MAX_AGE`, so a correction shows within that time.

The cache lives on the application's state (made with the app: one per app, so per
database), bounded to :data:`ENTRIES` entries, least recently used out first. A value is
computed after its token was read, so it is never older than its token says (a fact landing
in between only makes the next request recompute).
"""

from __future__ import annotations

import collections
import datetime as dt
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from litestar.datastructures import State
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.analytics.models import SalesFact

T = TypeVar("T")
#: Entries kept per application (a dashboard's figures are a few hundred kB at most).
ENTRIES = 256
#: Longest an entry is used, whatever the token (see the module's note on rebuilds).
MAX_AGE = dt.timedelta(minutes=5)
#: Where ``infra.app`` puts the application's cache.
STATE_KEY = "analytics_figures"


class FiguresCache:
    """Figures by (what, arguments), each with the facts token it was computed under."""

    def __init__(self, *, entries: int = ENTRIES, max_age: dt.timedelta = MAX_AGE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: collections.OrderedDict[Hashable, tuple[int, float, Any]] = (
            collections.OrderedDict())
        self._limit = entries
        self._max_age = max_age.total_seconds()
        self._clock = clock

    async def get(self, session: AsyncSession, key: Hashable,
                  compute: Callable[[], Awaitable[T]]) -> T:
        token = await facts_token(session)
        now = self._clock()
        found = self._entries.get(key)
        if found is not None and found[0] == token and now - found[1] < self._max_age:
            self._entries.move_to_end(key)
            return found[2]
        value = await compute()
        self._entries[key] = (token, now, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._limit:
            self._entries.popitem(last=False)
        return value


async def facts_token(session: AsyncSession) -> int:
    """The largest sales-fact id (0 with none): changes with every fact written."""
    return int(await session.scalar(select(func.max(SalesFact.id))) or 0)


def figures_cache(state: State) -> FiguresCache:
    """The application's cache (``infra.app`` makes it with the app)."""
    found: FiguresCache = state[STATE_KEY]
    return found
