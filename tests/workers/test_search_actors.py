"""The search actors, run as the worker runs them: a catalog event brings the index in line
with the database (also when redelivered), a saved synonym version reaches the live index
through a rebuild, and an unanswered search is counted once."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra import outbox
from infra.accounts.models import Role
from infra.clock import seoul_date
from infra.settings import Settings
from search.embedded import EmbeddedEngine
from search.query import SearchQuery
from shop.catalog.events import ProductUpdated
from shop.catalog.models import Product, ProductStatus
from shop.search_tuning import services as search_tuning
from shop.search_tuning.events import SearchUnanswered, SynonymsSaved
from shop.vendors.events import VendorApproved
from tests.fixtures.outbox import relayed
from tests.shop.factories import make_user, make_vendor
from tests.shop.shelf import stocked


def _names(settings: Settings, q: str) -> list[str]:
    """What a web process opening the worker's index finds."""
    engine = EmbeddedEngine(settings.search_dir)
    try:
        return [hit.name for hit in engine.search(SearchQuery(q=q)).hits]
    finally:
        engine.close()


def _subscribers(name: str) -> list[object]:
    from workers import routing

    return [actor for matches, actor, _batch in routing.SUBSCRIPTIONS if matches(name)]


async def test_a_product_event_indexes_the_product_and_unlisting_removes_it(
    worker: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from workers import actors

    assert actors.index_catalog_change in _subscribers(ProductUpdated.name)
    async with session_factory() as session:
        vendor = await make_vendor(session, name="차마을기업")
        variant = await stocked(session, vendor, stock=5, name="유기농 녹차")
        outbox.record(session, ProductUpdated(id=variant.product_id, vendor_id=vendor.id))
        await session.commit()
        message = await relayed(session, ProductUpdated.name)

    await asyncio.to_thread(actors.index_catalog_change, message)
    await asyncio.to_thread(actors.index_catalog_change, message)  # redelivered: no double
    assert _names(worker, "녹차") == ["유기농 녹차"]
    assert _names(worker, "녹챠") == ["유기농 녹차"]  # the forgiving analysis on the way in

    async with session_factory() as session:
        product = await session.get(Product, variant.product_id)
        assert product is not None
        product.status = ProductStatus.DRAFT
        outbox.record(session, ProductUpdated(id=product.id, vendor_id=vendor.id))
        await session.commit()
        message = await relayed(session, ProductUpdated.name)
    await asyncio.to_thread(actors.index_catalog_change, message)
    assert _names(worker, "녹차") == []


async def test_a_vendor_event_reindexes_every_product_of_the_vendor(
    worker: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from workers import actors

    assert actors.index_catalog_change in _subscribers(VendorApproved.name)
    async with session_factory() as session:
        admin = await make_user(session, Role.ADMIN)
        vendor = await make_vendor(session, name="성북마을빵협동조합")
        for name in ("통밀 식빵", "우리밀 식빵"):
            await stocked(session, vendor, stock=3, name=name)
        outbox.record(session, VendorApproved(id=vendor.id, actor_user_id=admin.id))
        await session.commit()
        message = await relayed(session, VendorApproved.name)

    await asyncio.to_thread(actors.index_catalog_change, message)
    assert sorted(_names(worker, "식빵")) == ["우리밀 식빵", "통밀 식빵"]


async def test_a_saved_synonym_version_reaches_the_index_through_the_worker(
    worker: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from workers import actors

    assert actors.apply_saved_synonyms in _subscribers(SynonymsSaved.name)
    async with session_factory() as session:
        admin = await make_user(session, Role.ADMIN)
        vendor = await make_vendor(session, name="차마을기업")
        await stocked(session, vendor, stock=5, name="작설차")
        await session.commit()
        base = search_tuning.seed_table().version
        await search_tuning.save_synonyms(session, "sencha => 작설차\n", admin, base_version=base)
        message = await relayed(session, SynonymsSaved.name)
    assert _names(worker, "sencha") == []

    await asyncio.to_thread(actors.apply_saved_synonyms, message)

    assert _names(worker, "sencha") == ["작설차"]
    engine = EmbeddedEngine(worker.search_dir)
    assert engine.health()["details"]["synonyms_version"] == base + 1
    engine.close()


async def test_an_unanswered_search_is_counted_once_on_its_seoul_day(
    worker: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from workers import actors

    assert actors.count_unanswered_search in _subscribers(SearchUnanswered.name)
    async with session_factory() as session:
        outbox.record(session, SearchUnanswered(query="kombucha", total=0))
        await session.commit()
        message = await relayed(session, SearchUnanswered.name)
        row = await session.scalar(select(outbox.OutboxEvent).order_by(
            outbox.OutboxEvent.id.desc()))
        assert row is not None
        day = seoul_date(row.occurred_at)

    await asyncio.to_thread(actors.count_unanswered_search, message)
    await asyncio.to_thread(actors.count_unanswered_search, message)  # redelivered

    async with session_factory() as session:
        rows = await search_tuning.top_unanswered(session, today=day, days=1)
    assert [(r.query, r.zero, r.few) for r in rows] == [("kombucha", 1, 0)]
