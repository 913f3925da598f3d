"""The mall shows exactly what the catalog lists, found by Korean sub-words, with facets."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role
from infra.settings import Settings
from search.engine import make_engine
from shop.catalog import images, indexing
from shop.catalog.models import ProductImage, ProductStatus
from shop.catalog.services import public_dir
from shop.catalog.taxonomy import Category
from shop.mall.listing_cache import SOLD_OUT_MAX_AGE_S, ListingCache
from shop.vendors.models import VendorStatus
from shop.vendors.types import District, EnterpriseType
from tests.fixtures.apps import login
from tests.fixtures.images import picture
from tests.shop.factories import make_product, make_user, make_vendor


async def _index(app: Litestar, session: AsyncSession, ids: list[int]) -> None:
    """Index as the worker would: a second engine instance on the same directory."""
    settings: Settings = app.state.settings
    worker_engine = make_engine(
        meilisearch_url=None, meilisearch_key=None, data_dir=settings.search_dir
    )
    try:
        await indexing.sync_products(session, worker_engine, ids)
    finally:
        worker_engine.close()


async def test_korean_subword_queries_find_compound_product_names(
    app: Litestar, client: AsyncTestClient, db_session: AsyncSession
) -> None:
    village = await make_vendor(db_session, enterprise_type=EnterpriseType.VILLAGE)
    coop = await make_vendor(
        db_session, enterprise_type=EnterpriseType.COOPERATIVE, district=District.MAPO
    )
    cookie = await make_product(db_session, coop, "유기농수제쿠키선물세트", price=25_000)
    hangwa = await make_product(db_session, village, "마을기업전통한과", price=32_000)
    soap = await make_product(
        db_session, coop, "천연수제비누3종", price=12_000, category=Category.HOUSEHOLD
    )
    await db_session.commit()
    await _index(app, db_session, [cookie.id, hangwa.id, soap.id])

    found = (await client.get("/api/search/products", params={"q": "쿠키"})).json()
    assert [h["name"] for h in found["hits"]] == ["유기농수제쿠키선물세트"]
    assert "<mark>" in found["hits"][0]["name_highlight"]
    found = (await client.get("/api/search/products", params={"q": "한과"})).json()
    assert [h["name"] for h in found["hits"]] == ["마을기업전통한과"]
    assert found["facets"]["enterprise_type"] == {"village": 1}


async def test_facets_price_range_and_sort_through_the_api(
    app: Litestar, client: AsyncTestClient, db_session: AsyncSession
) -> None:
    coop = await make_vendor(db_session, enterprise_type=EnterpriseType.COOPERATIVE)
    ids = [
        (await make_product(db_session, coop, name, price=price, category=category)).id
        for name, price, category in [
            ("수제잼", 8_000, Category.FOOD),
            ("수제쿠키", 15_000, Category.FOOD),
            ("수제비누", 9_000, Category.HOUSEHOLD),
        ]
    ]
    await db_session.commit()
    await _index(app, db_session, ids)

    body = (
        await client.get(
            "/api/search/products",
            params={"q": "수제", "category": "food", "sort": "price_desc"},
        )
    ).json()
    assert [h["name"] for h in body["hits"]] == ["수제쿠키", "수제잼"]
    # Disjunctive facets: the category counts ignore the category filter itself.
    assert body["facets"]["category"] == {"food": 2, "household": 1}
    labels = {g["name"]: g for g in body["facet_groups"]}
    assert {v["label"] for v in labels["category"]["values"]} == {"식품", "생활용품"}

    body = (
        await client.get(
            "/api/search/products", params={"q": "수제", "price_min": "8500", "price_max": "10000"}
        )
    ).json()
    assert [h["name"] for h in body["hits"]] == ["수제비누"]


async def test_unlisted_products_never_reach_the_index(
    app: Litestar, client: AsyncTestClient, db_session: AsyncSession
) -> None:
    approved = await make_vendor(db_session)
    suspended = await make_vendor(db_session, status=VendorStatus.SUSPENDED)
    draft = await make_product(db_session, approved, "초안한과", status=ProductStatus.DRAFT)
    hidden = await make_product(db_session, suspended, "정지한과")
    listed = await make_product(db_session, approved, "판매한과")
    await db_session.commit()
    await _index(app, db_session, [draft.id, hidden.id, listed.id])

    body = (await client.get("/api/search/products", params={"q": "한과"})).json()
    assert [h["name"] for h in body["hits"]] == ["판매한과"]


async def test_bad_search_parameters_are_problem_details_naming_the_field(
    client: AsyncTestClient,
) -> None:
    for params, field in [
        ({"price_min": "비쌈"}, "price_min"),
        ({"price_min": "9000", "price_max": "100"}, "price_min"),
        ({"sort": "cheapest"}, "sort"),
        ({"page": "0"}, "page"),
    ]:
        response = await client.get("/api/search/products", params=params)
        assert response.status_code == 400, params
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["field"] == field


async def test_pages_render_search_results_and_the_product(
    app: Litestar, client: AsyncTestClient, db_session: AsyncSession, tmp_path: Path
) -> None:
    vendor = await make_vendor(db_session, name="우이골한과마을")
    product = await make_product(db_session, vendor, "마을기업전통한과", price=32_000)
    await db_session.commit()
    await _index(app, db_session, [product.id])

    home = await client.get("/")
    assert home.status_code == 200 and "마을기업전통한과" in home.text
    page = await client.get("/search", params={"q": "한과"})
    assert page.status_code == 200
    assert "<mark>한과</mark>" in page.text and "우이골한과마을" in page.text
    category = await client.get("/categories/food")
    assert category.status_code == 200 and "마을기업전통한과" in category.text
    detail = await client.get(f"/products/{product.id}")
    assert detail.status_code == 200 and "32,000원" in detail.text
    assert (await client.get("/categories/nothing")).status_code == 404
    bad = await client.get("/search", params={"q": "한과", "price_min": "x"})
    assert bad.status_code == 400 and "숫자를 입력해 주세요" in bad.text


async def test_draft_product_page_is_hidden_from_shoppers(
    client: AsyncTestClient, db_session: AsyncSession
) -> None:
    vendor = await make_vendor(db_session)
    draft = await make_product(db_session, vendor, "비공개상품", status=ProductStatus.DRAFT)
    await db_session.commit()
    assert (await client.get(f"/products/{draft.id}")).status_code == 404


async def test_cards_show_the_card_picture_or_a_placeholder(
    app: Litestar, client: AsyncTestClient, db_session: AsyncSession
) -> None:
    settings: Settings = app.state.settings
    vendor = await make_vendor(db_session)
    pictured = await make_product(db_session, vendor, "유자청선물세트")
    plain = await make_product(db_session, vendor, "유자차티백")
    renditions = images.render(picture("JPEG", size=(300, 200)))
    stored = images.store(public_dir(settings), f"products/{pictured.id}/x", renditions)
    db_session.add(ProductImage(product_id=pictured.id, storage_path=stored,
                                content_type=images.CONTENT_TYPE, alt="유자청선물세트"))
    await db_session.commit()
    await _index(app, db_session, [pictured.id, plain.id])

    card = (f'<img class="card-image" src="/media/products/{pictured.id}/x.card.webp" '
            'alt="유자청선물세트" width="400" height="400" loading="lazy"')
    for path in ("/", "/categories/food", "/search?q=유자"):
        text = (await client.get(path)).text
        assert card in text, path
        assert text.count("사진 준비 중") == 1, path  # the product without a picture
    served = await client.get(f"/media/products/{pictured.id}/x.card.webp")
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    assert served.headers["x-content-type-options"] == "nosniff"


async def test_a_sold_out_product_is_marked_on_every_listing_within_half_a_second(
    app: Litestar, client: AsyncTestClient, db_session: AsyncSession
) -> None:
    """Listings come from the (cached) search results, stock from the database: a product
    whose every unit is sold or held says 품절 on the home page, its category and the search
    page as soon as the page's sold-out answer is older than ``SOLD_OUT_MAX_AGE_S`` (half a
    second, inside search's one-second bound), without waiting for the index."""
    now = [100.0]
    cache: ListingCache = app.state.listing_cache
    cache.clock = lambda: now[0]
    vendor = await make_vendor(db_session)
    jam = await make_product(db_session, vendor, "햇살딸기잼", price=9_000)
    tea = await make_product(db_session, vendor, "햇살작설차", price=8_000)
    await db_session.commit()
    await _index(app, db_session, [jam.id, tea.id])
    pages = ("/", "/categories/food", "/search?q=햇살")

    def card(page: str, product_id: int) -> str:
        start = page.index(f'href="/products/{product_id}"')
        return page[start:page.index("</article>", start)]

    for path in pages:
        page = (await client.get(path)).text
        assert "품절" not in card(page, jam.id) and "품절" not in card(page, tea.id), path

    jam.variants[0].stock = 0  # the vendor says so; a sale would hold the units just the same
    await db_session.commit()
    assert SOLD_OUT_MAX_AGE_S <= 0.5
    now[0] += SOLD_OUT_MAX_AGE_S / 2
    for path in pages:  # the answer read a quarter of a second ago is still shown
        assert "품절" not in card((await client.get(path)).text, jam.id), path
    now[0] += SOLD_OUT_MAX_AGE_S / 2 + 0.001  # just over half a second after it was read
    for path in pages:
        page = (await client.get(path)).text
        assert "품절" in card(page, jam.id) and "품절" not in card(page, tea.id), path


