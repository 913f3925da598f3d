"""Stocked products and stock bookkeeping for the cart and checkout tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.clock import utcnow
from infra.outbox import OutboxEvent
from shop.cart.models import Cart, CartLine
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.catalog.taxonomy import Category
from shop.checkout.models import (
    ReservationLine,
    ReservationStatus,
    ReservationStatusChange,
    StockAllocation,
    StockReservation,
)
from shop.vendors.models import Vendor

_skus = itertools.count(1)


async def stocked(
    session: AsyncSession,
    vendor: Vendor,
    *,
    stock: int,
    price: int = 10_000,
    name: str = "유기농 현미 쿠키",
    option: str = "10개입",
    status: ProductStatus = ProductStatus.PUBLISHED,
) -> ProductVariant:
    """A product on sale (by default) with one variant holding ``stock`` units."""
    variant = ProductVariant(
        sku=f"S-{next(_skus):06d}", option_label=option, price=price, stock=stock
    )
    product = Product(
        vendor_id=vendor.id, name=name, description="", category=Category.FOOD, status=status,
        published_at=utcnow(), variants=[variant],
    )
    session.add(product)
    await session.flush()
    return variant


@dataclasses.dataclass(frozen=True)
class StockRows:
    """Everything the cart and reservations write: nothing may change on refused input."""

    reservations: int
    lines: int
    allocations: int
    status_changes: int
    carts: int
    cart_lines: int
    events: int


async def stock_rows(factory: async_sessionmaker[AsyncSession]) -> StockRows:
    async with factory() as session:
        async def n(column: Any) -> int:
            return int(await session.scalar(select(func.count(column))) or 0)

        return StockRows(
            reservations=await n(StockReservation.id),
            lines=await n(ReservationLine.id),
            allocations=await n(StockAllocation.id),
            status_changes=await n(ReservationStatusChange.id),
            carts=await n(Cart.id),
            cart_lines=await n(CartLine.id),
            events=await n(OutboxEvent.id),
        )


async def held_and_allocated(
    factory: async_sessionmaker[AsyncSession], variant_id: int, now: dt.datetime
) -> tuple[int, int, int]:
    """(stock, units in live reservations, allocated units), counted independently of the
    code under test, straight from the rows."""
    async with factory() as session:
        stock = await session.scalar(
            select(ProductVariant.stock).where(ProductVariant.id == variant_id)
        )
        reservations = (
            await session.execute(
                select(
                    StockReservation.status, StockReservation.expires_at, ReservationLine.quantity
                )
                .join(ReservationLine, ReservationLine.reservation_id == StockReservation.id)
                .where(ReservationLine.variant_id == variant_id)
            )
        ).all()
        allocated = await session.scalar(
            select(func.coalesce(func.sum(StockAllocation.quantity), 0)).where(
                StockAllocation.variant_id == variant_id
            )
        )
    live = sum(
        qty
        for status, expires_at, qty in reservations
        if status is ReservationStatus.ACTIVE
        and (expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=dt.UTC)) > now
    )
    return int(stock or 0), live, int(allocated or 0)


async def event_names(factory: async_sessionmaker[AsyncSession]) -> list[str]:
    async with factory() as session:
        rows = await session.scalars(select(OutboxEvent.name).order_by(OutboxEvent.id))
        return list(rows.all())
