"""What the public disclosure page (``/procurement/disclosures``, no login) reads: published
versions with their summaries, never the purchases.

A published version is frozen, so its public table (figures and differences summed over
departments by enterprise type × item) is summed once, when it is published
(:class:`~shop.procurement.record_models.DisclosureSummary`), and a page is a few indexed
reads of plain columns: the institutions of one page (``LIMIT``/``OFFSET`` in SQL) with the
versions of each one's latest published month, or one institution's years and the versions
of one year. Nothing here is an ORM object (hydrating hundreds of them cost more than the
queries, decision 52) and nothing checks access: all of it is public.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from infra.clock import as_utc
from infra.errors import NotFound
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.models import Institution, InstitutionKind
from shop.procurement.record_models import DisclosureSummary, PublishedDisclosure
from shop.vendors.types import District


@dataclass(frozen=True)
class PublicInstitution:
    id: int
    name: str
    kind: InstitutionKind
    district: District


@dataclass(frozen=True)
class PublicVersion:
    """One published version as the page shows it; ``figures`` and ``changes`` are the stored
    summary's ``[enterprise type value or None, category value, amount]`` lists."""

    id: int
    institution_id: int
    year: int
    month: int
    version: int
    published_on: dt.date
    published_at: dt.datetime
    figures: list[list[Any]]
    changes: list[list[Any]]


_INSTITUTION = (Institution.id, Institution.name, Institution.kind, Institution.district)


def _institution(row: Any) -> PublicInstitution:
    return PublicInstitution(int(row.id), row.name, InstitutionKind(row.kind),
                             District(row.district))


async def institution(session: AsyncSession, institution_id: int) -> PublicInstitution:
    row = (await session.execute(select(*_INSTITUTION).where(Institution.id == institution_id)
                                 )).first()
    if row is None:
        raise NotFound(Code.INSTITUTION_NOT_FOUND, "기관을 찾을 수 없습니다.",
                       field="institution_id")
    return _institution(row)


async def institutions_page(
    session: AsyncSession, page: int, size: int
) -> tuple[list[PublicInstitution], int]:
    """One page of the institutions by id, and how many there are in all."""
    total = await session.scalar(select(func.count(Institution.id))) or 0
    rows = (await session.execute(select(*_INSTITUTION).order_by(Institution.id)
                                  .limit(size).offset((max(1, page) - 1) * size))).all()
    return [_institution(r) for r in rows], int(total)


def _versions() -> Select[Any]:
    d = PublishedDisclosure
    return (select(d.id, d.institution_id, d.year, d.month, d.version, d.published_on,
                   d.published_at, DisclosureSummary.figures, DisclosureSummary.changes)
            .join(DisclosureSummary, DisclosureSummary.disclosure_id == d.id))


def _version(row: Any) -> PublicVersion:
    return PublicVersion(int(row.id), int(row.institution_id), row.year, row.month,
                         row.version, row.published_on, as_utc(row.published_at),
                         row.figures, row.changes)


async def years_of(session: AsyncSession, institution_id: int) -> list[int]:
    """The years the institution has published a month of, newest first."""
    rows = await session.scalars(
        select(PublishedDisclosure.year).where(PublishedDisclosure.institution_id ==
                                               institution_id)
        .distinct().order_by(PublishedDisclosure.year.desc()))
    return list(rows.all())


async def versions_of_year(
    session: AsyncSession, institution_id: int, year: int
) -> list[PublicVersion]:
    """Every version of the year's months, newest month first, newest version first."""
    d = PublishedDisclosure
    rows = await session.execute(
        _versions().where(d.institution_id == institution_id, d.year == year)
        .order_by(d.month.desc(), d.version.desc()))
    return [_version(r) for r in rows.all()]


async def latest_months(
    session: AsyncSession, institution_ids: list[int]
) -> dict[int, list[PublicVersion]]:
    """Every version of each institution's latest published month (newest version first), in
    one query: each institution's latest year and month first (a backward scan of the version
    key's index, institution × year × month × version, one row each), then that month's
    versions by the same index."""
    if not institution_ids:
        return {}
    d, inner = PublishedDisclosure, aliased(PublishedDisclosure)

    def newest(column: Any) -> Any:
        return (select(column).where(inner.institution_id == Institution.id)
                .order_by(inner.year.desc(), inner.month.desc()).limit(1)
                .correlate(Institution).scalar_subquery())

    latest = (select(Institution.id.label("institution_id"), newest(inner.year).label("year"),
                     newest(inner.month).label("month"))
              .where(Institution.id.in_(institution_ids)).subquery())
    rows = await session.execute(
        _versions().join(latest, and_(latest.c.institution_id == d.institution_id,
                                      latest.c.year == d.year, latest.c.month == d.month))
        .order_by(d.institution_id, d.version.desc()))
    found: dict[int, list[PublicVersion]] = defaultdict(list)
    for row in rows.all():
        found[int(row.institution_id)].append(_version(row))
    return dict(found)
