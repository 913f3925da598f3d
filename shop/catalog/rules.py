"""The catalog's rules, in pure code: what a valid product and a valid product image are.

Nothing here touches the database, the web or the disk, so the rules are tested directly
and shared by the API and the console forms. Every error names the field the way the client
sent it (``variants[0].price``), and all errors of a draft are reported at once.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from infra.errors import InvalidInput, PayloadTooLarge
from infra.text import unsafe_characters
from shop.catalog import images
from shop.catalog.errors import CatalogErrorCode as Code
from shop.catalog.errors import FieldError, invalid
from shop.catalog.taxonomy import Category, StrategicItem

NAME_MIN, NAME_MAX = 2, 200
DESCRIPTION_MAX = 10_000
SKU_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
OPTION_LABEL_MAX = 100
DEFAULT_OPTION_LABEL = "기본"
MAX_VARIANTS = 50
PRICE_MAX = 100_000_000  # 1억 원
STOCK_MAX = 10_000_000
REASON_MAX = 500
MAX_IMAGES = 8
ALT_MAX = 200



@dataclasses.dataclass(frozen=True)
class VariantDraft:
    """One option of a product as typed: ``price`` and ``stock`` may still be raw text."""

    sku: str
    price: int | str
    stock: int | str = 0
    option_label: str = ""


@dataclasses.dataclass(frozen=True)
class ProductDraft:
    name: str
    category: str
    variants: Sequence[VariantDraft]
    description: str = ""
    strategic_items: Sequence[str] = ()
    eco_friendly: bool = False


@dataclasses.dataclass(frozen=True)
class CleanVariant:
    sku: str
    option_label: str
    price: int
    stock: int


@dataclasses.dataclass(frozen=True)
class CleanProduct:
    name: str
    description: str
    category: Category
    strategic_items: tuple[StrategicItem, ...]
    eco_friendly: bool
    variants: tuple[CleanVariant, ...]


def whole_number(value: object) -> int | None:
    """An integer from an int or from typed text (``"12,000"``); None for anything else.

    Floats are refused even when whole: money is an integer number of won.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if re.fullmatch(r"[+-]?\d{1,15}", text):
            return int(text)
    return None


def check_price(value: object, field: str) -> tuple[int | None, FieldError | None]:
    price = whole_number(value)
    if price is None:
        return None, FieldError(field, Code.INVALID_PRICE, "가격은 원 단위의 정수로 입력해 주세요.")
    if price <= 0:
        return None, FieldError(field, Code.INVALID_PRICE, "가격은 0원보다 커야 합니다.")
    if price > PRICE_MAX:
        return None, FieldError(
            field, Code.INVALID_PRICE, f"가격은 {PRICE_MAX:,}원 이하여야 합니다."
        )
    return price, None


def check_stock(value: object, field: str) -> tuple[int | None, FieldError | None]:
    stock = whole_number(value)
    if stock is None:
        return None, FieldError(field, Code.INVALID_STOCK, "재고는 0 이상의 정수로 입력해 주세요.")
    if stock < 0:
        return None, FieldError(field, Code.INVALID_STOCK, "재고는 0보다 작을 수 없습니다.")
    if stock > STOCK_MAX:
        message = f"재고는 {STOCK_MAX:,}개 이하여야 합니다."
        return None, FieldError(field, Code.INVALID_STOCK, message)
    return stock, None


def validate_stock(value: object, field: str = "stock") -> int:
    stock, error = check_stock(value, field)
    if error is not None or stock is None:
        raise invalid([error or FieldError(field, Code.INVALID_STOCK, "재고가 올바르지 않습니다.")])
    return stock


def validate_reason(reason: str, field: str = "reason") -> str:
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        message = f"사유는 {REASON_MAX}자 이내로 적어 주세요."
        raise invalid([FieldError(field, Code.INVALID_REASON, message)])
    return reason


def _check_variants(
    variants: Sequence[VariantDraft], errors: list[FieldError]
) -> tuple[CleanVariant, ...]:
    if not variants:
        message = "옵션(SKU)을 하나 이상 등록해 주세요."
        errors.append(FieldError("variants", Code.NO_VARIANTS, message))
        return ()
    if len(variants) > MAX_VARIANTS:
        errors.append(FieldError(
            "variants", Code.TOO_MANY_VARIANTS, f"옵션은 {MAX_VARIANTS}개까지 등록할 수 있습니다."
        ))
        return ()
    clean: list[CleanVariant] = []
    seen: set[str] = set()
    for i, variant in enumerate(variants):
        at = f"variants[{i}]"
        sku = (variant.sku or "").strip()
        ok = True
        if not SKU_RE.match(sku):
            ok = False
            errors.append(FieldError(
                f"{at}.sku", Code.INVALID_SKU,
                "SKU는 영문, 숫자, '-', '_'로 64자 이내로 입력해 주세요.",
            ))
        elif sku in seen:
            ok = False
            errors.append(FieldError(
                f"{at}.sku", Code.DUPLICATE_SKU, f"SKU '{sku}'가 이 상품 안에서 중복됩니다."
            ))
        seen.add(sku)
        label = (variant.option_label or "").strip() or DEFAULT_OPTION_LABEL
        if len(label) > OPTION_LABEL_MAX:
            ok = False
            errors.append(FieldError(
                f"{at}.option_label", Code.INVALID_OPTION_LABEL,
                f"옵션명은 {OPTION_LABEL_MAX}자 이내로 입력해 주세요.",
            ))
        price, price_error = check_price(variant.price, f"{at}.price")
        stock, stock_error = check_stock(variant.stock, f"{at}.stock")
        for error in (price_error, stock_error):
            if error is not None:
                ok = False
                errors.append(error)
        if ok and price is not None and stock is not None:
            clean.append(CleanVariant(sku=sku, option_label=label, price=price, stock=stock))
    return tuple(clean)


