"""Event consumers. Glue only: each actor unpacks the envelope and calls a domain service.

Every actor is safe to run twice for the same event (the relay delivers at least once):
indexing re-reads the database and writes the current state, analytics claims the event id.
"""

from __future__ import annotations

from typing import Any

import dramatiq
import structlog

from workers.setup import configure

configure()

from infra.events import EventEnvelope  # noqa: E402
from markets.days import services as market_days  # noqa: E402
from shop import analytics  # noqa: E402
from shop.catalog import indexing  # noqa: E402
from workers import resources  # noqa: E402

log = structlog.get_logger("jangteo.workers")

RETRIES: dict[str, Any] = {"max_retries": 25, "min_backoff": 200, "max_backoff": 60_000}


def _bind(envelope: EventEnvelope) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        request_id=envelope.request_id, event=envelope.name, event_id=envelope.event_id
    )


@dramatiq.actor(queue_name="search", **RETRIES)
async def index_catalog_change(message: dict[str, Any]) -> None:
    """Bring the search index in line with the product or vendor the event is about."""
    envelope = EventEnvelope.from_dict(message)
    _bind(envelope)
    engine = resources.search_engine()
    async with resources.session_factory()() as session:
        if envelope.aggregate == "vendor":
            upserted, deleted = await indexing.sync_vendor(
                session, engine, int(envelope.aggregate_id)
            )
        else:
            upserted, deleted = await indexing.sync_products(
                session, engine, [int(envelope.aggregate_id)]
            )
    log.info("index_synced", upserted=upserted, deleted=deleted)


@dramatiq.actor(queue_name="analytics", **RETRIES)
async def count_event(message: dict[str, Any]) -> None:
    """Daily activity counts; exactly once per event thanks to the processed-event claim."""
    envelope = EventEnvelope.from_dict(message)
    _bind(envelope)
    async with resources.session_factory()() as session:
        counted = await analytics.count_event(session, envelope)
    log.debug("event_counted", counted=counted)


@dramatiq.actor(queue_name="default", **RETRIES)
async def notify_market_day_cancelled(message: dict[str, Any]) -> None:
    """Tell every vendor booked on a cancelled market day (a notice on its market pages).

    The event names the vendors booked at the moment of cancelling; the notices are keyed
    (vendor, day, kind), so a redelivered event writes nothing new.
    """
    envelope = EventEnvelope.from_dict(message)
    _bind(envelope)
    payload = envelope.payload
    async with resources.session_factory()() as session:
        written = await market_days.write_cancellation_notices(
            session,
            int(payload["id"]),
            [int(v) for v in payload["vendor_ids"]],
            market_name=str(payload["market_name"]),
            day=str(payload["day"]),
            reason=str(payload["reason"]),
        )
    log.info("market_day_notices_written", written=written)
