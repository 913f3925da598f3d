"""The embedded engine's promises: filters, facets, sorting, paging, safe highlights,
idempotent writes, and rebuilds that never interrupt searches in any process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import tantivy

from search.documents import FACETS, ProductDocument
from search.embedded import EmbeddedEngine
from search.engine import SearchEngineError, make_engine
from search.meilisearch_engine import MeilisearchEngine
from search.query import SearchQuery
from tests.search.builders import product

ROOT = Path(__file__).resolve().parents[2]


def ids(embedded: EmbeddedEngine, **query: object) -> list[int]:
    return [hit.id for hit in embedded.search(SearchQuery(**query)).hits]  # type: ignore[arg-type]


@pytest.fixture
def market(embedded: EmbeddedEngine) -> EmbeddedEngine:
    """Six products spread over two categories, two districts and two strategic items."""
    embedded.upsert(
        [
            product(1, "수제쿠키", category="food", district="성북구", price=5_000),
            product(2, "전통한과", category="food", district="마포구", price=20_000),
            product(
                3,
                "유기농 쌀과자",
                category="food",
                district="성북구",
                price=8_000,
                strategic_items=["green_agriculture"],
            ),
            product(4, "에코백", category="household", district="성북구", price=15_000),
            product(
                5,
                "천연비누",
                category="household",
                district="마포구",
                price=7_000,
                strategic_items=["green_cycle", "green_agriculture"],
                eco_friendly=True,
            ),
            product(6, "소창행주", category="household", district="마포구", price=3_000),
        ]
    )
    return embedded


# -- filters and facets ------------------------------------------------------------------


def test_facet_counts_ignore_their_own_filter_but_apply_the_others(
    market: EmbeddedEngine,
) -> None:
    result = market.search(SearchQuery(category=("food",)))

    assert sorted(h.id for h in result.hits) == [1, 2, 3]
    # category counts ignore category=food, so the shopper sees household could be added
    assert result.facets["category"] == {"food": 3, "household": 3}
    # district counts are restricted to food
    assert result.facets["district"] == {"성북구": 2, "마포구": 1}
    assert result.facets["strategic_items"] == {"green_agriculture": 1}


def test_facet_filters_are_or_within_and_across_facets_with_disjunctive_counts(
    market: EmbeddedEngine,
) -> None:
    result = market.search(SearchQuery(category=("food", "household"), district=("마포구",)))

    assert sorted(h.id for h in result.hits) == [2, 5, 6]
    assert result.facets["category"] == {"household": 2, "food": 1}  # within 마포구
    assert result.facets["district"] == {"마포구": 3, "성북구": 3}  # within both categories


def test_selected_value_without_matches_is_still_listed_with_zero(
    market: EmbeddedEngine,
) -> None:
    result = market.search(SearchQuery(q="쿠키", district=("강남구",)))

    assert result.total == 0
    assert result.facets["district"] == {"성북구": 1, "강남구": 0}
    assert set(result.facets) == set(FACETS)


def test_multi_valued_strategic_items_filter_and_count(market: EmbeddedEngine) -> None:
    result = market.search(SearchQuery(strategic_items=("green_cycle",)))

    assert [h.id for h in result.hits] == [5]
    assert result.facets["strategic_items"] == {"green_agriculture": 2, "green_cycle": 1}
    assert result.facets["category"] == {"household": 1}


def test_facet_counts_respect_text_query(market: EmbeddedEngine) -> None:
    result = market.search(SearchQuery(q="비누"))

    assert result.facets["category"] == {"household": 1}
    assert result.facets["district"] == {"마포구": 1}


def test_facet_counts_follow_writes_even_when_paging_reuses_them(market: EmbeddedEngine) -> None:
    before = market.search(SearchQuery(category=("food",)))
    before.facets["category"]["food"] = 999  # a caller mutating its copy changes nothing
    again = market.search(SearchQuery(category=("food",)))
    assert again.facets["category"]["food"] == 3

    market.upsert([product(9, "들기름", category="food", district="성북구")])
    after = market.search(SearchQuery(category=("food",), page=2, per_page=2))

    assert after.facets["category"] == {"food": 4, "household": 3}
    assert after.facets["district"] == {"성북구": 3, "마포구": 1}


def test_price_range_keeps_products_with_any_variant_in_range(embedded: EmbeddedEngine) -> None:
    embedded.upsert(
        [
            product(1, "선물세트 A", price_min=1_000, price_max=3_000),
            product(2, "선물세트 B", price_min=5_000, price_max=5_000),
            product(3, "선물세트 C", price_min=3_500, price_max=9_000),
        ]
    )

    assert sorted(ids(embedded, price_min=2_500, price_max=4_000)) == [1, 3]
    assert sorted(ids(embedded, price_min=5_000)) == [2, 3]
    assert sorted(ids(embedded, price_max=1_000)) == [1]


def test_eco_friendly_filter(market: EmbeddedEngine) -> None:
    assert ids(market, eco_friendly=True) == [5]
    assert 5 not in ids(market, eco_friendly=False)


# -- sorting and paging ----------------------------------------------------------------


def test_price_sorts_order_by_lowest_variant_price(market: EmbeddedEngine) -> None:
    assert ids(market, sort="price_asc") == [6, 1, 5, 3, 4, 2]
    assert ids(market, sort="price_desc") == [2, 4, 3, 5, 1, 6]


def test_newest_sort_and_wordless_browse_put_latest_first(market: EmbeddedEngine) -> None:
    assert ids(market, sort="newest") == [6, 5, 4, 3, 2, 1]
    assert ids(market) == [6, 5, 4, 3, 2, 1]  # relevance without words has no scores


def test_relevance_sort_orders_by_score(embedded: EmbeddedEngine) -> None:
    embedded.upsert(
        [
            product(1, "행주", description="쿠키 굽는 날 쓰는 행주"),
            product(2, "버터쿠키", description="쿠키 장인의 쿠키"),
        ]
    )
    hits = embedded.search(SearchQuery(q="쿠키")).hits

    assert [h.id for h in hits] == [2, 1]
    assert hits[0].score > hits[1].score > 0


def test_pages_partition_the_results_without_overlap(embedded: EmbeddedEngine) -> None:
    embedded.upsert([product(i, f"쿠키 {i}호") for i in range(1, 26)])

    pages = [embedded.search(SearchQuery(q="쿠키", page=p, per_page=10)) for p in (1, 2, 3, 4)]

    assert [len(p.hits) for p in pages] == [10, 10, 5, 0]
    assert all(p.total == 25 and p.pages == 3 for p in pages)
    seen = [h.id for p in pages for h in p.hits]
    assert sorted(seen) == list(range(1, 26))


# -- highlighting --------------------------------------------------------------------------


def test_highlight_marks_matches_and_escapes_vendor_html(embedded: EmbeddedEngine) -> None:
    embedded.upsert(
        [product(1, "<script>쿠키</script>", description='"수제" 쿠키 & 우유 <b>세트</b>')]
    )

    hit = embedded.search(SearchQuery(q="쿠키")).hits[0]

    assert hit.name_highlight == "&lt;script&gt;<mark>쿠키</mark>&lt;/script&gt;"
    assert hit.snippet_highlight == (
        "&quot;수제&quot; <mark>쿠키</mark> &amp; 우유 &lt;b&gt;세트&lt;/b&gt;"
    )
    assert hit.highlight.startswith(hit.name_highlight)
    assert "<script>" not in hit.highlight and "<b>" not in hit.highlight


def test_long_description_is_cut_around_the_first_match(embedded: EmbeddedEngine) -> None:
    description = "가" * 300 + " 한정판 쿠키 " + "나" * 300
    embedded.upsert([product(1, "선물", description=description)])

    snippet = embedded.search(SearchQuery(q="쿠키")).hits[0].snippet_highlight

    assert "<mark>쿠키</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 200


# -- writes ----------------------------------------------------------------------------------


def test_upsert_replaces_a_product_instead_of_duplicating_it(embedded: EmbeddedEngine) -> None:
    embedded.upsert([product(1, "수제쿠키", price=5_000)])
    embedded.upsert([product(1, "수제한과", price=9_000)])

    assert embedded.count() == 1
    assert ids(embedded, q="쿠키") == []
    hit = embedded.search(SearchQuery(q="한과")).hits[0]
    assert (hit.id, hit.price_min) == (1, 9_000)


def test_last_version_wins_within_one_batch(embedded: EmbeddedEngine) -> None:
    embedded.upsert([product(1, "수제쿠키"), product(1, "수제한과")])

    assert embedded.count() == 1
    assert ids(embedded, q="한과") == [1]


def test_delete_removes_products_and_ignores_unknown_ids(market: EmbeddedEngine) -> None:
    market.delete([1, 2, 999])

    assert market.count() == 4
    assert ids(market, q="쿠키") == []


def test_empty_index_answers_with_empty_result(embedded: EmbeddedEngine) -> None:
    result = embedded.search(SearchQuery(q="쿠키", category=("food",)))

    assert (result.total, result.hits, result.pages) == (0, [], 0)
    assert result.facets == {
        "category": {"food": 0},
        "enterprise_type": {},
        "district": {},
        "strategic_items": {},
    }


# -- rebuild and the multi-process reality -------------------------------------------------


def test_rebuild_swaps_in_a_new_generation(market: EmbeddedEngine) -> None:
    stats = market.rebuild([product(10, "대나무칫솔"), product(11, "밀랍초")])

    assert (stats.docs, stats.index) == (2, "products-2")
    assert market.index.live_generation() == 2
    assert market.count() == 2
    assert ids(market, q="쿠키") == []
    assert ids(market, q="칫솔") == [10]


def test_old_generations_do_not_accumulate(embedded: EmbeddedEngine, data_dir: Path) -> None:
    for round_ in range(4):
        embedded.rebuild([product(round_, "쿠키")])

    assert embedded.index.generations() == [4, 5]  # live and the previous one only
    assert not list(data_dir.glob("*.journal"))


def test_searches_keep_working_on_the_old_index_during_a_rebuild(
    market: EmbeddedEngine, data_dir: Path
) -> None:
    web = EmbeddedEngine(data_dir)
    seen_during_build: list[list[int]] = []

    def catalogue() -> Iterator[ProductDocument]:
        for i in range(1, 50):
            if i == 25:
                seen_during_build.append(ids(web, q="쿠키"))
            yield product(100 + i, f"새 쿠키 {i}")

    market.rebuild(catalogue())

    assert seen_during_build == [[1]]
    assert len(web.search(SearchQuery(q="쿠키", per_page=100)).hits) == 49


def test_writes_made_by_the_worker_during_a_rebuild_survive_the_swap(
    market: EmbeddedEngine, data_dir: Path
) -> None:
    worker = EmbeddedEngine(data_dir)
    cli = EmbeddedEngine(data_dir)

    def catalogue() -> Iterator[ProductDocument]:
        yield product(1, "수제쿠키")
        worker.upsert([product(7, "업사이클 파우치")])  # lands in the live generation
        worker.delete([1])  # and this too; both are journaled for the new one
        assert ids(worker, q="파우치") == [7]
        yield product(2, "전통한과")

    cli.rebuild(catalogue())

    assert sorted(ids(market, sort="newest")) == [2, 7]


def test_a_second_rebuild_while_one_runs_is_refused(market: EmbeddedEngine, data_dir: Path) -> None:
    other = EmbeddedEngine(data_dir)
    refused: list[str] = []

    def catalogue() -> Iterator[ProductDocument]:
        with pytest.raises(SearchEngineError) as info:
            other.rebuild([])
        refused.append(str(info.value))
        yield product(1, "쿠키")

    market.rebuild(catalogue())

    assert refused and "running" in refused[0]


def test_failed_rebuild_leaves_the_live_index_untouched(
    market: EmbeddedEngine, data_dir: Path
) -> None:
    def broken() -> Iterator[ProductDocument]:
        yield product(50, "반쯤 만든 색인")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        market.rebuild(broken())

    assert market.index.live_generation() == 1
    assert market.index.generations() == [1]
    assert not (data_dir / "products.building").exists()
    market.upsert([product(51, "쿠키 하나 더")])
    assert sorted(ids(market, q="쿠키")) == [1, 51]


def test_stale_marker_from_a_crashed_rebuild_is_ignored(
    market: EmbeddedEngine, data_dir: Path
) -> None:
    (data_dir / "products.building").write_text("9\n")  # nobody holds its lock

    market.upsert([product(8, "밀랍초")])
    stats = market.rebuild([product(8, "밀랍초")])

    assert not (data_dir / "products-9.journal").exists()
    assert stats.index == "products-2"
    assert ids(market, q="밀랍초") == [8]


def test_a_reader_sees_commits_made_by_another_engine_instance(data_dir: Path) -> None:
    web = EmbeddedEngine(data_dir)
    worker = EmbeddedEngine(data_dir)
    assert web.search(SearchQuery(q="쿠키")).total == 0

    worker.upsert([product(1, "수제쿠키")])
    assert web.search(SearchQuery(q="쿠키")).total == 1

    worker.delete([1])
    assert web.search(SearchQuery(q="쿠키")).total == 0


@pytest.mark.slow
def test_a_reader_sees_commits_made_by_another_process(data_dir: Path) -> None:
    web = EmbeddedEngine(data_dir)
    assert web.count() == 0
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from search.embedded import EmbeddedEngine\n"
        "from tests.search.builders import product\n"
        "EmbeddedEngine(Path(sys.argv[1])).upsert([product(1, '마을기업전통한과')])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-c", script, str(data_dir)], check=True, env=env, cwd=ROOT, timeout=60
    )

    assert [h.id for h in web.search(SearchQuery(q="한과")).hits] == [1]


def test_worker_follows_the_pointer_after_a_rebuild(data_dir: Path) -> None:
    worker = EmbeddedEngine(data_dir)
    web = EmbeddedEngine(data_dir)
    worker.upsert([product(1, "수제쿠키")])
    assert web.count() == 1

    EmbeddedEngine(data_dir).rebuild([product(1, "수제쿠키")])
    worker.upsert([product(2, "전통한과")])

    assert worker.index.live_generation() == 2
    assert sorted(ids(web, sort="newest")) == [1, 2]
    previous = tantivy.Index.open(str(worker.index.generation_dir(1)))
    assert previous.searcher().num_docs == 1  # the write did not go to the old generation


def test_health_reports_engine_generation_and_documents(market: EmbeddedEngine) -> None:
    health = market.health()

    assert health["ok"] is True
    assert (health["engine"], health["docs"]) == ("tantivy", 6)
    assert health["details"]["generation"] == 1
    assert health["details"]["rebuilding"] is None


def test_make_engine_prefers_meilisearch_only_when_configured(data_dir: Path) -> None:
    embedded = make_engine(meilisearch_url=None, meilisearch_key=None, data_dir=data_dir)
    remote = make_engine(
        meilisearch_url="http://127.0.0.1:7700", meilisearch_key="k", data_dir=data_dir
    )

    assert isinstance(embedded, EmbeddedEngine)
    assert isinstance(remote, MeilisearchEngine)
