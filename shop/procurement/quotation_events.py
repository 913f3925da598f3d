"""What requests for quotation tell the rest of the platform: a request was sent (the invited
vendors' members are mailed, :mod:`shop.procurement.quote_mail`), a vendor quoted, a quote
was awarded and became a purchase order (whose own events follow from ``ordering``)."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class QuoteRequestLineFacts:
    id: int
    category: str
    description: str
    quantity: int
    unit: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class QuoteRequested(DomainEvent):
    """``deadline`` is an ISO instant in UTC; ``vendor_ids`` are the invited vendors."""

    name: ClassVar[str] = "procurement.quote_requested"
    aggregate: ClassVar[str] = "quote_request"
    id: int
    number: str
    institution_id: int
    institution_name: str
    department_id: int
    department_name: str
    requester_id: int
    title: str
    estimated_price: int
    deadline: str
    delivery_place: str
    delivery_date: str
    basis: str
    basis_value: str
    vendor_ids: tuple[int, ...]
    lines: tuple[QuoteRequestLineFacts, ...]


@dataclasses.dataclass(frozen=True, kw_only=True)
class QuoteReceived(DomainEvent):
    name: ClassVar[str] = "procurement.quote_received"
    aggregate: ClassVar[str] = "quote_request"
    id: int  # the request
    quote_id: int
    institution_id: int
    vendor_id: int
    submitted_by: int
    submitted_at: str
    valid_until: str
    supply_amount: int
    vat_amount: int
    total: int
    revision: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class QuoteAwarded(DomainEvent):
    name: ClassVar[str] = "procurement.quote_awarded"
    aggregate: ClassVar[str] = "quote_request"
    id: int  # the request
    quote_id: int
    institution_id: int
    vendor_id: int
    order_id: int
    order_number: str
    #: The contracting method of the order: single_quote or multiple_quotes.
    method: str
    quotes: int
    estimated_price: int
    awarded_by: int
