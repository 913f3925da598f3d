"""What happens to products: the search index and analytics consumers read these.

Each event is written to the outbox in the transaction of the change it names, and the
workers turn it into index updates, analytics and notifications. Payloads carry ids and the
facts a consumer needs to act without guessing; consumers that need the full current state
read it from the database (the event says *that* it changed, the row says *what it is now*).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProductEvent(DomainEvent):
    aggregate: ClassVar[str] = "product"
    id: int
    vendor_id: int
    actor_user_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProductCreated(ProductEvent):
    name: ClassVar[str] = "product.created"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProductUpdated(ProductEvent):
    name: ClassVar[str] = "product.updated"
    fields: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProductPublished(ProductEvent):
    name: ClassVar[str] = "product.published"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProductUnpublished(ProductEvent):
    name: ClassVar[str] = "product.unpublished"
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class StockChanged(ProductEvent):
    name: ClassVar[str] = "product.stock_changed"
    sku: str
    stock: int


#: Events after which the product's search document must be rebuilt from the database.
PRODUCT_INDEX_EVENTS = frozenset(
    {"product.created", "product.updated", "product.published", "product.unpublished"}
)
