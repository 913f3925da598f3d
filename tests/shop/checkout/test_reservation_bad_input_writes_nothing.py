"""Wrong demand is refused with a problem naming the field, before anything is written:
no reservation, no line, no audit row, no event."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.errors import DomainError
from shop.catalog.models import ProductStatus
from shop.checkout import stock
from shop.checkout.demand import Demand
from shop.vendors.models import VendorStatus
from tests.shop.checkout.conftest import T0, World
from tests.shop.factories import make_vendor
from tests.shop.shelf import stock_rows, stocked


@pytest.fixture
async def variant_id(world: World, session_factory: async_sessionmaker[AsyncSession]) -> int:
    async with session_factory() as session:
        variant = await stocked(session, world.vendor, stock=5)
        await session.commit()
    return variant.id


CASES: list[tuple[str, Any, int, str, str]] = [
    ("zero", 0, 400, "invalid_quantity", "lines[1].quantity"),
    ("negative", -3, 400, "invalid_quantity", "lines[1].quantity"),
    ("not a number", "2", 400, "invalid_quantity", "lines[1].quantity"),
    ("a boolean", True, 400, "invalid_quantity", "lines[1].quantity"),
    ("a float", 2.0, 400, "invalid_quantity", "lines[1].quantity"),
    ("too many", 1000, 400, "invalid_quantity", "lines[1].quantity"),
    ("more than available", 5, 409, "out_of_stock", "lines[0].quantity"),
]


@pytest.mark.parametrize(("label", "quantity", "status", "code", "field"), CASES,
                         ids=[c[0] for c in CASES])
async def test_bad_quantity_names_the_field_and_writes_nothing(
    world: World, session_factory: async_sessionmaker[AsyncSession], variant_id: int,
    label: str, quantity: Any, status: int, code: str, field: str,
) -> None:
    before = await stock_rows(session_factory)
    async with session_factory() as session:
        with pytest.raises(DomainError) as caught:
            await stock.reserve(
                session, world.settings, [Demand(variant_id, 1), Demand(variant_id, quantity)],
                now=T0,
            )
    problem = caught.value.problem()
    assert (problem["status"], problem["code"]) == (status, code)
    assert problem["errors"][0]["field"] == field
    assert problem["detail"]
    assert await stock_rows(session_factory) == before


async def test_unknown_variant_names_the_line_and_writes_nothing(
    world: World, session_factory: async_sessionmaker[AsyncSession], variant_id: int
) -> None:
    before = await stock_rows(session_factory)
    async with session_factory() as session:
        with pytest.raises(DomainError) as caught:
            await stock.reserve(
                session, world.settings,
                [Demand(variant_id, 1, "items[0]"), Demand(987_654, 1, "items[1]")], now=T0,
            )
    problem = caught.value.problem()
    assert (problem["status"], problem["code"]) == (400, "unknown_variant")
    assert problem["errors"][0]["field"] == "items[1].variant_id"
    assert await stock_rows(session_factory) == before


async def test_no_lines_is_refused(
    world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        with pytest.raises(DomainError) as caught:
            await stock.reserve(session, world.settings, [], now=T0)
    assert (caught.value.code, caught.value.field) == ("no_lines", "lines")


async def test_too_long_key_is_refused(
    world: World, session_factory: async_sessionmaker[AsyncSession], variant_id: int
) -> None:
    before = await stock_rows(session_factory)
    async with session_factory() as session:
        with pytest.raises(DomainError) as caught:
            await stock.reserve(session, world.settings, [Demand(variant_id, 1)],
                                   key="k" * 101, now=T0)
    assert (caught.value.code, caught.value.field) == ("invalid_key", "key")
    assert await stock_rows(session_factory) == before


@pytest.mark.parametrize("why", ["product unpublished", "option stopped", "vendor suspended"])
async def test_what_is_not_on_sale_cannot_be_reserved(
    world: World, session_factory: async_sessionmaker[AsyncSession], why: str
) -> None:
    async with session_factory() as session:
        vendor = world.vendor
        if why == "vendor suspended":
            vendor = await make_vendor(session, status=VendorStatus.SUSPENDED)
        variant = await stocked(
            session, vendor, stock=5,
            status=ProductStatus.UNPUBLISHED if why == "product unpublished"
            else ProductStatus.PUBLISHED,
        )
        if why == "option stopped":
            variant.is_active = False
        await session.commit()
    before = await stock_rows(session_factory)
    async with session_factory() as session:
        with pytest.raises(DomainError) as caught:
            await stock.reserve(session, world.settings, [Demand(variant.id, 1)], now=T0)
    problem = caught.value.problem()
    assert (problem["status"], problem["code"]) == (409, "not_for_sale")
    assert problem["errors"][0]["field"] == "lines[0].variant_id"
    assert await stock_rows(session_factory) == before
