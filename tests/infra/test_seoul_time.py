"""Store UTC, show Seoul: one function and one ``seoul`` filter for pages, mail and exports."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from infra.clock import seoul_time

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [
    path for package in ("shop", "markets", "search", "infra")
    for path in (ROOT / package).rglob("templates/**/*")
    if path.suffix in {".html", ".txt"}
]


def test_an_instant_reads_as_seoul_wall_time() -> None:
    assert seoul_time(dt.datetime(2025, 3, 31, 15, 0, tzinfo=dt.UTC)) == "2025-04-01 00:00"
    assert seoul_time(dt.datetime(2025, 3, 31, 14, 59, 59, tzinfo=dt.UTC)) == "2025-03-31 23:59"
    # SQLite hands back naive datetimes that are UTC.
    assert seoul_time(dt.datetime(2026, 12, 6, 15, 30)) == "2026-12-07 00:30"
    assert seoul_time(dt.datetime(2026, 12, 6, 15, 30, tzinfo=dt.UTC), "%Y-%m-%d") == "2026-12-07"
    assert seoul_time(None) == ""


def test_no_template_shows_utc_or_formats_a_stored_instant_itself() -> None:
    assert TEMPLATES, "templates not found"
    offenders = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        if "UTC" in text or re.search(r"_at\.strftime\(", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
