"""Event consumers. Glue only: each actor unpacks the envelope and calls a domain service.

Every actor is safe to run twice for the same event (the relay delivers at least once):
indexing re-reads the database and writes the current state, analytics claims the event id.

Importing this module wires nothing of the domains: which events reach which actor is
``workers.routing.SUBSCRIPTIONS``, and the payment handlers and paid-checks the actors rely
on are installed by ``infra.bootstrap.bootstrap`` (the worker calls it). The one thing that
does happen on import is dramatiq's: ``@dramatiq.actor`` binds each actor to the global
broker when the decorator runs, so :func:`workers.setup.configure` must have installed our
broker (Redis, AsyncIO, periodiq, failure counts) first — that is broker set-up, not domain
registration, and it is why ``configure()`` is called above the imports below.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import dramatiq
import structlog

from workers.setup import configure

configure()

from infra.accounts import reset_mail as account_mail  # noqa: E402
from infra.events import EventEnvelope  # noqa: E402
from infra.mail import Mail, send_once  # noqa: E402
from markets.assignment import notices as assignment_notices  # noqa: E402
from markets.days import notices as market_day_notices  # noqa: E402
from markets.days import payments as booth_fee_payments  # noqa: E402
from shop.analytics import activity  # noqa: E402
from shop.analytics import exports as analytics_exports  # noqa: E402
from shop.analytics import facts as sales_facts  # noqa: E402
from shop.catalog import indexing  # noqa: E402
from shop.orders import notifications as order_notifications  # noqa: E402
from shop.payments import services as payments  # noqa: E402
from shop.procurement import quote_mail as procurement_mail  # noqa: E402
from shop.search_tuning import services as search_tuning  # noqa: E402
from shop.settlement import ledger as settlement_ledger  # noqa: E402
from shop.vendors import review_mail as vendor_review_mail  # noqa: E402
from workers import resources  # noqa: E402
from workers.setup import installed_settings  # noqa: E402

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
async def count_unanswered_search(message: dict[str, Any]) -> None:
    """Count a search that found nothing or little, per query and Seoul day, exactly once."""
    envelope = EventEnvelope.from_dict(message)
    _bind(envelope)
    async with resources.session_factory()() as session:
        counted = await search_tuning.count_unanswered(session, envelope)
    log.debug("unanswered_search_counted", counted=counted)


@dramatiq.actor(queue_name="maintenance", **RETRIES)
async def apply_saved_synonyms(message: dict[str, Any]) -> None:
    """An admin saved a synonym version: rebuild the index, which takes the newest version
    (a rebuild already running makes this one fail and retry later)."""
    envelope = EventEnvelope.from_dict(message)
    _bind(envelope)
    async with resources.session_factory()() as session:
        stats = await indexing.rebuild_index(session, resources.search_engine())
    log.info("search_rebuilt_for_synonyms", **stats)


@dramatiq.actor(queue_name="analytics", **RETRIES)
async def count_event(message: dict[str, Any]) -> None:
    """Daily activity counts for a relay batch (``{"events": [...]}``) or one event; exactly
    once per event thanks to the processed-event claims (a retried batch counts only the
    events it had not counted)."""
    envelopes = [EventEnvelope.from_dict(event) for event in message.get("events", [message])]
    _bind(envelopes[0])
    async with resources.session_factory()() as session:
        counted = await activity.count_events(session, envelopes)
    log.debug("events_counted", counted=counted, events=len(envelopes))


#: Taken before any other message the worker has prefetched (dramatiq: lower runs first). One
#: message carries a relay batch of up to 200 events, so it stands for 200 of the per-event
#: messages it would otherwise queue behind (decision 79).
SALES_FACTS_PRIORITY = -10


@dramatiq.actor(queue_name="sales_facts", priority=SALES_FACTS_PRIORITY, **RETRIES)
async def record_sales_facts(message: dict[str, Any]) -> None:
    """Sales facts and their summary rows for sale, refund, booth report, institutional
    order and market-day events: a relay batch (``{"events": [...]}``) in one transaction,
    or one event. A fact already written (redelivery) changes nothing. A batch that fails is
    split: each event comes back as a message of its own, retried on its own."""
    events = message.get("events", [message])
    envelopes = [EventEnvelope.from_dict(event) for event in events]
    _bind(envelopes[0])
    try:
        async with resources.session_factory()() as session:
            written = await sales_facts.consume_all(session, envelopes)
    except Exception:
        if len(envelopes) == 1:
            raise
        log.warning("sales_facts_batch_split", events=len(envelopes), exc_info=True)
        for event in events:
            record_sales_facts.send(event)
        return
    log.info("sales_facts_recorded", written=written, events=len(envelopes))


@dramatiq.actor(queue_name="exports", max_retries=3, time_limit=3_600_000)
async def run_analytics_export(message: dict[str, Any]) -> None:
    """Write the file of a queued analytics export (shop.analytics.exports); a redelivered
    message finds it no longer queued and does nothing."""
    envelope = EventEnvelope.from_dict(message)
    _bind(envelope)
    status = await analytics_exports.run_export(
        resources.session_factory(), int(envelope.payload["id"]), installed_settings().var_dir)
    log.info("analytics_export_run", export_id=envelope.payload["id"],
             status=status.value if status else None)


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
        written = await market_day_notices.write_cancellation_notices(
            session,
            int(payload["id"]),
            [int(v) for v in payload["vendor_ids"]],
            market_name=str(payload["market_name"]),
            day=str(payload["day"]),
            reason=str(payload["reason"]),
            event_id=envelope.event_id,
        )
    log.info("market_day_notices_written", written=written)


@dramatiq.actor(queue_name="default", **RETRIES)
async def notify_assignment_published(message: dict[str, Any]) -> None:
    """Tell each vendor of a published booth assignment its booth (or why it has none).

    The notices carry the event id under a unique key, so a redelivered event writes nothing
    new, and a later publication of the same day (a new event) tells everyone again.
    """
    envelope = EventEnvelope.from_dict(message)
    _bind(envelope)
    payload = envelope.payload
    async with resources.session_factory()() as session:
        written = await assignment_notices.write_publication_notices(
            session,
            envelope.event_id,
            int(payload["id"]),
            list(payload.get("placements") or ()),
            list(payload.get("unplaced") or ()),
        )
    log.info("assignment_notices_written", written=written)


@dramatiq.actor(queue_name="payments", **RETRIES)
async def refund_booth_fee(message: dict[str, Any]) -> None:
    """A booth fee became refund-due (day cancelled, vendor withdrew): if it was paid by card,
    give it back through the payment module (keyed per fee, so a redelivery refunds nothing
    twice) and mark it refunded; fees paid on site are left to the organizer."""
    envelope = EventEnvelope.from_dict(message)
    _bind(envelope)
    if envelope.payload.get("to_status") != "refund_due":
        return
    async with resources.session_factory()() as session:
        refunded = await booth_fee_payments.refund_card_fee(
            session, resources.payments_gateway(), int(envelope.payload["id"])
        )
    log.info("booth_fee_refund", refunded=refunded)


@dramatiq.actor(queue_name="payments", **RETRIES)
async def process_stripe_event(message: dict[str, Any]) -> None:
    """Act on a stored Stripe webhook event: a payment intent's current state completes (or
    records the failure of) the payment it belongs to; completing is idempotent, so the
    shopper's return racing this actor, or a redelivery, makes no second order."""
    envelope = EventEnvelope.from_dict(message)
    _bind(envelope)
    payload = envelope.payload
    async with resources.session_factory()() as session:
        payment = await payments.process_stripe_event(
            session, resources.payments_gateway(), str(payload["type"]),
            str(payload["object_id"]),
        )
    log.info("stripe_event_processed", payment_id=payment.id if payment else None,
             status=payment.status.value if payment else None)


