"""The Meilisearch engine at its HTTP boundary: the requests it makes and how it reads replies."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import msgspec
import pytest

from search.documents import FACETS
from search.engine import SearchEngineError
from search.meilisearch_engine import (
    HIGHLIGHT_POST,
    HIGHLIGHT_PRE,
    STRICT_ATTRIBUTES,
    MeilisearchEngine,
    index_settings,
)
from search.query import SearchQuery
from search.synonyms import SynonymTable, parse_lines
from tests.search.builders import product
from tests.search.fake_meilisearch import API_KEY, FakeMeilisearchServer, multi_search_body

# -- settings and writes ----------------------------------------------------------------------


def test_first_write_creates_index_with_korean_aware_settings(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    meili.upsert([product(1, "유기농수제쿠키선물세트")])

    [create] = server.calls("POST", "/indexes")
    assert create.body == {"uid": "products", "primaryKey": "id"}
    [settings] = server.calls("PATCH", "/indexes/products/settings")
    assert settings.body == index_settings(SynonymTable.load())
    assert settings.body["searchableAttributes"][:3] == ["name", "vendor_name", "description"]
    assert set(settings.body["filterableAttributes"]) >= {
        *FACETS,
        "price_min",
        "price_max",
        "eco_friendly",
    }
    assert settings.body["sortableAttributes"] == ["price_min", "published_at"]
    assert settings.body["typoTolerance"] == {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
    }
    assert settings.body["rankingRules"][:2] == ["words", "typo"]
    # The same synonym table as the embedded engine (search/synonyms.toml).
    assert "텀블러" in settings.body["synonyms"]["tumbler"]
    assert "차" in settings.body["synonyms"]["tea"]
    [localized] = settings.body["localizedAttributes"]
    assert localized["locales"] == ["kor"]
    assert {"name", "description", "vendor_name"} <= set(localized["attributePatterns"])


def test_every_request_carries_the_api_key(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    meili.upsert([product(1, "쿠키")])
    meili.search(SearchQuery(q="쿠키"))

    assert server.requests
    assert {r.headers["authorization"] for r in server.requests} == {f"Bearer {API_KEY}"}


def test_upsert_sends_whole_documents_and_waits_for_the_task(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    doc = product(7, f"쿠키{HIGHLIGHT_PRE}세트", strategic_items=["green_cycle"])
    meili.upsert([doc])

    [add] = server.calls("POST", "/indexes/products/documents")
    assert add.query == {"primaryKey": ["id"]}
    [sent] = add.body
    assert sent["published_at"] == int(doc.published_at.timestamp())
    assert sent["name"] == "쿠키세트"  # placeholder characters cannot be smuggled in
    assert sent["strategic_items"] == ["green_cycle"]
    task_uid = server.tasks[max(server.tasks)]["uid"]
    assert server.calls("GET", f"/tasks/{task_uid}")
    assert server.indexes["products"][7]["price_min"] == doc.price_min


def test_delete_uses_an_id_filter(meili: MeilisearchEngine, server: FakeMeilisearchServer) -> None:
    meili.upsert([product(1, "쿠키"), product(2, "한과"), product(3, "약과")])
    meili.delete([1, 3, 1])

    [delete] = server.calls("POST", "/indexes/products/documents/delete")
    assert delete.body == {"filter": "id IN [1, 3]"}
    assert list(server.indexes["products"]) == [2]


def test_failed_task_raises_search_engine_error(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    server.fail_task_types.add("documentAdditionOrUpdate")

    with pytest.raises(SearchEngineError, match="scripted failure"):
        meili.upsert([product(1, "쿠키")])


def test_rebuild_fills_a_new_index_swaps_it_in_and_deletes_the_old(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    meili.upsert([product(1, "옛 상품")])

    stats = meili.rebuild([product(2, "새 쿠키"), product(3, "새 한과")])

    temp = stats.index
    assert re.fullmatch(r"products_\d+", temp)
    assert stats.docs == 2
    order = [(r.method, r.path) for r in server.requests if not r.path.startswith("/tasks")]
    expected = [
        ("POST", "/indexes"),
        ("PATCH", f"/indexes/{temp}/settings"),
        ("POST", f"/indexes/{temp}/documents"),
        ("POST", "/swap-indexes"),
        ("DELETE", f"/indexes/{temp}"),
    ]
    assert order[-5:] == expected
    [swap] = server.calls("POST", "/swap-indexes")
    assert swap.body == [{"indexes": ["products", temp]}]
    assert sorted(server.indexes["products"]) == [2, 3]
    assert temp not in server.indexes
    assert len(server.calls("GET", r"/tasks/\d+")) == len(server.tasks)  # every task awaited


def test_a_rebuild_gives_its_new_index_the_admins_synonyms_and_a_restart_keeps_them(
    server: FakeMeilisearchServer,
) -> None:
    """Decision 62: the synonym version handed to a rebuild is set on the new index before
    the swap; a process that starts later re-checks the settings without its synonyms."""
    meili = MeilisearchEngine(server.url, API_KEY)
    meili.upsert([product(1, "작설차")])
    saved = parse_lines("sencha => 작설차\n", version=7)

    stats = meili.rebuild([product(1, "작설차")], saved)

    temp_settings = server.calls("PATCH", f"/indexes/{stats.index}/settings")[-1].body
    assert temp_settings["synonyms"] == {"sencha": ["작설차"]}
    assert temp_settings["typoTolerance"] == index_settings(None)["typoTolerance"]
    restarted = MeilisearchEngine(server.url, API_KEY)
    restarted.upsert([product(2, "현미녹차")])
    recheck = server.calls("PATCH", "/indexes/products/settings")[-1].body
    assert "synonyms" not in recheck
    assert recheck["rankingRules"] == index_settings(None)["rankingRules"]


# -- search requests ------------------------------------------------------------------------------


def test_initials_only_search_the_names_chosung_anywhere_in_a_compound(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    meili.upsert([product(1, "스텐텀블러 대용량")])
    [sent] = server.calls("POST", "/indexes/products/documents")[0].body
    assert sent["name_chosung"].split() == [
        "ㅅㅌㅌㅂㄹ", "ㅌㅌㅂㄹ", "ㅌㅂㄹ", "ㅂㄹ", "ㄷㅇㄹ", "ㅇㄹ"]
    assert server.calls("PATCH", "/indexes/products/settings")[0].body[
        "searchableAttributes"][-1] == "name_chosung"

    meili.search(SearchQuery(q="ㅌㅂㄹ", category=("household",)))
    page, facet = multi_search_body(server)
    for request in (page, facet):
        assert request["q"] == "ㅌㅂㄹ" and request["attributesToSearchOn"] == ["name_chosung"]
    meili.suggest("ㅌㅂ")
    [suggest] = multi_search_body(server)
    assert suggest["attributesToSearchOn"] == ["name_chosung"]
    meili.search(SearchQuery(q="텀ㅂ"))  # mixed: as typed, on every attribute but the keys
    [mixed] = multi_search_body(server)
    assert mixed["q"] == "텀ㅂ" and mixed["attributesToSearchOn"] == STRICT_ATTRIBUTES



def test_filters_quote_values_and_escape_quotes(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    server.indexes["products"] = {}
    meili.search(
        SearchQuery(
            q="쿠키",
            category=("food",),
            district=("성북구", 'x" OR id > 0 OR district = "y'),
            price_min=1_000,
            price_max=30_000,
            eco_friendly=True,
        )
    )

    main = multi_search_body(server)[0]
    assert main["filter"] == [
        'category IN ["food"]',
        'district IN ["성북구", "x\\" OR id > 0 OR district = \\"y"]',
        "price_max >= 1000",
        "price_min <= 30000",
        "eco_friendly = true",
    ]


def test_disjunctive_facets_use_one_multi_search_with_a_query_per_filtered_facet(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    server.indexes["products"] = {}
    meili.search(SearchQuery(q="선물", category=("food", "household"), district=("마포구",)))

    strict, looser = server.calls("POST", "/multi-search")  # nothing found: looser tiers
    main, by_category, by_district = strict.body["queries"]
    assert main["facets"] == ["enterprise_type", "strategic_items"]
    assert main["filter"] == ['category IN ["food", "household"]', 'district IN ["마포구"]']
    assert by_category == {
        "indexUid": "products",
        "q": "선물",
        "attributesToSearchOn": STRICT_ATTRIBUTES,
        "filter": ['district IN ["마포구"]'],
        "facets": ["category"],
        "limit": 0,
    }
    assert by_district["filter"] == ['category IN ["food", "household"]']
    assert by_district["facets"] == ["district"]
    assert all(q["filter"] == main["filter"] for q in looser.body["queries"])


def test_sort_pagination_and_highlight_parameters(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    server.indexes["products"] = {}
    meili.search(SearchQuery(q="쿠키", sort="price_desc", page=3, per_page=12))
    meili.search(SearchQuery(q="쿠키"))
    meili.search(SearchQuery())

    pages = [c.body["queries"][0] for c in server.calls("POST", "/multi-search")
             if "page" in c.body["queries"][0]]  # not the looser tiers (nothing was found)
    first = pages[0]
    assert first["sort"] == ["price_min:desc"]
    assert (first["page"], first["hitsPerPage"]) == (3, 12)
    assert first["highlightPreTag"] == HIGHLIGHT_PRE
    assert first["attributesToCrop"] == ["description"]
    relevance = pages[1]
    assert "sort" not in relevance
    browse = pages[2]
    assert browse["sort"] == ["published_at:desc"]


# -- reading responses ---------------------------------------------------------------------------


def test_search_response_becomes_a_result_with_safe_highlights(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    doc = product(5, "<i>수제</i>쿠키", district="성북구", strategic_items=["green_cycle"])
    stored = {**msgspec.to_builtins(doc), "published_at": 1_717_200_000}
    hit = {
        **stored,
        "_formatted": {
            **stored,
            "name": f"<i>수제</i>{HIGHLIGHT_PRE}쿠키{HIGHLIGHT_POST}",
            "description": f"…맛있는 {HIGHLIGHT_PRE}쿠키{HIGHLIGHT_POST} & 우유…",
        },
        "_rankingScore": 0.875,
    }
    main = {
        "indexUid": "products",
        "hits": [hit],
        "query": "쿠키",
        "processingTimeMs": 2,
        "hitsPerPage": 20,
        "page": 1,
        "totalPages": 3,
        "totalHits": 41,
        "facetDistribution": {"enterprise_type": {"village": 30, "cooperative": 11}},
        "facetStats": {},
    }
    server.indexes["products"] = {}
    server.search_responses.append(main)

    result = meili.search(SearchQuery(q="쿠키"))

    assert (result.total, result.pages, result.page, result.per_page) == (41, 3, 1, 20)
    assert result.facets["enterprise_type"] == {"village": 30, "cooperative": 11}
    assert set(result.facets) == set(FACETS)
    [parsed] = result.hits
    assert parsed.id == 5 and parsed.score == 0.875
    assert parsed.published_at == datetime.fromtimestamp(1_717_200_000, tz=UTC)
    assert parsed.name_highlight == "&lt;i&gt;수제&lt;/i&gt;<mark>쿠키</mark>"
    assert parsed.snippet_highlight == "…맛있는 <mark>쿠키</mark> &amp; 우유…"
    assert parsed.strategic_items == ["green_cycle"]


def test_facet_counts_come_from_the_query_without_the_facets_own_filter(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    server.indexes["products"] = {}
    base = {"indexUid": "products", "hits": [], "query": "", "processingTimeMs": 0}
    server.search_responses += [
        {**base, "totalHits": 2, "facetDistribution": {"enterprise_type": {"village": 2}}},
        {**base, "totalHits": 7, "facetDistribution": {"category": {"food": 2, "household": 5}}},
    ]

    result = meili.search(SearchQuery(category=("food",)))

    assert result.facets["category"] == {"household": 5, "food": 2}
    assert result.facets["enterprise_type"] == {"village": 2}


def test_search_before_the_index_exists_is_empty_not_an_error(meili: MeilisearchEngine) -> None:
    result = meili.search(SearchQuery(q="쿠키", district=("성북구",)))

    assert (result.total, result.hits) == (0, [])
    assert result.facets["district"] == {"성북구": 0}


def test_health_and_count(meili: MeilisearchEngine, server: FakeMeilisearchServer) -> None:
    meili.upsert([product(1, "쿠키"), product(2, "한과")])

    health = meili.health()

    assert health == {
        "ok": True,
        "engine": "meilisearch",
        "docs": 2,
        "details": {"url": server.url, "index": "products", "status": "available"},
    }
    assert meili.count() == 2


def test_unreachable_server_is_reported_unhealthy() -> None:
    unreachable = MeilisearchEngine("http://127.0.0.1:9", API_KEY, timeout_s=1)

    health = unreachable.health()

    assert health["ok"] is False and "error" in health["details"]
    with pytest.raises(SearchEngineError):
        unreachable.search(SearchQuery(q="쿠키"))


def test_suggest_asks_for_a_few_names_and_reads_them(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    meili.upsert([product(1, "스테인리스텀블러"), product(2, "유기농녹차")])

    suggestions = meili.suggest("  텀블  ", limit=50)

    request, keys = server.calls("POST", "/multi-search")[-1].body["queries"]
    assert request["q"] == "텀블"
    assert keys["q"] == "zxjaqmf" and keys["attributesToSearchOn"] == ["name_keys"]
    assert request["limit"] == 10  # MAX_SUGGESTIONS
    wanted = {"id", "name", "url", "category", "category_label"}
    assert set(request["attributesToRetrieve"]) == wanted
    assert [s.name for s in suggestions] == ["스테인리스텀블러", "유기농녹차"]
    assert suggestions[0].category_label == "식품"
    assert meili.suggest("   ") == []
