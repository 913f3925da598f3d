"""What every benchmark shares: where results go and how they are shown.

A benchmark measures and reports; it never asserts a time. Each writes a flat
``metric -> value`` JSON file under ``var/bench/`` and prints the same as a table.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "var" / "bench"


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; ``values`` need not be sorted."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def write_result(name: str, metrics: dict[str, Any]) -> Path:
    """Write ``var/bench/<name>.json`` and print the metrics as a two-column table."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    record = dict(metrics)
    record.setdefault("machine", f"{platform.machine()} {os.cpu_count()} cores")
    path = BENCH_DIR / f"{name}.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    width = max(len(k) for k in record)
    print(f"\n== {name} ==")
    for key, value in record.items():
        shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
        print(f"  {key.ljust(width)}  {shown}")
    print(f"  -> {path.relative_to(ROOT)}")
    return path


def env_int(name: str, default: int) -> int:
    """A size a benchmark takes from the environment (``JANGTEO_BENCH_…``), else ``default``."""
    return int(os.environ.get(name) or default)


def write_per_database(name: str, database: str, metrics: dict[str, Any]) -> Path:
    """``var/bench/<name>.json`` keeps one entry per database; this run replaces its own."""
    from infra.clock import utcnow

    path = BENCH_DIR / f"{name}.json"
    kept: dict[str, Any] = {}
    if path.exists():
        kept = {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items()
                if isinstance(v, dict)}
    kept[database] = {**metrics, "measured_at": utcnow().isoformat(timespec="seconds")}
    return write_result(name, kept)


def sign_in(client: Any, email: str, password: str) -> None:
    """Sign an ``httpx.Client`` in through the login form (its CSRF token included)."""
    from tests.fixtures.apps import csrf_from

    page = client.get("/login")
    answer = client.post("/login", data={"_csrf_token": csrf_from(page.text), "email": email,
                                         "password": password}, follow_redirects=False)
    if answer.status_code not in (302, 303):
        raise RuntimeError(f"bench sign-in failed: {answer.status_code}")


def wait_for_web(client: Any, seconds: float = 120) -> None:
    """Wait until the web server a benchmark started answers ``/healthz`` (a busy machine
    may take a while to import and migrate)."""
    import time

    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if client.get("/healthz").status_code in (200, 503):
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(f"the web server did not answer within {seconds:.0f} s")
