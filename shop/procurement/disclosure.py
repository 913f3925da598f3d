"""Monthly disclosure (월별 공시) of purchase results, in frozen versions.

A month's figures are the counted amounts of the purchases whose **contract date** falls
in it, by department × item category × enterprise type (``None`` = 일반 구매, kept so that
rates have their denominator). Once published, a version is never edited: a later change
(a cancellation, an inspection that took something off) is published as the next version,
which carries the new figures and the difference from the version before it.

Decisions (docs/decisions.md):

- Dates are Seoul business dates; callers convert timestamps before they get here.
- A version contains every fact dated on or before its publication date (publication is
  taken to happen at the end of that day).
- A new version is diffed against the **stored** figures of the latest version, never
  against a recomputation of it, so whatever the previous version really said, the
  differences add up: v1 figures + every later difference = the latest figures.
- A cancellation removes the order's whole counted amount from its contract month as of
  the cancellation date; a dated adjustment (inspection shortfall) changes it from its date.
- Publishing when nothing changed makes no version. A month is published only after it ends.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta

from infra.errors import Conflict
from shop.catalog.taxonomy import Category
from shop.procurement.errors import ProcurementErrorCode
from shop.vendors.types import EnterpriseType


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month (Asia/Seoul)."""

    year: int
    month: int

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return self.first_day + relativedelta(months=1) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year}년 {self.month}월"


@dataclass(frozen=True)
class Adjustment:
    """A dated change of an order's counted amount (e.g. −what inspection did not accept)."""

    on: dt.date
    amount: int


@dataclass(frozen=True)
class CountedPurchase:
    """One order as results count it: who bought what from which kind of enterprise, when.

    ``amount`` is the counted amount incl. VAT known on ``recorded_on`` (by default the
    contract date); ``enterprise_type`` comes from
    :func:`shop.procurement.certificates.counted_as` on the contract date.
    """

    order_id: str
    department: str
    category: Category
    enterprise_type: EnterpriseType | None
    contract_date: dt.date
    amount: int
    recorded_on: dt.date | None = None
    cancelled_on: dt.date | None = None
    adjustments: tuple[Adjustment, ...] = ()

    def amount_as_of(self, day: dt.date) -> int:
        """What this order counted as known at the end of ``day``."""
        if (self.recorded_on or self.contract_date) > day:
            return 0
        if self.cancelled_on is not None and self.cancelled_on <= day:
            return 0
        return self.amount + sum(a.amount for a in self.adjustments if a.on <= day)


@dataclass(frozen=True)
class FigureKey:
    department: str
    category: Category
    enterprise_type: EnterpriseType | None

    def _sort_key(self) -> tuple[str, str, str]:
        return (self.department, self.category.value, self.enterprise_type or "")


@dataclass(frozen=True)
class Figure:
    """One row of a disclosure: an amount (or a difference) for one key."""

    key: FigureKey
    amount: int


def _rows(amounts: Mapping[FigureKey, int]) -> tuple[Figure, ...]:
    return tuple(
        Figure(key, amount)
        for key, amount in sorted(amounts.items(), key=lambda kv: kv[0]._sort_key())
        if amount != 0
    )


@dataclass(frozen=True)
class DisclosureVersion:
    """One published version of a month's figures. Immutable: rows are tuples.

    ``changes`` are the differences from the previous version (for version 1, the figures
    themselves), so a reader of version 2 sees what was corrected, by how much.
    """

    month: Month
    version: int
    published_on: dt.date
    figures: tuple[Figure, ...]
    changes: tuple[Figure, ...] = field(default=())

    def amounts(self) -> dict[FigureKey, int]:
        """The figures as a fresh dict (changing it changes nothing here)."""
        return {f.key: f.amount for f in self.figures}

    @property
    def total(self) -> int:
        return sum(f.amount for f in self.figures)

    def total_for(self, enterprise_type: EnterpriseType | None) -> int:
        return sum(f.amount for f in self.figures if f.key.enterprise_type == enterprise_type)

    @property
    def social_economy_total(self) -> int:
        return sum(f.amount for f in self.figures if f.key.enterprise_type is not None)


def month_figures(
    purchases: Iterable[CountedPurchase], month: Month, as_of: dt.date
) -> dict[FigureKey, int]:
    """The month's counted amounts by department × category × enterprise type, as of a day.

    Zero sums are left out: a key appears only if something counts under it.
    """
    sums: dict[FigureKey, int] = defaultdict(int)
    for purchase in purchases:
        if Month.of(purchase.contract_date) != month:
            continue
        amount = purchase.amount_as_of(as_of)
        if amount:
            key = FigureKey(purchase.department, purchase.category, purchase.enterprise_type)
            sums[key] += amount
    return {key: amount for key, amount in sums.items() if amount != 0}


def publish(
    history: Sequence[DisclosureVersion],
    purchases: Iterable[CountedPurchase],
    month: Month,
    published_on: dt.date,
) -> DisclosureVersion | None:
    """The next version of ``month``'s disclosure, or ``None`` when nothing changed.

    ``history`` is every version of this month published so far, oldest first; it is only
    read. The first publication is version 1; each later one is diffed against the latest.
    """
    if published_on <= month.last_day:
        raise Conflict(
            ProcurementErrorCode.MONTH_NOT_CLOSED,
            f"{month.label}은(는) {month.last_day.isoformat()}에 끝난 뒤에 공시할 수 있습니다.",
            field="published_on",
        )
    expected = list(range(1, len(history) + 1))
    if [v.version for v in history] != expected or any(v.month != month for v in history):
        raise Conflict(
            ProcurementErrorCode.DISCLOSURE_HISTORY_MISMATCH,
            f"{month.label} 공시 이력이 1판부터 차례대로 이어지지 않습니다.",
            field="history",
        )
    if history and published_on < history[-1].published_on:
        raise Conflict(
            ProcurementErrorCode.DISCLOSURE_HISTORY_MISMATCH,
            f"마지막 공시일({history[-1].published_on.isoformat()})보다 앞선 날짜로 "
            "공시할 수 없습니다.",
            field="published_on",
        )

    current = month_figures(purchases, month, published_on)
    if not history:
        rows = _rows(current)
        return DisclosureVersion(month, 1, published_on, rows, rows)
    previous = history[-1].amounts()
    differences = {
        key: current.get(key, 0) - previous.get(key, 0) for key in current.keys() | previous
    }
    changes = _rows(differences)
    if not changes:
        return None
    return DisclosureVersion(month, len(history) + 1, published_on, _rows(current), changes)


def differences_add_up(history: Sequence[DisclosureVersion]) -> bool:
    """Whether version 1 plus every later difference gives the latest figures (an audit)."""
    if not history:
        return True
    running: dict[FigureKey, int] = defaultdict(int)
    for version in history:
        for change in version.changes:
            running[change.key] += change.amount
    return {k: v for k, v in running.items() if v} == history[-1].amounts()


def public_sums(figures: Iterable[Figure]) -> list[list[Any]]:
    """Figures summed over departments by enterprise type × item, as the public page shows
    them: ``[enterprise type value or None, category value, amount]`` in key order. A key
    whose departments cancel out stays, with 0, as the page showed it before it was summed
    once at publication (:class:`~shop.procurement.record_models.DisclosureSummary`)."""
    sums: dict[tuple[str | None, str], int] = defaultdict(int)
    for f in figures:
        kind = f.key.enterprise_type
        sums[(kind.value if kind is not None else None, f.key.category.value)] += f.amount
    return [[kind, category, amount] for (kind, category), amount
            in sorted(sums.items(), key=lambda kv: (kv[0][0] or "", kv[0][1]))]
