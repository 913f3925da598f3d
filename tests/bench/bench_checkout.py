"""Checkouts per second through the HTTP API, against a real web server and localstripe.

One checkout is every request a shopper's client makes from "place order" to a paid order:

1. ``POST /api/checkout`` — price, reserve the stock, create the PaymentIntent (localstripe);
2. ``POST /api/payments/{token}/test-card`` — the card is confirmed at localstripe and the
   payment completes: allocations, the order and its vendor orders, in one transaction;
3. ``GET /api/checkout/{token}`` — the page the shopper lands on reads the order number.

50 clients run checkouts of 1–3 lines from 20 well-stocked products of 4 vendors; then 500
clients race for the last 50 units of one product (``oversold_units`` = units held beyond
stock, counted from the rows; must be 0). Everything is a real process: ``jangteo web``
(uvicorn, ``BENCH_WEB_WORKERS`` processes), ``localstripe``, PostgreSQL or SQLite, Redis.

Where the time goes is reported too (Linux ``/proc``): CPU milliseconds per paid checkout
spent in the web processes, in localstripe and in the whole machine during the throughput
run. localstripe is one single-threaded process, so ``1000 / localstripe_cpu_ms`` is the
most checkouts per second it can serve here, whatever the web server does.

The ``database`` label is read from the live connection. Checkout figures are meant for
PostgreSQL: with ``JANGTEO_BENCH_REQUIRE_POSTGRES=1`` the bench refuses (exit 2) to run on
anything else, and a SQLite run is labelled ``sqlite`` in the file, never ``postgresql``.
Besides that closed loop (clients that never pause), an **open loop** offers checkouts at a
fixed rate whatever the answers: Poisson arrivals at ``BENCH_OPEN_LOOP_RATE`` per second
(20) for ``BENCH_OPEN_LOOP_SECONDS`` (60; shorter for a quick run), latency counted from
each checkout's scheduled start, so a slow server is not hidden by clients waiting for it.
Then rising rates are offered for ``BENCH_OPEN_LOOP_STEP_SECONDS`` (10) each, and the
highest whose p95 stays within 150 ms is reported (``max_rate_p95_150ms_per_s``).

``statements_per_checkout`` is counted in this process: an app built from the same settings
serves a few checkouts through an in-process client, with an SQLAlchemy listener counting
every statement sent (``BEGIN``/``COMMIT`` are not statements there; savepoints are).

Run: ``python -m tests.bench.bench_checkout``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from infra.clock import utcnow
from infra.db import make_engine, make_session_factory
from infra.settings import Settings
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.catalog.taxonomy import Category
from shop.checkout import availability
from shop.orders.models import Order
from shop.vendors.models import Vendor, VendorStatus
from shop.vendors.types import District, EnterpriseType
from tests.bench.bench_reservations import database_label
from tests.bench.common import percentile, write_result
from tests.bench.services import bench_settings, fresh_database, release
from tests.localstripe import command as localstripe_command
from tests.localstripe import free_port
from tests.processes import start, stop

CLIENTS = int(os.environ.get("BENCH_CHECKOUT_CLIENTS", "50"))
CHECKOUTS = int(os.environ.get("BENCH_CHECKOUT_COUNT", "600"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "2"))
OPEN_LOOP_RATE = float(os.environ.get("BENCH_OPEN_LOOP_RATE", "20"))
OPEN_LOOP_SECONDS = float(os.environ.get("BENCH_OPEN_LOOP_SECONDS", "60"))
OPEN_LOOP_STEP_SECONDS = float(os.environ.get("BENCH_OPEN_LOOP_STEP_SECONDS", "10"))
#: The rates tried for ``max_rate_p95_150ms_per_s``, in order, until one's p95 exceeds 150 ms.
OPEN_LOOP_STEPS = (10, 20, 30, 40, 60, 80, 100, 130, 160, 200)
P95_BOUND_MS = 150.0
COUNTED_CHECKOUTS = 20
RACE_ATTEMPTS = 500
RACE_STOCK = 50
VENDORS = 4
PRODUCTS = 20
SEED = 20261122
ADDRESS = {
    "recipient": "김벤치", "phone": "010-1234-5678", "postal_code": "04524",
    "road_address": "서울특별시 중구 세종대로 110", "detail_address": "3층",
}
BRNS = ["1018203548", "2208162517", "1208147521", "1078155843"]


async def seed(settings: Settings) -> tuple[list[int], int, str]:
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    label = await database_label(factory)
    async with factory() as session:
        vendors = []
        for i in range(VENDORS):
            vendor = Vendor(
                name=f"벤치마크협동조합{i}", enterprise_type=EnterpriseType.COOPERATIVE,
                business_registration_number=BRNS[i], representative="김벤치",
                district=District.MAPO, phone="02-123-4567", email=f"bench{i}@example.kr",
                certification_number=f"제2020-{i}호", certified_from=dt.date(2024, 1, 1),
                status=VendorStatus.APPROVED,
            )
            session.add(vendor)
            vendors.append(vendor)
        await session.flush()
        variants = []
        for i in range(PRODUCTS + 1):
            variant = ProductVariant(
                sku=f"BENCH-C-{i:03d}", price=5_000 + 500 * i,
                stock=RACE_STOCK if i == PRODUCTS else 1_000_000,
            )
            session.add(Product(
                vendor_id=vendors[i % VENDORS].id, name=f"벤치 상품 {i}",
                category=Category.FOOD, status=ProductStatus.PUBLISHED, variants=[variant],
            ))
            variants.append(variant)
        await session.commit()
        ids = [v.id for v in variants]
    await engine.dispose()
    return ids[:PRODUCTS], ids[PRODUCTS], label


def _start_localstripe(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        localstripe_command(port),
        stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/v1/customers", auth=("sk_test_x", ""), timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("localstripe did not start")


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 300  # a loaded shared machine starts slowly
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code in (200, 503):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("web server did not start")


async def checkout(client: httpx.AsyncClient, lines: list[dict[str, int]]) -> tuple[str, float]:
    """One shopper's whole checkout; ('paid'|'out_of_stock'|<problem>, milliseconds)."""
    started = time.perf_counter()
    try:
        return await _checkout(client, lines, started)
    except httpx.TransportError as exc:
        return f"transport:{type(exc).__name__}", (time.perf_counter() - started) * 1000


