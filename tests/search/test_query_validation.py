"""A search request is validated once, with errors that name the field they are about."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
import pytest

from search.query import MAX_PER_PAGE, SearchQuery, SearchQueryError
from tests.search.builders import product


def refused(**fields: Any) -> SearchQueryError:
    with pytest.raises(SearchQueryError) as info:
        SearchQuery(**fields)
    return info.value


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"sort": "cheapest"}, "sort"),
        ({"page": 0}, "page"),
        ({"page": -3}, "page"),
        ({"per_page": 0}, "per_page"),
        ({"price_min": 30_000, "price_max": 10_000}, "price_min"),
        ({"price_min": -1}, "price_min"),
        ({"price_max": 9.5}, "price_max"),
        ({"category": "food"}, "category"),
        ({"district": ("성북구\\",)}, "district"),
        ({"enterprise_type": ("vil\nlage",)}, "enterprise_type"),
        ({"strategic_items": (1,)}, "strategic_items"),
        ({"page": 200, "per_page": 100}, "page"),
    ],
)
def test_invalid_parameters_are_refused_naming_the_field(
    fields: dict[str, Any], field: str
) -> None:
    error = refused(**fields)

    assert error.field == field
    assert error.message
    assert str(error).startswith(f"{field}: ")


def test_search_query_error_is_not_a_value_error_so_msgspec_keeps_the_field() -> None:
    with pytest.raises(SearchQueryError) as info:
        msgspec.convert({"page": 0}, SearchQuery)

    assert info.value.field == "page"
    assert not isinstance(info.value, ValueError)


def test_per_page_is_capped_not_refused() -> None:
    assert SearchQuery(per_page=500).per_page == MAX_PER_PAGE


def test_equal_price_bounds_are_allowed() -> None:
    query = SearchQuery(price_min=5_000, price_max=5_000)

    assert (query.price_min, query.price_max) == (5_000, 5_000)


def test_query_text_and_filter_values_are_tidied() -> None:
    query = SearchQuery(q="  수제   쿠키 ", category=("food", " food", "", "household"))

    assert query.q == "수제 쿠키"
    assert query.category == ("food", "household")
    assert query.filters() == {"category": ("food", "household")}
    assert len(SearchQuery(q="가" * 1_000).q) == 200


def test_offset_follows_page_and_per_page() -> None:
    assert SearchQuery(page=3, per_page=12).offset == 24


def test_from_params_reads_repeated_values_and_numbers_with_commas() -> None:
    query = SearchQuery.from_params(
        {
            "q": "한과",
            "category": ["food", "household"],
            "district": "성북구",
            "price_min": "1,000",
            "price_max": "50000",
            "eco_friendly": "on",
            "sort": "price_asc",
            "page": "2",
        }
    )

    assert query == SearchQuery(
        q="한과",
        category=("food", "household"),
        district=("성북구",),
        price_min=1_000,
        price_max=50_000,
        eco_friendly=True,
        sort="price_asc",
        page=2,
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "둘"}, "page"),
        ({"price_min": "만원"}, "price_min"),
        ({"eco_friendly": "maybe"}, "eco_friendly"),
        ({"sort": "popular"}, "sort"),
    ],
)
def test_from_params_turns_typing_mistakes_into_field_errors(
    params: dict[str, str], field: str
) -> None:
    with pytest.raises(SearchQueryError) as info:
        SearchQuery.from_params(params)

    assert info.value.field == field


def test_from_params_defaults_when_values_are_blank() -> None:
    query = SearchQuery.from_params({"q": "", "page": "", "sort": " "})

    assert query == SearchQuery()


def test_documents_refuse_naive_times_and_reversed_price_ranges() -> None:
    with pytest.raises(ValueError, match="timezone"):
        product(1, "쿠키", published_at=datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="price_min"):
        product(1, "쿠키", price_min=9_000, price_max=1_000)
