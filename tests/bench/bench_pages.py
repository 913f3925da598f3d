"""What a page costs, as a share of the framework's own speed measured in the same run.

One ``jangteo web`` process (one uvicorn worker) serves the demo catalogue (``jangteo demo``,
the one ``make run`` shows), and one uvicorn process serves a bare Litestar handler
(``tests.bench.raw_litestar``) with the same options. Each is loaded in turn for
``BENCH_PAGES_SECONDS`` (10) with 32 connections, by ``wrk`` when it is installed (else by
an asyncio client in this process, which is slower than wrk and flatters the ratios; the
file says which was used). The bare handler is loaded again just before each page, and a
page's ratio is over that measurement. Reported: ``raw_litestar_rps`` (the median of those
measurements) and, per page, ``<page>_rps`` and ``<page>_ratio`` (the page's rate over the
bare handler's just before): the home page, a category listing, the search page, a product
page and the search API, and the load average at the end (``load_average_1m``).

On a shared machine the absolute rates move with everyone else's load; the ratios, taken
seconds apart on the same cores, move much less. Run: ``python -m tests.bench.bench_pages``.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from infra.db import make_engine, make_session_factory
from infra.settings import Settings
from shop.catalog.models import Product, ProductStatus
from tests.bench.common import write_result
from tests.bench.services import bench_settings, database_label, fresh_database, release
from tests.processes import ROOT, free_port, process_env, start, stop

SECONDS = float(os.environ.get("BENCH_PAGES_SECONDS", "10"))
CONNECTIONS = 32


async def _a_product(settings: Settings) -> tuple[int, str]:
    """A published product's id and its category, to ask for their pages."""
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        product = await session.scalar(
            select(Product).where(Product.status == ProductStatus.PUBLISHED).order_by(Product.id)
        )
        assert product is not None, "the demo catalogue has no published product"
        found = (product.id, product.category.value)
    await engine.dispose()
    return found


def _wait_ready(url: str) -> None:
    deadline = time.monotonic() + 300  # a loaded shared machine starts slowly
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def _wrk(url: str) -> float:
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{SECONDS:g}s", url],
        capture_output=True, text=True, check=True,
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} answers were not 2xx/3xx")
    match = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if match is None:
        raise RuntimeError(f"wrk said nothing usable about {url}:\n{out}")
    return float(match.group(1))


async def _python_load(url: str) -> float:
    done = 0
    limits = httpx.Limits(max_connections=CONNECTIONS)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        stop_at = time.perf_counter() + SECONDS

        async def client() -> None:
            nonlocal done
            while time.perf_counter() < stop_at:
                response = await http.get(url)
                if response.status_code >= 400:
                    raise RuntimeError(f"{url}: {response.status_code}")
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(CONNECTIONS)))
        return done / (time.perf_counter() - started)


def rate(url: str) -> float:
    httpx.get(url, timeout=30).raise_for_status()  # warm: first renders, first searches
    if shutil.which("wrk"):
        return _wrk(url)
    return asyncio.run(_python_load(url))


def main() -> None:
    settings = bench_settings("pages")
    fresh_database(settings)
    log = Path(settings.var_dir) / "processes.log"
    subprocess.run(
        [sys.executable, "-m", "infra.cli", "demo"], cwd=ROOT, env=process_env(settings),
        stdout=log.open("ab"), stderr=subprocess.STDOUT, check=True,
    )
    product_id, category = asyncio.run(_a_product(settings))
    raw_port = free_port()
    raw = subprocess.Popen(
        [sys.executable, "-c",
         "import uvicorn; uvicorn.run('tests.bench.raw_litestar:app', host='127.0.0.1', "
         f"port={raw_port}, log_level='info', proxy_headers=True)"],
        cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    web = start(["web", "--port", str(settings.port), "--workers", "1"], settings, log)
    base = f"http://127.0.0.1:{settings.port}"
    pages = {
        "home": "/",
        "category": f"/categories/{category}",
        "search_page": "/search?q=%EC%9C%A0%EA%B8%B0%EB%86%8D",  # 유기농
        "product": f"/products/{product_id}",
        "search_api": "/api/search/products?q=%EC%9C%A0%EA%B8%B0%EB%86%8D",
    }
    try:
        _wait_ready(f"http://127.0.0.1:{raw_port}/")
        _wait_ready(f"{base}/healthz")
        figures: dict[str, float] = {}
        raw_rates: list[float] = []
        for name, path in pages.items():
            # The bare handler just before each page: on a shared machine the load of a
            # minute ago says little about this one's, so each page has its own reference.
            raw_rates.append(rate(f"http://127.0.0.1:{raw_port}/"))
            figures[f"{name}_rps"] = round(rate(base + path), 1)
            figures[f"{name}_ratio"] = round(figures[f"{name}_rps"] / raw_rates[-1], 3)
        raw_rps = statistics.median(raw_rates)
    finally:
        stop(web)
        stop(raw)
        release(settings)
    write_result("pages", {
        "database": database_label(settings),
        "load_generator": "wrk" if shutil.which("wrk") else "python-httpx (flatters ratios)",
        "connections": CONNECTIONS,
        "seconds_per_page": SECONDS,
        "web_processes": 1,
        "raw_litestar_rps": round(raw_rps, 1),
        "load_average_1m": os.getloadavg()[0],
        **figures,
    })


if __name__ == "__main__":
    main()