async def test_product_page_prices_are_read_fresh_its_description_kept_until_indexed(
    app: Litestar, client: AsyncTestClient, db_session: AsyncSession
) -> None:
    """The product page keeps the catalog's description in the index snapshot's cache:
    a new price or the last unit gone shows on the next request, a new name once the event
    that carries it has been indexed (the same handling that makes search see it)."""
    vendor = await make_vendor(db_session)
    product = await make_product(db_session, vendor, "햇살유기농사과", price=20_000)
    await db_session.commit()
    await _index(app, db_session, [product.id])
    assert "20,000원" in (await client.get(f"/products/{product.id}")).text  # now kept

    product.name = "햇살유기농꿀사과"
    product.variants[0].price = 18_000
    await db_session.commit()
    page = (await client.get(f"/products/{product.id}")).text
    assert "18,000원" in page and "20,000원" not in page  # price: at once
    assert "햇살유기농사과" in page  # the description: as search still has it

    product.variants[0].stock = 0
    await db_session.commit()
    assert "품절" in (await client.get(f"/products/{product.id}")).text  # stock: at once

    await _index(app, db_session, [product.id])  # the worker handles the product's event
    page = (await client.get(f"/products/{product.id}")).text
    assert "햇살유기농꿀사과" in page and "18,000원" in page and "품절" in page

    vendor.status = VendorStatus.SUSPENDED
    await db_session.commit()
    await _index(app, db_session, [product.id])
    assert (await client.get(f"/products/{product.id}")).status_code == 404


async def test_a_kept_listing_is_only_for_visitors_without_a_session(
    app: Litestar, client: AsyncTestClient, db_session: AsyncSession
) -> None:
    """Listings drawn once are served to visitors without a session alone: a signed-in
    shopper sees their own header on the same address, then a visitor the plain page."""
    vendor = await make_vendor(db_session)
    product = await make_product(db_session, vendor, "햇살보리차", price=5_000)
    shopper = await make_user(db_session, Role.SHOPPER, email="tea@example.kr")
    await db_session.commit()
    await _index(app, db_session, [product.id])
    for path in ("/", "/categories/food", "/search?q=보리차"):
        plain = (await client.get(path)).text
        assert f"/products/{product.id}" in plain and "로그아웃" not in plain, path
    await login(client, "tea@example.kr", "password-123")
    for path in ("/", "/categories/food", "/search?q=보리차"):
        mine = (await client.get(path)).text
        assert f"/products/{product.id}" in mine and "로그아웃" in mine, path
        assert shopper.display_name in mine, path
    client.cookies.clear()
    assert "로그아웃" not in (await client.get("/")).text
