"""Procurement tables, part two: what follows an approved order (deliveries, inspections,
invoices, payments) and the institution's registers (exceptions, published disclosures).

Exception records and published disclosure versions are append-only: the ORM refuses to
update or delete them (:func:`_refuse_change`), and no service does either. A correction of
a disclosure is a new version; a mistaken exception is followed by another record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import str_enum
from shop.catalog.taxonomy import Category
from shop.procurement.exceptions import ExceptionReason
from shop.procurement.inspection import InspectionOutcome
from shop.vendors.types import EnterpriseType


class Delivery(BigIntAuditBase):
    """Goods arriving against an order's lines (one order may arrive in several deliveries)."""

    __tablename__ = "procurement_deliveries"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), index=True
    )
    delivered_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    lines: Mapped[list[DeliveryLine]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="DeliveryLine.id"
    )


class DeliveryLine(BigIntAuditBase):
    __tablename__ = "procurement_delivery_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="ck_delivery_line_quantity"),)

    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_deliveries.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_order_lines.id", ondelete="CASCADE")
    )
    quantity: Mapped[int] = mapped_column(Integer)


class Inspection(BigIntAuditBase):
    """The inspection (검수) of an order: one per order, with the accepted quantity per line."""

    __tablename__ = "procurement_inspections"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), unique=True
    )
    inspector_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    delivered_on: Mapped[dt.date] = mapped_column(Date)
    inspected_on: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[InspectionOutcome] = mapped_column(
        str_enum(InspectionOutcome, "inspection_outcome")
    )
    accepted_supply: Mapped[int] = mapped_column(Integer)
    ordered_supply: Mapped[int] = mapped_column(Integer)

    lines: Mapped[list[InspectionLine]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="InspectionLine.id"
    )


class InspectionLine(BigIntAuditBase):
    __tablename__ = "procurement_inspection_lines"
    __table_args__ = (
        UniqueConstraint("inspection_id", "order_line_id", name="uq_inspection_line"),
        CheckConstraint("accepted_quantity >= 0", name="ck_inspection_line_accepted"),
    )

    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_inspections.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_order_lines.id", ondelete="CASCADE")
    )
    accepted_quantity: Mapped[int] = mapped_column(Integer)


class ProcurementInvoice(BigIntAuditBase):
    """A tax invoice (세금계산서) as the vendor issued it; its number is unique per vendor."""

    __tablename__ = "procurement_invoices"
    __table_args__ = (
        UniqueConstraint("vendor_id", "number", name="uq_procurement_invoice_vendor_number"),
    )

    order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), unique=True
    )
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    number: Mapped[str] = mapped_column(String(60))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    supply_amount: Mapped[int] = mapped_column(Integer)
    vat_amount: Mapped[int] = mapped_column(Integer)
    approved_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    approved_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))

    @property
    def total(self) -> int:
        return self.supply_amount + self.vat_amount


class ProcurementPayment(BigIntAuditBase):
    """The institution's payment of an approved invoice (bank transfer; no card, no Stripe)."""

    __tablename__ = "procurement_payments"
    __table_args__ = (CheckConstraint("amount > 0", name="ck_procurement_payment_amount"),)

    order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE"), unique=True
    )
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_invoices.id", ondelete="RESTRICT")
    )
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Integer)
    bank_reference: Mapped[str] = mapped_column(String(100))
    recorded_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))


class ExceptionEntry(BigIntAuditBase):
    """One entry of the exception register (우선구매 예외, art. 10). Append-only."""

    __tablename__ = "procurement_exceptions"

    institution_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_institutions.id", ondelete="RESTRICT"), index=True
    )
    department_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_departments.id", ondelete="RESTRICT")
    )
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="RESTRICT"), nullable=True
    )
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    reason: Mapped[ExceptionReason] = mapped_column(str_enum(ExceptionReason, "exception_reason"))
    explanation: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date] = mapped_column(Date)
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))


class PublishedDisclosure(BigIntAuditBase):
    """One published version of one month's results of one institution. Frozen."""

    __tablename__ = "procurement_disclosures"
    __table_args__ = (
        UniqueConstraint(
            "institution_id", "year", "month", "version", name="uq_procurement_disclosure_version"
        ),
        CheckConstraint("month BETWEEN 1 AND 12", name="ck_procurement_disclosure_month"),
    )

    institution_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_institutions.id", ondelete="RESTRICT"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    published_on: Mapped[dt.date] = mapped_column(Date)
    published_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    published_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    rows: Mapped[list[DisclosureRow]] = relationship(
        lazy="selectin", order_by="DisclosureRow.id"
    )


class DisclosureRow(BigIntAuditBase):
    """One figure of a published version: ``kind`` is ``figure`` (the amount as published)
    or ``change`` (the difference from the previous version). Frozen."""

    __tablename__ = "procurement_disclosure_rows"

    disclosure_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_disclosures.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    department: Mapped[str] = mapped_column(String(120))
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    enterprise_type: Mapped[EnterpriseType | None] = mapped_column(
        str_enum(EnterpriseType, "enterprise_type"), nullable=True
    )
    amount: Mapped[int] = mapped_column(Integer)


class DisclosureSummary(BigIntAuditBase):
    """The public table of one published version, written with it and frozen like it: its
    figures and its differences summed over departments by enterprise type × item, as
    ``[enterprise type value or null, category value, amount]`` lists (``disclosure.
    public_sums``). The public page reads these instead of the version's rows."""

    __tablename__ = "procurement_disclosure_summaries"

    disclosure_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_disclosures.id", ondelete="RESTRICT"), unique=True
    )
    figures: Mapped[list[list[Any]]] = mapped_column(JSON)
    changes: Mapped[list[list[Any]]] = mapped_column(JSON)


class AppendOnlyError(RuntimeError):
    """A programming error: code tried to change a frozen record."""


def _refuse_change(_mapper: Any, _connection: Any, target: Any) -> None:
    raise AppendOnlyError(f"{type(target).__name__} rows are append-only")


for _frozen in (ExceptionEntry, PublishedDisclosure, DisclosureRow, DisclosureSummary):
    event.listen(_frozen, "before_update", _refuse_change)
    event.listen(_frozen, "before_delete", _refuse_change)
