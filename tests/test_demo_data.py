"""Invariants of the demo data.

Search demos, procurement counting and market scheduling are all shown on this data, so
its shape is a contract: enough vendors and products in every facet, identifiers that
real validation accepts, SKUs that never collide, and markets that recur exactly as the
source documents say.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from datetime import date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from PIL import Image as PILImage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import shop.demo
from infra.accounts.models import Role, User
from infra.accounts.services import authenticate
from infra.clock import seoul_today
from infra.outbox import OutboxEvent
from markets.demo_data import ALL_YEAR, STREET_SALES_SEASON, MarketSeed, demo_markets
from shop import demo_pictures
from shop.catalog.images import CARD_SIZE, card_path
from shop.catalog.models import Product
from shop.catalog.taxonomy import Category, StrategicItem
from shop.demo_data import (
    DEMO_PASSWORD,
    ProductSeed,
    VendorSeed,
    brn_check_digit,
    demo_products,
    demo_users,
    demo_vendors,
    is_valid_brn,
)
from shop.procurement import demo as procurement_demo
from shop.procurement import (
    disclosures,
    exception_register,
    institutions,
    ocds_feed,
    outside_purchases,
)
from shop.procurement.contracting import PurchaseOrderStatus
from shop.procurement.models import (
    Institution,
    InstitutionKind,
    ProcurementRole,
    PurchaseOrder,
    PurchaseOrderStatusChange,
)
from shop.procurement.overdue_inspections import overdue_inspections
from shop.procurement.quotation_models import Quote, QuoteRequest, QuoteRequestStatus
from shop.vendors.types import PRE_SOCIAL_SUPPORT_YEARS, District, EnterpriseType

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture(scope="module")
def vendors() -> list[VendorSeed]:
    return demo_vendors()


@pytest.fixture(scope="module")
def products(vendors: list[VendorSeed]) -> list[ProductSeed]:
    return demo_products(vendors)


def _reference_check_digit(first9: str) -> int:
    """The BRN checksum written out independently of the module under test."""
    weights = [1, 3, 7, 1, 3, 7, 1, 3, 5]
    total = sum(int(d) * w for d, w in zip(first9, weights, strict=True))
    total += int(first9[8]) * 5 // 10
    return (10 - total % 10) % 10


# --- vendors ------------------------------------------------------------------------------


def test_vendor_counts_cover_every_type_and_many_districts(vendors: list[VendorSeed]) -> None:
    assert len(vendors) >= 40
    by_type = Counter(v.enterprise_type for v in vendors)
    assert all(by_type[t] >= 2 for t in EnterpriseType), by_type
    assert len({v.district for v in vendors}) >= 15


def test_vendor_names_are_unique(vendors: list[VendorSeed]) -> None:
    assert len({v.name for v in vendors}) == len(vendors)


def test_brn_check_digit_matches_a_hand_computed_number() -> None:
    # 1*1+2*3+3*7+4*1+5*3+6*7+7*1+8*3+9*5 = 165, + 9*5//10 = 169 -> check digit 1
    assert brn_check_digit("123456789") == "1"
    assert is_valid_brn("1234567891")
    assert not is_valid_brn("1234567890")
    assert not is_valid_brn("123-45-67891")
    with pytest.raises(ValueError):
        brn_check_digit("12345678")


def test_every_brn_is_ten_digits_with_a_valid_checksum(vendors: list[VendorSeed]) -> None:
    numbers = [v.business_registration_number for v in vendors]
    assert len(set(numbers)) == len(numbers)
    for brn in numbers:
        assert re.fullmatch(r"\d{10}", brn), brn
        assert int(brn[9]) == _reference_check_digit(brn[:9]), brn
        assert is_valid_brn(brn)


def test_vendor_contacts_look_real(vendors: list[VendorSeed]) -> None:
    for v in vendors:
        assert re.fullmatch(r"02-\d{3,4}-\d{4}|010-\d{4}-\d{4}", v.phone), v.phone
        assert v.email.isascii() and v.email.endswith("@example.kr"), v.email
        assert v.representative and v.description and v.certification_number
        assert v.main_categories and len(set(v.main_categories)) == len(v.main_categories)


def test_certifications_have_sane_dates_and_some_have_lapsed(vendors: list[VendorSeed]) -> None:
    for v in vendors:
        assert v.certified_from < v.certified_to, v.name
    on = date(2026, 1, 1)
    assert any(v.certified_to < on for v in vendors), "procurement demo needs a lapsed one"
    assert sum(v.certified_from <= on <= v.certified_to for v in vendors) >= 30


def test_pre_social_enterprises_run_exactly_three_years(vendors: list[VendorSeed]) -> None:
    pre = {EnterpriseType.PRE_SOCIAL_REGIONAL, EnterpriseType.PRE_SOCIAL_MINISTRY}
    for v in (v for v in vendors if v.enterprise_type in pre):
        end = v.certified_from.replace(year=v.certified_from.year + PRE_SOCIAL_SUPPORT_YEARS)
        assert (end - v.certified_to).days == 1, v.name


# --- products -----------------------------------------------------------------------------


def test_product_counts_per_category(products: list[ProductSeed]) -> None:
    assert len(products) >= 300
    by_category = Counter(p.category for p in products)
    assert all(by_category[c] >= 30 for c in Category), by_category


def test_every_vendor_sells_something_that_fits_it(
    vendors: list[VendorSeed], products: list[ProductSeed]
) -> None:
    assert {p.vendor_index for p in products} == set(range(len(vendors)))
    for p in products:
        assert p.category in vendors[p.vendor_index].main_categories, p.name


def test_product_names_unique_per_vendor(products: list[ProductSeed]) -> None:
    pairs = [(p.vendor_index, p.name) for p in products]
    assert len(set(pairs)) == len(pairs)


def test_skus_are_ascii_and_globally_unique(products: list[ProductSeed]) -> None:
    skus = [v.sku for p in products for v in p.variants]
    assert len(set(skus)) == len(skus)
    assert all(re.fullmatch(r"JT-\d{4}-\d{2}", sku) for sku in skus)


def test_prices_are_positive_whole_won_and_stock_is_sane(products: list[ProductSeed]) -> None:
    for p in products:
        assert p.variants, p.name
        assert len({v.label for v in p.variants}) == len(p.variants), p.name
        for v in p.variants:
            assert type(v.price) is int and 1_000 <= v.price <= 300_000, (p.name, v.price)
            assert v.price % 100 == 0, (p.name, v.price)
            assert type(v.stock) is int and v.stock >= 0


def test_descriptions_are_a_few_korean_sentences(products: list[ProductSeed]) -> None:
    for p in products:
        sentences = [s for s in p.description.split(". ") if s]
        assert 2 <= len(sentences) <= 3, p.description
        assert p.description.endswith("."), p.description


def test_strategic_items_are_sparse_and_imply_eco(products: list[ProductSeed]) -> None:
    with_items = [p for p in products if p.strategic_items]
    assert 0 < len(with_items) < len(products) / 2
    assert all(p.eco_friendly for p in with_items)
    assert {i for p in with_items for i in p.strategic_items} == set(StrategicItem)


def test_demo_data_is_deterministic() -> None:
    assert demo_vendors() == demo_vendors()
    assert demo_products() == demo_products()
    assert demo_products(demo_vendors()) == demo_products()
    assert demo_markets() == demo_markets()


def test_search_demo_products_exist_with_the_right_sellers(
    vendors: list[VendorSeed], products: list[ProductSeed]
) -> None:
    by_name = {p.name: p for p in products}
    cookies = by_name["유기농수제쿠키선물세트"]
    assert cookies.category is Category.FOOD
    assert cookies.vendor_index == 0  # the demo vendor user's enterprise
    hangwa = by_name["마을기업전통한과"]
    assert vendors[hangwa.vendor_index].enterprise_type is EnterpriseType.VILLAGE
    assert hangwa.category is Category.FOOD


def test_demo_users(vendors: list[VendorSeed]) -> None:
    users = demo_users(vendors)
    assert [u.roles for u in users] == [("admin",), ("vendor_member", "shopper"), ("shopper",)]
    assert users[0].email == "admin@jangteo.kr"
    assert users[1].vendor_index == 0
    assert all(u.password == DEMO_PASSWORD for u in users)
    assert len({u.email for u in users}) == 3


# --- markets ------------------------------------------------------------------------------

EXPECTED_MARKETS = {
    "광화문 사회적경제 장터": ("FREQ=WEEKLY;BYDAY=SU", time(11), time(16), "광화문 광장"),
    "늘장": ("FREQ=WEEKLY;BYDAY=TU,WE,TH,FR,SA,SU", time(11), time(21), "공덕역 폐선부지"),
    "동진시장": ("FREQ=WEEKLY;BYDAY=TU", time(16), time(18), "연남동 동진시장"),
    "달시장": ("FREQ=MONTHLY;BYDAY=-1FR", time(17), time(21), "영등포 하자센터 앞마당"),
}


def _by_name() -> dict[str, MarketSeed]:
    return {m.name: m for m in demo_markets()}


def test_the_four_markets_with_exact_rules_and_hours() -> None:
    markets = _by_name()
    assert set(markets) == set(EXPECTED_MARKETS)
    for name, (rule, opens, closes, place) in EXPECTED_MARKETS.items():
        market = markets[name]
        assert (market.rrule, market.opens, market.closes) == (rule, opens, closes)
        assert market.place == place
        assert market.timezone == "Asia/Seoul"
        assert market.organizer_name
    assert (
        markets["광화문 사회적경제 장터"].season_months
        == STREET_SALES_SEASON
        == tuple(range(3, 12))
    )


def test_dalsijang_falls_on_the_last_friday_of_each_month() -> None:
    market = _by_name()["달시장"]
    after = datetime(2026, 11, 1, tzinfo=SEOUL)
    rule = rrulestr(market.rrule, dtstart=datetime.combine(after.date(), market.opens, SEOUL))
    expected = [
        datetime(2026, 11, 27, 17, tzinfo=SEOUL),
        datetime(2026, 12, 25, 17, tzinfo=SEOUL),
        datetime(2027, 1, 29, 17, tzinfo=SEOUL),
    ]
    assert list(rule.xafter(after, count=3)) == expected
    assert market.season_months == ALL_YEAR
    assert market.occurrences(after, 3) == expected


def test_weekly_markets_fall_on_their_weekdays() -> None:
    markets = _by_name()
    after = datetime(2026, 6, 1, tzinfo=SEOUL)  # a Monday
    neuljang = markets["늘장"].occurrences(after, 12)
    assert {d.isoweekday() for d in neuljang} == {2, 3, 4, 5, 6, 7}
    assert neuljang[0] == datetime(2026, 6, 2, 11, tzinfo=SEOUL)
    dongjin = markets["동진시장"].occurrences(after, 4)
    assert [d.day for d in dongjin] == [2, 9, 16, 23]
    assert all(d.time() == time(16) and d.isoweekday() == 2 for d in dongjin)


def test_gwanghwamun_skips_the_winter_off_season() -> None:
    market = _by_name()["광화문 사회적경제 장터"]
    after = datetime(2026, 11, 23, tzinfo=SEOUL)
    assert market.occurrences(after, 2) == [
        datetime(2026, 11, 29, 11, tzinfo=SEOUL),
        datetime(2027, 3, 7, 11, tzinfo=SEOUL),
    ]


def test_market_seed_rejects_bad_hours_and_seasons() -> None:
    base = demo_markets()[0]
    fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
    with pytest.raises(ValueError):
        MarketSeed(**{**fields, "opens": time(16), "closes": time(11)})
    with pytest.raises(ValueError):
        MarketSeed(**{**fields, "season_months": ()})
    with pytest.raises(ValueError):
        base.occurrences(datetime(2026, 1, 1), 1)


# --- the data files -----------------------------------------------------------------------


def _data_file(package: str, name: str) -> dict[str, Any]:
    return tomllib.loads((resources.files(package) / name).read_text("utf-8"))


def test_the_catalogue_file_is_read_whole(
    vendors: list[VendorSeed], products: list[ProductSeed]
) -> None:
    """Every enterprise, product and option written in ``shop/demo_catalogue.toml`` reaches
    the demo, in the file's order: nothing is dropped on the way."""
    enterprises = _data_file("shop", "demo_catalogue.toml")["enterprise"]
    written = [p for e in enterprises for p in e["product"]]
    assert [v.name for v in vendors] == [e["name"] for e in enterprises]
    assert [p.name for p in products] == [p["name"] for p in written]
    assert [[(v.label, v.price) for v in p.variants] for p in products] == [
        list(p["options"].items()) for p in written]
    assert (len(vendors), len(products)) == (51, 339)


