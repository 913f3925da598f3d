"""Soak: the whole platform under a steady, modest mixed load for a long while (issue 15).

``jangteo run`` starts as ``make run`` does on a fresh machine (SQLite, the embedded Redis,
localstripe, two web processes, worker and scheduler; the demo data loaded), in a directory
of its own. Then, for ``JANGTEO_BENCH_SOAK_SECONDS`` (600, the issue's ten minutes), a
scenario step starts every ``1 / JANGTEO_BENCH_SOAK_RATE`` seconds (4 a second): browsing
(home, a category, a product page), searching (the page and the API), putting something in
a cart through the product page's form, and a guest checkout paid with a test card. Shoppers
are browsers with cookies; every few steps one starts afresh, as new visitors do.

Reported (``var/bench/soak.json``): steps and requests made, ``server_errors`` (answers of
5xx) and ``transport_errors`` (no answer), the answers by status, checkouts paid, and per
child process (``web-1``, ``web-2``, ``worker``, ``scheduler``, ``redis``, ``localstripe``)
its resident memory after the warm-up (the first tenth, at least 20 s) and at the end, with
``rss_growth_pct``; ``restarts`` names a child whose process changed meanwhile (the
supervisor started it again). The issue asks 0 server errors and growth ≤ 10 % per process.
Run: ``python -m tests.bench.bench_soak`` (``JANGTEO_BENCH_SOAK_SECONDS=120`` for a short one).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from tests.bench.common import write_result
from tests.fixtures.apps import csrf_from
from tests.processes import answers, free_port, start_platform, stop_platform, wait_until

SECONDS = float(os.environ.get("JANGTEO_BENCH_SOAK_SECONDS", "600"))
RATE = float(os.environ.get("JANGTEO_BENCH_SOAK_RATE", "4"))
VISA = "4242424242424242"
ADDRESS = {"recipient": "김장터", "phone": "010-1234-5678", "postal_code": "04524",
           "road_address": "서울특별시 중구 세종대로 110", "detail_address": "3층"}
QUERIES = ("쿠키", "한과", "유기농", "커피", "비누", "ㅋㅋ", "국산 참기름", "tea")
#: One step in ``CHECKOUT_EVERY`` is a paid checkout; a shopper starts afresh every so often.
CHECKOUT_EVERY = 10
NEW_VISITOR_EVERY = 12


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Load:
    """The requests made and what came back."""

    def __init__(self, base: str, products: list[tuple[int, list[int]]],
                 categories: list[str]) -> None:
        self.base, self.products, self.categories = base, products, categories
        self.statuses: Counter[int] = Counter()
        self.server_errors: Counter[str] = Counter()
        self.transport_errors = 0
        self.steps = 0
        self.paid = 0

    async def request(self, client: httpx.AsyncClient, method: str, path: str,
                      **kwargs: Any) -> httpx.Response | None:
        try:
            response = await client.request(method, path, **kwargs)
        except httpx.TransportError:
            self.transport_errors += 1
            return None
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.server_errors[f"{method} {re.sub(r'/[0-9]+', '/{id}', path.split('?')[0])}"] += 1
        return response

    async def browse(self, client: httpx.AsyncClient, rng: random.Random) -> None:
        await self.request(client, "GET", "/")
        await self.request(client, "GET", f"/categories/{rng.choice(self.categories)}")
        await self.request(client, "GET", f"/products/{rng.choice(self.products)[0]}")

    async def search(self, client: httpx.AsyncClient, rng: random.Random) -> None:
        query = rng.choice(QUERIES)
        await self.request(client, "GET", "/search", params={"q": query})
        await self.request(client, "GET", "/api/search/products", params={"q": query})
        await self.request(client, "GET", "/api/search/suggest", params={"q": query[:1]})

    async def add_to_cart(self, client: httpx.AsyncClient, rng: random.Random) -> None:
        product, variants = rng.choice(self.products)
        page = await self.request(client, "GET", f"/products/{product}")
        if page is None or page.status_code != 200 or "_csrf_token" not in page.text:
            return
        await self.request(client, "POST", "/cart/items", data={
            "_csrf_token": csrf_from(page.text), "variant_id": str(variants[0]),
            "quantity": "1"})
        await self.request(client, "GET", "/cart")

    async def checkout(self, client: httpx.AsyncClient, rng: random.Random) -> None:
        _, variants = rng.choice(self.products)
        placed = await self.request(client, "POST", "/api/checkout", json={
            "address": ADDRESS, "email": "soak@example.kr",
            "lines": [{"variant_id": variants[0], "quantity": 1}]})
        if placed is None or placed.status_code != 201:
            return
        paid = await self.request(
            client, "POST", f"/api/payments/{placed.json()['payment']['token']}/test-card",
            json={"card": VISA})
        if paid is not None and paid.status_code == 200 and paid.json().get("status") == (
                "succeeded"):
            self.paid += 1
        await self.request(client, "GET", f"/api/checkout/{placed.json()['token']}")

    async def step(self, client: httpx.AsyncClient, n: int, rng: random.Random) -> None:
        kind = n % CHECKOUT_EVERY
        if kind == 0:
            await self.checkout(client, rng)
        elif kind in (1, 4, 7):
            await self.add_to_cart(client, rng)
        elif kind in (2, 5, 8):
            await self.search(client, rng)
        else:
            await self.browse(client, rng)
        self.steps += 1


async def _catalogue(base: str) -> tuple[list[tuple[int, list[int]]], list[str]]:
    """Products with their variant ids (read from the product pages' cart forms)."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        found: dict[int, str] = {}
        for query in QUERIES:
            hits = (await client.get("/api/search/products", params={"q": query})).json()
            for hit in hits.get("hits", []):
                found.setdefault(hit["id"], hit["category"])
        products = []
        for product_id in sorted(found)[:40]:
            page = await client.get(f"/products/{product_id}")
            variants = [int(v) for v in re.findall(r'<option value="(\d+)"', page.text)]
            if variants:
                products.append((product_id, variants))
    if not products:
        raise RuntimeError("the demo catalogue showed no product to buy")
    return products, sorted(set(found.values()))


async def _soak(load: Load, seconds: float, rate: float) -> None:
    rng = random.Random(15)
    clients = [httpx.AsyncClient(base_url=load.base, timeout=30) for _ in range(8)]
    running: set[asyncio.Task[None]] = set()
    started = time.monotonic()
    n = 0
    try:
        while time.monotonic() - started < seconds:
            slot = n % len(clients)
            if n and n % (NEW_VISITOR_EVERY * len(clients)) == slot:
                await clients[slot].aclose()
                clients[slot] = httpx.AsyncClient(base_url=load.base, timeout=30)
            task = asyncio.create_task(load.step(clients[slot], n, rng))
            running.add(task)
            task.add_done_callback(running.discard)
            n += 1
            await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
        await asyncio.gather(*running)
    finally:
        for client in clients:
            await client.aclose()


def main() -> None:
    directory = Path(tempfile.mkdtemp(prefix="jt-bench-soak-"))
    platform = start_platform(directory, free_port(), free_port())
    try:
        wait_until(lambda: answers(f"{platform.url}/healthz"), 600, "jangteo run to answer")
        products, categories = asyncio.run(_catalogue(platform.url))
        load = Load(platform.url, products, categories)
        warm_up = max(20.0, SECONDS / 10)
        asyncio.run(_soak(load, warm_up, RATE))
        before = {name: (pid, rss_kb(pid)) for name, pid in platform.children().items()}
        asyncio.run(_soak(load, SECONDS - warm_up, RATE))
        after = {name: (pid, rss_kb(pid)) for name, pid in platform.children().items()}
    finally:
        stop_platform(platform)
    memory: dict[str, Any] = {}
    for name, (pid, kb) in sorted(before.items()):
        now_pid, now_kb = after.get(name, (0, 0))
        memory[name] = {"rss_mb_after_warm_up": round(kb / 1024, 1),
                        "rss_mb_at_end": round(now_kb / 1024, 1),
                        "rss_growth_pct": round((now_kb - kb) / kb * 100, 1) if kb else None,
                        "restarted": now_pid != pid}
    load_avg = os.getloadavg()
    write_result("soak", {
        "database": "sqlite (make run's embedded defaults)",
        "seconds": SECONDS, "warm_up_seconds": warm_up, "steps_per_second": RATE,
        "steps": load.steps, "requests": sum(load.statuses.values()),
        "server_errors": sum(load.server_errors.values()),
        "server_errors_by_route": dict(load.server_errors),
        "transport_errors": load.transport_errors,
        "statuses": {str(k): v for k, v in sorted(load.statuses.items())},
        "checkouts_paid": load.paid,
        "processes": memory,
        "max_rss_growth_pct": max((m["rss_growth_pct"] or 0) for m in memory.values()),
        "restarts": [name for name, m in memory.items() if m["restarted"]],
        "load_average_at_end": [round(x, 2) for x in load_avg],
    })


if __name__ == "__main__":
    main()
