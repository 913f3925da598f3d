"""Korean sub-word search: what a shopper types must find the compound product names."""

from __future__ import annotations

from search.analysis import (
    QueryTermKind,
    analyze_query,
    index_text,
    match_spans,
    normalize,
    tokenize,
)
from search.documents import ProductDocument
from search.embedded import EmbeddedEngine
from search.query import SearchQuery
from tests.search.builders import product


def ids(embedded: EmbeddedEngine, q: str) -> list[int]:
    return [hit.id for hit in embedded.search(SearchQuery(q=q)).hits]


def plain(product_id: int, name: str) -> ProductDocument:
    """A product whose description says nothing, so only the name can match."""
    return product(product_id, name, description="")


def test_cookie_finds_organic_handmade_cookie_gift_set(embedded: EmbeddedEngine) -> None:
    embedded.upsert([product(1, "유기농수제쿠키선물세트"), product(2, "전통 약과")])

    assert ids(embedded, "쿠키") == [1]


def test_hangwa_finds_village_enterprise_traditional_hangwa(embedded: EmbeddedEngine) -> None:
    embedded.upsert([product(1, "마을기업전통한과"), product(2, "유기농수제쿠키선물세트")])

    assert ids(embedded, "한과") == [1]


def test_compound_query_matches_only_as_consecutive_bigrams(embedded: EmbeddedEngine) -> None:
    embedded.upsert(
        [
            plain(1, "쿠키선물세트"),
            # has 선물, 물세 and 세트, but not one after another
            product(2, "보물세계 선물 과자 세트", description=""),
        ]
    )

    # The scattered one is only a relaxed match (search/forgiving.py): ranked below.
    assert ids(embedded, "선물세트") == [1, 2]
    assert embedded.search(SearchQuery(q="선물세트")).hits[0].score > 100_000
    assert embedded.search(SearchQuery(q="선물세트")).hits[1].score < 10_000
    assert analyze_query("선물세트")[0].terms == ("선물", "물세", "세트")


def test_words_separated_by_spaces_in_query_may_appear_anywhere(embedded: EmbeddedEngine) -> None:
    embedded.upsert([product(1, "선물 포장", description="명절 선물로 좋은 다양한 과자 세트 구성")])

    assert ids(embedded, "선물 세트") == [1]


def test_spacing_differences_between_query_and_name_still_match(embedded: EmbeddedEngine) -> None:
    embedded.upsert([plain(1, "수제 쿠키"), plain(2, "수제쿠키")])

    assert sorted(ids(embedded, "수제쿠키")) == [1, 2]
    assert sorted(ids(embedded, "수제 쿠키")) == [1, 2]


def test_bridging_stops_at_punctuation() -> None:
    assert index_text("빵 쿠키") == "빵쿠 쿠키"
    assert index_text("빵, 쿠키") == "빵 쿠키"


def test_single_syllable_query_finds_it_inside_compounds(embedded: EmbeddedEngine) -> None:
    embedded.upsert([plain(1, "우리밀 가래떡"), plain(2, "떡"), plain(3, "수제쿠키")])

    assert sorted(ids(embedded, "떡")) == [1, 2]


def test_latin_words_are_whole_lowercase_terms_not_bigrams(embedded: EmbeddedEngine) -> None:
    embedded.upsert([plain(1, "업사이클 EcoBag 500ml")])

    assert index_text("업사이클 EcoBag 500ml") == "업사 사이 이클 ecobag 500ml"
    assert ids(embedded, "ECOBAG") == [1]
    assert ids(embedded, "500ml") == [1]
    assert ids(embedded, "cob") == []  # a bigram/infix index would have matched


def test_last_latin_word_matches_as_prefix_while_typing(embedded: EmbeddedEngine) -> None:
    embedded.upsert([plain(1, "EcoBag 장바구니")])

    assert ids(embedded, "eco") == [1]
    assert analyze_query("eco 장바구니")[0].prefix is False
    # Only the last word is a prefix: "eco" alone is no strict match, so the product is
    # found by relaxation (any word), below any strict match.
    assert embedded.search(SearchQuery(q="eco 장바구니")).hits[0].score < 100_000


def test_full_width_and_compatibility_forms_are_normalised(embedded: EmbeddedEngine) -> None:
    embedded.upsert([plain(1, "ＥＣＯＢＡＧ 에코백")])

    assert ids(embedded, "ecobag") == [1]
    assert normalize("㈜두레") == "(주)두레"


def test_mixed_script_word_splits_into_latin_and_hangul_terms() -> None:
    terms = analyze_query("LED조명")

    assert [(t.kind, t.terms) for t in terms] == [
        (QueryTermKind.WORD, ("led",)),
        (QueryTermKind.PHRASE, ("조명",)),
    ]


def test_query_matching_nothing_returns_nothing(embedded: EmbeddedEngine) -> None:
    embedded.upsert([product(1, "유기농수제쿠키선물세트"), product(2, "마을기업전통한과")])

    result = embedded.search(SearchQuery(q="초콜릿"))

    assert result.total == 0
    assert result.hits == []
    assert result.pages == 0


def test_punctuation_only_query_is_treated_as_no_words() -> None:
    assert analyze_query("!!! ... ?") == []


def test_name_match_ranks_above_description_only_match(embedded: EmbeddedEngine) -> None:
    embedded.upsert(
        [
            product(1, "천연 비누", description="쿠키 모양으로 만든 비누입니다"),
            product(2, "버터쿠키", description="바삭한 과자"),
        ]
    )

    assert ids(embedded, "쿠키") == [2, 1]


def test_token_offsets_point_into_the_displayed_text() -> None:
    text = "수제 쿠키"
    tokens = tokenize(text)

    assert [(t.text, text[t.start : t.end]) for t in tokens] == [
        ("수제", "수제"),
        ("제쿠", "제 쿠"),
        ("쿠키", "쿠키"),
    ]


def test_highlight_spans_follow_the_same_phrase_rule_as_matching() -> None:
    query = analyze_query("선물세트")

    assert match_spans("쿠키 선물 세트", query) == [(3, 8)]
    assert match_spans("선물과 세트", query) == []