def test_the_markets_file_is_read_whole() -> None:
    written = _data_file("markets", "demo_markets.toml")["market"]
    assert [m.name for m in demo_markets()] == [m["name"] for m in written]


# --- public buying ------------------------------------------------------------------------


async def test_the_procurement_demo_is_made_through_the_use_cases_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """성북구청 with three departments, a requester and an approver, orders in several
    states with their events and history, one exception and last month published; a
    second load changes nothing."""
    async with session_factory() as session:
        await shop.demo.load(session)
        summary = await procurement_demo.load(session)
        assert "성북구청" in summary, summary
        assert "이미 있어" in await procurement_demo.load(session)
    async with session_factory() as session:
        (institution,) = (await session.scalars(select(Institution))).all()
        assert institution.name == "성북구청"
        assert institution.kind is InstitutionKind.DISTRICT_OFFICE
        assert institution.district is District.SEONGBUK
        assert is_valid_brn(institution.business_registration_number)
        assert [d.name for d in institution.departments] == ["일자리정책과", "보건행정과", "총무과"]

        people = {u.email: u for u in (await session.scalars(select(User).where(
            User.email.in_(["buyer@jangteo.kr", "approver@jangteo.kr"])))).all()}
        assert all(u.has_role(Role.PUBLIC_BUYER) and not u.is_admin for u in people.values())
        assert await authenticate(session, "buyer@jangteo.kr", DEMO_PASSWORD) is not None
        roles = {(m.user_id, m.role) for m in await institutions.memberships_of(
            session, institution.id)}
        assert (people["buyer@jangteo.kr"].id, ProcurementRole.REQUESTER) in roles
        assert (people["approver@jangteo.kr"].id, ProcurementRole.APPROVER) in roles

        orders = (await session.scalars(select(PurchaseOrder))).all()
        statuses = Counter(o.status for o in orders)
        assert {PurchaseOrderStatus.PENDING_APPROVAL, PurchaseOrderStatus.APPROVED,
                PurchaseOrderStatus.DELIVERED, PurchaseOrderStatus.PAID,
                PurchaseOrderStatus.CANCELLED} <= set(statuses)
        assert all(o.requester_id == people["buyer@jangteo.kr"].id for o in orders)
        assert all(o.approvals_required == 1 for o in orders)  # one demo approver
        # The lapsed vendor's order counts as general, with the reason on record.
        general = [o for o in orders if o.counted_amount is not None and o.counted_as is None]
        assert general and all(o.counted_reason for o in general)
        assert any(o.counted_as is not None for o in orders)

        history = Counter((await session.scalars(
            select(PurchaseOrderStatusChange.order_id))).all())
        assert all(history[o.id] >= 2 for o in orders)
        events = set((await session.scalars(select(OutboxEvent.name))).all())
        assert {"procurement.order_submitted", "procurement.order_approved",
                "procurement.order_paid", "procurement.order_cancelled",
                "procurement.exception_recorded", "procurement.disclosure_published"} <= events

        (exception,) = await exception_register.entries_of(session, institution.id)
        assert exception.order_id in {o.id for o in general}
        (version,) = await disclosures.versions_of(session, institution.id)
        last_month = seoul_today().replace(day=1) - timedelta(days=1)
        assert (version.year, version.month, version.version) == (
            last_month.year, last_month.month, 1)
        # Purchases outside the platform last month are in the published month too.
        (batch,) = await outside_purchases.imports_of(session, institution.id)
        assert (batch.rows, batch.total_amount) == (3, 8_800_000 + 352_000 + 1_650_000)
        assert sum(r.amount for r in version.rows if r.kind == "figure"
                   and r.category.value == "office_it" and r.enterprise_type is None
                   ) >= 8_800_000 + 352_000
        # A delivery waiting for inspection since last month is on the overdue report.
        overdue = await overdue_inspections(session, institution.id, today=seoul_today())
        assert [o.status for o in overdue] == [PurchaseOrderStatus.DELIVERED]
        package = await ocds_feed.release_package(session, uri="https://example.kr/p")
        assert len(package["releases"]) >= len(orders)

        # One open request for quotation, answered by the demo vendor (vendor@jangteo.kr).
        (request,) = (await session.scalars(select(QuoteRequest))).all()
        assert request.status is QuoteRequestStatus.OPEN and len(request.vendor_ids) >= 1
        (quote,) = (await session.scalars(select(Quote))).all()
        assert quote.request_id == request.id and quote.total > 0
        assert {"procurement.quote_requested", "procurement.quote_received"} <= events


# --- pictures -----------------------------------------------------------------------------


def test_demo_pictures_are_drawn_the_same_every_time_and_stored_like_uploads(
    tmp_path: Path,
) -> None:
    """A tile per product, equal bytes on every load, different per product, through the
    upload pipeline (a WebP of 600 px and its 400 px card)."""
    cookie, toner = demo_products()[0], next(
        p for p in demo_products() if p.category is Category.OFFICE_IT)
    drawn = demo_pictures.draw(cookie.name, cookie.category.value, cookie.category.label)
    assert drawn == demo_pictures.draw(cookie.name, cookie.category.value, cookie.category.label)
    assert drawn != demo_pictures.draw(toner.name, toner.category.value, toner.category.label)

    product = Product(id=7, name=cookie.name, category=cookie.category)
    image = shop.demo._draw_and_store(tmp_path, product)
    assert image.storage_path.startswith("products/7/") and image.alt == cookie.name
    with PILImage.open(tmp_path / image.storage_path) as detail:
        assert (detail.format, detail.size) == ("WEBP", (demo_pictures.SIZE,) * 2)
    with PILImage.open(tmp_path / card_path(image.storage_path)) as card:
        assert card.size == (CARD_SIZE, CARD_SIZE)
