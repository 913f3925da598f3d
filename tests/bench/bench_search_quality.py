"""Search quality: nDCG@10 of the judged query set on the demo catalogue.

Writes ``var/bench/search_quality.json`` with the mean, the count of queries that found
nothing, and the mean per query class. Run with ``python -m tests.bench.bench_search_quality``.
"""

from __future__ import annotations

from tests.bench.common import write_result
from tests.search.quality import evaluate_demo


def main() -> None:
    report = evaluate_demo()
    metrics = {
        "queries": report["queries"],
        "ndcg_at_10": report["ndcg_at_10"],
        "zero_result_queries": report["zero_result_queries"],
    }
    metrics.update({f"ndcg_at_10_{kind}": v for kind, v in report["per_class"].items()})
    write_result("search_quality", metrics)


if __name__ == "__main__":
    main()
