"""A dashboard table, one shape for the page, the JSON and the export.

Every dashboard section is a :class:`Table` (its caption, column headers with how each is
shown, the rows) and optionally the chart drawn from the same numbers above it, so the page,
the JSON endpoint and the CSV/XLSX download cannot disagree: they are three renderings of one
object.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

from infra import spreadsheets

#: How a column's cells are shown: plain text, won, a count, a percentage (one decimal).
KINDS = frozenset({"text", "won", "count", "pct"})


@dataclasses.dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"


@dataclasses.dataclass(frozen=True)
class Table:
    #: The table's id on the page and its name in export URLs (``?table=``).
    key: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    #: The last row, when it sums the others (합계).
    total: Sequence[Any] | None = None
    #: An ECharts option (``infra.web.charts``) drawn from these rows, shown above the table.
    chart: dict[str, Any] | None = None
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "title": self.title,
            "columns": [{"label": c.label, "kind": c.kind} for c in self.columns],
            "rows": [[_plain(v) for v in row] for row in self.rows],
            "total": [_plain(v) for v in self.total] if self.total is not None else None,
        }

    @functools.cached_property
    def shown_rows(self) -> list[list[str]]:
        """The rows as the page shows them (:func:`cell`), formatted once per table: a cached
        dashboard's tables are shown again and again (decision 100)."""
        return [[cell(value, column.kind) for value, column in zip(row, self.columns,
                                                                     strict=False)]
                for row in self.rows]

    def sheet_rows(self) -> list[list[Any]]:
        """Header, rows, total: what an export writes."""
        rows = [[c.label for c in self.columns], *[list(r) for r in self.rows]]
        if self.total is not None:
            rows.append(list(self.total))
        return rows


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def cell(value: Any, kind: str) -> str:
    """A cell as the page shows it (Korean won, thousands separators, one-decimal percent)."""
    if value is None or value == "":
        return "–" if kind == "pct" else ""
    if kind == "won":
        return f"{int(value):,}원"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "pct":
        return f"{float(value):.1f} %"
    return str(value)


def percent(part: int, whole: int) -> float | None:
    """``part / whole`` in percent, rounded to one decimal (None when there is no whole)."""
    return round(100 * part / whole, 1) if whole else None


def export(table: Table, fmt: str, filename: str) -> Any:
    """The table as a CSV or XLSX download (``infra.spreadsheets``)."""
    if fmt == "xlsx":
        return spreadsheets.attachment(
            f"{filename}.xlsx", spreadsheets.xlsx_bytes([(table.title, table.sheet_rows())]),
            spreadsheets.XLSX_MEDIA_TYPE)
    return spreadsheets.attachment(
        f"{filename}.csv", spreadsheets.csv_bytes(table.sheet_rows()), spreadsheets.CSV_MEDIA_TYPE)
