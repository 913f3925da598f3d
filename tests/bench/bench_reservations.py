"""Stock reservations under load, straight through the reservation service (the groundwork
of the checkout bench: no HTTP, no payment).

Two measurements, on the database the tests use (``JANGTEO_TEST_DATABASE_URL`` or SQLite):

* throughput and latency: 50 concurrent clients on a pool of 40 connections (4 on SQLite), each
  reserving 1–3 lines from 20 well-stocked variants, then releasing every other one —
  ``reserve_per_s``, ``reserve_p50_ms``, ``reserve_p95_ms`` (latency includes waiting for a
  pool connection and for this one event loop), and ``client_cpu_ms_per_reserve``;
* the race: 500 simultaneous attempts for the last 50 units of one variant —
  ``oversold_units`` (units held beyond stock: must be 0) and ``race_winners`` (must be 50).

The ``database`` label is read from the live connection, never from the URL, and
``JANGTEO_BENCH_REQUIRE_POSTGRES=1`` makes the bench refuse to run (exit 2) anywhere else, so
a SQLite figure can never be reported as a PostgreSQL one. Run:
``python -m tests.bench.bench_reservations``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import sys
import time
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.clock import utcnow
from infra.db import make_engine, make_session_factory
from infra.errors import Conflict
from infra.settings import Settings
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.catalog.taxonomy import Category
from shop.checkout import availability, stock
from shop.checkout.demand import Demand
from shop.checkout.models import ReservationLine, ReservationStatus, StockReservation
from shop.vendors.models import Vendor, VendorStatus
from shop.vendors.types import District, EnterpriseType
from tests.bench.common import percentile, write_result
from tests.bench.services import bench_settings, fresh_database, release

CLIENTS = int(os.environ.get("BENCH_RESERVE_CLIENTS", "50"))
RESERVATIONS = int(os.environ.get("BENCH_RESERVE_COUNT", "3000"))
#: PostgreSQL's pool; SQLite has one writer, and more connections only make them starve in
#: its busy-wait loop (past the 15 s busy timeout), so it gets a small pool that queues fairly.
POOL = 40
SQLITE_POOL = 4
VARIANTS = 20
RACE_ATTEMPTS = 500
RACE_STOCK = 50
SEED = 20250501


async def database_label(factory: async_sessionmaker[AsyncSession]) -> str:
    """What we are really connected to: 'postgresql 16.4' or 'sqlite 3.40.1'."""
    async with factory() as session:
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            version = await session.scalar(text("SHOW server_version"))
        else:
            version = await session.scalar(text("SELECT sqlite_version()"))
    return f"{dialect} {str(version).split()[0]}"


async def seed(factory: async_sessionmaker[AsyncSession]) -> tuple[list[int], int]:
    async with factory() as session:
        vendor = Vendor(
            name="벤치마크협동조합", enterprise_type=EnterpriseType.COOPERATIVE,
            business_registration_number="1018203548", representative="김벤치",
            district=District.MAPO, phone="02-123-4567", email="bench@example.kr",
            certification_number="제2020-1호", certified_from=dt.date(2024, 1, 1),
            status=VendorStatus.APPROVED,
        )
        session.add(vendor)
        await session.flush()
        variants = []
        for i in range(VARIANTS + 1):
            variant = ProductVariant(
                sku=f"BENCH-R-{i:03d}", price=10_000,
                stock=RACE_STOCK if i == VARIANTS else 1_000_000,
            )
            session.add(Product(
                vendor_id=vendor.id, name=f"벤치 상품 {i}", category=Category.FOOD,
                status=ProductStatus.PUBLISHED, variants=[variant],
            ))
            variants.append(variant)
        await session.commit()
        ids = [v.id for v in variants]
    return ids[:VARIANTS], ids[VARIANTS]


async def throughput(
    factory: async_sessionmaker[AsyncSession], settings: Settings, ids: list[int], count: int
) -> tuple[float, list[float]]:
    rng = random.Random(SEED + count)
    plans = [
        [Demand(v, rng.randint(1, 3)) for v in rng.sample(ids, rng.randint(1, 3))]
        for _ in range(count)
    ]
    queue: asyncio.Queue[tuple[int, list[Demand]]] = asyncio.Queue()
    for item in enumerate(plans):
        queue.put_nowait(item)
    latencies: list[float] = []

    async def client() -> None:
        while not queue.empty():
            index, demands = queue.get_nowait()
            async with factory() as session:
                started = time.perf_counter()
                reservation = await stock.reserve(session, settings, demands)
                latencies.append((time.perf_counter() - started) * 1000)
                if index % 2:
                    await stock.release(session, reservation.id, reason="bench")

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return time.perf_counter() - started, latencies


async def race(
    factory: async_sessionmaker[AsyncSession], settings: Settings, variant_id: int
) -> dict[str, Any]:
    async def attempt() -> bool:
        async with factory() as session:
            try:
                await stock.reserve(session, settings, [Demand(variant_id, 1)])
                return True
            except Conflict:
                return False

    outcomes = await asyncio.gather(*(attempt() for _ in range(RACE_ATTEMPTS)))
    now = utcnow()
    async with factory() as session:
        level = (await availability.stock_levels(session, [variant_id], now))[variant_id]
        # Counted again straight from the rows, not through the code under test.
        held = await session.scalar(
            select(func.coalesce(func.sum(ReservationLine.quantity), 0))
            .join(StockReservation, StockReservation.id == ReservationLine.reservation_id)
            .where(ReservationLine.variant_id == variant_id,
                   StockReservation.status == ReservationStatus.ACTIVE)
        )
    return {
        "race_attempts": RACE_ATTEMPTS,
        "race_winners": sum(outcomes),
        "oversold_units": max(0, int(held or 0) + level.allocated - level.stock),
    }


async def run(settings: Settings) -> dict[str, Any]:
    pool = POOL if settings.is_postgres else SQLITE_POOL
    engine = make_engine(settings, pool_size=pool, max_overflow=0, pool_timeout=300)
    factory = make_session_factory(engine)
    try:
        label = await database_label(factory)
        if os.environ.get("JANGTEO_BENCH_REQUIRE_POSTGRES") == "1" and not label.startswith(
            "postgresql"
        ):
            print(f"refusing to run: JANGTEO_BENCH_REQUIRE_POSTGRES=1 but database is {label}",
                  file=sys.stderr)
            raise SystemExit(2)
        ids, race_variant = await seed(factory)
        await throughput(factory, settings, ids, CLIENTS * 2)  # warm-up: pool, caches
        cpu = time.process_time()
        elapsed, latencies = await throughput(factory, settings, ids, RESERVATIONS)
        cpu = time.process_time() - cpu
        raced = await race(factory, settings, race_variant)
    finally:
        await engine.dispose()
    return {
        "database": label,
        "clients": CLIENTS,
        "pool": pool,
        "reservations": len(latencies),
        "reserve_per_s": round(len(latencies) / elapsed, 1),
        "reserve_p50_ms": round(percentile(latencies, 50), 2),
        "reserve_p95_ms": round(percentile(latencies, 95), 2),
        # Python CPU of this one process per reservation (and every other one's release):
        # when reserve_per_s ≈ 1000 / this, the client process, not the database, is the limit.
        "client_cpu_ms_per_reserve": round(cpu * 1000 / len(latencies), 2),
        **raced,
    }


def main() -> None:
    settings = bench_settings("reservations")
    try:
        fresh_database(settings)
        metrics = asyncio.run(run(settings))
    finally:
        release(settings)
    write_result("reservations", metrics)


if __name__ == "__main__":
    main()
