"""The mall for people: home, category listing, search with facets, product page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, get
from litestar.enums import MediaType
from litestar.params import FromPath
from litestar.response import Response, Template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.errors import DomainError, NotFound
from infra.web.params import DbSession, Viewer
from search.korean import object_particle
from search.query import SearchHit, SearchQuery
from shop.catalog.indexing import is_listed
from shop.catalog.models import Product
from shop.catalog.taxonomy import Category
from shop.mall import product_page
from shop.mall.browse import SORT_LABELS, facet_label, labelled_facets, parse_query, run_search
from shop.mall.errors import MallErrorCode as Code
from shop.mall.listing_cache import ListingCache
from shop.vendors.access import member_role
from shop.vendors.models import Vendor


def _base_url(params: dict[str, Any]) -> str:
    """The current search without its page number, ready for ``page=N`` to be appended."""
    kept = {k: v for k, v in params.items() if k != "page" and v not in (None, "", [])}
    encoded = urlencode(kept, doseq=True)
    return f"?{encoded}&" if encoded else "?"


async def _cards(
    request: Request[Any, Any, Any], *hits: Sequence[SearchHit]
) -> tuple[frozenset[int], list[list[Markup]]]:
    """Each list of hits as drawn cards, and which of them are sold out: the cards come from
    the (cached) search results, whether they can still be bought from the database at most
    half a second ago (decision 83)."""
    cache: ListingCache = request.app.state.listing_cache
    sold_out = await cache.sold_out(
        request.app.state.read_engine, [h.id for some in hits for h in some]
    )
    env = request.app.template_engine.engine  # type: ignore[union-attr]
    return sold_out, [cache.cards(env, some, sold_out) for some in hits]


def _anonymous(request: Request[Any, Any, Any]) -> bool:
    """No account and an empty session: nothing on the page depends on who asks."""
    session = request.scope.get("session")
    return request.scope.get("user") is None and not (isinstance(session, dict) and session)


def _kept_page(
    request: Request[Any, Any, Any], name: str, context: dict[str, Any], inputs: bytes,
    sold_out: frozenset[int],
) -> Template | Response[str]:
    """The page drawn from ``context``; for a visitor without a session, drawn once per
    address, ``inputs`` (what the page's results encode to) and sold-out answer."""
    if not _anonymous(request):
        return Template(name, context=context)
    cache: ListingCache = request.app.state.listing_cache
    key = (name, request.url.path, request.url.query, inputs, sold_out)

    def render() -> str:
        full = Template(name, context=context).create_template_context(request)
        return request.app.template_engine.get_template(name).render(**full)  # type: ignore[union-attr]

    return Response(cache.page(key, render), media_type=MediaType.HTML)


async def _describe(
    session: AsyncSession, viewer: User | None, product_id: int
) -> tuple[product_page.Described, bool]:
    """The product's description from the database, and whether it is only a preview (not
    listed, shown to its vendor's members and admins); shoppers get 404."""
    row = (
        await session.execute(
            select(Product, Vendor)
            .join(Vendor, Vendor.id == Product.vendor_id)
            .where(Product.id == product_id)
        )
    ).first()
    if row is None:
        raise NotFound(Code.PRODUCT_NOT_FOUND, "상품을 찾을 수 없습니다.", field="product_id")
    loaded, vendor = row
    preview = not is_listed(loaded, vendor)
    if preview:
        allowed = viewer is not None and (
            viewer.is_admin or await member_role(session, viewer, vendor.id) is not None
        )
        if not allowed:
            raise NotFound(
                Code.PRODUCT_NOT_FOUND, "판매 중인 상품이 아닙니다.", field="product_id"
            )
    return product_page.described(loaded, vendor), preview


class MallPages(Controller):
    include_in_schema = False

    @get("/", name="mall:home")
    async def home(self, request: Request[Any, Any, Any]) -> Template | Response[str]:
        engine = request.app.state.search
        newest = await run_search(engine, SearchQuery(sort="newest", per_page=8))
        eco = await run_search(engine, SearchQuery(sort="newest", per_page=4, eco_friendly=True))
        sold_out, (newest_cards, eco_cards) = await _cards(request, newest.hits, eco.hits)
        return _kept_page(
            request, "mall/home.html",
            {"newest": newest_cards, "eco": eco_cards, "total": newest.total},
            msgspec.json.encode((newest.hits, eco.hits, newest.total)), sold_out,
        )

    @get("/search", name="mall:search")
    async def search(
        self, request: Request[Any, Any, Any], db_session: DbSession
    ) -> Template | Response[str]:
        return await self._results(
            request, request.query_params.dict(), title=None, session=db_session
        )

    @get("/categories/{category:str}", name="mall:category")
    async def category(
        self, request: Request[Any, Any, Any], db_session: DbSession, category: FromPath[str]
    ) -> Template | Response[str]:
        try:
            chosen = Category(category)
        except ValueError:
            raise NotFound(
                Code.UNKNOWN_CATEGORY, "없는 카테고리입니다.", field="category"
            ) from None
        params = request.query_params.dict()
        params["category"] = [chosen.value]
        return await self._results(request, params, title=chosen.label, session=db_session,
                                   note_unanswered=False)

    async def _results(
        self,
        request: Request[Any, Any, Any],
        params: dict[str, Any],
        title: str | None,
        session: AsyncSession,
        *,
        note_unanswered: bool = True,
    ) -> Template | Response[str]:
        error: DomainError | None = None
        try:
            query = parse_query(params)
        except DomainError as exc:
            error = exc
            query = SearchQuery(q=str(params.get("q", [""])[0] if params.get("q") else ""))
        result = await run_search(
            request.app.state.search, query,
            session if error is None and note_unanswered else None,
        )
        flat = {k: v for k, v in params.items()}
        sold_out, (cards,) = await _cards(request, result.hits)
        context = {
            "title": title,
            "query": query,
            "q": query.q,
            "result": result,
            "facets": labelled_facets(result, query),
            "sort_labels": SORT_LABELS,
            "did_you_mean_particle": object_particle(result.did_you_mean or ""),
            "base_url": _base_url(flat),
            "error": error,
            "cards": cards,
        }
        if error is not None:
            return Template("mall/search.html", context=context, status_code=400)
        inputs = msgspec.json.encode((title, msgspec.structs.replace(result, took_ms=0.0)))
        return _kept_page(request, "mall/search.html", context, inputs, sold_out)

    @get("/products/{product_id:int}", name="mall:product")
    async def product(
        self, request: Request[Any, Any, Any], viewer: Viewer, product_id: FromPath[int],
    ) -> Template:
        catalog = request.app.state.search.catalog_cache()
        page = product_page.kept(catalog, product_id)
        preview = False
        if page is None:
            # A session only when the description is not kept (most requests need none).
            async with request.app.state.session_factory() as session:
                page, preview = await _describe(session, viewer, product_id)
            if not preview:
                product_page.keep(catalog, page)
        reads: product_page.FreshReads = request.app.state.product_reads
        product, free = await reads.read(request.app.state.read_engine, page)
        return Template(
            "mall/product.html",
            context={
                "product": product,
                "vendor": page.vendor,
                "preview": preview,
                "available": free,
                "strategic_labels": [
                    facet_label("strategic_items", s) for s in product.strategic_items
                ],
            },
        )


ROUTES = [MallPages]
