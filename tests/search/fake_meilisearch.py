"""A fake Meilisearch at the HTTP boundary, for the Meilisearch engine's contract tests."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infra.clock import utcnow
from tests.fixtures.http import FakeHttpServer

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


def multi_search_body(server: FakeMeilisearchServer) -> list[dict[str, Any]]:
    queries: list[dict[str, Any]] = server.calls("POST", "/multi-search")[-1].body["queries"]
    return queries
