"""Hook for the public-body dashboard (public buying): what an institution bought per month.

The procurement dashboard (plan vs actual) calls :func:`institution_monthly_totals` for the
"actual" side; analytics owns the figures, procurement owns the plan and the page. The figures
are the institutional sales facts (decision 36 §5: booked when the payment is recorded, VAT
included, by Seoul month of the payment) of the institution, identified by the
``institution_id`` its ``procurement.order_paid`` events carry. They are *not* the
contract-month figures of the procurement reports (decision 34 §3).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shop.analytics.cache import FiguresCache
from shop.analytics.models import Channel, SalesFact
from shop.analytics.rollups import month_start, months_between


@dataclasses.dataclass(frozen=True)
class InstitutionMonth:
    month: dt.date
    #: Won paid (VAT included), every line of the month's paid purchase orders.
    amount: int
    #: Purchase orders paid in the month.
    orders: int
    #: Vendors paid in the month.
    vendors: int
    #: Won per enterprise type the purchases counted as (``counted_as``; "" = general).
    by_counted_as: dict[str, int]


def institution_key(institution_id: int) -> str:
    """The ``buyer_key`` of an institution's facts."""
    return f"i{institution_id}"


async def institution_monthly_totals(
    session: AsyncSession, institution_id: int, first: dt.date, last: dt.date,
    *, cache: FiguresCache | None = None,
) -> list[InstitutionMonth]:
    """Every month from ``first``'s to ``last``'s (months without purchases as zeros); with
    ``cache``, kept while no fact was written (decision 100)."""
    if cache is not None:
        return await cache.get(session, ("institution", institution_id, first, last),
                               lambda: institution_monthly_totals(
                                   session, institution_id, first, last))
    months = months_between(first, last)
    where = (SalesFact.channel == Channel.INSTITUTIONAL, SalesFact.current.is_(True),
             SalesFact.buyer_key == institution_key(institution_id),
             SalesFact.business_month >= month_start(first),
             SalesFact.business_month <= month_start(last))
    totals = {}
    for month, amount, orders, vendors in (await session.execute(
        select(SalesFact.business_month, func.sum(SalesFact.net_amount),
               func.count(distinct(SalesFact.order_ref)), func.count(distinct(SalesFact.vendor_id)))
        .where(*where).group_by(SalesFact.business_month))).all():
        totals[_date(month)] = (int(amount or 0), int(orders), int(vendors))
    split: dict[dt.date, dict[str, int]] = {}
    for month, counted_as, amount in (await session.execute(
        select(SalesFact.business_month, SalesFact.counted_as, func.sum(SalesFact.net_amount))
        .where(*where).group_by(SalesFact.business_month, SalesFact.counted_as))).all():
        split.setdefault(_date(month), {})[counted_as or ""] = int(amount or 0)
    return [InstitutionMonth(m, *totals.get(m, (0, 0, 0)), split.get(m, {})) for m in months]


def _date(value: object) -> dt.date:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value  # type: ignore[return-value]
