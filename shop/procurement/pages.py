"""Public procurement pages (Korean, no JavaScript, no login): the monthly disclosures every
institution has published, by enterprise type and item (ordinance art. 7, 17): ten
institutions a page with their latest published month, and one institution's year with every
month and version (``?institution=&year=``), so the page stays fast at hundreds of
institutions and years of months (``tests/bench/bench_procurement.py``). Each version's table
comes from the summary stored when it was published (:mod:`shop.procurement.public_disclosures`).

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
from shop.procurement import public_disclosures
from shop.procurement.buyer_pages import BuyerPages
from shop.procurement.public_disclosures import PublicInstitution, PublicVersion
from shop.vendors.types import EnterpriseType

GENERAL = "일반 구매"
#: Institutions per page of the public disclosure page.
PAGE_SIZE = 10
_TYPE_LABELS: dict[str | None, str] = {t.value: t.label for t in EnterpriseType} | {None: GENERAL}
_CATEGORY_LABELS = {c.value: c.label for c in Category}


@dataclass(frozen=True)
class VersionView:
    """One published version, summed over departments for the public table."""

    row: PublicVersion
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

    @property
    def rows(self) -> list[TableRow]:
        """Every row of the table (a key with a figure, a difference or both), its amounts
        already written out: formatting in the template cost more than the page's queries."""
        return [TableRow(kind, category, f"{self.figures.get((kind, category), 0):,}원",
                         f"{self.changes.get((kind, category), 0):+,}")
                for kind, category in sorted(self.figures.keys() | self.changes.keys())]


@dataclass(frozen=True)
class TableRow:
    kind: str  # the enterprise type's label, or 일반 구매
    category: str
    amount: str  # "1,234원"
    change: str  # "+1,234" / "-1,234" / "+0"


def _labelled(sums: Sequence[Sequence[Any]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = defaultdict(int)
    for kind, category, amount in sums:
        found[(_TYPE_LABELS[kind], _CATEGORY_LABELS[category])] += amount
    return dict(sorted(found.items()))


def version_view(version: PublicVersion) -> VersionView:
    """One version as the page shows it, from its stored summary."""
    return VersionView(version, _labelled(version.figures), _labelled(version.changes),
                       seoul_time(version.published_at))


@dataclass(frozen=True)
class InstitutionView:
    institution: PublicInstitution
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
            chosen = await public_disclosures.institution(db_session, institution)
            years = await public_disclosures.years_of(db_session, chosen.id)
            shown = year if year in years else (years[0] if years else None)
            versions = (await public_disclosures.versions_of_year(db_session, chosen.id, shown)
                        if shown is not None else [])
            context = {"institutions": [InstitutionView(chosen, [version_view(v)
                                                                 for v in versions])],
                       "chosen": chosen, "years": years, "year": shown}
        else:
            page = max(1, page)
            found, total = await public_disclosures.institutions_page(db_session, page,
                                                                      PAGE_SIZE)
            latest = await public_disclosures.latest_months(db_session, [i.id for i in found])
            context = {"institutions": [InstitutionView(i, [version_view(v)
                                                            for v in latest.get(i.id, [])])
                                        for i in found],
                       "chosen": None, "page": page, "total": total,
                       "pages": max(1, -(-total // PAGE_SIZE))}
        return Template(template_name="procurement/disclosures.html", context=context)


ROUTES: list[Any] = [DisclosurePages, BuyerPages]
