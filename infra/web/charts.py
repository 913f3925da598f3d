"""Charts for dashboards: one way to draw them, every number also in a table.

A page passes a chart *option* (Apache ECharts' declarative JSON) built here, and the
``chart`` macro in ``macros.html`` renders it above the table that holds the same numbers,
so screen readers, printing and browsers without JavaScript lose nothing. ECharts is vendored
under ``/static/vendor/echarts`` (decision 38: no CDN reaches this machine or an office
intranet); ``/static/charts.js`` draws every ``[data-chart]`` element with the Korean locale
and the SVG renderer.

Amounts are won: ``won=True`` asks the script to format axis labels and tooltips as
``1,234원`` (a function cannot travel in JSON, so it is a flag).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[int | float | None]
    kind: str = "line"  # or "bar"
    stack: str | None = None


def over_time(
    title: str, labels: Sequence[str], series: Sequence[Series], *, won: bool = True
) -> dict[str, Any]:
    """Values per period (days, months) as lines or bars sharing one axis."""
    return {
        "aria": {"enabled": True},
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 64, "right": 16, "top": 40, "bottom": 48},
        "xAxis": {"type": "category", "data": list(labels)},
        "yAxis": {"type": "value"},
        "series": [
            {"name": s.name, "type": s.kind, "data": list(s.values),
             **({"stack": s.stack} if s.stack else {})}
            for s in series
        ],
        "jangteo": {"won": won},
    }


def shares(title: str, parts: Sequence[tuple[str, int | float]], *, won: bool = True
           ) -> dict[str, Any]:
    """How a whole divides (channels, enterprise types, categories) as a ring."""
    return {
        "aria": {"enabled": True},
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0},
        "series": [{"name": title, "type": "pie", "radius": ["40%", "68%"],
                    "data": [{"name": name, "value": value} for name, value in parts]}],
        "jangteo": {"won": won},
    }


def option_json(option: dict[str, Any]) -> Markup:
    """The option as JSON safe inside ``<script type="application/json">``."""
    text = json.dumps(option, ensure_ascii=False, default=str)
    escaped = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(escaped)  # noqa: S704 (every character that could end the tag is escaped)
