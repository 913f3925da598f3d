"""The pure rules: what a valid product draft and a valid image are, field by field."""

from __future__ import annotations

import pytest

from infra.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from shop.catalog import rules
from shop.catalog.rules import ProductChanges, VariantDraft
from shop.catalog.taxonomy import Category, StrategicItem
from tests.shop.catalog.conftest import JPEG, PNG, WEBP, draft


def fields_of(exc: InvalidInput) -> dict[str, str]:
    return {e["field"]: e["code"] for e in exc.extra["errors"]}


def test_a_valid_draft_is_normalised() -> None:
    clean = rules.validate_draft(draft(
        name="  현미 쿠키  ",
        strategic_items=("green_forest", "green_forest"),
        variants=(VariantDraft(sku="A-1", price="12,000", stock=" 3 ", option_label=""),),
    ))
    assert clean.name == "현미 쿠키"
    assert clean.category is Category.FOOD
    assert clean.strategic_items == (StrategicItem.GREEN_FOREST,)
    assert clean.variants[0].price == 12000
    assert clean.variants[0].stock == 3
    assert clean.variants[0].option_label == "기본"


@pytest.mark.parametrize("price", [-1, 0, 12.5, 12.0, "abc", "", True, 100_000_001, None])
def test_price_must_be_whole_won_above_zero(price: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        rules.validate_draft(draft(variants=(VariantDraft(sku="A", price=price),)))  # type: ignore[arg-type]
    assert fields_of(caught.value) == {"variants[0].price": "invalid_price"}


@pytest.mark.parametrize("stock", [-1, 1.5, "many", 10_000_001])
def test_stock_must_be_a_whole_number_not_below_zero(stock: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        rules.validate_draft(draft(variants=(VariantDraft(sku="A", price=1000, stock=stock),)))  # type: ignore[arg-type]
    assert fields_of(caught.value) == {"variants[0].stock": "invalid_stock"}


def test_every_wrong_field_is_named_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        rules.validate_draft(draft(
            name="x",
            category="weapons",
            strategic_items=("green_cycle", "green_mars"),
            variants=(
                VariantDraft(sku="OK-1", price=1000),
                VariantDraft(sku="OK-1", price=1000),
                VariantDraft(sku="한글", price=1000),
            ),
        ))
    assert fields_of(caught.value) == {
        "name": "invalid_name",
        "category": "unknown_category",
        "strategic_items[1]": "unknown_strategic_item",
        "variants[1].sku": "duplicate_sku",
        "variants[2].sku": "invalid_sku",
    }
    assert caught.value.code == "invalid_name"


def test_a_product_needs_a_variant() -> None:
    with pytest.raises(InvalidInput) as caught:
        rules.validate_draft(draft(variants=()))
    assert fields_of(caught.value) == {"variants": "no_variants"}


@pytest.mark.parametrize("sku", ["", "a" * 65, "SKU 1", "SKU/1", "상품"])
def test_sku_is_short_ascii(sku: str) -> None:
    with pytest.raises(InvalidInput):
        rules.validate_draft(draft(variants=(VariantDraft(sku=sku, price=1000),)))


def test_changes_keep_what_they_do_not_name() -> None:
    current = draft()
    merged = ProductChanges(name="새 이름").applied_to(current)
    assert merged.name == "새 이름"
    assert merged.variants == current.variants
    before = rules.validate_draft(current)
    after = rules.validate_draft(merged)
    assert rules.changed_fields(before, after) == ("name",)


@pytest.mark.parametrize("data", [PNG, JPEG, WEBP], ids=["png", "jpeg", "webp"])
def test_pictures_are_decoded_and_re_encoded_as_webp(data: bytes) -> None:
    clean = rules.validate_image(data, max_bytes=10_000, existing=0)
    assert clean.content_type == "image/webp"
    assert clean.renditions.detail.startswith(b"RIFF") and clean.renditions.card[8:12] == b"WEBP"
    assert (clean.renditions.width, clean.renditions.height) == (60, 40)


def test_an_image_is_refused_when_too_big_of_the_wrong_type_or_one_too_many() -> None:
    with pytest.raises(PayloadTooLarge):
        rules.validate_image(PNG + b"\x00" * 10_000, max_bytes=10_000, existing=0)
    with pytest.raises(UnsupportedMediaType):
        rules.validate_image(b"GIF89a" + b"\x00" * 10, max_bytes=1000, existing=0)
    with pytest.raises(UnsupportedMediaType):
        rules.validate_image(b"<svg xmlns='http://www.w3.org/2000/svg'/>", max_bytes=99, existing=0)
    with pytest.raises(InvalidInput):
        rules.validate_image(PNG, max_bytes=10_000, existing=rules.MAX_IMAGES)
