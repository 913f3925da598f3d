"""Public procurement pages (Korean, no JavaScript, no login): the monthly disclosures every
institution has published, by enterprise type and item (ordinance art. 7, 17).

The buyer portal for an institution's staff is :mod:`shop.procurement.buyer_pages`; both are
routed from here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from litestar import Controller, get
from litestar.response import Template

from infra.clock import seoul_time
from infra.web.params import DbSession
from shop.catalog.taxonomy import Category
from shop.procurement import disclosures, institutions
from shop.procurement.buyer_pages import BuyerPages
from shop.procurement.models import Institution
from shop.procurement.record_models import PublishedDisclosure
from shop.vendors.types import EnterpriseType

GENERAL = "일반 구매"


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


def _sums(row: PublishedDisclosure, kind: str) -> dict[tuple[str, str], int]:
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for r in row.rows:
        if r.kind == kind:
            sums[(_label(r.enterprise_type), Category(r.category).label)] += r.amount
    return dict(sorted(sums.items()))


def version_view(row: PublishedDisclosure) -> VersionView:
    at = seoul_time(row.published_at)
    return VersionView(row, _sums(row, "figure"), _sums(row, "change"), at)


@dataclass(frozen=True)
class InstitutionView:
    institution: Institution
    versions: list[VersionView]


class DisclosurePages(Controller):
    path = "/procurement"
    include_in_schema = False

    @get("/disclosures", name="procurement_disclosures")
    async def disclosures(self, db_session: DbSession) -> Template:
        views = []
        for institution in await institutions.all_institutions(db_session):
            rows = await disclosures.versions_of(db_session, institution.id)
            # Newest month first; within a month the newest version first.
            rows.sort(key=lambda r: (r.year, r.month, r.version), reverse=True)
            views.append(InstitutionView(institution, [version_view(r) for r in rows]))
        context: dict[str, Any] = {"institutions": views}
        return Template(template_name="procurement/disclosures.html", context=context)


ROUTES: list[Any] = [DisclosurePages, BuyerPages]
