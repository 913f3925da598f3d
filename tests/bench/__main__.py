"""``make bench``: run every benchmark in turn (or the ones named on the command line)."""

from __future__ import annotations

import importlib
import sys

BENCHES = [
    "bench_search",
    "bench_search_quality",
    "bench_freshness",
    "bench_reservations",
    "bench_checkout",
    "bench_pages",
    "bench_assignment",
    "bench_analytics",
    "bench_procurement",
    "bench_soak",
]


def main() -> None:
    chosen = sys.argv[1:] or BENCHES
    for name in chosen:
        module = importlib.import_module(f"tests.bench.{name}")
        module.main()


if __name__ == "__main__":
    main()
