"""Each catalog mutation writes exactly one outbox event of the right name, in the same
transaction as the rows it describes; a refused or failed mutation writes none."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import Conflict
from shop.catalog import services
from shop.catalog.models import Product, ProductStatus
from shop.catalog.rules import ProductChanges, VariantDraft
from tests.shop.catalog.conftest import PNG, World, counts, draft, event_names, last_event


async def test_create_records_product_created(
    db_session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    product = await services.create_product(
        db_session, world.settings, world.alice, world.approved.id, draft()
    )
    assert product.status is ProductStatus.DRAFT
    assert await event_names(session_factory) == ["product.created"]
    event = await last_event(session_factory)
    assert event.aggregate == "product"
    assert event.aggregate_id == str(product.id)
    assert event.payload == {
        "id": product.id, "vendor_id": world.approved.id, "actor_user_id": world.alice.id,
    }


async def test_update_records_the_changed_fields_and_nothing_when_nothing_changed(
    db_session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    product = await services.create_product(
        db_session, world.settings, world.alice, world.approved.id, draft()
    )
    await services.update_product(
        db_session, world.settings, world.alice, product.id,
        ProductChanges(name="새 이름", eco_friendly=False),
    )
    assert await event_names(session_factory) == ["product.created", "product.updated"]
    assert (await last_event(session_factory)).payload["fields"] == ["name", "eco_friendly"]
    await services.update_product(
        db_session, world.settings, world.alice, product.id, ProductChanges(name="새 이름")
    )
    assert await event_names(session_factory) == ["product.created", "product.updated"]


async def test_publish_and_unpublish_record_their_events(
    db_session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    product = await services.create_product(
        db_session, world.settings, world.alice, world.approved.id, draft()
    )
    await services.publish(db_session, world.alice, product.id)
    await services.unpublish(db_session, world.alice, product.id, "재료 수급 지연")
    assert await event_names(session_factory) == [
        "product.created", "product.published", "product.unpublished",
    ]
    assert (await last_event(session_factory)).payload["reason"] == "재료 수급 지연"


async def test_stock_change_records_sku_and_new_stock(
    db_session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    product = await services.create_product(
        db_session, world.settings, world.alice, world.approved.id, draft()
    )
    updated = await services.set_stock(db_session, world.alice, product.id, "COOKIE-1", 7)
    assert updated.total_stock == 7
    event = await last_event(session_factory)
    assert event.name == "product.stock_changed"
    assert event.payload["sku"] == "COOKIE-1"
    assert event.payload["stock"] == 7
    await services.set_stock(db_session, world.alice, product.id, "COOKIE-1", 7)
    assert await event_names(session_factory) == ["product.created", "product.stock_changed"]


async def test_adding_and_removing_an_image_each_record_one_update(
    db_session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    product = await services.create_product(
        db_session, world.settings, world.alice, world.approved.id, draft()
    )
    image = await services.add_image(db_session, world.settings, world.alice, product.id, PNG)
    assert (await last_event(session_factory)).payload["fields"] == ["images"]
    await services.remove_image(db_session, world.settings, world.alice, product.id, image.id)
    assert await event_names(session_factory) == [
        "product.created", "product.updated", "product.updated",
    ]


async def test_a_refused_publish_records_nothing(
    db_session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    product = await services.create_product(
        db_session, world.settings, world.bora, world.applied.id, draft()
    )
    before = await counts(session_factory, world.settings)
    with pytest.raises(Conflict):
        await services.publish(db_session, world.bora, product.id)
    assert await counts(session_factory, world.settings) == before


class Boom(RuntimeError):
    pass


async def test_when_the_event_cannot_be_recorded_the_product_is_not_saved_either(
    db_session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing_record(session: AsyncSession, event: Any) -> None:
        raise Boom

    monkeypatch.setattr(services, "record", failing_record)
    before = await counts(session_factory, world.settings)
    with pytest.raises(Boom):
        await services.create_product(
            db_session, world.settings, world.alice, world.approved.id, draft()
        )
    assert await counts(session_factory, world.settings) == before


async def test_when_the_commit_fails_neither_rows_nor_event_nor_file_remain(
    db_session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    product = await services.create_product(
        db_session, world.settings, world.alice, world.approved.id, draft()
    )
    await services.publish(db_session, world.alice, product.id)
    product_id = product.id
    before = await counts(session_factory, world.settings)

    async def failing_commit() -> None:
        await db_session.flush()  # the rows and the event reach the database…
        raise Boom  # …and the transaction never commits

    monkeypatch.setattr(db_session, "commit", failing_commit)
    attempts = [
        services.unpublish(db_session, world.alice, product_id, "사유"),
        services.set_stock(db_session, world.alice, product_id, "COOKIE-1", 1),
        services.add_image(db_session, world.settings, world.alice, product_id, PNG),
        services.update_product(
            db_session, world.settings, world.alice, product_id,
            ProductChanges(variants=(VariantDraft(sku="NEW-9", price=5000),)),
        ),
    ]
    for attempt in attempts:
        with pytest.raises(Boom):
            await attempt
        assert await counts(session_factory, world.settings) == before
    async with session_factory() as session:
        fresh = await session.get(Product, product_id)
        assert fresh is not None
        assert fresh.status is ProductStatus.PUBLISHED
        assert [(v.sku, v.stock, v.is_active) for v in fresh.variants] == [("COOKIE-1", 30, True)]
