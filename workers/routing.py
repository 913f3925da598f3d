"""Which actors hear which events: the relay's subscription table."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dramatiq

from infra.events import EventEnvelope
from markets.assignment.events import AssignmentPublished
from markets.days.events import BoothFeeStatusChanged, MarketDayCancelled
from shop.catalog.events import PRODUCT_INDEX_EVENTS
from shop.orders.notifications import MAIL_EVENTS as ORDER_MAIL_EVENTS
from shop.payments.webhooks import StripeEventReceived
from shop.settlement.ledger import LEDGER_EVENTS
from shop.vendors.events import VENDOR_INDEX_EVENTS
from workers import actors

Subscription = tuple[Callable[[str], bool], dramatiq.Actor]

SUBSCRIPTIONS: list[Subscription] = [
    (
        lambda name: name in PRODUCT_INDEX_EVENTS or name in VENDOR_INDEX_EVENTS,
        actors.index_catalog_change,
    ),
    (lambda name: name == MarketDayCancelled.name, actors.notify_market_day_cancelled),
    (lambda name: name == AssignmentPublished.name, actors.notify_assignment_published),
    (lambda name: name == BoothFeeStatusChanged.name, actors.refund_booth_fee),
    (lambda name: name in ORDER_MAIL_EVENTS, actors.send_order_mails),
    (lambda name: name == StripeEventReceived.name, actors.process_stripe_event),
    (lambda name: name in LEDGER_EVENTS, actors.record_settlement),
    (lambda name: True, actors.count_event),
]


def publish(envelopes: Sequence[EventEnvelope]) -> None:
    """Enqueue one message per (event, subscribed actor); used by the outbox relay."""
    for envelope in envelopes:
        payload = envelope.to_dict()
        for matches, actor in SUBSCRIPTIONS:
            if matches(envelope.name):
                actor.send(payload)
