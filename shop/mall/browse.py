"""The mall's read side: turning a shopper's request into a search and its labels.

Search results come from the index (fast, faceted); a product page reads the database,
because a shopper about to buy must see the current price and stock, not the index's copy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.errors import InvalidInput
from search.engine import SearchEngine
from search.query import SearchQuery, SearchQueryError, SearchResult
from shop.catalog.taxonomy import CATEGORY_LABELS, STRATEGIC_ITEM_LABELS
from shop.mall.errors import MallErrorCode as Code
from shop.search_tuning.services import note_search
from shop.vendors.types import ENTERPRISE_TYPE_LABELS

log = structlog.get_logger("jangteo.mall")

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


async def run_search(
    engine: SearchEngine, query: SearchQuery, session: AsyncSession | None = None
) -> SearchResult:
    """Search; with a ``session``, a shopper's query that found too little is noted for the
    admins' list (shop.search_tuning). Noting never fails the search: without the database
    the shopper still gets the answer, and the miss goes uncounted (logged)."""
    # A result the engine already holds is a lookup: no thread for it.
    result = engine.search_kept(query)
    if result is None:
        result = await asyncio.to_thread(engine.search, query)
    if session is not None:
        try:
            await note_search(session, query, result.total)
        except SQLAlchemyError:
            log.warning("unanswered_search_not_noted", exc_info=True)
    return result


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
