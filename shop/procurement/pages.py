"""Public procurement pages (Korean, no JavaScript, no login): the monthly disclosures every
institution has published, by enterprise type and item (ordinance art. 7, 17): ten
institutions a page with their latest published month, and one institution's year with every
month and version (``?institution=&year=``), so the page stays fast at hundreds of
institutions and years of months (``tests/bench/bench_procurement.py``).

The buyer portal for an institution's staff is :mod:`shop.procurement.buyer_pages`; both are
routed from here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from litestar import Controller, get
from litestar.params import FromQuery
from litestar.response import Template

from infra.clock import seoul_time
from infra.web.params import DbSession
from shop.catalog.taxonomy import Category
from shop.procurement import disclosures, institutions
from shop.procurement.access import institution_or_404
from shop.procurement.buyer_pages import BuyerPages
from shop.procurement.models import Institution
from shop.procurement.record_models import PublishedDisclosure
from shop.vendors.types import EnterpriseType

GENERAL = "일반 구매"
#: Institutions per page of the public disclosure page.
PAGE_SIZE = 10


@dataclass(frozen=True)
class VersionView:
    """One published version, summed over departments for the public table."""

    row: PublishedDisclosure
    #: (enterprise-type label, category label) → amount; the figures as published.
    figures: dict[tuple[str, str], int]
    #: The same keys → difference from the previous version (version 1: the figures).
    changes: dict[tuple[str, str], int]
    published_at: str

    @property
    def total(self) -> int:
        return sum(self.figures.values())

    @property
    def social_economy_total(self) -> int:
        return sum(v for (kind, _), v in self.figures.items() if kind != GENERAL)


def _label(enterprise_type: EnterpriseType | None) -> str:
    return enterprise_type.label if enterprise_type is not None else GENERAL


def _sums(rows: Sequence[Any], kind: str) -> dict[tuple[str, str], int]:
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        if r.kind == kind:
            sums[(_label(r.enterprise_type), Category(r.category).label)] += r.amount
    return dict(sorted(sums.items()))


def version_view(row: PublishedDisclosure, rows: Sequence[Any]) -> VersionView:
    """One version with its rows (``DisclosureRow`` objects or their columns)."""
    at = seoul_time(row.published_at)
    return VersionView(row, _sums(rows, "figure"), _sums(rows, "change"), at)


@dataclass(frozen=True)
class InstitutionView:
    institution: Institution
    versions: list[VersionView]


class DisclosurePages(Controller):
    path = "/procurement"
    include_in_schema = False

    @get("/disclosures", name="procurement_disclosures")
    async def disclosures(
        self, db_session: DbSession, institution: FromQuery[int | None] = None,
        year: FromQuery[int | None] = None, page: FromQuery[int] = 1,
    ) -> Template:
        """Without ``institution``: a page of institutions, each with its latest published
        month (every version of it). With it: every month of one year of that institution."""
        context: dict[str, Any]
        if institution is not None:
            chosen = await institution_or_404(db_session, institution)
            years = await disclosures.years_of(db_session, chosen.id)
            shown = year if year in years else (years[0] if years else None)
            rows = (await disclosures.versions_of_year(db_session, chosen.id, shown)
                    if shown is not None else [])
            figures = await disclosures.figures_of(db_session, [r.id for r in rows])
            context = {"institutions": [InstitutionView(chosen, [version_view(r, figures[r.id])
                                                                 for r in rows])],
                       "chosen": chosen, "years": years, "year": shown}
        else:
            page = max(1, page)
            found, total = await institutions.institutions_page(db_session, page, PAGE_SIZE)
            latest = await disclosures.latest_months(db_session, [i.id for i in found])
            figures = await disclosures.figures_of(
                db_session, [r.id for rows in latest.values() for r in rows])
            context = {"institutions": [InstitutionView(i, [version_view(r, figures[r.id])
                                                            for r in latest.get(i.id, [])])
                                        for i in found],
                       "chosen": None, "page": page, "total": total,
                       "pages": max(1, -(-total // PAGE_SIZE))}
        return Template(template_name="procurement/disclosures.html", context=context)


ROUTES: list[Any] = [DisclosurePages, BuyerPages]
