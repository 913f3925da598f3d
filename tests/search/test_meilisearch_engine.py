"""The Meilisearch engine at its HTTP boundary: the requests it makes and how it reads replies."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec
import pytest

from infra.clock import utcnow
from search.documents import FACETS
from search.engine import SearchEngineError
from search.meilisearch_engine import (
    HIGHLIGHT_POST,
    HIGHLIGHT_PRE,
    MeilisearchEngine,
    index_settings,
)
from search.query import SearchQuery
from search.synonyms import SynonymTable, parse_lines
from tests.fixtures.http import FakeHttpServer
from tests.search.builders import product

API_KEY = "test-master-key"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeMeilisearchServer(FakeHttpServer):
    """A fake Meilisearch on loopback, because no real server can run on this machine.

    It speaks the parts of the HTTP API the engine uses, with the response shapes of
    Meilisearch 1.x: asynchronous writes answer ``202`` with a task summary and the task
    is immediately ``succeeded`` (or ``failed`` when scripted) on ``GET /tasks/{uid}``;
    indexes and their documents live in memory, ``swap-indexes`` swaps them. Searches
    answer with the responses a test scripted in ``search_responses`` (one per query, in
    order), otherwise with every stored document as a hit. Every request is recorded so
    tests can assert on what the client sent.
    """

    requests: list[Recorded] = field(default_factory=list)
    indexes: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    tasks: dict[int, dict[str, Any]] = field(default_factory=dict)
    fail_task_types: set[str] = field(default_factory=set)
    search_responses: list[dict[str, Any]] = field(default_factory=list)

    def exchange(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(path)
        body = json.loads(raw) if raw else None
        query = parse_qs(parts.query)
        self.requests.append(Recorded(method, parts.path, query, headers, body))
        status, payload = self.respond(method, parts.path, query, body)
        return status, payload, {}

    # -- behaviour --------------------------------------------------------------------------

    def _task(self, index_uid: str | None, type_: str, error: dict[str, Any] | None = None) -> Any:
        uid = len(self.tasks)
        now = utcnow().isoformat().replace("+00:00", "Z")
        failed = error is not None or type_ in self.fail_task_types
        if failed and error is None:
            error = {"message": f"scripted failure of {type_}", "code": "internal"}
        self.tasks[uid] = {
            "uid": uid,
            "indexUid": index_uid,
            "status": "failed" if failed else "succeeded",
            "type": type_,
            "details": {},
            "error": error if failed else None,
            "duration": "PT0.001S",
            "enqueuedAt": now,
            "startedAt": now,
            "finishedAt": now,
        }
        summary = {"taskUid": uid, "indexUid": index_uid, "status": "enqueued", "type": type_}
        return 202, {**summary, "enqueuedAt": now}

    def respond(
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        if method == "GET" and path == "/health":
            return 200, {"status": "available"}
        if match := re.fullmatch(r"/tasks/(\d+)", path):
            return 200, self.tasks[int(match.group(1))]
        if method == "POST" and path == "/indexes":
            uid = body["uid"]
            if uid in self.indexes:
                error = {
                    "message": f"Index `{uid}` already exists.",
                    "code": "index_already_exists",
                }
                return self._task(uid, "indexCreation", error)
            self.indexes[uid] = {}
            return self._task(uid, "indexCreation")
        if method == "POST" and path == "/swap-indexes":
            for swap in body:
                a, b = swap["indexes"]
                self.indexes[a], self.indexes[b] = self.indexes[b], self.indexes[a]
            return self._task(None, "indexSwap")
        if method == "POST" and path == "/multi-search":
            return 200, {"results": [self._search(q) for q in body["queries"]]}
        match = re.fullmatch(r"/indexes/([^/]+)(/.*)?", path)
        assert match, f"unexpected request {method} {path}"
        uid, rest = match.group(1), match.group(2) or ""
        if method == "DELETE" and rest == "":
            self.indexes.pop(uid, None)
            return self._task(uid, "indexDeletion")
        if uid not in self.indexes:
            return 404, {
                "message": f"Index `{uid}` not found.",
                "code": "index_not_found",
                "type": "invalid_request",
                "link": "https://docs.meilisearch.com/errors#index_not_found",
            }
        if method == "PATCH" and rest == "/settings":
            return self._task(uid, "settingsUpdate")
        if method == "POST" and rest == "/documents":
            for doc in body:
                self.indexes[uid][doc["id"]] = doc
            return self._task(uid, "documentAdditionOrUpdate")
        if method == "POST" and rest == "/documents/delete":
            listed = re.fullmatch(r"id IN \[([\d, ]*)\]", body["filter"])
            assert listed, body["filter"]
            for doc_id in listed.group(1).split(","):
                if doc_id.strip():
                    self.indexes[uid].pop(int(doc_id), None)
            return self._task(uid, "documentDeletion")
        if method == "GET" and rest == "/stats":
            count = len(self.indexes[uid])
            return 200, {"numberOfDocuments": count, "isIndexing": False, "fieldDistribution": {}}
        raise AssertionError(f"unexpected request {method} {path}")

    def _search(self, query: dict[str, Any]) -> dict[str, Any]:
        if self.search_responses:
            return self.search_responses.pop(0)
        docs = list(self.indexes.get(query["indexUid"], {}).values())
        per_page = query.get("hitsPerPage", query.get("limit", 20))
        return {
            "indexUid": query["indexUid"],
            "hits": [{**d, "_formatted": d, "_rankingScore": 0.5} for d in docs[:per_page]],
            "query": query["q"],
            "processingTimeMs": 1,
            "hitsPerPage": per_page,
            "page": query.get("page", 1),
            "totalPages": 1,
            "totalHits": len(docs),
            "facetDistribution": {facet: {} for facet in query.get("facets", [])},
            "facetStats": {},
        }

    # -- assertions helpers -----------------------------------------------------------------

    def calls(self, method: str, path_pattern: str) -> list[Recorded]:
        return [
            r for r in self.requests if r.method == method and re.fullmatch(path_pattern, r.path)
        ]


@pytest.fixture
def server() -> Iterator[FakeMeilisearchServer]:
    fake = FakeMeilisearchServer()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def meili(server: FakeMeilisearchServer) -> MeilisearchEngine:
    return MeilisearchEngine(server.url, API_KEY)


def multi_search_body(server: FakeMeilisearchServer) -> list[dict[str, Any]]:
    queries: list[dict[str, Any]] = server.calls("POST", "/multi-search")[-1].body["queries"]
    return queries


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
    meili.search(SearchQuery(q="텀ㅂ"))  # mixed: as typed, on every attribute
    [mixed] = multi_search_body(server)
    assert mixed["q"] == "텀ㅂ" and "attributesToSearchOn" not in mixed



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

    main, by_category, by_district = multi_search_body(server)
    assert main["facets"] == ["enterprise_type", "strategic_items"]
    assert main["filter"] == ['category IN ["food", "household"]', 'district IN ["마포구"]']
    assert by_category == {
        "indexUid": "products",
        "q": "선물",
        "filter": ['district IN ["마포구"]'],
        "facets": ["category"],
        "limit": 0,
    }
    assert by_district["filter"] == ['category IN ["food", "household"]']
    assert by_district["facets"] == ["district"]


def test_sort_pagination_and_highlight_parameters(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    server.indexes["products"] = {}
    meili.search(SearchQuery(q="쿠키", sort="price_desc", page=3, per_page=12))
    meili.search(SearchQuery(q="쿠키"))
    meili.search(SearchQuery())

    first = server.calls("POST", "/multi-search")[0].body["queries"][0]
    assert first["sort"] == ["price_min:desc"]
    assert (first["page"], first["hitsPerPage"]) == (3, 12)
    assert first["highlightPreTag"] == HIGHLIGHT_PRE
    assert first["attributesToCrop"] == ["description"]
    relevance = server.calls("POST", "/multi-search")[1].body["queries"][0]
    assert "sort" not in relevance
    browse = server.calls("POST", "/multi-search")[2].body["queries"][0]
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

    [request] = server.calls("POST", "/multi-search")[-1].body["queries"]
    assert request["q"] == "텀블"
    assert request["limit"] == 10  # MAX_SUGGESTIONS
    wanted = {"id", "name", "url", "category", "category_label"}
    assert set(request["attributesToRetrieve"]) == wanted
    assert [s.name for s in suggestions] == ["스테인리스텀블러", "유기농녹차"]
    assert suggestions[0].category_label == "식품"
    assert meili.suggest("   ") == []
