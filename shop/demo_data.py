"""Demo data for the mall: social-economy vendors, their products and three demo people.

Why this exists: a fresh checkout should open on a mall that looks like Seoul's, so that
search, filters, procurement counting and market applications can be tried without typing
anything in first. Everything here is invented (enterprises, people, numbers) but shaped
like the real thing:

- every 사업자등록번호 carries a valid checksum, so onboarding validation accepts it;
- certifications have a number and validity dates, and some have lapsed, so the rule
  "a purchase counts only if the seller's certification was valid on that day" has
  something to refuse;
- product names are the long Korean compounds without spaces ("유기농수제쿠키선물세트")
  that a Korean search analyser has to split, mixed with names that carry sizes and
  model codes ("공정무역원두커피 200g", "HP호환재생토너 CF217A").

The catalogue itself (enterprises, products, options and prices, the sentences) is data:
``shop/demo_catalogue.toml``. This module reads it strictly (a typo is an error,
not a silent gap) and derives what must follow rules rather than be typed: registration
and certificate numbers, 예비 사회적기업 validity, SKUs, stock, descriptions. No database,
no clock, and no randomness that is not seeded: two calls return equal values, so tests
and seeding commands can rely on it.
"""

from __future__ import annotations

import functools
import random
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any

from shop.catalog.taxonomy import Category, StrategicItem
from shop.vendors.types import PRE_SOCIAL_SUPPORT_YEARS, District, EnterpriseType

__all__ = [
    "DEMO_PASSWORD",
    "DemoUser",
    "ProductSeed",
    "VariantSeed",
    "VendorSeed",
    "brn_check_digit",
    "demo_products",
    "demo_users",
    "demo_vendors",
    "is_valid_brn",
]

# ---------------------------------------------------------------------------------------
# 사업자등록번호 (business registration number)
# ---------------------------------------------------------------------------------------

#: Weights of the national tax service checksum over the first nine digits.
BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_check_digit(first9: str) -> str:
    """Return the tenth digit of a 사업자등록번호 whose first nine digits are ``first9``.

    The rule: multiply the digits by 1,3,7,1,3,7,1,3,5, add them, add ``(d9 * 5) // 10``
    (the carry of the last product), and take ``(10 - sum % 10) % 10``. Demo numbers are
    built with it so that the same validation real onboarding uses accepts them.
    """
    if len(first9) != 9 or not (first9.isascii() and first9.isdigit()):
        raise ValueError(f"expected nine ASCII digits, got {first9!r}")
    digits = [int(c) for c in first9]
    total = sum(d * w for d, w in zip(digits, BRN_WEIGHTS, strict=True))
    total += (digits[8] * 5) // 10
    return str((10 - total % 10) % 10)


def is_valid_brn(brn: str) -> bool:
    """True if ``brn`` is ten ASCII digits (no dashes) with a correct check digit."""
    if len(brn) != 10 or not (brn.isascii() and brn.isdigit()):
        return False
    return brn_check_digit(brn[:9]) == brn[9]


# ---------------------------------------------------------------------------------------
# Seed types
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VendorSeed:
    """One social-economy enterprise as the demo mall knows it.

    ``certified_to`` is the last day the certification (or designation, or report) is
    valid; procurement counting compares purchase dates against it.
    """

    name: str
    enterprise_type: EnterpriseType
    district: District
    business_registration_number: str
    representative: str
    phone: str
    email: str
    certification_number: str
    certified_from: date
    certified_to: date
    description: str
    main_categories: tuple[Category, ...]


@dataclass(frozen=True)
class VariantSeed:
    """A purchasable option of a product: its own SKU, price (whole won) and stock."""

    sku: str
    label: str
    price: int
    stock: int


@dataclass(frozen=True)
class ProductSeed:
    """A catalog product; ``vendor_index`` points into the vendor list it was built from."""

    vendor_index: int
    name: str
    description: str
    category: Category
    strategic_items: tuple[StrategicItem, ...]
    eco_friendly: bool
    variants: tuple[VariantSeed, ...]


@dataclass(frozen=True)
class DemoUser:
    """A person who can sign in to the demo. ``roles`` are plain names ("admin", ...)."""

    email: str
    display_name: str
    password: str
    roles: tuple[str, ...]
    vendor_index: int | None = None


# DEMO ONLY: a published password for throw-away local demo accounts. Never seed these
# users into a real deployment.
DEMO_PASSWORD = "jangteo-demo-1234"  # noqa: S105


