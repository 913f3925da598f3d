"""Publishing monthly disclosures (월별 공시) on the database, as frozen versions.

The figures come from the orders as approval fixed them (``counted_as``, counted amount,
contract date), less what inspection did not accept (from the inspection date), and without
the orders cancelled by the publication date; and the purchases made outside the platform
(imported, :func:`shop.procurement.outside_purchases.counted_purchases`) by purchase date, as
declared, from the day of their import, so an import after a month was published shows in
its next version as a difference (decision 51). The pure rule (``disclosure.publish``) makes
the next version against the **stored** latest one; the version is saved with its figures
and its differences as rows, and with the public page's summary of them
(:class:`~shop.procurement.record_models.DisclosureSummary`, read by
:mod:`shop.procurement.public_disclosures`), and never changed afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import seoul_date, seoul_today, utcnow
from infra.db import transaction
from infra.errors import Conflict, InvalidInput
from infra.outbox import record
from shop.procurement import corrections, outside_purchases
from shop.procurement import disclosure as rules
from shop.procurement.access import institution_or_404, require_role
from shop.procurement.amounts import not_accepted_reduction
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.events import DisclosurePublished
from shop.procurement.models import Department, ProcurementRole, PurchaseOrder
from shop.procurement.record_models import (
    DisclosureRow,
    DisclosureSummary,
    Inspection,
    PublishedDisclosure,
)


async def counted_purchases(
    session: AsyncSession, institution_id: int
) -> list[rules.CountedPurchase]:
    """Every approved order of the institution, and every purchase it imported from outside
    the platform, as the results count them."""
    rows = (await session.execute(
        select(PurchaseOrder, Department.name, Inspection)
        .join(Department, Department.id == PurchaseOrder.department_id)
        .outerjoin(Inspection, Inspection.order_id == PurchaseOrder.id)
        .where(PurchaseOrder.institution_id == institution_id,
               PurchaseOrder.counted_amount.is_not(None))
        .order_by(PurchaseOrder.id)
    )).all()
    corrected = await corrections.adjustments_by_order(session, institution_id)
    purchases = []
    for order, department, inspected in rows:
        assert order.counted_amount is not None and order.approved_at is not None
        adjustments: tuple[rules.Adjustment, ...] = ()
        if inspected is not None and inspected.accepted_supply < order.supply_amount:
            adjustments = (rules.Adjustment(
                inspected.inspected_on,
                -not_accepted_reduction(order.supply_amount, inspected.accepted_supply)),)
        adjustments += corrected.get(order.id, ())
        purchases.append(rules.CountedPurchase(
            order_id=str(order.id), department=department, category=order.category,
            enterprise_type=order.counted_as, contract_date=order.contract_date,
            amount=order.counted_amount, recorded_on=seoul_date(order.approved_at),
            cancelled_on=seoul_date(order.cancelled_at) if order.cancelled_at else None,
            adjustments=adjustments))
    purchases.extend(await outside_purchases.counted_purchases(session, institution_id))
    return purchases


def as_rule(row: PublishedDisclosure) -> rules.DisclosureVersion:
    """A stored version read back as the pure rule's frozen version."""
    figures: dict[str, list[rules.Figure]] = defaultdict(list)
    for r in row.rows:
        key = rules.FigureKey(r.department, r.category, r.enterprise_type)
        figures[r.kind].append(rules.Figure(key, r.amount))
    return rules.DisclosureVersion(rules.Month(row.year, row.month), row.version,
                                   row.published_on, tuple(figures["figure"]),
                                   tuple(figures["change"]))


async def versions_of(
    session: AsyncSession, institution_id: int, month: rules.Month | None = None
) -> list[PublishedDisclosure]:
    stmt = select(PublishedDisclosure).where(PublishedDisclosure.institution_id == institution_id)
    if month is not None:
        stmt = stmt.where(PublishedDisclosure.year == month.year,
                          PublishedDisclosure.month == month.month)
    stmt = stmt.order_by(PublishedDisclosure.year, PublishedDisclosure.month,
                         PublishedDisclosure.version)
    return list((await session.scalars(stmt)).all())


async def publish_month(
    session: AsyncSession, user: User, institution_id: int, *, year: int, month: int,
    published_on: dt.date | None = None,
) -> PublishedDisclosure:
    """Publish the month's next version (the institution's discloser).

    409 before the month has ended, or when nothing changed since the last version.
    """
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise InvalidInput(Code.REQUIRED, "공시할 연도와 월을 확인해 주세요.", field="month")
    chosen = rules.Month(year, month)
    published_on = published_on or seoul_today()
    clash = Conflict(Code.DISCLOSURE_HISTORY_MISMATCH,
                     f"{chosen.label} 공시가 동시에 발행되었습니다. 다시 확인해 주세요.",
                     field="month")
    async with transaction(session, on_integrity_error=clash):
        await institution_or_404(session, institution_id)
        await require_role(session, user, institution_id, ProcurementRole.DISCLOSER)
        history = [as_rule(v) for v in await versions_of(session, institution_id, chosen)]
        version = rules.publish(history, await counted_purchases(session, institution_id),
                                chosen, published_on)
        if version is None:
            raise Conflict(Code.NOTHING_TO_DISCLOSE,
                           f"{chosen.label} 실적은 마지막 공시 뒤로 바뀐 것이 없습니다.",
                           field="month")
        row = PublishedDisclosure(
            institution_id=institution_id, year=year, month=month, version=version.version,
            published_on=version.published_on, published_at=utcnow(), published_by=user.id,
            rows=[DisclosureRow(kind=kind, department=f.key.department, category=f.key.category,
                                enterprise_type=f.key.enterprise_type, amount=f.amount)
                  for kind, figures in (("figure", version.figures),
                                        ("change", version.changes))
                  for f in figures])
        session.add(row)
        await session.flush()
        session.add(DisclosureSummary(disclosure_id=row.id,
                                      figures=rules.public_sums(version.figures),
                                      changes=rules.public_sums(version.changes)))
        record(session, DisclosurePublished(
            id=institution_id, disclosure_id=row.id, year=year, month=month,
            version=version.version, published_on=version.published_on.isoformat(),
            total=version.total, social_economy_total=version.social_economy_total))
    return row