MailBuilder = Callable[..., Awaitable[list[Mail]]]


async def _send_event_mails(message: dict[str, Any], build: MailBuilder, what: str) -> None:
    """The mails a domain's ``build`` asks for an event, each under its send-once key (event
    id, address, kind), one transaction per mail: a redelivered event sends only what did not
    go out before. What to say and to whom is the domain's; sending is the worker's."""
    envelope = EventEnvelope.from_dict(message)
    _bind(envelope)
    sessions = resources.session_factory()
    async with sessions() as session:
        mails = await build(
            session, envelope.name, envelope.payload, site_url=installed_settings().site_url
        )
    mailer = resources.mailer()
    sent = 0
    for mail in mails:
        async with sessions() as session:
            sent += await send_once(session, mailer, mail.once_key(envelope.event_id), mail)
    log.info(f"{what}_mails_sent", sent=sent, already_sent=len(mails) - sent)


@dramatiq.actor(queue_name="default", **RETRIES)
async def send_order_mails(message: dict[str, Any]) -> None:
    """Mail the shopper and the enterprises about an order event (shop.orders.notifications)."""
    await _send_event_mails(message, order_notifications.mails_for_event, "order")


@dramatiq.actor(queue_name="default", **RETRIES)
async def send_procurement_mails(message: dict[str, Any]) -> None:
    """Mail the invited vendors' members about a request for quotation
    (shop.procurement.quote_mail)."""
    await _send_event_mails(message, procurement_mail.mails_for_event, "procurement")


@dramatiq.actor(queue_name="default", **RETRIES)
async def send_vendor_review_mails(message: dict[str, Any]) -> None:
    """Mail an enterprise the result of its application review (shop.vendors.review_mail)."""
    await _send_event_mails(message, vendor_review_mail.mails_for_event, "vendor_review")


@dramatiq.actor(queue_name="default", **RETRIES)
async def send_account_mails(message: dict[str, Any]) -> None:
    """Mail a person the password-reset link they asked for (infra.accounts.reset_mail)."""
    secret_key = installed_settings().secret_key
    await _send_event_mails(
        message, functools.partial(account_mail.mails_for_event, secret_key=secret_key),
        "account")


@dramatiq.actor(queue_name="default", **RETRIES)
async def record_settlement(message: dict[str, Any]) -> None:
    """Write the settlement ledger for an order event (sale, refund), exactly once per event:
    the event id is claimed in the same transaction as the ledger rows."""
    envelope = EventEnvelope.from_dict(message)
    _bind(envelope)
    async with resources.session_factory()() as session:
        written = await settlement_ledger.consume(session, envelope)
    log.info("settlement_recorded", written=written)
