"""What shoppers searched and found nothing (or little) for is counted per normalised query and
Seoul day, through the outbox and a worker, with nothing about who searched (decision 62)."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role
from infra.clock import SEOUL
from infra.events import EventEnvelope
from infra.outbox import OutboxEvent
from shop.catalog.indexing import rebuild_index
from shop.search_tuning import services
from shop.search_tuning.events import SearchUnanswered
from tests.fixtures.apps import login
from tests.shop.factories import make_user, make_vendor
from tests.shop.shelf import stocked


async def _events(session_factory: async_sessionmaker[AsyncSession]) -> list[OutboxEvent]:
    async with session_factory() as session:
        return list((await session.scalars(
            select(OutboxEvent).where(OutboxEvent.name == SearchUnanswered.name)
            .order_by(OutboxEvent.id))).all())


@pytest.fixture
async def tea(
    app: Litestar, client: AsyncTestClient[Litestar],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """One listed product, 작설차, in the app's index."""
    async with session_factory() as session:
        vendor = await make_vendor(session, name="차마을기업")
        await stocked(session, vendor, stock=5, price=8_000, name="작설차")
        await make_user(session, email="shopper@example.kr")
        await session.commit()
        await rebuild_index(session, app.state.search)


def _at(envelope: EventEnvelope, seoul: str) -> EventEnvelope:
    instant = dt.datetime.fromisoformat(seoul).replace(tzinfo=SEOUL).astimezone(dt.UTC)
    return EventEnvelope.from_dict({**envelope.to_dict(), "occurred_at": instant.isoformat()})


async def test_searches_that_find_too_little_are_noted_without_the_shopper(
    tea: None, client: AsyncTestClient[Litestar],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await login(client, "shopper@example.kr")
    for params in (
        {"q": "  Kombucha  "},  # nothing: noted, folded
        {"q": "작설차"},  # one product, fewer than a few: noted as few
        {"q": "kombucha", "category": "food"},  # filtered: the filter may be why
        {"q": "kombucha", "page": "2"},  # a later page of the same search
        {"q": "010-1234-5678"},  # looks like a phone number: never kept
        {"q": ""},
    ):
        assert (await client.get("/api/search/products", params=params)).status_code == 200
    assert (await client.get("/search", params={"q": "곶감"})).status_code == 200

    events = await _events(session_factory)
    assert [e.payload for e in events] == [
        {"query": "kombucha", "total": 0}, {"query": "작설차", "total": 1},
        {"query": "곶감", "total": 0},
    ]
    assert {e.aggregate_id for e in events} == {""}


async def test_the_worker_counts_each_event_once_per_query_and_seoul_day(
    tea: None, client: AsyncTestClient[Litestar], session_factory: async_sessionmaker[AsyncSession]
) -> None:
    for q in ("kombucha", "KOMBUCHA", "작설차"):
        await client.get("/api/search/products", params={"q": q})
    envelopes = [e.envelope() for e in await _events(session_factory)]
    late, next_day, few = (
        _at(envelopes[0], "2026-12-06T23:59:00"),
        _at(envelopes[1], "2026-12-07T00:01:00"),
        _at(envelopes[2], "2026-12-07T09:00:00"),
    )
    async with session_factory() as session:
        assert await services.count_unanswered(session, late)
        assert not await services.count_unanswered(session, late)  # redelivered
        assert await services.count_unanswered(session, next_day)
        assert await services.count_unanswered(session, few)
        again = msgspec.structs.replace(few, event_id="another")
        assert await services.count_unanswered(session, again)

        rows = await services.top_unanswered(session, today=dt.date(2026, 12, 7), days=2)
        assert [(r.query, r.zero, r.few, r.days, r.last_day) for r in rows] == [
            ("kombucha", 2, 0, 2, dt.date(2026, 12, 7)),
            ("작설차", 0, 2, 1, dt.date(2026, 12, 7)),
        ]
        only_today = await services.top_unanswered(session, today=dt.date(2026, 12, 7), days=1)
        assert [(r.query, r.zero, r.few) for r in only_today] == [
            ("작설차", 0, 2), ("kombucha", 1, 0)]


async def test_admins_list_the_top_unanswered_queries_and_add_a_synonym_from_one(
    client: AsyncTestClient[Litestar], session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        await make_user(session, Role.ADMIN, email="searchadmin@example.kr")
        await session.commit()
    await client.get("/api/search/products", params={"q": "kombucha"})
    [event] = await _events(session_factory)
    async with session_factory() as session:
        await services.count_unanswered(session, event.envelope())

    await login(client, "searchadmin@example.kr")
    page = await client.get("/admin/search/synonyms")
    assert 'href="/admin/search/unanswered"' in page.text
    listed = await client.get("/admin/search/unanswered")
    assert listed.status_code == 200 and "kombucha" in listed.text
    assert 'href="/admin/search/synonyms?add=kombucha"' in listed.text
    editor = await client.get("/admin/search/synonyms?add=kombucha")
    assert "kombucha, \n" in editor.text

    api = (await client.get("/api/admin/search/unanswered?days=7")).json()
    assert [(i["query"], i["zero"]) for i in api["items"]] == [("kombucha", 1)]
    refused = await client.get("/api/admin/search/unanswered?days=0")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "days"
    assert (await client.get("/admin/search/unanswered?days=abc")).status_code == 400


@pytest.mark.parametrize(("q", "kept"), [
    ("  Eco   BAG ", "eco bag"), ("hong@example.kr", None), ("주문 20261207 12", None),
    ("a" * 150, "a" * 100), ("   ", None), ("텀블러 500ml", "텀블러 500ml"),
])
def test_what_is_kept_of_a_query(q: str, kept: str | None) -> None:
    assert services.loggable_query(q) == kept