async def _checkout(
    client: httpx.AsyncClient, lines: list[dict[str, int]], started: float
) -> tuple[str, float]:
    placed = await client.post("/api/checkout", json={
        "address": ADDRESS, "email": "bench@example.kr", "lines": lines})
    if placed.status_code != 201:
        return str(placed.json().get("code")), (time.perf_counter() - started) * 1000
    body = placed.json()
    paid = await client.post(f"/api/payments/{body['payment']['token']}/test-card",
                             json={"card": "4242424242424242"})
    result = await client.get(f"/api/checkout/{body['token']}")
    elapsed = (time.perf_counter() - started) * 1000
    ok = paid.status_code == 200 and result.json().get("order_number")
    return ("paid" if ok else f"failed:{paid.status_code}:{paid.text[:200]}"), elapsed


async def throughput(base: str, ids: list[int]) -> tuple[float, list[float], dict[str, int]]:
    plans = _plans(random.Random(SEED), ids, CHECKOUTS)
    queue: asyncio.Queue[list[dict[str, int]]] = asyncio.Queue()
    for plan in plans:
        queue.put_nowait(plan)
    latencies: list[float] = []
    outcomes: dict[str, int] = {}

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            while not queue.empty():
                outcome, ms = await checkout(http, queue.get_nowait())
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                latencies.append(ms)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return time.perf_counter() - started, latencies, outcomes


def _plans(rng: random.Random, ids: list[int], count: int) -> list[list[dict[str, int]]]:
    return [
        [{"variant_id": v, "quantity": rng.randint(1, 3)}
         for v in rng.sample(ids, rng.randint(1, 3))]
        for _ in range(count)
    ]


