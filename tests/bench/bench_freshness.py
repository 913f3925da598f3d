"""Publish-to-searchable latency through the real outbox, broker, worker and web server.

For each product: ``POST /api/products/{id}/publish`` returns, then the clock runs until
``GET /api/search/products?q=<its unique name>`` lists it. Everything is a real process:
uvicorn serving the app, ``jangteo worker`` with its relay, Redis, the database.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from infra.accounts.models import Role
from infra.accounts.services import create_user
from infra.db import make_engine, make_session_factory
from shop.catalog.models import Product, ProductVariant
from shop.catalog.taxonomy import Category
from shop.vendors.models import MemberRole, Vendor, VendorMember, VendorStatus
from shop.vendors.types import District, EnterpriseType
from tests.bench.common import percentile, write_result
from tests.bench.services import bench_settings, database_label, fresh_database, release
from tests.processes import start, stop

PRODUCTS = 60
WORDS = ["유기농", "수제", "전통", "친환경", "마을", "도시", "햇살", "바람", "들꽃", "온누리"]


def unique_name(i: int) -> str:
    # A syllable code no other product shares, so the search hit is unambiguous.
    return f"신선도측정{WORDS[i % 10]}{chr(0xAC00 + 37 * i)}{chr(0xAC00 + 53 * i + 7)}세트"


async def seed(settings, password: str) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    engine = make_engine(settings)
    async with make_session_factory(engine)() as session:
        user = await create_user(
            session,
            email="bench@example.kr",
            password=password,
            display_name="벤치",
            roles=[Role.VENDOR_MEMBER],
        )
        vendor = Vendor(
            name="벤치마크협동조합",
            enterprise_type=EnterpriseType.COOPERATIVE,
            business_registration_number="1018203548",
            representative="김벤치",
            district=District.MAPO,
            phone="02-123-4567",
            email="bench@example.kr",
            certification_number="제2020-1호",
            certified_from=time_date(),
            status=VendorStatus.APPROVED,
        )
        session.add(vendor)
        await session.flush()
        session.add(VendorMember(vendor_id=vendor.id, user_id=user.id, role=MemberRole.OWNER))
        products = []
        for i in range(PRODUCTS):
            product = Product(
                vendor_id=vendor.id,
                name=unique_name(i),
                description="벤치마크용 상품",
                category=Category.FOOD,
                variants=[ProductVariant(sku=f"BENCH-{i:04d}", price=10000 + i, stock=5)],
            )
            session.add(product)
            products.append(product)
        await session.commit()
        out = [(p.id, p.name) for p in products]
    await engine.dispose()
    return out


def time_date():  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.date(2024, 1, 1)


def main() -> None:
    settings = bench_settings("freshness")
    fresh_database(settings)
    password = "bench-password-1"
    products = asyncio.run(seed(settings, password))
    log = Path(settings.var_dir) / "processes.log"
    worker = start(["worker", "--threads", "4"], settings, log)
    web = start(["web", "--port", str(settings.port)], settings, log)
    base = f"http://127.0.0.1:{settings.port}"
    latencies: list[float] = []
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(200):
                try:
                    if client.get("/healthz").status_code in (200, 503):
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            token = client.post(
                "/api/auth/token", json={"email": "bench@example.kr", "password": password}
            ).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            # Warm-up: the first publish pays for imports and index creation in the worker.
            warm_id, warm_name = products[0]
            client.post(f"/api/products/{warm_id}/publish", headers=headers).raise_for_status()
            _wait_visible(client, warm_name, timeout=30)
            for product_id, name in products[1:]:
                response = client.post(f"/api/products/{product_id}/publish", headers=headers)
                response.raise_for_status()
                returned = time.perf_counter()
                seen = _wait_visible(client, name, timeout=10)
                latencies.append((seen - returned) * 1000)
    finally:
        stop(web)
        stop(worker)
        release(settings)
    write_result(
        "freshness",
        {
            "database": database_label(settings),
            "samples": len(latencies),
            "publish_to_searchable_p50_ms": round(percentile(latencies, 50), 1),
            "publish_to_searchable_p95_ms": round(percentile(latencies, 95), 1),
            "publish_to_searchable_max_ms": round(max(latencies), 1),
        },
    )


def _wait_visible(client: httpx.Client, name: str, timeout: float) -> float:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        hits = client.get("/api/search/products", params={"q": name}).json()["hits"]
        if any(hit["name"] == name for hit in hits):
            return time.perf_counter()
        time.sleep(0.005)
    raise TimeoutError(f"{name} did not become searchable within {timeout}s")


if __name__ == "__main__":
    main()
