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

Fact ids come from a sequence and are handed out before their transaction commits, so on
PostgreSQL a fact with a smaller id can commit after one with a larger id: ``max(id)`` alone
would then miss it. The token therefore also holds the database's snapshot
(``pg_current_snapshot()``: the transactions then in flight and the horizon of finished ones).
It changes when any transaction that writes finishes, so an entry stands only while nothing at
all was committed since, and a fact that commits late is always seen. A quiet database keeps
its snapshot and its entries; on a busy one, facts arrive anyway and entries are recomputed.
SQLite has one writer, which holds its lock from the insert to the commit, so its ids commit
in order and ``max(id)`` is enough.

The cache lives on the application's state (made with the app: one per app, so per
database), bounded to :data:`ENTRIES` entries, least recently used out first. A value is
computed after its token was read, so it is never older than its token says (a fact landing
in between only makes the next request recompute).
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from litestar.datastructures import State
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from infra.db import dialect_name
from shop.analytics.models import SalesFact

T = TypeVar("T")
#: Entries kept per application (a dashboard's figures are a few hundred kB at most).
ENTRIES = 256
#: Longest an entry is used, whatever the token (see the module's note on rebuilds).
MAX_AGE = dt.timedelta(minutes=5)
#: Where ``infra.app`` puts the application's cache.
STATE_KEY = "analytics_figures"


@dataclasses.dataclass(frozen=True)
class FactsToken:
    """What the facts were when a figure was computed: the largest id, and on PostgreSQL the
    snapshot (empty on SQLite). Equal tokens: a fresh read would give the same figures."""

    largest_id: int
    snapshot: str = ""


class FiguresCache:
    """Figures by (what, arguments), each with the facts token it was computed under."""

    def __init__(self, *, entries: int = ENTRIES, max_age: dt.timedelta = MAX_AGE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: collections.OrderedDict[Hashable, tuple[FactsToken, float, Any]] = (
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


_LARGEST_ID = select(func.max(SalesFact.id))
#: PostgreSQL: the largest id and the snapshot, read by one statement.
_POSTGRES_TOKEN = text(
    f"SELECT ({_LARGEST_ID.compile(compile_kwargs={'literal_binds': True})}),"
    " pg_current_snapshot()::text"
)


async def facts_token(session: AsyncSession) -> FactsToken:
    """The largest sales-fact id (0 with none), which changes with every fact written, and on
    PostgreSQL the snapshot (the module's note says why)."""
    if dialect_name(session) != "postgresql":
        return FactsToken(int(await session.scalar(_LARGEST_ID) or 0))
    largest, snapshot = (await session.execute(_POSTGRES_TOKEN)).one()
    return FactsToken(int(largest or 0), snapshot)


def figures_cache(state: State) -> FiguresCache:
    """The application's cache (``infra.app`` makes it with the app)."""
    found: FiguresCache = state[STATE_KEY]
    return found