async def open_loop(
    base: str, ids: list[int], rate: float, seconds: float, seed: int = SEED
) -> tuple[list[float], dict[str, int]]:
    """Checkouts started at Poisson arrivals of ``rate`` per second for ``seconds``; each
    latency runs from the scheduled start (a late start counts against the server)."""
    rng = random.Random(seed)
    starts: list[float] = []
    moment = rng.expovariate(rate)
    while moment < seconds:
        starts.append(moment)
        moment += rng.expovariate(rate)
    plans = _plans(rng, ids, len(starts))
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
        began = time.perf_counter()

        async def one(at: float, plan: list[dict[str, int]]) -> None:
            delay = began + at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            outcome, _ = await checkout(http, plan)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            latencies.append((time.perf_counter() - began - at) * 1000)

        await asyncio.gather(*(one(at, plan) for at, plan in zip(starts, plans, strict=True)))
    return latencies, outcomes


async def max_rate(base: str, ids: list[int]) -> float | None:
    """The highest of :data:`OPEN_LOOP_STEPS` whose open-loop p95 stays within 150 ms."""
    best = None
    for step, rate in enumerate(OPEN_LOOP_STEPS):
        latencies, outcomes = await open_loop(base, ids, rate, OPEN_LOOP_STEP_SECONDS,
                                              seed=SEED + step)
        p95 = percentile(latencies, 95)
        print(f"  open loop {rate}/s: p95 {p95:.0f} ms, {outcomes}", file=sys.stderr)
        if p95 > P95_BOUND_MS or set(outcomes) != {"paid"}:
            break
        best = float(rate)
    return best


async def count_statements(settings: Settings, stripe_url: str, ids: list[int]) -> float:
    """SQL statements per checkout, counted in this process (see the module docstring)."""
    from litestar.testing import AsyncTestClient
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from infra.app import create_app

    sent: list[str] = []

    def count(*_args: Any) -> None:
        sent.append("")

    async with AsyncTestClient(app=create_app(
        dataclasses.replace(settings, stripe_api_base=stripe_url)
    )) as client:
        await checkout(client, [{"variant_id": ids[0], "quantity": 1}])  # warm
        plans = _plans(random.Random(SEED), ids, COUNTED_CHECKOUTS)
        event.listen(Engine, "before_cursor_execute", count)
        try:
            for plan in plans:
                outcome, _ = await checkout(client, plan)
                if outcome != "paid":
                    raise RuntimeError(f"counted checkout ended {outcome}")
        finally:
            event.remove(Engine, "before_cursor_execute", count)
    return round(len(sent) / COUNTED_CHECKOUTS, 1)


def _cpu_seconds(*roots: int) -> float | None:
    """CPU time (user + system) of these processes and all their descendants, from /proc."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    stats: dict[int, tuple[int, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    wanted, total = set(roots), 0.0
    changed = True
    while changed:  # add children of what we have until nothing new turns up
        changed = False
        for pid, (parent, _) in stats.items():
            if parent in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    for pid in wanted:
        if pid in stats:
            total += stats[pid][1]
    return total


def _machine_cpu_seconds() -> float | None:
    """Busy CPU time of the whole machine (all cores), from /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return None
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _per_checkout_ms(before: float | None, after: float | None, paid: int) -> float | None:
    if before is None or after is None or not paid:
        return None
    return round((after - before) / paid * 1000, 1)


async def race(base: str, settings: Settings, variant_id: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=RACE_ATTEMPTS)
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=limits) as http:
        outcomes = await asyncio.gather(*(
            checkout(http, [{"variant_id": variant_id, "quantity": 1}])
            for _ in range(RACE_ATTEMPTS)
        ))
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        level = (await availability.stock_levels(
            session, [variant_id], utcnow()))[variant_id]
        orders = await session.scalar(select(func.count(Order.id)))
    await engine.dispose()
    kinds = [o for o, _ in outcomes]
    return {
        "race_attempts": RACE_ATTEMPTS,
        "race_paid": kinds.count("paid"),
        "race_told_out_of_stock": kinds.count("out_of_stock"),
        "race_other_outcomes": len(kinds) - kinds.count("paid") - kinds.count("out_of_stock"),
        "oversold_units": max(0, level.allocated + level.reserved - level.stock),
        "orders_in_database": int(orders or 0),
    }


