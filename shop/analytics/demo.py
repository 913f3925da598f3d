"""A year of plausible sales facts, for the demo (``jangteo demo``) and the benchmark's seed.

Why a bulk path: a year of sales through the order services would be tens of thousands of
checkouts, payments and events, minutes of loading for a demo. Instead the facts are written
as the consumer would have written them (same columns, Seoul business date computed from
the time, current, signs as in decision 36) in one multi-row insert, and then *every*
summary is refilled from them by the same month-by-month rebuild as ``jangteo analytics
rebuild`` (``rollups.rebuild``). The summaries are therefore exactly the fresh aggregates of
the facts — what ``rebuild --check`` compares — and the dashboards read them like any other
(decision 44).

Demo facts have sources of their own (``demo_line``, ``demo_refund``, ``demo_booth``) so
they can never clash with the natural key of a real order line or booth report written
later, and a second load finds them and adds nothing. Numbers are seeded: every load makes
the same year.

Shapes: products sell with a long tail (a few bestsellers), more in December and before
Chuseok and on weekends, with slow growth over the year; a pool of buyers of whom many come
back; about 3 % of lines refunded a few days later (counted that day); some online buyers
are enterprises themselves (mutual trade); a share goes through snack boxes and public
bodies. Market days (given by the caller, ``markets`` owns them) get their booked vendors,
check-ins (present, late, absent, no-show) and booth sales reports.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.clock import SEOUL
from shop.analytics import rollups
from shop.analytics.models import (
    Channel,
    CheckInStatus,
    FactKind,
    MarketDayAttendance,
    SalesFact,
)
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.vendors.models import Vendor, VendorStatus

DEMO_SOURCES = ("demo_line", "demo_refund", "demo_booth")
#: Sale lines in the demo's year (about 55 a day across the platform, a few for each vendor).
DEMO_LINES = 20_000
REFUND_RATE = 0.03
SEED = 20_251_107
INSERT_CHUNK = 5_000

#: Share of lines per channel (booth sales come as reports per market day, not as lines).
CHANNEL_WEIGHTS: tuple[tuple[Channel, float], ...] = (
    (Channel.ONLINE, 0.72), (Channel.SNACK_BOX, 0.15), (Channel.INSTITUTIONAL, 0.13))
#: More sales in these months (1 = an ordinary month): Chuseok gifts, year-end gifts.
MONTH_FACTOR = {1: 0.8, 2: 1.1, 5: 1.1, 9: 1.4, 10: 1.2, 11: 1.2, 12: 1.6}
INSTITUTIONS = ("성북구청", "마포구청", "서울시 사회적경제지원센터", "노원구 보건소")


@dataclasses.dataclass(frozen=True)
class DemoVendor:
    id: int
    enterprise_type: str
    district: str


@dataclasses.dataclass(frozen=True)
class DemoProduct:
    id: int
    vendor_id: int
    category: str
    price: int


@dataclasses.dataclass(frozen=True)
class DemoMarketDay:
    """A market day that took place, as the markets demo hands it over."""

    market_day_id: int
    market_id: int
    day: dt.date


def _days(first: dt.date, last: dt.date) -> tuple[list[dt.date], list[float]]:
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    span = max(len(days) - 1, 1)
    weights = [MONTH_FACTOR.get(d.month, 1.0) * (1.3 if d.weekday() >= 5 else 1.0)
               * (0.8 + 0.4 * n / span) for n, d in enumerate(days)]
    return days, weights


def sales_fact_rows(
    vendors: Sequence[DemoVendor], products: Sequence[DemoProduct], first: dt.date,
    last: dt.date, *, lines: int, refund_rate: float = REFUND_RATE, seed: int = SEED,
    channels: Sequence[tuple[Channel, float]] = CHANNEL_WEIGHTS,
    favourite_vendor: int | None = None, in_time_order: bool = False,
) -> Iterator[dict[str, Any]]:
    """``lines`` sale facts (and ~``refund_rate`` of them refunded) over the Seoul days
    ``first``..``last``, as insertable rows. ``favourite_vendor`` sells three times as
    much (the demo member's enterprise, so its dashboard is full).

    ``in_time_order``: the rows come by ``occurred_at``, as the consumer writes facts in
    production (a month's facts then lie together on disk, which the rebuild's month copy
    relies on: the benchmark, decision 103). The same draws, only the days handed out in
    order, so the counts and every distribution are the same as without it."""
    rows = _sales_fact_rows(vendors, products, first, last, lines=lines,
                            refund_rate=refund_rate, seed=seed, channels=channels,
                            favourite_vendor=favourite_vendor, sorted_days=in_time_order)
    return _by_time(rows) if in_time_order else rows


def _by_time(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """``rows`` (whose sales come day by day, their refunds up to ten days later) ordered by
    ``occurred_at``: a day is sorted and handed out once a later day's sale shows up, with
    the refunds that fall on it; only refunds wait longer (a few percent of the rows)."""
    day_rows: list[dict[str, Any]] = []
    later: dict[dt.date, list[dict[str, Any]]] = {}
    day: dt.date | None = None

    def flush(upto: dt.date | None) -> Iterator[dict[str, Any]]:
        due = [r for d in sorted(later) if upto is None or d <= upto for r in later.pop(d)]
        yield from sorted([*day_rows, *due], key=lambda r: r["occurred_at"])

    for row in rows:
        if row["kind"] is FactKind.REFUND:
            later.setdefault(row["business_date"], []).append(row)
            continue
        if day is not None and row["business_date"] != day:
            yield from flush(day)
            day_rows = []
        day = row["business_date"]
        day_rows.append(row)
    yield from flush(None)


def _sales_fact_rows(
    vendors: Sequence[DemoVendor], products: Sequence[DemoProduct], first: dt.date,
    last: dt.date, *, lines: int, refund_rate: float, seed: int,
    channels: Sequence[tuple[Channel, float]], favourite_vendor: int | None, sorted_days: bool,
) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    by_id = {v.id: v for v in vendors}
    days, day_weights = _days(first, last)
    popularity = [rng.paretovariate(1.2) * (3 if p.vendor_id == favourite_vendor else 1)
                  for p in products]
    channel_list = [c for c, _ in channels]
    channel_weights = [w for _, w in channels]
    buyers = max(lines // 4, 10)
    picked_days = rng.choices(days, day_weights, k=lines)
    if sorted_days:
        picked_days.sort()
    picked_products = rng.choices(products, popularity, k=lines)
    picked_channels = rng.choices(channel_list, channel_weights, k=lines)
    vendor_ids = [v.id for v in vendors]
    for n in range(lines):
        day, product, channel = picked_days[n], picked_products[n], picked_channels[n]
        vendor = by_id[product.vendor_id]
        at = dt.datetime.combine(day, dt.time(rng.randint(8, 22), rng.randint(0, 59)),
                                 tzinfo=SEOUL).astimezone(dt.UTC)
        quantity = 1 if rng.random() < 0.7 else rng.randint(2, 4)
        amount = product.price * quantity
        kind = {Channel.INSTITUTIONAL: FactKind.INSTITUTIONAL,
                Channel.BOOTH_MARKET: FactKind.BOOTH_REPORT}.get(channel, FactKind.SALE)
        booth = kind is FactKind.BOOTH_REPORT  # a booth's day as one report (the benchmark)
        institution = rng.choice(INSTITUTIONS) if channel is Channel.INSTITUTIONAL else ""
        # A returning buyer is likelier: the pool is skewed towards its first members.
        buyer = (f"i{INSTITUTIONS.index(institution)}" if institution
                 else None if booth else f"d{int(buyers * rng.random() ** 2)}")
        mutual = (rng.choice(vendor_ids) if channel is Channel.ONLINE and rng.random() < 0.05
                  else None)
        base = {
            "revision": 1 if booth else 0, "current": True, "event_id": "demo",
            "vendor_id": vendor.id, "product_id": product.id, "category": product.category,
            "enterprise_type": vendor.enterprise_type, "district": vendor.district,
            # A booth report names its market day: here a stand-in per date, no market.
            "receipts": quantity if booth else 0,
            "order_ref": str(day.toordinal()) if booth else f"demo-{n}",
            "institution": institution, "department": "",
            "counted_as": vendor.enterprise_type if institution else None,
            "market_id": None, "channel": channel,
        }
        yield {**base, "source": "demo_line", "source_id": str(n), "kind": kind,
               "occurred_at": at, "business_date": day, "business_month": day.replace(day=1),
               "quantity": 0 if booth else quantity, "net_amount": amount,
               "buyer_vendor_id": mutual if mutual != vendor.id else None, "buyer_key": buyer,
               # Each demo line is an order of its own.
               "opens_order": int(kind is FactKind.SALE)}
        if not booth and rng.random() < refund_rate:
            back = min(day + dt.timedelta(days=rng.randint(1, 10)), last)
            back_at = dt.datetime.combine(back, dt.time(rng.randint(9, 18)),
                                          tzinfo=SEOUL).astimezone(dt.UTC)
            yield {**base, "source": "demo_refund", "source_id": str(n),
                   "kind": FactKind.REFUND, "occurred_at": back_at, "business_date": back,
                   "business_month": back.replace(day=1), "quantity": -quantity,
                   "net_amount": -amount, "buyer_vendor_id": None, "buyer_key": None,
                   "opens_order": 0}


def market_day_rows(
    vendors: Sequence[DemoVendor], categories: dict[int, str],
    market_days: Sequence[DemoMarketDay], *, seed: int = SEED,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Attendance rows and booth-report facts for market days that took place: 8–20
    vendors booked, most present, some late, absent or not showing; most who came report."""
    rng = random.Random(seed + 1)
    attendance: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    statuses = [CheckInStatus.PRESENT, CheckInStatus.LATE, CheckInStatus.ABSENT,
                CheckInStatus.NO_SHOW]
    for market_day in market_days:
        booked = rng.sample(list(vendors), min(len(vendors), rng.randint(8, 20)))
        at = dt.datetime.combine(market_day.day, dt.time(18), tzinfo=SEOUL).astimezone(dt.UTC)
        for vendor in booked:
            status = rng.choices(statuses, (0.78, 0.1, 0.05, 0.07))[0]
            attendance.append({
                "market_day_id": market_day.market_day_id, "market_id": market_day.market_id,
                "day": market_day.day, "vendor_id": vendor.id, "status": status.value,
                "status_at": at, "category": categories.get(vendor.id, ""),
            })
            if status in (CheckInStatus.ABSENT, CheckInStatus.NO_SHOW) or rng.random() > 0.88:
                continue
            amount = rng.randint(5, 40) * 10_000
            reports.append({
                "source": "demo_booth", "source_id": f"{market_day.market_day_id}:{vendor.id}",
                "revision": 1, "current": True, "kind": FactKind.BOOTH_REPORT,
                "channel": Channel.BOOTH_MARKET, "event_id": "demo", "occurred_at": at,
                "business_date": market_day.day, "business_month": market_day.day.replace(day=1),
                "vendor_id": vendor.id, "product_id": None,
                "category": categories.get(vendor.id, ""),
                "enterprise_type": vendor.enterprise_type, "district": vendor.district,
                "quantity": 0, "receipts": max(1, amount // rng.randint(12_000, 25_000)),
                "net_amount": amount, "buyer_vendor_id": None,
                "order_ref": str(market_day.market_day_id), "institution": "", "department": "",
                "counted_as": None, "market_id": market_day.market_id, "buyer_key": None,
            })
    return attendance, reports


async def insert_rows(session: AsyncSession, model: Any, rows: Iterator[dict[str, Any]] | list[
        dict[str, Any]], *, chunk: int = INSERT_CHUNK) -> int:
    """Multi-row inserts of ``chunk`` rows in the caller's transaction; returns the count."""
    batch: list[dict[str, Any]] = []
    written = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            await session.execute(insert(model.__table__), batch)
            written += len(batch)
            batch = []
    if batch:
        await session.execute(insert(model.__table__), batch)
        written += len(batch)
    return written


async def load(session: AsyncSession, *, today: dt.date,
               market_days: Sequence[DemoMarketDay] = (), lines: int = DEMO_LINES) -> str:
    """Write the demo year (the 365 Seoul days before ``today``) and refill the summaries;
    nothing when demo facts are already there."""
    if await session.scalar(select(func.count()).select_from(SalesFact)
                            .where(SalesFact.source.in_(DEMO_SOURCES))):
        return "판매 분석 데모 데이터가 이미 있습니다."
    vendors = [DemoVendor(i, t.value, d.value) for i, t, d in (await session.execute(
        select(Vendor.id, Vendor.enterprise_type, Vendor.district)
        .where(Vendor.status == VendorStatus.APPROVED).order_by(Vendor.id))).all()]
    rows = (await session.execute(
        select(Product.id, Product.vendor_id, Product.category, func.min(ProductVariant.price))
        .join(ProductVariant, ProductVariant.product_id == Product.id)
        .where(Product.status == ProductStatus.PUBLISHED,
               Product.vendor_id.in_([v.id for v in vendors]))
        .group_by(Product.id, Product.vendor_id, Product.category).order_by(Product.id))).all()
    products = [DemoProduct(i, v, c.value, int(p)) for i, v, c, p in rows]
    if not vendors or not products:
        return "판매 분석 데모: 입점기업이나 상품이 없어 건너뜁니다."
    first, last = today - dt.timedelta(days=365), today - dt.timedelta(days=1)
    categories: dict[int, str] = {}
    for product in products:
        categories.setdefault(product.vendor_id, product.category)
    facts = await insert_rows(session, SalesFact, sales_fact_rows(
        vendors, products, first, last, lines=lines, favourite_vendor=vendors[0].id))
    attendance, reports = market_day_rows(
        vendors, categories, [d for d in market_days if first <= d.day <= last])
    await insert_rows(session, MarketDayAttendance, attendance)
    facts += await insert_rows(session, SalesFact, reports)
    await session.commit()
    months = await rollups.rebuild(session, first, last)
    return (f"판매 분석 데모: 판매 사실 {facts:,}건 ({first} ~ {last}), 장날 "
            f"{len({a['market_day_id'] for a in attendance})}일, 요약 표 {len(months)}개월을 "
            "채웠습니다.")
