"""How many units of a variant may still be sold, and the locks that keep that number true.

``available = stock − Σ allocations − Σ live reservations``, computed by the database in one
statement so every reader (the cart, the product page, a reservation) sees the same figure.
A reservation stops counting the moment its ``expires_at`` passes, whether or not the
sweeper has marked it yet: expiry is lazy on read.

Writers that make the number smaller must first serialise on the variants they touch:

* PostgreSQL: ``SELECT … FOR UPDATE`` on the variant rows, always in ``id`` order, so two
  checkouts wanting overlapping variants queue instead of deadlocking. Under READ COMMITTED
  each later statement sees what the previous lock holder committed.
* SQLite: the database has one writer at a time, but Python's driver starts a transaction
  only at the first write, so reads before it are not protected. A no-op ``UPDATE`` of the
  same rows takes the write lock first; reads after it see the latest committed state.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import DateTime, Integer, bindparam, case, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import ScalarSelect, Select

from infra.db import attach_as_loaded, dialect_name, table_of
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.checkout.models import (
    ReservationLine,
    ReservationStatus,
    StockAllocation,
    StockReservation,
)
from shop.vendors.models import Vendor, VendorStatus

#: A read of variant rows that :func:`locking` makes locking.
_Read = TypeVar("_Read", bound="Select[*tuple[Any, ...]]")


@dataclasses.dataclass(frozen=True)
class StockLevel:
    variant_id: int
    stock: int
    allocated: int
    reserved: int

    @property
    def available(self) -> int:
        return max(0, self.stock - self.allocated - self.reserved)


@dataclasses.dataclass(frozen=True)
class SaleFacts:
    """What decides whether a variant may be sold at all, and how to name it to a shopper."""

    variant_id: int
    is_active: bool
    product_name: str
    option_label: str
    product_status: ProductStatus
    vendor_status: VendorStatus

    @property
    def on_sale(self) -> bool:
        return (
            self.is_active
            and self.product_status is ProductStatus.PUBLISHED
            and self.vendor_status is VendorStatus.APPROVED
        )

    @property
    def label(self) -> str:
        return f"{self.product_name} ({self.option_label})"


def _allocated_subquery() -> ScalarSelect[int]:
    return (
        select(func.coalesce(func.sum(StockAllocation.quantity), 0))
        .where(StockAllocation.variant_id == ProductVariant.id)
        .correlate(ProductVariant)
        .scalar_subquery()
    )


def _reserved_subquery(now: dt.datetime | BindParameter[Any]) -> ScalarSelect[int]:
    return (
        select(func.coalesce(func.sum(ReservationLine.quantity), 0))
        .join(StockReservation, StockReservation.id == ReservationLine.reservation_id)
        .where(
            ReservationLine.variant_id == ProductVariant.id,
            StockReservation.status == ReservationStatus.ACTIVE,
            StockReservation.expires_at > now,
        )
        .correlate(ProductVariant)
        .scalar_subquery()
    )


async def stock_levels(
    session: AsyncSession, variant_ids: Iterable[int], now: dt.datetime
) -> dict[int, StockLevel]:
    """Stock, allocated and live-reserved units per variant (unknown ids are left out)."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(
            ProductVariant.id,
            ProductVariant.stock,
            _allocated_subquery(),
            _reserved_subquery(now),
        ).where(ProductVariant.id.in_(ids))
    )
    return {
        int(vid): StockLevel(int(vid), int(stock), int(allocated), int(reserved))
        for vid, stock, allocated, reserved in rows.all()
    }


async def available(
    session: AsyncSession, variant_ids: Iterable[int], now: dt.datetime
) -> dict[int, int]:
    """Units still for sale per variant (0 for unknown ids)."""
    ids = list(variant_ids)
    levels = await stock_levels(session, ids, now)
    return {vid: levels[vid].available if vid in levels else 0 for vid in ids}


async def sold_out(
    session: AsyncSession, product_ids: Iterable[int], now: dt.datetime
) -> set[int]:
    """The products among ``product_ids`` none of whose variants on sale has a unit left, in
    one statement: what a listing card marks 품절. Read live, like the product page's stock,
    so a sale or a stock change shows at once on listings served from the search cache."""
    ids = sorted(set(product_ids))
    if not ids:
        return set()
    rows = await session.execute(
        select(
            ProductVariant.product_id,
            ProductVariant.stock - _allocated_subquery() - _reserved_subquery(now),
        ).where(ProductVariant.product_id.in_(ids), ProductVariant.is_active.is_(True))
    )
    left = {int(product_id) for product_id, free in rows.all() if free > 0}
    return set(ids) - left


def _facts_query(
    ids: Sequence[int],
) -> Select[int, bool, str, str, ProductStatus, VendorStatus]:
    return (
        select(
            ProductVariant.id,
            ProductVariant.is_active,
            Product.name,
            ProductVariant.option_label,
            Product.status,
            Vendor.status,
        )
        .join(Product, Product.id == ProductVariant.product_id)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .where(ProductVariant.id.in_(ids))
        .order_by(ProductVariant.id)
    )


def _facts(rows: Iterable[Any]) -> dict[int, SaleFacts]:
    return {
        int(vid): SaleFacts(int(vid), bool(active), name, option, p_status, v_status)
        for vid, active, name, option, p_status, v_status in rows
    }


