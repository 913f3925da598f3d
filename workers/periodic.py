"""Periodic jobs, scheduled by periodiq on the same broker as every other actor."""

from __future__ import annotations

import datetime as dt

import dramatiq
import structlog
from periodiq import cron

from workers.setup import configure

configure()

from infra import outbox  # noqa: E402
from shop.catalog import indexing  # noqa: E402
from workers import resources  # noqa: E402

log = structlog.get_logger("jangteo.periodic")

#: How long relayed events (and their processed-event marks) are kept for inspection.
OUTBOX_RETENTION = dt.timedelta(days=14)


@dramatiq.actor(queue_name="maintenance", periodic=cron("15 4 * * *"), max_retries=3)
async def purge_relayed_events() -> None:
    """Daily at 04:15: drop relayed outbox rows past retention so the table stays small."""
    async with resources.session_factory()() as session:
        purged = await outbox.purge_published(session, OUTBOX_RETENTION)
    log.info("outbox_purged", purged=purged)


@dramatiq.actor(queue_name="maintenance", periodic=cron("30 3 * * *"), max_retries=3)
async def rebuild_search_index() -> None:
    """Nightly at 03:30: rebuild the index from the database, a safety net under the events."""
    async with resources.session_factory()() as session:
        stats = await indexing.rebuild_index(session, resources.search_engine())
    log.info("search_rebuilt", **stats)
