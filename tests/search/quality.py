"""Search quality on the demo catalogue: a judged query set scored by nDCG@10.

Why this exists: "the engine forgives typos" is only a claim until shoppers' queries are
scored. ``judged_queries.toml`` holds queries a Korean shopper types (plain words, one-jamo
slips, 초성, particles, English, synonyms, compounds) with graded relevance per product
name; this module indexes the demo catalogue (``shop/demo_catalogue.toml``) in a temporary
embedded index, runs every query through the engine and scores the top ten. The test keeps
the figure at or above a recorded floor; ``make bench`` writes it to
``var/bench/search_quality.json``.

Gains are graded 3 (what the shopper meant), 2 (a good alternative), 1 (related); the
ideal ranking is every judged product by gain. A query with no hit at all is counted
separately: a shopper who sees nothing leaves.
"""

from __future__ import annotations

import math
import tempfile
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from search.documents import ProductDocument
from search.embedded import EmbeddedEngine
from search.query import SearchQuery
from shop.demo_data import demo_products, demo_vendors

JUDGED_FILE: Final = Path(__file__).with_name("judged_queries.toml")
K: Final = 10


@dataclass(frozen=True)
class Judged:
    q: str
    kind: str
    gains: dict[str, int]


def judged_queries() -> list[Judged]:
    data = tomllib.loads(JUDGED_FILE.read_text(encoding="utf-8"))
    return [Judged(q["q"], q["class"], dict(q["relevant"])) for q in data["query"]]


def demo_documents() -> Iterator[ProductDocument]:
    """The demo catalogue as search documents, ids in catalogue order (from 1)."""
    vendors = demo_vendors()
    epoch = datetime(2026, 1, 1, tzinfo=UTC)
    for number, product in enumerate(demo_products(vendors), start=1):
        vendor = vendors[product.vendor_index]
        prices = [v.price for v in product.variants]
        yield ProductDocument(
            id=number,
            name=product.name,
            description=product.description,
            category=product.category.value,
            category_label=product.category.label,
            enterprise_type=vendor.enterprise_type.value,
            enterprise_type_label=vendor.enterprise_type.label,
            vendor_id=product.vendor_index + 1,
            vendor_name=vendor.name,
            district=vendor.district.value,
            strategic_items=[i.value for i in product.strategic_items],
            eco_friendly=product.eco_friendly,
            price_min=min(prices),
            price_max=max(prices),
            published_at=epoch + timedelta(hours=number),
            url=f"/products/{number}",
        )


def ndcg(ranked: list[str], gains: dict[str, int], k: int = K) -> float:
    dcg = sum(
        (2 ** gains.get(name, 0) - 1) / math.log2(rank + 2) for rank, name in enumerate(ranked[:k])
    )
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def evaluate(engine: EmbeddedEngine) -> dict[str, Any]:
    """nDCG@10 over the judged set (mean), per class, and the queries with no hit."""
    per_class: dict[str, list[float]] = defaultdict(list)
    scores: list[float] = []
    zero: list[str] = []
    worst: list[tuple[float, str]] = []
    for judged in judged_queries():
        result = engine.search(SearchQuery(q=judged.q, per_page=K))
        names = [hit.name for hit in result.hits]
        score = ndcg(names, judged.gains)
        scores.append(score)
        per_class[judged.kind].append(score)
        worst.append((score, judged.q))
        if not result.hits:
            zero.append(judged.q)
    return {
        "queries": len(scores),
        "ndcg_at_10": round(sum(scores) / len(scores), 4),
        "zero_result_queries": len(zero),
        "zero_result": zero,
        "per_class": {
            kind: round(sum(values) / len(values), 4) for kind, values in sorted(per_class.items())
        },
        "worst": [f"{q} {s:.2f}" for s, q in sorted(worst)[:8]],
    }


def evaluate_demo() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="search-quality-") as tmp:
        engine = EmbeddedEngine(Path(tmp))
        try:
            engine.rebuild(demo_documents())
            return evaluate(engine)
        finally:
            engine.close()
