"""Sales analytics at a year's volume (issue 11): rebuild, dashboards over HTTP, events through
the real worker, and the CSV export of the fact table.

1. *Seed*: ``JANGTEO_BENCH_ANALYTICS_LINES`` sale lines (default 1,000,000) over the 365 Seoul
   days before today, for 500 vendors and 5,000 products in 4 channels, 3 % refunded
   (``shop.analytics.demo.sales_fact_rows``, bulk), plus attendance and booth reports on the
   demo markets' past days. The lines are written in time order (``in_time_order``), as the
   consumer writes facts in production, so a month's facts lie together on disk; seeded in
   random order every month's copy in the rebuild read nearly the whole heap, a cost
   production does not have (decisions 99 and 103). Same counts and distributions.
2. ``rebuild_seconds``: every summary refilled from the facts (``rollups.rebuild``, what
   ``jangteo analytics rebuild`` runs), then ``rebuild --check``'s differences (must be 0).
3. ``export_csv_*``: a background export of every fact (the export use case, in a process of
   its own so its peak memory is its own: its ``VmHWM``, which exec resets; ``ru_maxrss``
   would still hold the benchmark's own size from before the fork).
4. ``dashboard_p95_ms`` per dashboard: the vendor's, the platform's and the organizer's JSON
   and page, over HTTP from the real web server, signed in, default period.
5. ``events_per_s``: ``JANGTEO_BENCH_ANALYTICS_EVENTS`` paid orders (default 10,000) waiting in
   the outbox when the worker starts; from the first to the last sales fact written (the
   worker also writes the ledger, mails and activity counts for each, as in production).
   ``event_to_dashboard_p95_ms``: single orders committed while the worker runs, each timed
   until the vendor's daily JSON shows its amount.

Results go to ``var/bench/analytics.json`` under the database's name (run once per database:
SQLite by default, PostgreSQL with ``JANGTEO_TEST_DATABASE_URL``); each run replaces only its
database's entry.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from infra.accounts.models import Role
from infra.accounts.services import create_user
from infra.clock import seoul_today, utcnow
from infra.db import make_engine, make_session_factory
from infra.settings import Settings
from shop.analytics import demo, rollups
from shop.analytics.models import Channel, MarketDayAttendance, SalesFact
from shop.vendors.types import District, EnterpriseType
from tests.bench.common import (
    env_int,
    percentile,
    sign_in,
    wait_for_web,
    write_per_database,
)
from tests.bench.services import bench_settings, database_label, fresh_database, release
from tests.processes import ROOT, process_env, start, stop

VENDORS = 500
PRODUCTS = 5_000
CHANNELS = ((Channel.ONLINE, 0.55), (Channel.SNACK_BOX, 0.15), (Channel.BOOTH_MARKET, 0.15),
            (Channel.INSTITUTIONAL, 0.15))
PASSWORD = "bench-password-1"
ADMIN = "bench-admin@example.kr"
LATENCY_SAMPLES = 50
DASHBOARD_SAMPLES = 40


async def seed(settings: Settings, lines: int, today: dt.date) -> dict[str, Any]:
    """The admin (also organizer), the probe vendor (id 1, with products to order), the demo
    markets and their past days, and ``lines`` facts; returns what was made."""
    import markets.demo
    from shop.procurement import institutions
    from tests.shop.factories import _brn, make_vendor
    from tests.shop.shelf import stocked

    engine = make_engine(settings)
    started = time.perf_counter()
    async with make_session_factory(engine)() as session:
        admin = await create_user(session, email=ADMIN, password=PASSWORD, display_name="벤치",
                                  roles=[Role.ADMIN, Role.ORGANIZER, Role.PUBLIC_BUYER])
        await session.commit()
        # The public body: an institution the admin also works for (its dashboard reads the
        # institutional facts whose buyer is ``i<id>``, as the demo rows of ``i1``).
        institution = await institutions.register_institution(
            session, admin, kind="district_office", name="벤치구청",
            business_registration_number=_brn(9100), district="성북구")
        await institutions.grant_role(session, admin, institution.id, email=ADMIN,
                                      role="requester")
        probe = await make_vendor(session, name="벤치마크협동조합")
        variants = [await stocked(session, probe, stock=10_000_000, price=1_000 + i,
                                  name=f"벤치상품{i}") for i in range(10)]
        await session.commit()
        await markets.demo.load(session)
        held = await markets.demo.past_days(session, today)
        types, districts = list(EnterpriseType), list(District)
        vendors = [demo.DemoVendor(i, types[i % len(types)].value,
                                   districts[i % len(districts)].value)
                   for i in range(1, VENDORS + 1)]
        products = [demo.DemoProduct(10_000 + i, 1 + i % VENDORS, "food", 3_000 + (i % 48) * 1_000)
                    for i in range(PRODUCTS)]
        first, last = today - dt.timedelta(days=365), today - dt.timedelta(days=1)
        facts = await demo.insert_rows(session, SalesFact, demo.sales_fact_rows(
            vendors, products, first, last, lines=lines, channels=CHANNELS,
            in_time_order=True))
        attendance, reports = demo.market_day_rows(vendors, {}, held)
        await demo.insert_rows(session, MarketDayAttendance, attendance)
        facts += await demo.insert_rows(session, SalesFact, reports)
        await session.commit()
        admin_id, probe_id = admin.id, probe.id
        variant_ids = [v.id for v in variants]
        institution_id = institution.id
    await engine.dispose()
    return {"facts": facts, "market_days": len(held), "admin_id": admin_id,
            "institution_id": institution_id,
            "probe_vendor_id": probe_id, "variant_ids": variant_ids,
            "seed_seconds": round(time.perf_counter() - started, 1)}


async def rebuild_and_check(settings: Settings) -> tuple[float, int, float]:
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        started = time.perf_counter()
        await rollups.rebuild(session)
        rebuilt = time.perf_counter() - started
        started = time.perf_counter()
        differences = await rollups.check_range(session)
        checked = time.perf_counter() - started
    await engine.dispose()
    return rebuilt, len(differences), checked


_EXPORT = """
import asyncio, datetime as dt, json, sys, time
from infra.settings import get_settings
from infra.db import make_engine, make_session_factory
from shop.analytics import exports
from shop.analytics.models import ExportKind

