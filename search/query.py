"""What a shopper asks for and what comes back, independent of the engine.

``SearchQuery`` validates itself on construction, so an engine never sees a nonsensical
request, and every refusal names the field it is about (the web layer shows the message
beside that field, as RFC 9457 problem details or next to the form input).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final, Literal, cast, get_args

import msgspec

from search.documents import FACETS

Sort = Literal["relevance", "price_asc", "price_desc", "newest"]
SORTS: Final[tuple[Sort, ...]] = get_args(Sort)
MAX_PER_PAGE: Final = 100
#: Deepest result reachable by paging; beyond it both engines would have to collect and
#: discard an unbounded number of hits (Meilisearch calls it ``maxTotalHits``).
MAX_RESULT_WINDOW: Final = 10_000
MAX_QUERY_CHARS: Final = 200
MAX_FACET_VALUE_CHARS: Final = 64
#: The largest price a filter may name (1조 원): far above any product's price, and well
#: inside the 64-bit integers the engines compare (10^21 made the embedded engine raise).
MAX_PRICE_FILTER: Final = 10**12
_UNSAFE_VALUE: Final = re.compile(r"[\\\x00-\x1f\x7f]")


class SearchQueryError(Exception):
    """A refused search parameter, with the field it concerns.

    Deliberately not a ``ValueError``: msgspec would turn that into a generic validation
    error while decoding query parameters and the field name would be lost.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class SearchQuery(msgspec.Struct, frozen=True, kw_only=True):
    """A search request. Filters are OR within a facet and AND across facets.

    The price filter keeps a product when any of its variants is in range, i.e. when
    ``[price_min, price_max]`` of the product overlaps the requested range.
    """

    q: str = ""
    category: tuple[str, ...] = ()
    enterprise_type: tuple[str, ...] = ()
    district: tuple[str, ...] = ()
    strategic_items: tuple[str, ...] = ()
    price_min: int | None = None
    price_max: int | None = None
    eco_friendly: bool | None = None
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 20

    def __post_init__(self) -> None:
        if not isinstance(self.q, str):
            raise SearchQueryError("q", "검색어는 문자열이어야 합니다.")
        msgspec.structs.force_setattr(self, "q", " ".join(self.q.split())[:MAX_QUERY_CHARS])
        for facet in FACETS:
            values = getattr(self, facet)
            if (
                isinstance(values, str)
                or not isinstance(values, Sequence)
                or not all(isinstance(v, str) for v in values)
            ):
                raise SearchQueryError(facet, "문자열 값의 목록이어야 합니다.")
            cleaned = tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))
            for value in cleaned:
                # Facet values are codes and district names. Rejecting backslashes and
                # control characters keeps every engine's filter syntax injection-free
                # (Meilisearch cannot express a backslash before a closing quote).
                if len(value) > MAX_FACET_VALUE_CHARS or _UNSAFE_VALUE.search(value):
                    raise SearchQueryError(facet, f"허용되지 않는 값입니다: {value[:20]!r}")
            msgspec.structs.force_setattr(self, facet, cleaned)
        if self.sort not in SORTS:
            allowed = ", ".join(SORTS)
            message = f"알 수 없는 정렬입니다: {self.sort!r} (가능: {allowed})"
            raise SearchQueryError("sort", message)
        for name in ("price_min", "price_max"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise SearchQueryError(name, "가격은 원 단위 정수여야 합니다.")
            if value is not None and value < 0:
                raise SearchQueryError(name, "가격은 0원 이상이어야 합니다.")
            if value is not None and value > MAX_PRICE_FILTER:
                raise SearchQueryError(name, "가격은 1조 원 이하로 입력해 주세요.")
        if (
            self.price_min is not None
            and self.price_max is not None
            and self.price_min > self.price_max
        ):
            raise SearchQueryError("price_min", "최저 가격이 최고 가격보다 클 수 없습니다.")
        if isinstance(self.page, bool) or not isinstance(self.page, int) or self.page < 1:
            raise SearchQueryError("page", "페이지는 1 이상이어야 합니다.")
        if isinstance(self.per_page, bool) or not isinstance(self.per_page, int):
            raise SearchQueryError("per_page", "페이지당 개수는 정수여야 합니다.")
        if self.per_page < 1:
            raise SearchQueryError("per_page", "페이지당 개수는 1 이상이어야 합니다.")
        msgspec.structs.force_setattr(self, "per_page", min(self.per_page, MAX_PER_PAGE))
        if self.page * self.per_page > MAX_RESULT_WINDOW:
            raise SearchQueryError(
                "page", f"검색 결과는 앞쪽 {MAX_RESULT_WINDOW:,}개까지만 볼 수 있습니다."
            )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def filters(self) -> dict[str, tuple[str, ...]]:
        """The facet filters that are set, by facet name."""
        return {facet: getattr(self, facet) for facet in FACETS if getattr(self, facet)}

    @classmethod
    def from_params(cls, params: Mapping[str, str | Sequence[str]]) -> SearchQuery:
        """Build from raw query-string values (``?category=food&category=household&page=2``).

        Typing mistakes in a URL are the shopper's, so they become field errors too.
        """

        def values(name: str) -> list[str]:
            raw = params.get(name)
            if raw is None:
                return []
            return [raw] if isinstance(raw, str) else list(raw)

        def single(name: str) -> str | None:
            found = [v for v in values(name) if v.strip()]
            return found[-1].strip() if found else None

        def integer(name: str) -> int | None:
            raw = single(name)
            if raw is None:
                return None
            try:
                return int(raw.replace(",", ""))
            except ValueError:
                raise SearchQueryError(name, "숫자를 입력해 주세요.") from None

        eco_raw = single("eco_friendly")
        eco: bool | None = None
        if eco_raw is not None:
            if eco_raw.lower() not in ("1", "true", "on", "yes", "0", "false", "off", "no"):
                raise SearchQueryError("eco_friendly", "참/거짓 값이어야 합니다.")
            eco = eco_raw.lower() in ("1", "true", "on", "yes")
        page = integer("page")
        per_page = integer("per_page")
        return cls(
            q=single("q") or "",
            category=tuple(values("category")),
            enterprise_type=tuple(values("enterprise_type")),
            district=tuple(values("district")),
            strategic_items=tuple(values("strategic_items")),
            price_min=integer("price_min"),
            price_max=integer("price_max"),
            eco_friendly=eco,
            sort=cast(Sort, single("sort") or "relevance"),  # checked in __post_init__
            page=1 if page is None else page,
            per_page=20 if per_page is None else per_page,
        )


class SearchHit(msgspec.Struct, frozen=True, kw_only=True):
    """What a result card needs. ``highlight`` is safe HTML; so are its two parts.

    ``score`` is the engine's relevance score (BM25 for the embedded engine, Meilisearch's
    0-1 ranking score), only comparable within one result; 0 when sorted by a field.
    """

    id: int
    name: str
    url: str
    image_url: str | None
    price_min: int
    price_max: int
    category: str
    category_label: str
    enterprise_type: str
    enterprise_type_label: str
    vendor_id: int
    vendor_name: str
    district: str
    strategic_items: list[str]
    eco_friendly: bool
    published_at: datetime
    highlight: str
    name_highlight: str
    snippet_highlight: str
    score: float


class SearchResult(msgspec.Struct, frozen=True, kw_only=True):
    """One page of hits, the total, and disjunctive facet counts.

    ``facets[f]`` counts documents matching the text and every filter except ``f``'s own,
    so a shopper sees how many results ticking another value of ``f`` would add. Every
    facet is present; selected values are present even with a count of 0.
    """

    hits: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]]
    page: int
    per_page: int
    pages: int
    took_ms: float
    #: A corrected query that finds what this one barely does ("혹시 … 찾으셨나요?").
    did_you_mean: str | None = None


class Suggestion(msgspec.Struct, frozen=True, kw_only=True):
    """A product name offered while the shopper types, with its category."""

    id: int
    name: str
    url: str
    category: str
    category_label: str


MAX_SUGGESTIONS: Final = 10


def page_count(total: int, per_page: int) -> int:
    return math.ceil(total / per_page) if total else 0


def order_facet_counts(counts: Mapping[str, int], selected: Sequence[str] = ()) -> dict[str, int]:
    """Most frequent first (then by value, for a stable display), selected values kept."""
    merged = dict(counts)
    for value in selected:
        merged.setdefault(value, 0)
    return dict(sorted(merged.items(), key=lambda item: (-item[1], item[0])))