def demo_users(vendors: Sequence[VendorSeed] | None = None) -> list[DemoUser]:
    """The three demo people: an admin, a member of the first vendor, and a shopper.

    The vendor member belongs to the first vendor so that signing in as them shows a
    catalog that contains "유기농수제쿠키선물세트", the product search demos start from.
    """
    vendors = demo_vendors() if vendors is None else vendors
    first = vendors[0]
    return [
        DemoUser("admin@jangteo.kr", "장터 관리자", DEMO_PASSWORD, ("admin",)),
        DemoUser(
            "vendor@jangteo.kr",
            f"{first.representative} ({first.name})",
            DEMO_PASSWORD,
            ("vendor_member", "shopper"),
            vendor_index=0,
        ),
        DemoUser("shopper@jangteo.kr", "이서준", DEMO_PASSWORD, ("shopper",)),
    ]


# ---------------------------------------------------------------------------------------
# Reading the catalogue
# ---------------------------------------------------------------------------------------

_ET = EnterpriseType

#: Digits 4-5 of a 사업자등록번호 say what kind of business it is: 81/86/87 for-profit
#: corporations, 82 non-profit corporations (social cooperatives), 01-79 individuals.
_BRN_KIND: dict[EnterpriseType, int] = {
    _ET.CERTIFIED_SOCIAL: 81,
    _ET.PRE_SOCIAL_REGIONAL: 81,
    _ET.PRE_SOCIAL_MINISTRY: 86,
    _ET.SEOUL_SOCIAL: 81,
    _ET.COOPERATIVE: 86,
    _ET.SOCIAL_COOPERATIVE: 82,
    _ET.VILLAGE: 86,
    _ET.SELF_SUFFICIENCY: 13,
    _ET.YOUTH_SOCIAL_VENTURE: 87,
}

#: Each programme numbers its certificates its own way; the demo mimics that variety so
#: that nothing downstream assumes one format.
_CERT_FORMAT: dict[EnterpriseType, str] = {
    _ET.CERTIFIED_SOCIAL: "제{year}-{n:03d}호",
    _ET.PRE_SOCIAL_REGIONAL: "서울-예비-{year}-{n:03d}",
    _ET.PRE_SOCIAL_MINISTRY: "부처형 예비 제{year}-{n:03d}호",
    _ET.SEOUL_SOCIAL: "서울형 제{year}-{n:02d}호",
    _ET.COOPERATIVE: "협동조합 신고 제{year}-{n:04d}호",
    _ET.SOCIAL_COOPERATIVE: "사회적협동조합 인가 제{year}-{n:02d}호",
    _ET.VILLAGE: "서울 마을기업 제{year}-{n:02d}호",
    _ET.SELF_SUFFICIENCY: "자활기업 인정 제{year}-{n:02d}호",
    _ET.YOUTH_SOCIAL_VENTURE: "청년소셜벤처 제{year}-{n:03d}호",
}

_PRE_SOCIAL = frozenset({_ET.PRE_SOCIAL_REGIONAL, _ET.PRE_SOCIAL_MINISTRY})

_ENTERPRISE_KEYS = frozenset({
    "name", "type", "district", "representative", "phone", "mailbox", "since", "until",
    "categories", "description", "pitch", "product",
})
_PRODUCT_KEYS = frozenset({"name", "options", "category", "strategic_items", "eco", "about"})

#: Fixed seed: the demo must come out the same on every machine and every call.
_SEED = 20_260_301


@dataclass(frozen=True)
class _Catalogue:
    enterprises: tuple[dict[str, Any], ...]
    closings: tuple[str, ...]


@functools.cache
def _catalogue() -> _Catalogue:
    """``demo_catalogue.toml``, read once and checked: unknown keys, enterprises listed twice
    or without products, and a product listed twice by one enterprise are refused."""
    text = (resources.files("shop") / "demo_catalogue.toml").read_text("utf-8")
    data = tomllib.loads(text)
    enterprises = tuple(data["enterprise"])
    names = [e["name"] for e in enterprises]
    if len(set(names)) != len(names):
        raise ValueError("demo catalogue: an enterprise is listed twice")
    for entry in enterprises:
        where = f"demo catalogue, {entry['name']!r}"
        products = entry.get("product", [])
        unknown = (set(entry) - _ENTERPRISE_KEYS) | ({k for p in products for k in p}
                                                     - _PRODUCT_KEYS)
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        if not entry.get("pitch") or not products:
            raise ValueError(f"{where}: needs a pitch and products")
        if len({p["name"] for p in products}) != len(products):
            raise ValueError(f"{where}: a product is listed twice")
    return _Catalogue(enterprises, tuple(data["closings"]))


