"""부스 매출 보고: a vendor booked on a day reports what it sold there, and may correct it
for a week after (one report per vendor and day, its revision counted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import transaction
from infra.errors import Conflict, Problems
from infra.outbox import record
from markets.applications.queries import booking_for
from markets.days.errors import MarketErrorCode
from markets.days.events import BoothSalesReported
from markets.days.models import BoothSalesReport, MarketDay, MarketDayStatus
from markets.days.services import get_day
from shop.vendors.access import vendor_for_member

#: A vendor may report (and correct) its booth sales until this long after the day.
SALES_EDIT_DAYS = 7
MAX_SALES_AMOUNT = 1_000_000_000
MAX_SALES_COUNT = 100_000
MAX_BEST_SELLERS = 10


def _clean_sales(
    amount: int | str, sales_count: int | str, best_sellers: Sequence[str]
) -> tuple[int, int, list[str]]:
    problems = Problems()

    def whole(value: int | str) -> int | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        text = (value or "").strip().replace(",", "")
        return int(text) if text.isascii() and text.isdigit() else None

    won = whole(amount)
    if won is None or not 0 <= won <= MAX_SALES_AMOUNT:
        problems.add(
            MarketErrorCode.INVALID_AMOUNT, "amount", "매출액을 0 이상의 정수(원)로 입력하세요."
        )
    count = whole(sales_count)
    if count is None or not 0 <= count <= MAX_SALES_COUNT:
        problems.add(
            MarketErrorCode.INVALID_NUMBER, "sales_count", "판매 건수를 0 이상의 정수로 입력하세요."
        )
    names = [n for n in dict.fromkeys(str(b).strip() for b in best_sellers) if n]
    if len(names) > MAX_BEST_SELLERS or any(len(n) > 60 for n in names):
        problems.add(
            MarketErrorCode.TOO_LONG, "best_sellers",
            f"잘 팔린 상품은 {MAX_BEST_SELLERS}개까지, 각 60자 이내로 적어 주세요.",
        )
    if won is not None and count is not None and count == 0 and won > 0:
        problems.add(
            MarketErrorCode.INVALID_NUMBER, "sales_count", "매출이 있으면 판매 건수도 적어 주세요."
        )
    problems.raise_if_any()
    assert won is not None and count is not None
    return won, count, names


def _refuse_outside_the_window(day: MarketDay, now: dt.datetime) -> None:
    if day.status is MarketDayStatus.CANCELLED:
        raise Conflict(MarketErrorCode.DAY_CANCELLED, "취소된 장날입니다.", field="market_day_id")
    if now < day.opens_at:
        raise Conflict(
            MarketErrorCode.DAY_NOT_STARTED, "매출은 장이 열린 뒤에 보고할 수 있습니다.",
            field="market_day_id",
        )
    if now > day.closes_at + dt.timedelta(days=SALES_EDIT_DAYS):
        raise Conflict(
            MarketErrorCode.SALES_WINDOW_CLOSED,
            f"장날로부터 {SALES_EDIT_DAYS}일이 지나 매출 보고를 고칠 수 없습니다.",
            field="market_day_id",
        )


async def report_booth_sales(
    session: AsyncSession,
    day_id: int,
    vendor_id: int,
    actor: User | None,
    *,
    amount: int | str,
    sales_count: int | str,
    best_sellers: Sequence[str] = (),
    note: str = "",
    now: dt.datetime | None = None,
) -> BoothSalesReport:
    """부스 매출 보고: one report per vendor and day, correctable for 7 days after it.

    Only a vendor booked on a day that was not cancelled reports, once the day has opened.
    """
    await vendor_for_member(session, actor, vendor_id)
    assert actor is not None
    won, count, names = _clean_sales(amount, sales_count, best_sellers)
    day = await get_day(session, day_id)
    _refuse_outside_the_window(day, now or utcnow())
    if await booking_for(session, day, vendor_id) is None:
        raise Conflict(
            MarketErrorCode.DAY_NOT_BOOKED, "이 장날에 선정된 기업만 매출을 보고할 수 있습니다.",
            field="vendor_id",
        )
    async with transaction(session):
        report = await session.scalar(
            select(BoothSalesReport).where(
                BoothSalesReport.market_day_id == day.id, BoothSalesReport.vendor_id == vendor_id
            )
        )
        if report is None:
            report = BoothSalesReport(
                market_day_id=day.id, vendor_id=vendor_id, amount=won, sales_count=count,
                best_sellers=names, reported_by_user_id=actor.id, revision=1, note=note[:500],
            )
            session.add(report)
        else:
            report.amount, report.sales_count, report.best_sellers = won, count, names
            report.note = note[:500]
            report.reported_by_user_id = actor.id
            report.revision += 1
        try:
            await session.flush()
        except IntegrityError as exc:
            raise Conflict(
                MarketErrorCode.CONCURRENT_CHANGE,
                "같은 장날 매출이 방금 보고되었습니다. 새로 고친 뒤 다시 저장해 주세요.",
                field="market_day_id",
            ) from exc
        record(
            session,
            BoothSalesReported(
                id=report.id, market_id=day.market_id, market_day_id=day.id,
                day=day.day.isoformat(), vendor_id=vendor_id, amount=won, sales_count=count,
                best_sellers=names, revision=report.revision, actor_user_id=actor.id,
            ),
        )
    return report
