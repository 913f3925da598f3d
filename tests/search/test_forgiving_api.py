"""Each class of forgiving query finds its product first through ``GET /api/search/products``.

The index is the demo catalogue (the same documents the judged set is scored on), built
where the web app reads it, as the CLI's rebuild would.
"""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from infra.settings import Settings
from search.engine import make_engine
from tests.search.quality import demo_documents

CASES = [
    (
        "plain",
        "쿠키",
        {"유기농수제쿠키선물세트", "수제잼쿠키틴케이스", "카페쿠키박스", "비건오트쿠키"},
    ),
    ("typo", "비느", {"천연수제비누3종"}),
    (
        "typo",
        "보드개임",
        {
            "수어학습보드게임",
            "마을장터보드게임",
            "착한가게경제보드게임",
            "한글놀이보드게임",
            "보드게임교구 학교세트",
            "기후위기보드게임 지구를지켜라",
        },
    ),
    (
        "chosung",
        "ㄷㅅㄹ",
        {"제철나물비빔밥도시락", "돼지불고기한상도시락", "채식한끼도시락", "들꽃밥상도시락"},
    ),
    ("chosung", "그래ㄴ", {"수제그래놀라", "현미누룽지그래놀라"}),
    ("particle", "에코백이랑", {"업사이클링에코백", "면에코백 단체주문"}),
    ("english", "soap", {"천연수제비누3종"}),
    ("english", "eco bag", {"업사이클링에코백", "면에코백 단체주문"}),
    ("synonym", "밑반찬", {"엄마손반찬 4종 세트", "반찬4종정기배송", "1인가구반찬구독"}),
    ("relaxation", "수제잼", {"수제잼쿠키틴케이스"}),
]


@pytest.fixture
async def demo_index(app: Litestar) -> None:
    settings: Settings = app.state.settings
    engine = make_engine(meilisearch_url=None, meilisearch_key=None, data_dir=settings.search_dir)
    try:
        engine.rebuild(demo_documents())
    finally:
        engine.close()


@pytest.mark.parametrize(("kind", "q", "expected"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
async def test_forgiving_query_finds_its_product_first(
    demo_index: None, client: AsyncTestClient[Litestar], kind: str, q: str, expected: set[str]
) -> None:
    response = await client.get("/api/search/products", params={"q": q})
    assert response.status_code == 200, response.text
    hits = [h["name"] for h in response.json()["hits"]]
    assert hits and hits[0] in expected, (kind, hits[:5])


async def test_relaxed_compound_shows_other_jams_after_the_handmade_one(
    demo_index: None, client: AsyncTestClient[Litestar]
) -> None:
    hits = [
        h["name"]
        for h in (await client.get("/api/search/products", params={"q": "수제잼"})).json()["hits"]
    ]
    assert hits[0] == "수제잼쿠키틴케이스"
    assert "텃밭수확잼 2종" in hits[1:]


async def test_suggest_offers_names_and_categories_as_you_type(
    demo_index: None, client: AsyncTestClient[Litestar]
) -> None:
    for q, expected in [("도시라", "도시락"), ("ㅂㄷㄱㅇ", "보드게임"), ("보드개", "보드게임")]:
        response = await client.get("/api/search/suggest", params={"q": q})
        assert response.status_code == 200, response.text
        suggestions = response.json()["suggestions"]
        assert suggestions and expected in suggestions[0]["name"], (q, suggestions)
        assert suggestions[0]["category_label"]


async def test_search_page_asks_did_you_mean_for_a_typo(
    demo_index: None, client: AsyncTestClient[Litestar]
) -> None:
    body = (await client.get("/api/search/products", params={"q": "보드개임"})).json()
    assert body["did_you_mean"] == "보드게임"
    page = await client.get("/search", params={"q": "보드개임"})
    assert "혹시" in page.text and "보드게임</a>을 찾으셨나요?" in page.text
