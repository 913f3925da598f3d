"""Products (상품), their variants (옵션: SKU, price, stock) and images."""

from __future__ import annotations

import datetime as dt
import enum

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import str_enum
from infra.state_machine import StateMachine
from shop.catalog.errors import CatalogErrorCode
from shop.catalog.images import card_path
from shop.catalog.taxonomy import Category


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"  # 작성 중
    PUBLISHED = "published"  # 판매 중
    UNPUBLISHED = "unpublished"  # 판매 중지

    @property
    def label(self) -> str:
        return {"draft": "작성 중", "published": "판매 중", "unpublished": "판매 중지"}[self.value]


PRODUCT_TRANSITIONS: StateMachine[ProductStatus] = StateMachine(
    {
        ProductStatus.DRAFT: {ProductStatus.PUBLISHED},
        ProductStatus.PUBLISHED: {ProductStatus.UNPUBLISHED},
        ProductStatus.UNPUBLISHED: {ProductStatus.PUBLISHED},
    },
    label=lambda s: s.label,
    code=CatalogErrorCode.INVALID_TRANSITION,
)


class Product(BigIntAuditBase):
    __tablename__ = "products"

    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"), index=True)
    strategic_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    eco_friendly: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ProductStatus] = mapped_column(
        str_enum(ProductStatus, "product_status"), default=ProductStatus.DRAFT, index=True
    )
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    #: Why the product was last taken off sale (empty otherwise); shown in the console.
    status_reason: Mapped[str] = mapped_column(Text, default="")

    variants: Mapped[list[ProductVariant]] = relationship(
        back_populates="product", lazy="selectin", cascade="all, delete-orphan",
        order_by="ProductVariant.id",
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", lazy="selectin", cascade="all, delete-orphan",
        order_by="ProductImage.position",
    )

    @property
    def price_min(self) -> int:
        prices = [v.price for v in self.variants if v.is_active]
        return min(prices) if prices else 0

    @property
    def price_max(self) -> int:
        prices = [v.price for v in self.variants if v.is_active]
        return max(prices) if prices else 0

    @property
    def total_stock(self) -> int:
        return sum(v.stock for v in self.variants if v.is_active)


class ProductVariant(BigIntAuditBase):
    __tablename__ = "product_variants"
    __table_args__ = (
        CheckConstraint("price > 0", name="ck_variant_price_positive"),
        CheckConstraint("stock >= 0", name="ck_variant_stock_nonnegative"),
    )

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    option_label: Mapped[str] = mapped_column(String(100), default="기본")
    price: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    product: Mapped[Product] = relationship(back_populates="variants")


class ProductImage(BigIntAuditBase):
    __tablename__ = "product_images"
    __table_args__ = (UniqueConstraint("product_id", "sha256", name="uq_product_image_sha256"),)

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    #: Path under ``upload_dir/public``: ``products/<product_id>/<sha256>.webp`` (re-encoded;
    #: the card rendition beside it, ``shop.catalog.images.card_path``).
    storage_path: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str] = mapped_column(String(100))
    alt: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: SHA-256 of the bytes: the file name on disk, and one copy per product.
    sha256: Mapped[str] = mapped_column(String(64), default="")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship(back_populates="images")

    @property
    def url(self) -> str:
        """Public address: the app serves ``upload_dir/public`` under ``/media``."""
        return f"/media/{self.storage_path}"

    @property
    def card_url(self) -> str:
        """The square card rendition (``CARD_SIZE`` px) result cards show."""
        return f"/media/{card_path(self.storage_path)}"


class ProductStatusChange(BigIntAuditBase):
    """The audit trail of every publish and unpublish: who, from what, to what, and why."""

    __tablename__ = "product_status_changes"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[ProductStatus] = mapped_column(str_enum(ProductStatus, "product_status"))
    to_status: Mapped[ProductStatus] = mapped_column(str_enum(ProductStatus, "product_status"))
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