async def go():
    settings = get_settings()
    factory = make_session_factory(make_engine(settings))
    first, last = dt.date.fromisoformat(sys.argv[2]), dt.date.fromisoformat(sys.argv[3])
    async with factory() as session:
        export = await exports.request_export(session, int(sys.argv[1]), exports.ExportOrder(
            ExportKind.PLATFORM_FACTS, first, last, "csv"))
    started, cpu = time.perf_counter(), time.process_time()
    status = await exports.run_export(factory, export.id, settings.var_dir)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    async with factory() as session:
        done = await exports.export_of(session, int(sys.argv[1]), export.id)
    path = settings.var_dir / done.path
    # VmHWM: this process's peak since exec (ru_maxrss would carry the parent's from fork).
    status_lines = open("/proc/self/status").read().splitlines()
    peak_kb = next(int(line.split()[1]) for line in status_lines if line.startswith("VmHWM:"))
    print(json.dumps({"status": str(status), "rows": done.rows_done, "seconds": seconds,
                      "cpu_seconds": cpu,
                      "bytes": path.stat().st_size if done.path else 0, "peak_kb": peak_kb}))

asyncio.run(go())
"""


def export_csv(settings: Settings, admin_id: int, today: dt.date) -> dict[str, Any]:
    """The fact table's year as CSV, in a child process that measures itself."""
    out = Path(settings.var_dir) / "export.json"
    with out.open("wb") as handle:
        child = subprocess.Popen(
            [sys.executable, "-c", _EXPORT, str(admin_id),
             str(today - dt.timedelta(days=365)), str(today - dt.timedelta(days=1))],
            cwd=ROOT, env=process_env(settings), stdout=handle)
        child.wait()
    if child.returncode:
        raise RuntimeError(f"export failed ({child.returncode})")
    result = json.loads(out.read_text())
    # CPU seconds too: on the shared machine the wall time is mostly the process's share.
    return {"export_csv_rows": result["rows"], "export_csv_seconds": round(result["seconds"], 1),
            "export_csv_cpu_seconds": round(result["cpu_seconds"], 1),
            "export_csv_megabytes": round(result["bytes"] / 1e6, 1),
            "export_csv_peak_memory_mb": round(result["peak_kb"] / 1024, 1),
            "export_csv_status": result["status"]}


def _timed(client: httpx.Client, url: str, samples: int) -> float:
    for _ in range(3):  # warm-up: first requests pay for imports and caches
        client.get(url).raise_for_status()
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        client.get(url).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return round(percentile(times, 95), 1)


def dashboards(client: httpx.Client, probe: int, institution: int) -> dict[str, float]:
    """Each dashboard's JSON and page: vendor, platform (admin), market organizer and the
    public body's (the institution dashboard, whose paid side is analytics')."""
    urls = {
        "vendor_json": f"/api/analytics/vendors/{probe}/dashboard",
        "vendor_page": f"/console/vendors/{probe}/analytics/",
        "platform_json": "/api/analytics/platform",
        "platform_page": "/admin/analytics/",
        "organizer_json": "/organizer/analytics/data",
        "organizer_page": "/organizer/analytics/",
        "public_body_json": f"/api/procurement/institutions/{institution}/dashboard",
        "public_body_page": f"/procurement/dashboard?institution={institution}",
    }
    return {f"dashboard_p95_ms_{name}": _timed(client, url, DASHBOARD_SAMPLES)
            for name, url in urls.items()}