def _add_years(start: date, years: int) -> date:
    """``start`` moved by whole years; 29 February falls back to the 28th."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def _vendor_from_entry(index: int, entry: dict[str, Any]) -> VendorSeed:
    """Turn a catalogue enterprise into a seed, deriving what must follow rules.

    The BRN is synthetic: an office prefix from the district's position (101-197, not the
    real tax-office table), the business-kind digits for the enterprise type, a serial
    unique per index, and the computed check digit.
    """
    name, etype, since = entry["name"], EnterpriseType(entry["type"]), entry["since"]
    district = District(entry["district"])
    if etype in _PRE_SOCIAL:
        if "until" in entry:
            raise ValueError(f"{name}: 예비 사회적기업 validity is computed, not written")
        until = _add_years(since, PRE_SOCIAL_SUPPORT_YEARS) - timedelta(days=1)
    elif "until" not in entry:
        raise ValueError(f"{name}: certified_to is required for {etype.label}")
    else:
        until = entry["until"]
    office = 101 + 4 * list(District).index(district)
    serial = (1234 + 7919 * index) % 10_000
    first9 = f"{office:03d}{_BRN_KIND[etype]:02d}{serial:04d}"
    certificate = _CERT_FORMAT[etype].format(year=since.year, n=(17 + 37 * index) % 250 + 1)
    return VendorSeed(
        name=name,
        enterprise_type=etype,
        district=district,
        business_registration_number=first9 + brn_check_digit(first9),
        representative=entry["representative"],
        phone=entry["phone"],
        email=f"{entry['mailbox']}@example.kr",
        certification_number=certificate,
        certified_from=since,
        certified_to=until,
        description=entry["description"],
        main_categories=tuple(Category(c) for c in entry["categories"]),
    )


def demo_vendors() -> list[VendorSeed]:
    """All demo vendors (51): every enterprise type, all 25 districts, some lapsed."""
    return [_vendor_from_entry(i, e) for i, e in enumerate(_catalogue().enterprises)]


def _stock_for(price: int, rng: random.Random) -> int:
    """Plausible stock: cheap goods by the hundred, tours and big items by the handful.

    About one option in twenty is sold out, so the demo shows that state too.
    """
    if rng.random() < 0.05:
        return 0
    ceiling = 200 if price < 30_000 else 60 if price < 100_000 else 15
    return rng.randint(3, ceiling)


def _options(product: dict[str, Any], where: str) -> list[tuple[str, int]]:
    options = list(product["options"].items())
    for label, won in options:
        if not label or type(won) is not int or won <= 0:
            raise ValueError(f"{where}: bad option {label!r} = {won!r}")
    return options


def demo_products(vendors: Sequence[VendorSeed] | None = None) -> list[ProductSeed]:
    """The demo catalog for ``vendors`` (default: :func:`demo_vendors`), in vendor order.

    ``vendor_index`` is the position in ``vendors``. SKUs run ``JT-0001-01``,
    ``JT-0001-02``, ... over the whole result, so they are unique and ASCII. A product
    outside its vendor's main categories is refused: the demo should never show a bakery
    selling toner.
    """
    vendors = demo_vendors() if vendors is None else vendors
    catalogue = _catalogue()
    by_name = {entry["name"]: entry for entry in catalogue.enterprises}
    rng = random.Random(_SEED)
    products: list[ProductSeed] = []
    for vendor_index, vendor in enumerate(vendors):
        entry = by_name.get(vendor.name)
        if entry is None:
            raise ValueError(f"no demo catalog for vendor {vendor.name!r}")
        for spec in entry["product"]:
            where = f"{vendor.name!r}, {spec['name']!r}"
            category = Category(spec["category"]) if "category" in spec else (
                vendor.main_categories[0])
            if category not in vendor.main_categories:
                raise ValueError(f"{spec['name']!r} ({category}) does not fit {vendor.name!r}")
            items = tuple(StrategicItem(i) for i in spec.get("strategic_items", ()))
            number = len(products) + 1
            variants = tuple(
                VariantSeed(
                    sku=f"JT-{number:04d}-{k:02d}",
                    label=label,
                    price=price,
                    stock=_stock_for(price, rng),
                )
                for k, (label, price) in enumerate(_options(spec, where), start=1)
            )
            sentences = [spec["about"], entry["pitch"]]
            pick = rng.randrange(len(catalogue.closings) + 2)
            if pick < len(catalogue.closings):
                sentences.append(catalogue.closings[pick])
            products.append(
                ProductSeed(
                    vendor_index=vendor_index,
                    name=spec["name"],
                    description=" ".join(sentences),
                    category=category,
                    strategic_items=items,
                    eco_friendly=spec.get("eco", False) or bool(items),
                    variants=variants,
                )
            )
    return products
