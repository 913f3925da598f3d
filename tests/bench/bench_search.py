"""Embedded search at catalogue scale: 100,000 Korean products, 300 mixed queries.

Goals on the 2-core reference machine: indexing at least 5,000 docs/s through the same
``upsert`` the worker uses, and query p95 at most 10 ms including disjunctive facet counts
and highlighting. Run with ``python -m tests.bench.bench_search``.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from search.documents import ProductDocument
from search.embedded import EmbeddedEngine
from search.query import SORTS, SearchQuery
from tests.bench.common import percentile, write_result


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SEED: Final = 20240901
DOCS: Final = int(os.environ.get("BENCH_SEARCH_DOCS", "100000"))
BATCH: Final = 5_000
QUERIES: Final = 300
WARMUP: Final = 30

# The project's codes (shop.catalog.taxonomy, shop.vendors.types), spelled out: the bench
# exercises search alone and search imports no domain package.
CATEGORIES: Final = {
    "food": "식품",
    "household": "생활용품",
    "fashion_beauty": "패션·뷰티",
    "office_it": "사무·전산",
    "travel_leisure": "여행·레저",
    "books_education": "도서·교육",
}
ENTERPRISE_TYPES: Final = {
    "certified_social": "인증 사회적기업",
    "pre_social_regional": "예비 사회적기업(지역형)",
    "pre_social_ministry": "예비 사회적기업(부처형)",
    "seoul_social": "서울형 사회적기업",
    "cooperative": "협동조합",
    "social_cooperative": "사회적협동조합",
    "village": "마을기업",
    "self_sufficiency": "자활기업",
    "youth_social_venture": "청년 소셜벤처",
}
DISTRICTS: Final = _words(
    "종로구 중구 용산구 성동구 광진구 동대문구 중랑구 성북구 강북구 도봉구 노원구 은평구 "
    "서대문구 마포구 양천구 강서구 구로구 금천구 영등포구 동작구 관악구 서초구 강남구 송파구 "
    "강동구"
)
STRATEGIC_ITEMS: Final = (
    "green_cycle",
    "green_remodeling",
    "green_energy",
    "green_agriculture",
    "green_forest",
)

PREFIXES: Final = _words("유기농 수제 전통 국산 무농약 친환경 저당 우리밀 제철 천연 재생 업사이클")
ITEMS: Final = {
    "food": _words(
        "쿠키 한과 약과 유과 딸기잼 된장 고추장 참기름 들기름 누룽지 가래떡 통밀빵 식혜 "
        "아카시아꿀 녹차 배추김치 손두부 곶감 단호박죽"
    ),
    "household": _words(
        "에코백 비누 수세미 행주 텀블러 도마 밀랍초 방향제 주방세제 수건 장바구니 "
        "소창행주 대나무칫솔"
    ),
    "fashion_beauty": _words(
        "에코백 손수건 스카프 립밤 핸드크림 앞치마 양말 가방 브로치 파우치 천연샴푸"
    ),
    "office_it": _words(
        "재생복사지 노트 볼펜 다이어리 파일철 재생토너 리퍼비시노트북 키보드 명함 달력"
    ),
    "travel_leisure": _words(
        "공정여행 마을투어 캠핑세트 도시농부체험 숲해설 생태체험 한옥스테이 자전거여행"
    ),
    "books_education": _words("동화책 그림책 교구 코딩교육 목공교실 도자기체험 독서모임 역사탐방"),
}
SUFFIXES: Final = ("선물세트", "세트", "꾸러미", "박스", "", "", "", "")
VENDOR_HEADS: Final = _words("햇살 푸른숲 두레 마을 나눔 다솜 한울 새봄 이음 온기 들꽃 하늘")
VENDOR_TAILS: Final = _words(
    "협동조합 사회적협동조합 자활센터 마을기업 공방 제과 농장 상회 연구소 소셜벤처"
)
FEATURES: Final = (
    "지역 농가와 계약 재배한 원료만 씁니다",
    "장애인과 어르신 일자리를 만드는 제품입니다",
    "포장재를 줄이고 재활용 가능한 소재로 포장했습니다",
    "주문 후 바로 만들어 신선하게 보내 드립니다",
    "공공기관 우선구매 대상 제품입니다",
    "회의와 행사 다과로 인기가 많습니다",
    "수익의 일부는 마을 공동체에 다시 쓰입니다",
)


def _name(rng: random.Random, category: str) -> tuple[str, str]:
    item = rng.choice(ITEMS[category])
    parts = [rng.choice(PREFIXES)]
    if rng.random() < 0.4:
        parts.append(rng.choice(PREFIXES))
    parts.append(item)
    parts.append(rng.choice(SUFFIXES))
    joiner = " " if rng.random() < 0.25 else ""
    return joiner.join(p for p in parts if p), item


def generate(count: int, seed: int = SEED) -> Iterator[ProductDocument]:
    """Deterministic, believable products: the same seed gives the same catalogue."""
    rng = random.Random(seed)
    vendors = [
        (
            vid,
            f"{rng.choice(VENDOR_HEADS)}{rng.choice(VENDOR_HEADS)}{rng.choice(VENDOR_TAILS)}",
            rng.choice(DISTRICTS),
            rng.choice(list(ENTERPRISE_TYPES)),
        )
        for vid in range(1, 2_001)
    ]
    epoch = datetime(2022, 1, 1, tzinfo=UTC)
    for product_id in range(1, count + 1):
        vendor_id, vendor_name, district, etype = rng.choice(vendors)
        category = rng.choice(list(CATEGORIES))
        name, item = _name(rng, category)
        price = rng.randrange(10, 2_000) * 100
        features = rng.sample(FEATURES, 2)
        description = (
            f"{district} {vendor_name}에서 정성껏 만든 {item}입니다. {features[0]}. "
            f"{features[1]}. 사회적경제기업의 {CATEGORIES[category]} 제품으로 "
            f"선물과 단체 주문에 좋습니다."
        )
        yield ProductDocument(
            id=product_id,
            name=name,
            description=description,
            category=category,
            category_label=CATEGORIES[category],
            enterprise_type=etype,
            enterprise_type_label=ENTERPRISE_TYPES[etype],
            vendor_id=vendor_id,
            vendor_name=vendor_name,
            district=district,
            strategic_items=rng.sample(STRATEGIC_ITEMS, rng.choice((0, 0, 1, 1, 2))),
            eco_friendly=rng.random() < 0.3,
            price_min=price,
            price_max=price + rng.choice((0, 0, 1_000, 5_000, 20_000)),
            image_url=f"/media/products/{product_id}.jpg",
            published_at=epoch + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60)),
            url=f"/products/{product_id}",
        )


QUERY_WORDS: Final = _words(
    "쿠키 한과 선물세트 에코백 비누 유기농 수제 전통 된장 참기름 텀블러 노트 재생복사지 "
    "공정여행 그림책 체험 꾸러미 행주 립밤 마을투어 약과 누룽지 천연 수세미 녹차"
)
PHRASES: Final = ("수제 쿠키", "전통 한과", "유기농 선물세트", "천연 비누", "재생 노트", "떡")


#: Queries the strict bigram phrases cannot answer: one-jamo typos, 초성, particles,
#: English, synonyms, compounds (decision 47). Timed apart: they take the relaxed path.
FORGIVING: Final = (
    *_words(
        "쿠기 텀블로 녹챠 비느 된잔 수세니 도마르 ㅌㅂㄹ ㄴㅊ ㅅㅅㅁ 텀ㅂ 에코ㅂ 텀블러를 녹차로 "
        "비누는 에코백이랑 tumbler soap tea coffee 보온병 수제잼 쌀빵 천연세제 도자기컵 밀랍양초"
    ),
    "eco bag",
    "유기농 텀블러",
    "수제 비누 선물",
)


#: What a shopper has typed so far: syllables, an unfinished syllable, 초성, slips.
SUGGEST: Final = _words(
    "쿠 쿠키 텀 텀브 텀블 ㅌㅂ ㅌㅂㄹ 녹 녹차 녹챠 유기 유기농 에코 에코ㅂ 수제쿠 ㄴㅊ 비느 비누 "
    "선물세 참기르 공정여 그림 tum soap eco"
)


def make_queries(count: int, seed: int = SEED + 1) -> list[SearchQuery]:
    """Words alone, with facet filters, price ranges and every sort; some browse-only."""
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        roll = rng.random()
        q = rng.choice(QUERY_WORDS) if roll < 0.7 else rng.choice(PHRASES) if roll < 0.9 else ""
        filters: dict[str, Any] = {}
        if rng.random() < 0.5:
            filters["category"] = tuple(rng.sample(list(CATEGORIES), rng.randint(1, 2)))
        if rng.random() < 0.3:
            filters["enterprise_type"] = tuple(
                rng.sample(list(ENTERPRISE_TYPES), rng.randint(1, 3))
            )
        if rng.random() < 0.3:
            filters["district"] = tuple(rng.sample(DISTRICTS, rng.randint(1, 3)))
        if rng.random() < 0.15:
            filters["strategic_items"] = (rng.choice(STRATEGIC_ITEMS),)
        if rng.random() < 0.3:
            low = rng.randrange(0, 100) * 1_000
            filters["price_min"] = low
            filters["price_max"] = low + rng.choice((10_000, 30_000, 100_000))
        if rng.random() < 0.1:
            filters["eco_friendly"] = True
        queries.append(
            SearchQuery(q=q, sort=rng.choice(SORTS), page=rng.choice((1, 1, 1, 2, 3)), **filters)
        )
    return queries


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class _QueryRun:
    """Latencies of one pass over the query mix, split by whether the query has words."""

    def __init__(self, engine: EmbeddedEngine, queries: list[SearchQuery]) -> None:
        for query in queries[:WARMUP]:
            engine.search(query)
        self.all: list[float] = []
        self.text: list[float] = []
        self.browse: list[float] = []
        self.totals: list[int] = []
        for query in queries[WARMUP:]:
            started = time.perf_counter()
            result = engine.search(query)
            elapsed = (time.perf_counter() - started) * 1000
            self.all.append(elapsed)
            (self.text if query.q else self.browse).append(elapsed)
            self.totals.append(result.total)

    def p(self, pct: float, values: list[float] | None = None) -> float:
        return round(percentile(self.all if values is None else values, pct), 3)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        engine = EmbeddedEngine(workdir)
        docs = list(generate(DOCS))
        queries = make_queries(WARMUP + QUERIES)

        # The worker's path: one upsert (one commit) per batch.
        started = time.perf_counter()
        for start in range(0, len(docs), BATCH):
            engine.upsert(docs[start : start + BATCH])
        index_s = time.perf_counter() - started
        segments_incremental = engine.health()["details"].get("segments")
        incremental = _QueryRun(engine, queries)

        # A product edited in the back office: a single-document upsert on the full index.
        single: list[float] = []
        for doc in docs[:20]:
            started = time.perf_counter()
            engine.upsert([doc])
            single.append((time.perf_counter() - started) * 1000)

        forgiving: list[float] = []
        for _round in range(3):
            for q in FORGIVING:
                started = time.perf_counter()
                engine.search(SearchQuery(q=q))
                forgiving.append((time.perf_counter() - started) * 1000)

        suggest: list[float] = []
        for _round in range(4):
            for prefix in SUGGEST:
                started = time.perf_counter()
                engine.suggest(prefix)
                suggest.append((time.perf_counter() - started) * 1000)

        rebuild = engine.rebuild(iter(docs))
        rebuilt = _QueryRun(engine, queries)

        write_result(
            "search",
            {
                "docs": engine.count(),
                "batch_size": BATCH,
                "index_seconds": round(index_s, 2),
                "index_docs_per_s": round(len(docs) / index_s, 1),
                "upsert_one_p50_ms": round(percentile(single, 50), 1),
                "rebuild_seconds": rebuild.seconds,
                "rebuild_docs_per_s": round(len(docs) / rebuild.seconds, 1),
                "index_mb": round(_dir_size(workdir / rebuild.index) / 1e6, 1),
                "queries": len(incremental.all),
                "query_p50_ms": incremental.p(50),
                "query_p95_ms": incremental.p(95),
                "query_p99_ms": incremental.p(99),
                "query_max_ms": round(max(incremental.all), 3),
                "text_query_p95_ms": incremental.p(95, incremental.text),
                "browse_query_p95_ms": incremental.p(95, incremental.browse),
                "forgiving_query_p50_ms": round(percentile(forgiving, 50), 3),
                "forgiving_query_p95_ms": round(percentile(forgiving, 95), 3),
                "suggest_p50_ms": round(percentile(suggest, 50), 3),
                "suggest_p95_ms": round(percentile(suggest, 95), 3),
                "segments_incremental": segments_incremental,
                "query_p50_after_rebuild_ms": rebuilt.p(50),
                "query_p95_after_rebuild_ms": rebuilt.p(95),
                "segments_after_rebuild": engine.health()["details"].get("segments"),
                "median_total_hits": sorted(incremental.totals)[len(incremental.totals) // 2],
                "zero_hit_queries": sum(1 for t in incremental.totals if t == 0),
            },
        )
        engine.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