def main() -> None:
    settings = bench_settings("checkout")
    fresh_database(settings)
    ids, race_variant, label = asyncio.run(seed(settings))
    if os.environ.get("JANGTEO_BENCH_REQUIRE_POSTGRES") == "1" and \
            not label.startswith("postgresql"):
        print(f"checkout bench: refusing to run on {label}; set JANGTEO_TEST_DATABASE_URL",
              file=sys.stderr)
        release(settings)
        sys.exit(2)
    log = Path(settings.var_dir) / "processes.log"
    localstripe, stripe_url = _start_localstripe(log)
    web = start(["web", "--port", str(settings.port), "--workers", str(WEB_WORKERS)],
                settings, log, JANGTEO_STRIPE_API_BASE=stripe_url)
    base = f"http://127.0.0.1:{settings.port}"
    try:
        _wait_ready(base)
        asyncio.run(_warm(base, ids))
        cpu_before = (_cpu_seconds(web.pid), _cpu_seconds(localstripe.pid),
                      _machine_cpu_seconds())
        seconds, latencies, outcomes = asyncio.run(throughput(base, ids))
        cpu_after = (_cpu_seconds(web.pid), _cpu_seconds(localstripe.pid),
                     _machine_cpu_seconds())
        opened, open_outcomes = asyncio.run(
            open_loop(base, ids, OPEN_LOOP_RATE, OPEN_LOOP_SECONDS))
        highest = asyncio.run(max_rate(base, ids))
        statements = asyncio.run(count_statements(settings, stripe_url, ids))
        raced = asyncio.run(race(base, settings, race_variant))
    finally:
        stop(web)
        stop(localstripe)
        release(settings)
    paid = outcomes.get("paid", 0)
    write_result("checkout", {
        "database": label,
        "clients": CLIENTS,
        "web_workers": WEB_WORKERS,
        "checkouts": len(latencies),
        "checkouts_paid": paid,
        "other_outcomes": {k: v for k, v in outcomes.items() if k != "paid"},
        "requests_per_checkout": 3,
        "checkout_per_s": round(paid / seconds, 1),
        "checkout_p50_ms": round(percentile(latencies, 50), 1),
        "checkout_p95_ms": round(percentile(latencies, 95), 1),
        "checkout_max_ms": round(max(latencies), 1),
        "web_cpu_ms_per_checkout": _per_checkout_ms(cpu_before[0], cpu_after[0], paid),
        "localstripe_cpu_ms_per_checkout": _per_checkout_ms(cpu_before[1], cpu_after[1], paid),
        "machine_cpu_ms_per_checkout": _per_checkout_ms(cpu_before[2], cpu_after[2], paid),
        "statements_per_checkout": statements,
        "open_loop_rate_per_s": OPEN_LOOP_RATE,
        "open_loop_seconds": OPEN_LOOP_SECONDS,
        "open_loop_checkouts": len(opened),
        "open_loop_other_outcomes": {k: v for k, v in open_outcomes.items() if k != "paid"},
        "open_loop_p50_ms": round(percentile(opened, 50), 1),
        "open_loop_p95_ms": round(percentile(opened, 95), 1),
        "open_loop_p99_ms": round(percentile(opened, 99), 1),
        "max_rate_p95_150ms_per_s": highest,
        **raced,
    })


async def _warm(base: str, ids: list[int]) -> None:
    """First requests pay for imports, pools and localstripe's first objects."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for variant in ids[:4]:
            await checkout(http, [{"variant_id": variant, "quantity": 1}])


if __name__ == "__main__":
    main()