async def _orders(settings: Settings, vendor_id: int, variant_ids: list[int], count: int,
                  *, batch: int = 200) -> float:
    """``count`` paid orders of one line for the probe vendor, recorded as checkout does
    (with their ``order.placed`` events); returns the won of the last one."""
    from shop.catalog.models import ProductVariant
    from shop.vendors.models import Vendor
    from tests.shop.settlement.world import Line, place_order

    engine = make_engine(settings)
    amount = 0
    async with make_session_factory(engine)() as session:
        vendor = await session.get(Vendor, vendor_id)
        variants = [await session.get(ProductVariant, i) for i in variant_ids]
        assert vendor is not None
        for n in range(count):
            variant = variants[n % len(variants)]
            assert variant is not None
            amount = variant.price
            await place_order(session, [Line(vendor, variant, "food", variant.price, 1)],
                              placed_at=utcnow())
            if (n + 1) % batch == 0:
                await session.commit()
        await session.commit()
    await engine.dispose()
    return amount


async def _order_facts(settings: Settings) -> int:
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        found = await session.scalar(select(func.count()).select_from(SalesFact)
                                     .where(SalesFact.source == "order_line"))
    await engine.dispose()
    return int(found or 0)


def events_throughput(settings: Settings, seeded: dict[str, Any], count: int,
                      log: Path) -> tuple[dict[str, float], Any]:
    """Orders queued before the worker starts; first to last fact written. Returns the
    metrics and the running worker."""
    asyncio.run(_orders(settings, seeded["probe_vendor_id"], seeded["variant_ids"], count))
    worker = start(["worker", "--threads", "4"], settings, log)
    first_seen, first_count = None, 0
    deadline = time.perf_counter() + 1800
    while time.perf_counter() < deadline:
        written = asyncio.run(_order_facts(settings))
        now = time.perf_counter()
        if written and first_seen is None:
            first_seen, first_count = now, written
        if written >= count:
            break
        time.sleep(0.2)
    assert first_seen is not None
    elapsed = time.perf_counter() - first_seen
    rate = (count - first_count) / elapsed if elapsed > 0 else float("nan")
    return {"events": count, "events_per_s": round(rate, 1)}, worker


def event_to_dashboard(settings: Settings, client: httpx.Client, seeded: dict[str, Any]
                       ) -> dict[str, float]:
    """One order at a time: committed, then timed until the vendor's daily JSON counts it."""
    # Today and tomorrow: a run that crosses Seoul's midnight books its later orders on the
    # next day, and a sum over today alone would never see them arrive.
    today = seoul_today()
    period = {"from": today.isoformat(), "to": (today + dt.timedelta(days=1)).isoformat()}
    url = f"/api/analytics/vendors/{seeded['probe_vendor_id']}/daily"

    def sales() -> int:
        body = client.get(url, params=period).json()
        return int(body["totals"]["sales"])

    latencies = []
    for _ in range(LATENCY_SAMPLES):
        before = sales()
        amount = asyncio.run(_orders(settings, seeded["probe_vendor_id"],
                                     seeded["variant_ids"][:1], 1))
        committed = time.perf_counter()
        while sales() < before + amount:
            if time.perf_counter() - committed > 60:
                raise TimeoutError("an order did not reach the dashboard within 60 s")
            time.sleep(0.01)
        latencies.append((time.perf_counter() - committed) * 1000)
    return {"event_to_dashboard_samples": len(latencies),
            "event_to_dashboard_p50_ms": round(percentile(latencies, 50), 1),
            "event_to_dashboard_p95_ms": round(percentile(latencies, 95), 1)}


def main() -> None:
    lines = env_int("JANGTEO_BENCH_ANALYTICS_LINES", 1_000_000)
    events = env_int("JANGTEO_BENCH_ANALYTICS_EVENTS", 10_000)
    settings = bench_settings("analytics")
    fresh_database(settings)
    today = seoul_today()
    metrics: dict[str, Any] = {"order_lines": lines, "vendors": VENDORS, "products": PRODUCTS}
    log = Path(settings.var_dir) / "processes.log"
    web = worker = None
    try:
        seeded = asyncio.run(seed(settings, lines, today))
        metrics.update(facts=seeded["facts"], market_days=seeded["market_days"],
                       seed_seconds=seeded["seed_seconds"])
        rebuilt, differences, checked = asyncio.run(rebuild_and_check(settings))
        metrics.update(rebuild_seconds=round(rebuilt, 1), check_seconds=round(checked, 1),
                       check_differences=differences)
        metrics.update(export_csv(settings, seeded["admin_id"], today))
        web = start(["web", "--port", str(settings.port)], settings, log)
        with httpx.Client(base_url=f"http://127.0.0.1:{settings.port}", timeout=60) as client:
            wait_for_web(client)
            sign_in(client, ADMIN, PASSWORD)
            metrics.update(dashboards(client, seeded["probe_vendor_id"],
                                      seeded["institution_id"]))
            throughput, worker = events_throughput(settings, seeded, events, log)
            metrics.update(throughput)
            metrics.update(event_to_dashboard(settings, client, seeded))
    finally:
        for process in (web, worker):
            if process is not None:
                stop(process)
        release(settings)
    write_per_database("analytics", database_label(settings), metrics)


if __name__ == "__main__":
    main()