async def sale_facts(session: AsyncSession, variant_ids: Iterable[int]) -> dict[int, SaleFacts]:
    """Whether each variant may be sold, and its name (unknown ids are left out)."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    return _facts((await session.execute(_facts_query(ids))).all())


async def lock_variants(session: AsyncSession, variant_ids: Sequence[int]) -> dict[int, SaleFacts]:
    """Serialise on these variants for the rest of the transaction and return their sale
    facts (ids that do not exist are left out).

    Locks are taken in ascending id order (the caller's order does not matter). Read
    availability with a *later* statement: on PostgreSQL a statement that waited for a row
    lock still sees the rest of the database as it was when it started.

    On PostgreSQL the lock is ``FOR NO KEY UPDATE``: it serialises the stock checks just as
    well, but lets other transactions insert rows that *reference* the variant meanwhile
    (cart lines, order lines, another checkout's reservation lines take a key-share lock
    through their foreign key, which ``FOR UPDATE`` would make wait, or deadlock).
    """
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    locked = await locking(session, _facts_query(ids), ids)
    return _facts((await session.execute(locked)).all())


async def locking(session: AsyncSession, stmt: _Read, variant_ids: Sequence[int]) -> _Read:
    """``stmt``, a read of the rows of ``variant_ids`` ordered by their id, made to lock them
    as :func:`lock_variants` does (SQLite: the write lock is taken first, by a no-op update
    of the same rows; the read then sees the latest committed state)."""
    if dialect_name(session) == "sqlite":
        await _sqlite_write_lock(session, variant_ids)
        return stmt
    return stmt.with_for_update(of=ProductVariant, key_share=True)


_SQLITE_WRITE_LOCK = text("UPDATE product_variants SET stock = stock WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)


async def _sqlite_write_lock(session: AsyncSession, variant_ids: Sequence[int]) -> None:
    await session.execute(_SQLITE_WRITE_LOCK, {"ids": sorted(set(variant_ids))})


@dataclasses.dataclass(frozen=True)
class BuiltLocking(Generic[_Read]):
    """:func:`locking` for a read built once per process (its bind parameters given at
    execution): the locking form is built once too, so neither form's cache key is computed
    again per request (decision 91)."""

    plain: _Read
    locked: _Read

    @classmethod
    def of(cls, stmt: _Read) -> BuiltLocking[_Read]:
        return cls(stmt, stmt.with_for_update(of=ProductVariant, key_share=True))

    async def __call__(self, session: AsyncSession, variant_ids: Sequence[int]) -> _Read:
        if dialect_name(session) == "sqlite":
            await _sqlite_write_lock(session, variant_ids)
            return self.plain
        return self.locked


async def hold_if_free(
    session: AsyncSession, reservation_id: int, wanted: Mapping[int, int], now: dt.datetime
) -> list[ReservationLine]:
    """After :func:`lock_variants`, in the same transaction: write the reservation's line for
    each wanted variant whose units are still free, in one ``INSERT … SELECT`` that reads
    availability as it writes (decision 76); return the lines written. A variant missing
    from the result was short: the caller refuses and rolls the rest back.

    This statement comes after the lock's, so on PostgreSQL it sees every reservation the
    lock's previous holders committed (the reason availability is never read in the
    locking statement itself)."""
    if not wanted:
        return []
    ids = sorted(wanted)
    params: dict[str, Any] = {"reservation_id": reservation_id, "now": now, "now_compared": now}
    for i, variant_id in enumerate(ids):
        params[f"v{i}"], params[f"q{i}"] = variant_id, wanted[variant_id]
    stmt = _HOLD_STATEMENTS.get(len(ids))
    if stmt is None:
        stmt = _HOLD_STATEMENTS.setdefault(len(ids), _hold_statement(len(ids)))
    return attach_as_loaded(session, ReservationLine, await session.execute(stmt, params))


#: :func:`hold_if_free`'s statement per number of variants, built once per process with its
#: values bound at execution (decision 96): building it and its cache key per checkout cost
#: more CPU than sending it.
_HOLD_STATEMENTS: dict[int, Any] = {}


def _hold_statement(count: int) -> Any:
    # Typed as the values the statement was built with before: a datetime literal for the
    # new rows, the column's own type where ``expires_at`` is compared.
    now = bindparam("now", type_=DateTime(timezone=True))
    now_compared = bindparam("now_compared", type_=StockReservation.__table__.c.expires_at.type)
    variants = [bindparam(f"v{i}", type_=Integer) for i in range(count)]
    quantity = case(
        {v: bindparam(f"q{i}", type_=Integer) for i, v in enumerate(variants)},
        value=ProductVariant.id,
    )
    free = ProductVariant.stock - _allocated_subquery() - _reserved_subquery(now_compared)
    rows = (
        select(
            bindparam("reservation_id", type_=Integer).label("reservation_id"),
            ProductVariant.id.label("variant_id"),
            quantity.label("quantity"),
            now.label("created_at"),
            now.label("updated_at"),
        )
        .where(ProductVariant.id.in_(variants), free >= quantity)
    )
    table = table_of(ReservationLine)
    return (
        insert(table)
        .from_select(["reservation_id", "variant_id", "quantity", "created_at", "updated_at"],
                     rows)
        .returning(*table.c)
    )


async def lock_reservation(session: AsyncSession, reservation_id: int) -> StockReservation | None:
    """The reservation with its lines, locked for this transaction and read fresh (not from
    the identity map), in one statement."""
    stmt = (
        select(StockReservation)
        .where(StockReservation.id == reservation_id)
        .options(joinedload(StockReservation.lines))
    )
    if dialect_name(session) == "sqlite":
        await session.execute(
            text("UPDATE stock_reservations SET id = id WHERE id = :id"), {"id": reservation_id}
        )
    else:
        stmt = stmt.with_for_update(of=StockReservation)
    result = await session.scalars(stmt.execution_options(populate_existing=True))
    return result.unique().one_or_none()
