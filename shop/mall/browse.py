"""The mall's read side: turning a shopper's request into a search and its labels.

Search results come from the index (fast, faceted); a product page reads the database,
because a shopper about to buy must see the current price and stock, not the index's copy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from infra.errors import InvalidInput
from search.engine import SearchEngine
from search.query import SearchQuery, SearchQueryError, SearchResult
from shop.catalog.taxonomy import CATEGORY_LABELS, STRATEGIC_ITEM_LABELS
from shop.mall.errors import MallErrorCode as Code
from shop.vendors.types import ENTERPRISE_TYPE_LABELS

FACET_TITLES = {
    "category": "카테고리",
    "enterprise_type": "기업 유형",
    "district": "지역(자치구)",
    "strategic_items": "친환경 5대 분야",
}
SORT_LABELS = {
    "relevance": "정확도순",
    "newest": "최신순",
    "price_asc": "낮은 가격순",
    "price_desc": "높은 가격순",
}
_LABELS: dict[str, Mapping[Any, str]] = {
    "category": {k.value: v for k, v in CATEGORY_LABELS.items()},
    "enterprise_type": {k.value: v for k, v in ENTERPRISE_TYPE_LABELS.items()},
    "strategic_items": {k.value: v for k, v in STRATEGIC_ITEM_LABELS.items()},
}


def facet_label(facet: str, value: str) -> str:
    return _LABELS.get(facet, {}).get(value, value)


def parse_query(params: Mapping[str, str | Sequence[str]]) -> SearchQuery:
    try:
        return SearchQuery.from_params(params)
    except SearchQueryError as exc:
        raise InvalidInput(Code.INVALID_SEARCH, exc.message, field=exc.field) from exc


async def run_search(engine: SearchEngine, query: SearchQuery) -> SearchResult:
    return await asyncio.to_thread(engine.search, query)


def labelled_facets(result: SearchResult, query: SearchQuery) -> list[dict[str, Any]]:
    """Facets in display order, each value with its Korean label, count and checked state."""
    chosen = query.filters()
    groups = []
    for facet, title in FACET_TITLES.items():
        values = [
            {
                "value": value,
                "label": facet_label(facet, value),
                "count": count,
                "checked": value in chosen.get(facet, ()),
            }
            for value, count in result.facets.get(facet, {}).items()
        ]
        groups.append({"name": facet, "title": title, "values": values})
    return groups
