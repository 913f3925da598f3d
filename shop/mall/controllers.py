"""The mall's public JSON API: product search with facets."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromQuery

from infra.web.params import DbSession
from search.query import MAX_QUERY_CHARS, MAX_SUGGESTIONS, SearchHit, Suggestion
from shop.mall.browse import labelled_facets, parse_query, run_search


class FacetValueOut(msgspec.Struct):
    value: str
    label: str
    count: int
    checked: bool


class FacetOut(msgspec.Struct):
    name: str
    title: str
    values: list[FacetValueOut]


class SearchResponse(msgspec.Struct):
    query: str
    total: int
    page: int
    per_page: int
    pages: int
    took_ms: float
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    facet_groups: list[FacetOut]
    did_you_mean: str | None = None


class SuggestResponse(msgspec.Struct):
    query: str
    suggestions: list[Suggestion]


class MallApi(Controller):
    path = "/api/search"
    tags = ["몰 검색 (Mall search)"]

    @get(
        "/products",
        operation_id="searchProducts",
        summary="상품 검색 (한국어 부분 일치, 패싯, 가격 범위, 정렬)",
        description=(
            "q: 검색어. category, enterprise_type, district, strategic_items: 여러 번 줄 수 있는 "
            "필터(같은 항목은 OR, 항목끼리는 AND). price_min/price_max: 원. "
            "sort: relevance | newest | price_asc | price_desc. page, per_page(최대 100)."
        ),
    )
    async def search_products(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        q: FromQuery[str] = "",
        category: FromQuery[list[str] | None] = None,
        enterprise_type: FromQuery[list[str] | None] = None,
        district: FromQuery[list[str] | None] = None,
        strategic_items: FromQuery[list[str] | None] = None,
        price_min: FromQuery[str | None] = None,
        price_max: FromQuery[str | None] = None,
        eco_friendly: FromQuery[str | None] = None,
        sort: FromQuery[str] = "relevance",
        page: FromQuery[str] = "1",
        per_page: FromQuery[str] = "20",
    ) -> SearchResponse:
        # Declared above for the OpenAPI document; parsed as one unit so that every
        # refusal is a problem detail naming its field.
        query = parse_query(request.query_params.dict())
        result = await run_search(request.app.state.search, query, db_session)
        return SearchResponse(
            query=query.q,
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
            took_ms=result.took_ms,
            hits=result.hits,
            facets=result.facets,
            facet_groups=[msgspec.convert(g, FacetOut) for g in labelled_facets(result, query)],
            did_you_mean=result.did_you_mean,
        )

    @get(
        "/suggest",
        operation_id="suggestProducts",
        summary="검색어 자동완성 (상품명, 카테고리; 초성·오타·입력 중인 글자 포함)",
        description="q: 입력 중인 검색어. limit: 최대 10개(기본 8).",
    )
    async def suggest(
        self,
        request: Request[Any, Any, Any],
        q: FromQuery[str] = "",
        limit: FromQuery[int] = 8,
    ) -> SuggestResponse:
        engine = request.app.state.search
        text = " ".join(q.split())[:MAX_QUERY_CHARS]
        count = max(1, min(limit, MAX_SUGGESTIONS))
        suggestions = await asyncio.to_thread(engine.suggest, text, count)
        return SuggestResponse(query=text, suggestions=suggestions)


ROUTES = [MallApi]
