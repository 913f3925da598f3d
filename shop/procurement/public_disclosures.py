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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, select
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


_INSTITUTION_COLUMNS = (Institution.id, Institution.name, Institution.kind, Institution.district)
_VERSION_COLUMNS = (
    PublishedDisclosure.id, PublishedDisclosure.institution_id, PublishedDisclosure.year,
    PublishedDisclosure.month, PublishedDisclosure.version, PublishedDisclosure.published_on,
    PublishedDisclosure.published_at, DisclosureSummary.figures, DisclosureSummary.changes)


def _statements() -> dict[str, Select[Any]]:
    """Every statement the page runs, built once with bound parameters (building and keying
    a statement per request cost more than running it)."""
    d, inner = PublishedDisclosure, aliased(PublishedDisclosure)
    versions = (select(*_VERSION_COLUMNS)
                .join(DisclosureSummary, DisclosureSummary.disclosure_id == d.id))

    def newest(column: Any) -> Any:
        return (select(column).where(inner.institution_id == Institution.id)
                .order_by(inner.year.desc(), inner.month.desc()).limit(1)
                .correlate(Institution).scalar_subquery())

    # Each institution's latest year and month (a backward scan of the version key's index,
    # institution × year × month × version, one row each), then that month's versions.
    latest = (select(Institution.id.label("institution_id"), newest(inner.year).label("year"),
                     newest(inner.month).label("month"))
              .where(Institution.id.in_(bindparam("ids", expanding=True))).subquery())
    return {
        "institution": select(*_INSTITUTION_COLUMNS).where(Institution.id == bindparam("id")),
        "count": select(func.count(Institution.id)),
        "page": (select(*_INSTITUTION_COLUMNS).order_by(Institution.id)
                 .limit(bindparam("size")).offset(bindparam("skip"))),
        "years": (select(d.year).where(d.institution_id == bindparam("id")).distinct()
                  .order_by(d.year.desc())),
        "year": (versions.where(d.institution_id == bindparam("id"), d.year == bindparam("year"))
                 .order_by(d.month.desc(), d.version.desc())),
        "latest": (versions.join(latest, and_(latest.c.institution_id == d.institution_id,
                                              latest.c.year == d.year,
                                              latest.c.month == d.month))
                   .order_by(d.institution_id, d.version.desc())),
    }


_SQL = _statements()


async def _rows(session: AsyncSession, name: str, **params: Any) -> Sequence[Any]:
    connection = await session.connection()
    return (await connection.execute(_SQL[name], params)).all()


def _institution(row: Any) -> PublicInstitution:
    return PublicInstitution(int(row.id), row.name, InstitutionKind(row.kind),
                             District(row.district))


def _version(row: Any) -> PublicVersion:
    return PublicVersion(int(row.id), int(row.institution_id), row.year, row.month,
                         row.version, row.published_on, as_utc(row.published_at),
                         row.figures, row.changes)


async def institution(session: AsyncSession, institution_id: int) -> PublicInstitution:
    rows = await _rows(session, "institution", id=institution_id)
    if not rows:
        raise NotFound(Code.INSTITUTION_NOT_FOUND, "기관을 찾을 수 없습니다.",
                       field="institution_id")
    return _institution(rows[0])


async def institutions_page(
    session: AsyncSession, page: int, size: int
) -> tuple[list[PublicInstitution], int]:
    """One page of the institutions by id, and how many there are in all."""
    (total,) = (await _rows(session, "count"))[0]
    rows = await _rows(session, "page", size=size, skip=(max(1, page) - 1) * size)
    return [_institution(r) for r in rows], int(total)


async def years_of(session: AsyncSession, institution_id: int) -> list[int]:
    """The years the institution has published a month of, newest first."""
    return [int(r.year) for r in await _rows(session, "years", id=institution_id)]


async def versions_of_year(
    session: AsyncSession, institution_id: int, year: int
) -> list[PublicVersion]:
    """Every version of the year's months, newest month first, newest version first."""
    return [_version(r) for r in await _rows(session, "year", id=institution_id, year=year)]


async def latest_months(
    session: AsyncSession, institution_ids: list[int]
) -> dict[int, list[PublicVersion]]:
    """Every version of each institution's latest published month (newest version first),
    in one query."""
    if not institution_ids:
        return {}
    found: dict[int, list[PublicVersion]] = defaultdict(list)
    for row in await _rows(session, "latest", ids=institution_ids):
        found[int(row.institution_id)].append(_version(row))
    return dict(found)
