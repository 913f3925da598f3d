"""The catalog API's request and response bodies (msgspec).

Requests are typed loosely on purpose where the domain has its own codes: ``category`` and
``strategic_items`` are strings, so an unknown value comes back as ``unknown_category`` /
``unknown_strategic_item`` from the rules rather than a generic type error. Money and stock
are integers; anything else (``"abc"``, ``12.5``) is refused before a service runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Generic, TypeVar

import msgspec

from shop.catalog.models import Product, ProductImage, ProductVariant
from shop.catalog.rules import ProductChanges, ProductDraft, VariantDraft
from shop.catalog.taxonomy import Category, StrategicItem

T = TypeVar("T")
V = TypeVar("V")

CategoryValue = Annotated[
    str,
    msgspec.Meta(
        description="카테고리: " + ", ".join(f"{c.value} ({c.label})" for c in Category),
        examples=[Category.FOOD.value],
    ),
]
StrategicItemValue = Annotated[
    str,
    msgspec.Meta(
        description="친환경 5대 분야: "
        + ", ".join(f"{i.value} ({i.label})" for i in StrategicItem),
        examples=[StrategicItem.GREEN_AGRICULTURE.value],
    ),
]
Won = Annotated[int, msgspec.Meta(description="원 단위 정수 (1 ~ 100,000,000)", examples=[12000])]
Stock = Annotated[int, msgspec.Meta(description="재고 수량 (0 이상 정수)", examples=[30])]


class VariantIn(msgspec.Struct, forbid_unknown_fields=True):
    sku: Annotated[str, msgspec.Meta(description="영문·숫자·-·_ 64자 이내, 몰 전체에서 유일")]
    price: Won
    stock: Stock = 0
    option_label: str = ""

    def draft(self) -> VariantDraft:
        return VariantDraft(
            sku=self.sku, option_label=self.option_label, price=self.price, stock=self.stock
        )


class ProductIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    category: CategoryValue
    variants: list[VariantIn]
    description: str = ""
    strategic_items: list[StrategicItemValue] = msgspec.field(default_factory=list)
    eco_friendly: bool = False

    def draft(self) -> ProductDraft:
        return ProductDraft(
            name=self.name,
            description=self.description,
            category=self.category,
            strategic_items=tuple(self.strategic_items),
            eco_friendly=self.eco_friendly,
            variants=tuple(v.draft() for v in self.variants),
        )


class ProductPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change; ``variants`` replaces the set by SKU (missing ones stop)."""

    name: str | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    category: CategoryValue | msgspec.UnsetType = msgspec.UNSET
    strategic_items: list[StrategicItemValue] | msgspec.UnsetType = msgspec.UNSET
    eco_friendly: bool | msgspec.UnsetType = msgspec.UNSET
    variants: list[VariantIn] | msgspec.UnsetType = msgspec.UNSET

    def changes(self) -> ProductChanges:
        return ProductChanges(
            name=_given(self.name),
            description=_given(self.description),
            category=_given(self.category),
            strategic_items=_given(self.strategic_items),
            eco_friendly=_given(self.eco_friendly),
            variants=(
                None if isinstance(self.variants, msgspec.UnsetType)
                else tuple(v.draft() for v in self.variants)
            ),
        )


def _given(value: V | msgspec.UnsetType) -> V | None:
    return None if isinstance(value, msgspec.UnsetType) else value


class StockIn(msgspec.Struct, forbid_unknown_fields=True):
    stock: Stock


class UnpublishIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(description="판매 중지 사유 (500자 이내)")] = ""


class VariantOut(msgspec.Struct):
    sku: str
    option_label: str
    price: int
    stock: int
    is_active: bool

    @classmethod
    def of(cls, variant: ProductVariant) -> VariantOut:
        return cls(
            sku=variant.sku, option_label=variant.option_label, price=variant.price,
            stock=variant.stock, is_active=variant.is_active,
        )


class ImageOut(msgspec.Struct):
    id: int
    #: The detail picture (WebP, at most 1200 px on its longest side).
    url: str
    #: The square card rendition (WebP, 400 × 400).
    card_url: str
    content_type: str
    alt: str
    position: int
    size_bytes: int

    @classmethod
    def of(cls, image: ProductImage) -> ImageOut:
        return cls(
            id=image.id, url=image.url, card_url=image.card_url,
            content_type=image.content_type, alt=image.alt,
            position=image.position, size_bytes=image.size_bytes,
        )


class ProductOut(msgspec.Struct):
    id: int
    vendor_id: int
    name: str
    description: str
    category: str
    category_label: str
    strategic_items: list[str]
    strategic_item_labels: list[str]
    eco_friendly: bool
    status: str
    status_label: str
    status_reason: str
    price_min: int
    price_max: int
    total_stock: int
    variants: list[VariantOut]
    images: list[ImageOut]
    published_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, product: Product) -> ProductOut:
        return cls(
            id=product.id,
            vendor_id=product.vendor_id,
            name=product.name,
            description=product.description,
            category=product.category.value,
            category_label=product.category.label,
            strategic_items=list(product.strategic_items),
            strategic_item_labels=[StrategicItem(v).label for v in product.strategic_items],
            eco_friendly=product.eco_friendly,
            status=product.status.value,
            status_label=product.status.label,
            status_reason=product.status_reason,
            price_min=product.price_min,
            price_max=product.price_max,
            total_stock=product.total_stock,
            variants=[VariantOut.of(v) for v in product.variants],
            images=[ImageOut.of(i) for i in product.images],
            published_at=product.published_at,
            created_at=product.created_at,
            updated_at=product.updated_at,
        )


class Page(msgspec.Struct, Generic[T]):
    """One page of a list: ``items`` and where it sits in the ``total``."""

    items: list[T]
    total: int
    limit: int
    offset: int


class ProductPage(Page[ProductOut]):
    """A page of products."""
