"""Who holds what, when: the availability math and the per-market booking lock.

Available units of an item for a period = its units that are not retired and hold no
active reservation overlapping the period (a maintenance record holds its unit with an
open-ended reservation, so "in maintenance" needs no second rule). The queries read the
database as committed; the services take :func:`lock_desk` first so that what they read
stays true until they commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import utcnow
from infra.db import dialect_name
from markets.lending.models import (
    EquipmentItem,
    EquipmentUnit,
    LendingDesk,
    UnitReservation,
)


async def lock_desk(session: AsyncSession, market_id: int) -> LendingDesk:
    """Serialise lending changes of one market until the caller's transaction ends.

    An UPDATE of the desk row: a row lock on PostgreSQL (READ COMMITTED, so every later
    statement of the transaction sees what the previous holder committed), and the write
    lock on SQLite (whose driver begins the transaction at the first write, so no stale read
    snapshot is held). The desk row is created on first use.
    """
    bump = (
        update(LendingDesk)
        .where(LendingDesk.market_id == market_id)
        .values(lock_version=LendingDesk.lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(bump)
    if not result.rowcount:  # type: ignore[attr-defined]
        insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
        now = utcnow()
        await session.execute(
            insert(LendingDesk)
            .values(market_id=market_id, lock_version=0, created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["market_id"])
        )
        await session.execute(bump)
    desk = await session.scalar(
        select(LendingDesk)
        .where(LendingDesk.market_id == market_id)
        .execution_options(populate_existing=True)
    )
    assert desk is not None
    return desk


def overlapping(starts_at: dt.datetime, ends_at: dt.datetime | None) -> ColumnElement[bool]:
    """Active reservations sharing an instant with ``[starts_at, ends_at)`` (half-open)."""
    conditions = [
        UnitReservation.active.is_(True),
        or_(UnitReservation.ends_at.is_(None), UnitReservation.ends_at > starts_at),
    ]
    if ends_at is not None:
        conditions.append(UnitReservation.starts_at < ends_at)
    return and_(*conditions)


def _unit_is_free(starts_at: dt.datetime, ends_at: dt.datetime | None) -> ColumnElement[bool]:
    return and_(
        EquipmentUnit.retired_at.is_(None),
        ~exists().where(
            UnitReservation.unit_id == EquipmentUnit.id, overlapping(starts_at, ends_at)
        ),
    )


async def free_units(
    session: AsyncSession,
    item_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    *,
    limit: int | None = None,
    exclude: Iterable[int] = (),
) -> list[EquipmentUnit]:
    """Units of ``item_id`` free over the whole period, lowest code first."""
    stmt = (
        select(EquipmentUnit)
        .where(EquipmentUnit.item_id == item_id, _unit_is_free(starts_at, ends_at))
        .order_by(EquipmentUnit.code, EquipmentUnit.id)
    )
    excluded = list(exclude)
    if excluded:
        stmt = stmt.where(EquipmentUnit.id.not_in(excluded))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list((await session.scalars(stmt)).unique().all())


@dataclass(frozen=True)
class Stock:
    item_id: int
    name: str
    owned: int  # units not written off
    in_maintenance: int  # held by an open maintenance record now
    free: int  # free over the asked period (or now, when none was asked)


async def stock_of_market(
    session: AsyncSession,
    market_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    *,
    now: dt.datetime | None = None,
) -> list[Stock]:
    """Every item of a market with what is owned, in maintenance now, and free in the period."""
    moment = now or utcnow()
    items = (
        await session.scalars(
            select(EquipmentItem)
            .where(EquipmentItem.market_id == market_id)
            .order_by(EquipmentItem.name)
        )
    ).all()
    owned = dict(
        (
            await session.execute(
                select(EquipmentUnit.item_id, func.count(EquipmentUnit.id))
                .join(EquipmentItem, EquipmentItem.id == EquipmentUnit.item_id)
                .where(EquipmentItem.market_id == market_id, EquipmentUnit.retired_at.is_(None))
                .group_by(EquipmentUnit.item_id)
            )
        ).all()
    )
    free = dict(
        (
            await session.execute(
                select(EquipmentUnit.item_id, func.count(EquipmentUnit.id))
                .join(EquipmentItem, EquipmentItem.id == EquipmentUnit.item_id)
                .where(EquipmentItem.market_id == market_id, _unit_is_free(starts_at, ends_at))
                .group_by(EquipmentUnit.item_id)
            )
        ).all()
    )
    in_maintenance = dict(
        (
            await session.execute(
                select(EquipmentUnit.item_id, func.count(func.distinct(EquipmentUnit.id)))
                .join(EquipmentItem, EquipmentItem.id == EquipmentUnit.item_id)
                .join(UnitReservation, UnitReservation.unit_id == EquipmentUnit.id)
                .where(
                    EquipmentItem.market_id == market_id,
                    EquipmentUnit.retired_at.is_(None),
                    UnitReservation.maintenance_id.is_not(None),
                    overlapping(moment, moment + dt.timedelta(microseconds=1)),
                )
                .group_by(EquipmentUnit.item_id)
            )
        ).all()
    )
    return [
        Stock(
            item_id=item.id,
            name=item.name,
            owned=int(owned.get(item.id, 0)),
            in_maintenance=int(in_maintenance.get(item.id, 0)),
            free=int(free.get(item.id, 0)),
        )
        for item in items
    ]
