"""Forgiving search: typos, 초성, particles, English and synonyms, relaxation (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.analysis import chosung_index_text, jamo_index_text, normalize
from search.embedded import EmbeddedEngine
from search.forgiving import plan, typo_distance
from search.korean import chosung, jamo, strip_particle
from search.query import SearchQuery
from search.synonyms import SynonymFile, SynonymSyntaxError, SynonymTable, parse_lines
from tests.search.builders import product


def names(engine: EmbeddedEngine, q: str, **kw: object) -> list[str]:
    return [h.name for h in engine.search(SearchQuery(q=q, **kw)).hits]  # type: ignore[arg-type]


@pytest.fixture
def shop(embedded: EmbeddedEngine) -> EmbeddedEngine:
    embedded.upsert(
        [
            product(1, "스테인리스텀블러", category="household", description="보온 보냉"),
            product(2, "제주유기농녹차", description="찻잎을 덖었습니다"),
            product(3, "천연수제비누", category="household", description="올리브유"),
            product(4, "업사이클링에코백", category="household", description="현수막 재활용"),
            product(5, "수제잼쿠키", description="딸기잼을 올린 쿠키"),
            product(6, "텃밭수확잼", description="제철 과일"),
            product(7, "밑반찬 4종", description="정성 가득"),
            product(8, "녹즙", description="케일과 신선초"),
            product(9, "블루베리청", description="블루베리를 재웠습니다"),
        ]
    )
    return embedded


# -- the pieces ---------------------------------------------------------------------------


def test_jamo_and_chosung_spell_syllables_out() -> None:
    assert jamo("녹차") == "\u1102\u1169\u11a8\u110e\u1161"
    assert chosung("텀블러") == normalize("ㅌㅂㄹ")
    assert chosung(normalize("텀ㅂ")) == normalize("ㅌㅂ")
    assert jamo_index_text("녹차 라떼").split()[0] == jamo("녹차")
    assert chosung_index_text("텀블러") == " ".join([normalize("ㅌㅂ"), normalize("ㅂㄹ")])


@pytest.mark.parametrize(
    ("word", "stems"),
    [
        ("텀블러를", ["텀블러"]),
        ("녹차로", ["녹차"]),
        ("비누는", ["비누"]),
        ("에코백이랑", ["에코백이", "에코백"]),
        ("가방을", ["가방"]),
        ("사과", []),  # 과 cannot follow 사 as a particle
        ("무화과", []),
        ("포도", []),  # one syllable left by 도: a word, not a particle
        ("김치", []),
    ],
)
def test_particles_come_off_only_where_they_can_follow(word: str, stems: list[str]) -> None:
    assert strip_particle(word) == stems


def test_typo_budget_grows_with_word_length() -> None:
    assert typo_distance(jamo("차")) == 0
    assert typo_distance(jamo("비누")) == 1
    assert typo_distance(jamo("텀블러")) == 1
    assert typo_distance(jamo("스테인리스")) == 2


def test_synonym_table_is_symmetric_for_groups_and_one_way_for_expansions() -> None:
    table = SynonymTable.parse(
        {
            "version": 3,
            "same": [{"words": ["텀블러", "Tumbler", "보온병"]}],
            "also": [{"from": "tea", "to": ["녹차"]}],
        }
    )
    assert table.of("보온병") == ("텀블러", "tumbler")
    assert table.of("TUMBLER") == ("텀블러", "보온병")
    assert table.of("tea") == ("녹차",)
    assert table.of("녹차") == ()
    assert table.meilisearch_settings()["tea"] == ["녹차"]


def test_several_words_that_are_one_synonym_key_are_one_concept() -> None:
    table = SynonymTable.parse({"same": [{"words": ["에코백", "eco bag"]}]})
    concepts = plan("eco bag 면", table, lambda _word: True)
    assert [c.text for c in concepts] == ["eco bag", "면"]


# -- through the engine -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("녹챠", "제주유기농녹차"),
        ("텀블로", "스테인리스텀블러"),
        ("비느", "천연수제비누"),
        ("ㅌㅂㄹ", "스테인리스텀블러"),
        ("ㄴㅊ", "제주유기농녹차"),
        ("텀ㅂ", "스테인리스텀블러"),
        ("텀블러를", "스테인리스텀블러"),
        ("녹차로", "제주유기농녹차"),
        ("비누는", "천연수제비누"),
        ("에코백이랑", "업사이클링에코백"),
        ("tumbler", "스테인리스텀블러"),
        ("보온병", "스테인리스텀블러"),
        ("soap", "천연수제비누"),
        ("tea", "제주유기농녹차"),
        ("eco bag", "업사이클링에코백"),
        ("반찬", "밑반찬 4종"),
    ],
)
def test_each_class_finds_the_product_first(shop: EmbeddedEngine, q: str, first: str) -> None:
    assert names(shop, q)[:1] == [first]


def test_exact_matches_rank_above_corrected_ones(shop: EmbeddedEngine) -> None:
    shop.upsert([product(10, "녹챠 티백", description="")])  # a real word that is a typo
    assert names(shop, "녹챠")[:2] == ["녹챠 티백", "제주유기농녹차"]


def test_a_compound_shows_the_exact_product_then_its_relatives(shop: EmbeddedEngine) -> None:
    found = names(shop, "수제잼")
    assert found[0] == "수제잼쿠키"
    assert "텃밭수확잼" in found[1:]
    # Several words without a product that has them all still answer, below any strict hit.
    assert names(shop, "블루베리 텀블러")[:2] != []


def test_sorted_results_are_not_diluted_by_relaxed_hits(shop: EmbeddedEngine) -> None:
    assert names(shop, "수제잼", sort="price_asc") == ["수제잼쿠키"]
    assert names(shop, "녹챠", sort="price_asc")[:1] == ["제주유기농녹차"]


def test_synonym_edits_apply_at_the_next_search_without_reindexing(
    tmp_path: Path, data_dir: Path
) -> None:
    table = tmp_path / "synonyms.toml"
    table.write_text("version = 1\n", encoding="utf-8")
    engine = EmbeddedEngine(data_dir, synonyms=SynonymFile(table))
    try:
        engine.upsert([product(1, "스테인리스텀블러", description="")])
        assert engine.search(SearchQuery(q="보온병")).total == 0
        table.write_text('version = 2\n[[same]]\nwords = ["텀블러", "보온병"]\n', encoding="utf-8")
        assert names(engine, "보온병") == ["스테인리스텀블러"]
    finally:
        engine.close()


# -- did-you-mean and autocomplete --------------------------------------------------------


def test_a_corrected_query_is_offered_when_the_typed_one_finds_little(shop: EmbeddedEngine) -> None:
    assert shop.search(SearchQuery(q="녹챠")).did_you_mean == "녹차"
    assert shop.search(SearchQuery(q="녹차")).did_you_mean is None


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("텀브", "스테인리스텀블러"),  # the last syllable is still being typed
        ("ㅌㅂㄹ", "스테인리스텀블러"),
        ("녹챠", "제주유기농녹차"),
        ("텀ㅂ", "스테인리스텀블러"),
        ("수제", "수제잼쿠키"),
    ],
)
def test_suggestions_while_typing(shop: EmbeddedEngine, q: str, first: str) -> None:
    suggestions = shop.suggest(q)
    assert suggestions[0].name == first
    assert suggestions[0].category_label


def test_no_suggestions_for_nothing(shop: EmbeddedEngine) -> None:
    assert shop.suggest("   ") == []


def test_chosung_ranks_the_most_common_reading_first(embedded: EmbeddedEngine) -> None:
    embedded.upsert(
        [
            product(1, "출장점검", description=""),  # 장점검: ㅈㅈㄱ too
            product(2, "한강자전거대여", description=""),
            product(3, "재생자전거", description=""),
        ]
    )
    found = names(embedded, "ㅈㅈㄱ")
    assert set(found[:2]) == {"한강자전거대여", "재생자전거"}
    assert found[2] == "출장점검"


def test_a_query_nothing_matches_still_shows_names_sharing_a_syllable(
    shop: EmbeddedEngine,
) -> None:
    assert names(shop, "블루베리잼청")[:1] != []
    assert names(shop, "xyzzy") == []
    # Filters that leave nothing are the shopper's choice, not a reason to show anything.
    assert names(shop, "수제잼", category=("fashion_beauty",)) == []


def test_the_synonym_text_admins_edit_reads_back_as_the_same_table() -> None:
    seed = SynonymTable.load()
    again = parse_lines(seed.to_lines(), version=5)
    assert (again.expansions, again.same, again.also) == (seed.expansions, seed.same, seed.also)
    table = parse_lines("# 메모\n텀블러, Tumbler  # 영어\n\ntea => 차, 티\n")
    assert table.of("tumbler") == ("텀블러",) and table.of("tea") == ("차", "티")
    assert table.of("차") == ()
    with pytest.raises(SynonymSyntaxError) as refused:
        parse_lines("텀블러, 보온병\n, ,\n")
    assert refused.value.line == 2


def test_a_rebuild_given_synonyms_answers_with_them_from_the_swap_on(
    tmp_path: Path, data_dir: Path
) -> None:
    seed_file = tmp_path / "synonyms.toml"
    seed_file.write_text('version = 1\n[[same]]\nwords = ["비누", "soap"]\n', encoding="utf-8")
    web = EmbeddedEngine(data_dir, synonyms=SynonymFile(seed_file))
    worker = EmbeddedEngine(data_dir, synonyms=SynonymFile(seed_file))
    worker.rebuild([product(1, "천연수제비누"), product(2, "작설차")])
    assert [h.id for h in web.search(SearchQuery(q="soap")).hits] == [1]

    worker.rebuild([product(1, "천연수제비누"), product(2, "작설차")],
                   parse_lines("sencha => 작설차\n", version=2))
    assert [h.id for h in web.search(SearchQuery(q="sencha")).hits] == [2]
    assert web.search(SearchQuery(q="soap")).total == 0  # the saved table is the whole table
    assert web.health()["details"]["synonyms_version"] == 2
    web.close()
    worker.close()
