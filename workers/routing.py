"""Which actors hear which events: the relay's subscription table.

:data:`SUBSCRIPTIONS` is declared here, next to the actors; it takes effect only once the
composition root installs it (``infra.bootstrap.bootstrap(actors=True)``, called by the worker
process). Until then :func:`publish` refuses to run, so a relay in a process that was never
wired fails loudly and leaves its events unsent, instead of marking them sent unheard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

import dramatiq

from infra.accounts.reset_mail import MAIL_EVENTS as ACCOUNT_MAIL_EVENTS
from infra.broker import enqueue_all
from infra.events import EventEnvelope
from markets.assignment.events import AssignmentPublished
from markets.days.events import BoothFeeStatusChanged, MarketDayCancelled
from shop.analytics.events import ExportRequested
from shop.analytics.facts import SALES_EVENTS
from shop.catalog.events import PRODUCT_INDEX_EVENTS
from shop.orders.notifications import MAIL_EVENTS as ORDER_MAIL_EVENTS
from shop.payments.webhooks import StripeEventReceived
from shop.procurement.quote_mail import MAIL_EVENTS as PROCUREMENT_MAIL_EVENTS
from shop.search_tuning.events import SearchUnanswered, SynonymsSaved
from shop.settlement.ledger import LEDGER_EVENTS
from shop.vendors.events import VENDOR_INDEX_EVENTS
from shop.vendors.review_mail import MAIL_EVENTS as VENDOR_REVIEW_MAIL_EVENTS
from workers import actors


class Subscription(NamedTuple):
    """``actor`` gets every event whose name ``matches``: one message per event, or with
    ``batch`` one message ``{"events": [...]}`` per relay batch holding every matching event
    of it in outbox order (for a consumer that writes a batch in one transaction)."""

    matches: Callable[[str], bool]
    actor: dramatiq.Actor
    batch: bool = False


#: The catch-all: every event is counted for the daily activity figures.
CATCH_ALL = actors.count_event

SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription(
        lambda name: name in PRODUCT_INDEX_EVENTS or name in VENDOR_INDEX_EVENTS,
        actors.index_catalog_change,
    ),
    Subscription(lambda name: name == MarketDayCancelled.name, actors.notify_market_day_cancelled),
    Subscription(lambda name: name == AssignmentPublished.name, actors.notify_assignment_published),
    Subscription(lambda name: name == BoothFeeStatusChanged.name, actors.refund_booth_fee),
    Subscription(lambda name: name in ORDER_MAIL_EVENTS, actors.send_order_mails),
    Subscription(lambda name: name in PROCUREMENT_MAIL_EVENTS, actors.send_procurement_mails),
    Subscription(lambda name: name in VENDOR_REVIEW_MAIL_EVENTS, actors.send_vendor_review_mails),
    Subscription(lambda name: name in ACCOUNT_MAIL_EVENTS, actors.send_account_mails),
    Subscription(lambda name: name == StripeEventReceived.name, actors.process_stripe_event),
    Subscription(lambda name: name in LEDGER_EVENTS, actors.record_settlement),
    Subscription(lambda name: name in SALES_EVENTS, actors.record_sales_facts, batch=True),
    Subscription(lambda name: name == ExportRequested.name, actors.run_analytics_export),
    Subscription(lambda name: name == SearchUnanswered.name, actors.count_unanswered_search),
    Subscription(lambda name: name == SynonymsSaved.name, actors.apply_saved_synonyms),
    Subscription(lambda name: True, CATCH_ALL, batch=True),
)

_installed: tuple[Subscription, ...] = ()


def install(subscriptions: Iterable[Subscription]) -> None:
    """Make ``subscriptions`` the table :func:`publish` uses (replacing any before: idempotent)."""
    global _installed
    _installed = tuple(subscriptions)


def installed() -> tuple[Subscription, ...]:
    return _installed


def subscribers(name: str) -> list[dramatiq.Actor]:
    """The installed actors that hear an event called ``name``."""
    return [actor for matches, actor, _batch in _installed if matches(name)]


def publish(envelopes: Sequence[EventEnvelope]) -> None:
    """Enqueue one message per (event, subscribed actor) and one per batch subscriber, in
    outbox order; used by the outbox relay."""
    if not _installed:
        raise RuntimeError(
            "no event subscriptions installed: call infra.bootstrap.bootstrap(actors=True) first"
        )
    batches: dict[dramatiq.Actor, list[dict[str, object]]] = {}
    messages = []
    for envelope in envelopes:
        payload = envelope.to_dict()
        for matches, actor, batch in _installed:
            if not matches(envelope.name):
                continue
            if batch:
                batches.setdefault(actor, []).append(payload)
            else:
                messages.append(actor.message(payload))
    messages += [actor.message({"events": events}) for actor, events in batches.items()]
    # One pipelined round trip for the whole batch (was one per message: decision 79).
    enqueue_all(dramatiq.get_broker(), messages)