def validate_draft(draft: ProductDraft) -> CleanProduct:
    """The product as it will be stored, or :class:`InvalidInput` naming every wrong field."""
    errors: list[FieldError] = []
    name = (draft.name or "").strip()
    if not NAME_MIN <= len(name) <= NAME_MAX:
        message = f"상품명은 {NAME_MIN}자 이상 {NAME_MAX}자 이하로 입력해 주세요."
        errors.append(FieldError("name", Code.INVALID_NAME, message))
    elif (unsafe := unsafe_characters(name)) is not None:
        errors.append(FieldError("name", Code.INVALID_NAME, unsafe))
    description = (draft.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors.append(FieldError(
            "description", Code.INVALID_DESCRIPTION,
            f"상품 설명은 {DESCRIPTION_MAX:,}자 이내로 입력해 주세요.",
        ))
    category: Category | None = None
    try:
        category = Category(draft.category)
    except ValueError:
        message = "카테고리를 목록에서 골라 주세요."
        errors.append(FieldError("category", Code.UNKNOWN_CATEGORY, message))
    items: list[StrategicItem] = []
    for i, value in enumerate(draft.strategic_items):
        try:
            item = StrategicItem(value)
        except ValueError:
            errors.append(FieldError(
                f"strategic_items[{i}]", Code.UNKNOWN_STRATEGIC_ITEM,
                f"'{value}'은(는) 친환경 5대 분야(전략 품목)가 아닙니다.",
            ))
            continue
        if item not in items:
            items.append(item)
    variants = _check_variants(draft.variants, errors)
    if errors:
        raise invalid(errors)
    assert category is not None
    return CleanProduct(
        name=name,
        description=description,
        category=category,
        strategic_items=tuple(items),
        eco_friendly=bool(draft.eco_friendly),
        variants=variants,
    )


# -- images -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CleanImage:
    alt: str
    #: The re-encoded picture (``shop.catalog.images``): only its pixels survive.
    renditions: images.Renditions

    content_type = images.CONTENT_TYPE


def validate_image(
    data: bytes, *, max_bytes: int, existing: int, alt: str = "", field: str = "image"
) -> CleanImage:
    """The picture, decoded and re-encoded; or 413 (too big), 415 (not a PNG/JPEG/WebP that
    decodes) or 400 (missing, too many, too many pixels, alt too long).

    The cheap checks come first; decoding is CPU work (call it off the event loop).
    """
    if not data:
        raise invalid([FieldError(field, Code.IMAGE_MISSING, "이미지 파일을 골라 주세요.")])
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            Code.IMAGE_TOO_LARGE,
            f"이미지는 {max_bytes // (1024 * 1024)}MB 이하만 올릴 수 있습니다.",
            field=field,
        )
    if existing >= MAX_IMAGES:
        message = f"이미지는 상품당 {MAX_IMAGES}장까지 올릴 수 있습니다."
        raise InvalidInput(Code.TOO_MANY_IMAGES, message, field=field)
    alt = (alt or "").strip()
    if len(alt) > ALT_MAX:
        message = f"대체 텍스트는 {ALT_MAX}자 이내로 적어 주세요."
        raise invalid([FieldError("alt", Code.INVALID_ALT, message)])
    return CleanImage(alt=alt, renditions=images.render(data, field=field))


# -- changes to an existing product --------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProductChanges:
    """A partial update: ``None`` leaves a field as it is; ``variants`` replaces the set by SKU."""

    name: str | None = None
    description: str | None = None
    category: str | None = None
    strategic_items: Sequence[str] | None = None
    eco_friendly: bool | None = None
    variants: Sequence[VariantDraft] | None = None

    def applied_to(self, current: ProductDraft) -> ProductDraft:
        return ProductDraft(
            name=current.name if self.name is None else self.name,
            description=current.description if self.description is None else self.description,
            category=current.category if self.category is None else self.category,
            strategic_items=(
                current.strategic_items if self.strategic_items is None else self.strategic_items
            ),
            eco_friendly=current.eco_friendly if self.eco_friendly is None else self.eco_friendly,
            variants=current.variants if self.variants is None else self.variants,
        )


def changed_fields(before: CleanProduct, after: CleanProduct) -> tuple[str, ...]:
    """Names of the fields that differ, in a stable order (the ProductUpdated payload)."""
    names = ("name", "description", "category", "strategic_items", "eco_friendly")
    changed = [n for n in names if getattr(before, n) != getattr(after, n)]
    if sorted(before.variants, key=lambda v: v.sku) != sorted(after.variants, key=lambda v: v.sku):
        changed.append("variants")
    return tuple(changed)
