"""What public buying tells the rest of the platform (analytics, later mail and settlement).

Order events carry the whole order as analytics needs it (:class:`OrderFacts`): institution,
department, vendor, contract date, how it counted, its lines and amounts. ``OrderPaid`` is
the one analytics will book as an institutional sale (no card, no Stripe).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from infra.events import DomainEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class EventLine:
    category: str
    description: str
    quantity: int
    unit_price: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderFacts(DomainEvent):
    """The fields every purchase-order event shares; ``id`` is the order's id."""

    aggregate: ClassVar[str] = "purchase_order"
    id: int
    number: str
    institution_id: int
    institution_name: str
    department_id: int
    department_name: str
    vendor_id: int
    requester_id: int
    method: str
    contract_date: str
    status: str
    #: Enterprise type the order counted under (``None``: general, or not yet approved).
    counted_as: str | None
    counted_certificate_id: int | None
    counted_amount: int | None
    estimated_price: int
    supply_amount: int
    vat_amount: int
    total: int
    lines: tuple[EventLine, ...]
    actor_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderSubmitted(OrderFacts):
    name: ClassVar[str] = "procurement.order_submitted"
    approvals_required: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderApproved(OrderFacts):
    """Final approval: ``counted_as``, the certificate and the counted amount are now fixed."""

    name: ClassVar[str] = "procurement.order_approved"
    approver_ids: tuple[int, ...]
    counted_reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderDelivered(OrderFacts):
    name: ClassVar[str] = "procurement.order_delivered"
    delivery_id: int
    delivered_on: str
    complete: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderInspected(OrderFacts):
    name: ClassVar[str] = "procurement.order_inspected"
    inspection_id: int
    outcome: str
    inspected_on: str
    accepted_supply: int
    #: What the order counts after inspection (counted amount less what was not accepted).
    counted_after_inspection: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderInvoiced(OrderFacts):
    name: ClassVar[str] = "procurement.order_invoiced"
    invoice_id: int
    invoice_number: str
    invoice_supply: int
    invoice_vat: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderPaid(OrderFacts):
    """Money paid to the vendor: an institutional sale for analytics and the vendor's ledger."""

    name: ClassVar[str] = "procurement.order_paid"
    payment_id: int
    paid_on: str
    amount: int
    bank_reference: str
    invoice_id: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderCancelled(OrderFacts):
    name: ClassVar[str] = "procurement.order_cancelled"
    previous_status: str
    reason: str
    cancelled_on: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class InstitutionRegistered(DomainEvent):
    name: ClassVar[str] = "procurement.institution_registered"
    aggregate: ClassVar[str] = "institution"
    id: int
    kind: str
    institution_name: str
    district: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class MembershipGranted(DomainEvent):
    name: ClassVar[str] = "procurement.membership_granted"
    aggregate: ClassVar[str] = "institution"
    id: int  # the institution
    membership_id: int
    user_id: int
    role: str
    department_id: int | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class CertificateRecorded(DomainEvent):
    name: ClassVar[str] = "procurement.certificate_recorded"
    aggregate: ClassVar[str] = "vendor"
    id: int  # the vendor
    certificate_id: int
    enterprise_type: str
    number: str
    valid_from: str
    valid_to: str | None
    revoked_on: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class CountedAmountCorrected(OrderFacts):
    """A correction row added to an approved order's counted amount (the order's fixed
    ``counted_amount`` itself is unchanged)."""

    name: ClassVar[str] = "procurement.counted_amount_corrected"
    correction_id: int
    amount_change: int
    effective_on: str
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class OutsidePurchasesImported(DomainEvent):
    """A spreadsheet of purchases made outside the platform was imported (issue 10 §7)."""

    name: ClassVar[str] = "procurement.outside_purchases_imported"
    aggregate: ClassVar[str] = "institution"
    id: int  # the institution
    import_id: int
    filename: str
    rows: int
    total_amount: int
    social_economy_amount: int
    imported_by: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class OutsidePurchasesWithdrawn(DomainEvent):
    """A whole import was withdrawn as wrong: its rows stop counting from ``effective_on``."""

    name: ClassVar[str] = "procurement.outside_purchases_withdrawn"
    aggregate: ClassVar[str] = "institution"
    id: int  # the institution
    import_id: int
    withdrawal_id: int
    rows: int
    total_amount: int
    effective_on: str
    reason: str
    withdrawn_by: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExceptionRecorded(DomainEvent):
    name: ClassVar[str] = "procurement.exception_recorded"
    aggregate: ClassVar[str] = "institution"
    id: int  # the institution
    exception_id: int
    department_id: int
    order_id: int | None
    category: str
    reason: str
    decided_on: str
    decided_by: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class DisclosurePublished(DomainEvent):
    name: ClassVar[str] = "procurement.disclosure_published"
    aggregate: ClassVar[str] = "institution"
    id: int  # the institution
    disclosure_id: int
    year: int
    month: int
    version: int
    published_on: str
    total: int
    social_economy_total: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlanFacts(DomainEvent):
    """A yearly purchase plan version as it stands after the transition; ``id`` is the plan."""

    aggregate: ClassVar[str] = "purchase_plan"
    id: int
    institution_id: int
    fiscal_year: int
    version_id: int
    version: int
    state: str
    planned_total: int
    target_amount: int
    actor_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlanSubmitted(PlanFacts):
    name: ClassVar[str] = "procurement.plan_submitted"


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlanPublished(PlanFacts):
    """Version 1 published; ``late`` when that happened after 1 January (Seoul)."""

    name: ClassVar[str] = "procurement.plan_published"
    published_on: str
    late: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlanAmended(PlanFacts):
    """A later version published: the plan in force changed, for ``reason``."""

    name: ClassVar[str] = "procurement.plan_amended"
    published_on: str
    reason: str
