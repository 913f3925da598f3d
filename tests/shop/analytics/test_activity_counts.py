"""Daily event counts take a relay batch at a time and still count each event once: an event
twice in a batch, a batch delivered again, and a batch overlapping one already counted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shop.analytics import activity
from tests.shop.analytics.conftest import envelope

# 2025-03-31T15:00Z is 2025-04-01 00:00 in Seoul: the count goes to April 1st.
MIDNIGHT_SEOUL = dt.datetime(2025, 3, 31, 15, 0, tzinfo=dt.UTC)
BEFORE = dt.datetime(2025, 3, 31, 14, 59, 59, tzinfo=dt.UTC)


async def test_a_batch_counts_each_event_once_on_its_seoul_day(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    paid = [envelope("order.placed", {"id": n}, MIDNIGHT_SEOUL, event_id=f"count-{n}")
            for n in range(3)]
    late = envelope("order.placed", {"id": 9}, BEFORE, event_id="count-9")
    refunded = envelope("vendor_order.refunded", {"id": 1}, MIDNIGHT_SEOUL, event_id="count-r")
    async with session_factory() as session:
        assert await activity.count_events(session, [*paid, paid[0], late, refunded]) == 5
    async with session_factory() as session:
        # The same batch again, and one overlapping it with one new event.
        assert await activity.count_events(session, [*paid, late, refunded]) == 0
        new = envelope("order.placed", {"id": 4}, MIDNIGHT_SEOUL, event_id="count-4")
        assert await activity.count_events(session, [paid[1], new]) == 1
        assert await activity.count_event(session, new) is False
    async with session_factory() as session:
        assert await activity.counts_for(session, dt.date(2025, 4, 1)) == {
            "order.placed": 4, "vendor_order.refunded": 1}
        assert await activity.counts_for(session, dt.date(2025, 3, 31)) == {"order.placed": 1}
