"""Meilisearch gets the embedded engine's looser tiers (decision 65): a slipped jamo is one
typo of a keystroke spelling, a particle comes off, and looser hits rank below strict
ones. Tested at the HTTP boundary (no Meilisearch server runs here): what is indexed, what
is asked, and how the answers are merged."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from search.documents import ProductDocument
from search.korean import keystrokes
from search.meilisearch_engine import STRICT_ATTRIBUTES, MeilisearchEngine, index_settings
from search.meilisearch_forgiving import KEYS_MARK, keys_suffixes, looser_requests
from search.query import SearchQuery
from tests.search.builders import product
from tests.search.fake_meilisearch import FakeMeilisearchServer


def _edits(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _typos_allowed(word: str) -> int:
    """Meilisearch's rule for a query word of this length, with our settings."""
    sizes = index_settings(None)["typoTolerance"]["minWordSizeForTypos"]
    return 2 if len(word) >= sizes["twoTypos"] else 1 if len(word) >= sizes["oneTypo"] else 0


@pytest.mark.parametrize(("typed", "name"), [
    ("녹챠", "유기농녹차티백"), ("텀블로", "스텐 텀블러"), ("비느", "천연 수제비누")])
def test_one_slipped_jamo_is_one_allowed_typo_of_a_prefix_of_an_indexed_ending(
    typed: str, name: str
) -> None:
    [keys] = [r for r in looser_requests(typed) if r.get("attributesToSearchOn")]
    word = keys["q"]
    assert word.startswith(KEYS_MARK)
    endings = keys_suffixes(name).split()
    best = min(_edits(word, ending[: len(word)]) for ending in endings)
    assert best <= min(1, _typos_allowed(word))
    unrelated = keys_suffixes("참기름 세트").split()
    assert all(_edits(word, e[: len(word)]) > 1 for e in unrelated)  # no match by chance


def test_short_words_get_no_typo_and_latin_words_keep_meilisearchs_rule() -> None:
    assert _typos_allowed(KEYS_MARK + keystrokes("차")) == 0  # one syllable: exact only
    assert _typos_allowed("soap") == 0 and _typos_allowed("tumbler") == 1
    assert looser_requests("tea") == []  # nothing looser to ask for a Latin word
    assert looser_requests("ㅌㅂㄹ") == []


def test_particles_come_off_and_keys_are_only_searched_on_their_attribute() -> None:
    assert looser_requests("텀블러를 에코백이랑") == [
        {"q": "텀블러 에코백"},
        {"q": f"{KEYS_MARK}{keystrokes('텀블러')} {KEYS_MARK}{keystrokes('에코백')}",
         "attributesToSearchOn": ["name_keys"]},
    ]
    assert "name_keys" not in STRICT_ATTRIBUTES


def _stored(doc: ProductDocument) -> dict[str, Any]:
    return {**msgspec.to_builtins(doc), "published_at": 1_717_200_000}


def _answer(*docs: ProductDocument, total: int | None = None) -> dict[str, Any]:
    hits = [{**_stored(d), "_formatted": _stored(d), "_rankingScore": 0.5} for d in docs]
    return {"indexUid": "products", "hits": hits, "query": "", "processingTimeMs": 1,
            "totalHits": len(docs) if total is None else total,
            "facetDistribution": {"category": {"food": len(docs)}}}


def test_documents_carry_keystroke_endings_and_the_index_searches_them(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    meili.upsert([product(1, "스텐 텀블러")])

    [sent] = server.calls("POST", "/indexes/products/documents")[0].body
    assert sent["name_keys"].split() == [
        KEYS_MARK + keystrokes(ending) for ending in ("스텐", "텀블러", "블러")]
    settings = server.calls("PATCH", "/indexes/products/settings")[0].body
    assert "name_keys" in settings["searchableAttributes"]


def test_few_strict_hits_are_followed_by_each_looser_tiers_new_hits(
    meili: MeilisearchEngine, server: FakeMeilisearchServer
) -> None:
    strict, stripped, slipped = product(1, "텀블러를 닦는 솔"), product(2, "텀블러"), product(
        3, "스텐 텀블러", category="household")
    server.indexes["products"] = {}
    server.search_responses += [
        _answer(strict),  # the page: one hit, less than a page
        _answer(strict), _answer(stripped, strict), _answer(slipped, stripped),  # the tiers
    ]

    result = meili.search(SearchQuery(q="텀블러를", per_page=2))

    page, tiers = server.calls("POST", "/multi-search")
    assert page.body["queries"][0]["q"] == "텀블러를"
    again, particles, keys = tiers.body["queries"]
    assert (again["q"], again["attributesToSearchOn"]) == ("텀블러를", STRICT_ATTRIBUTES)
    assert particles["q"] == "텀블러" and keys["attributesToSearchOn"] == ["name_keys"]
    assert [h.id for h in result.hits] == [1, 2]  # strict first, then the looser tiers'
    assert (result.total, result.pages) == (3, 2)
    assert result.facets["category"] == {"food": 2, "household": 1}

    server.search_responses += [_answer(strict), _answer(strict), _answer(stripped, strict),
                                _answer(slipped, stripped)]
    second = meili.search(SearchQuery(q="텀블러를", per_page=2, page=2))
    assert [h.id for h in second.hits] == [3]


@pytest.mark.parametrize("query", [
    SearchQuery(q="텀블러"),  # a page of strict hits
    SearchQuery(q="텀블러", sort="price_asc"),  # sorted: looser hits would interleave
    SearchQuery(q="ㅌㅂㄹ"),  # 초성 has its own attribute
])
def test_no_looser_tier_when_the_strict_answer_is_enough(
    meili: MeilisearchEngine, server: FakeMeilisearchServer, query: SearchQuery
) -> None:
    server.indexes["products"] = {}
    found = _answer(product(1, "텀블러"), total=1 if query.sort != "relevance" else 20)
    server.search_responses.append(found)

    meili.search(query)

    assert len(server.calls("POST", "/multi-search")) == 1
