"""Which actors hear which events: the relay's subscription table."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dramatiq

from infra.events import EventEnvelope
from markets.days.events import MarketDayCancelled
from shop.events import PRODUCT_INDEX_EVENTS, VENDOR_INDEX_EVENTS
from workers import actors

Subscription = tuple[Callable[[str], bool], dramatiq.Actor]

SUBSCRIPTIONS: list[Subscription] = [
    (
        lambda name: name in PRODUCT_INDEX_EVENTS or name in VENDOR_INDEX_EVENTS,
        actors.index_catalog_change,
    ),
    (lambda name: name == MarketDayCancelled.name, actors.notify_market_day_cancelled),
    (lambda name: True, actors.count_event),
]


def publish(envelopes: Sequence[EventEnvelope]) -> None:
    """Enqueue one message per (event, subscribed actor); used by the outbox relay."""
    for envelope in envelopes:
        payload = envelope.to_dict()
        for matches, actor in SUBSCRIPTIONS:
            if matches(envelope.name):
                actor.send(payload)
