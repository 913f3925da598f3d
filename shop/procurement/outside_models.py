"""Purchases an institution made outside the platform (나라장터, purchasing cards, other),
imported from a spreadsheet so that results have their whole denominator (issue 10 §7).

One :class:`OutsidePurchaseImport` per uploaded file (the SHA-256 of its checked rows is
unique per institution, so the same purchases are never counted twice) holds its
:class:`OutsidePurchase` rows; a wrong import is withdrawn whole by an
:class:`OutsideImportWithdrawal`. All are append-only, like the exception register: the ORM
refuses updates and deletes.
"""

from __future__ import annotations

import datetime as dt
import enum

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import str_enum
from shop.catalog.taxonomy import Category
from shop.procurement.record_models import _refuse_change
from shop.vendors.types import EnterpriseType


class OutsideChannel(enum.StrEnum):
    KONEPS = "koneps"  # 나라장터
    CARD = "card"  # 카드
    OTHER = "other"  # 기타

    @property
    def label(self) -> str:
        return OUTSIDE_CHANNEL_LABELS[self]


OUTSIDE_CHANNEL_LABELS = {
    OutsideChannel.KONEPS: "나라장터",
    OutsideChannel.CARD: "카드",
    OutsideChannel.OTHER: "기타",
}


class OutsidePurchaseImport(BigIntAuditBase):
    """One uploaded file: who imported it, when, how many rows and won."""

    __tablename__ = "procurement_outside_imports"
    __table_args__ = (
        UniqueConstraint("institution_id", "content_sha256",
                         name="uq_procurement_outside_import_file"),
    )

    institution_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_institutions.id", ondelete="RESTRICT"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of the checked rows (``outside_purchases.fingerprint``), not of the bytes.
    content_sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    total_amount: Mapped[int] = mapped_column(BigInteger)
    imported_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))


class OutsidePurchase(BigIntAuditBase):
    """One purchase made outside the platform, as the institution declared it."""

    __tablename__ = "procurement_outside_purchases"

    import_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_outside_imports.id", ondelete="RESTRICT"), index=True
    )
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_institutions.id", ondelete="RESTRICT"), index=True
    )
    department_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_departments.id", ondelete="RESTRICT")
    )
    #: The row of the file it came from (the header is row 1).
    row_number: Mapped[int] = mapped_column(Integer)
    purchased_on: Mapped[dt.date] = mapped_column(Date, index=True)
    supplier_name: Mapped[str] = mapped_column(String(200))
    supplier_registration_number: Mapped[str] = mapped_column(String(10))
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    #: Won, VAT included (as the counted amounts of platform orders).
    amount: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[OutsideChannel] = mapped_column(
        str_enum(OutsideChannel, "outside_purchase_channel"))
    #: The enterprise type the institution declared; ``None`` = a general purchase.
    enterprise_type: Mapped[EnterpriseType | None] = mapped_column(
        str_enum(EnterpriseType, "enterprise_type"), nullable=True
    )


class OutsideImportWithdrawal(BigIntAuditBase):
    """A whole import withdrawn as wrong: who, when, why. Its rows stop counting from the
    Seoul day of ``withdrawn_at`` (a published month keeps its version; the next one shows
    the difference, as for a cancellation). One per import (the unique key settles a race);
    append-only like the import itself, which stays as it was for the audit."""

    __tablename__ = "procurement_outside_import_withdrawals"

    import_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_outside_imports.id", ondelete="RESTRICT"), unique=True
    )
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_institutions.id", ondelete="RESTRICT"), index=True
    )
    reason: Mapped[str] = mapped_column(String(500))
    withdrawn_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    withdrawn_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))


for _frozen in (OutsidePurchaseImport, OutsidePurchase, OutsideImportWithdrawal):
    event.listen(_frozen, "before_update", _refuse_change)
    event.listen(_frozen, "before_delete", _refuse_change)


class CountedCorrection(BigIntAuditBase):
    """A later correction of an approved order's counted amount, with its reason (issue 10
    §5). The order's own ``counted_amount`` never changes; reports add these rows to it from
    ``effective_on`` (the Seoul day it was recorded), so a published month stays as it was
    and the next version shows the difference. Append-only."""

    __tablename__ = "procurement_counted_corrections"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="RESTRICT"), index=True
    )
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_institutions.id", ondelete="RESTRICT"), index=True
    )
    #: Signed won (VAT included) added to the counted amount.
    amount_change: Mapped[int] = mapped_column(BigInteger)
    effective_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))


event.listen(CountedCorrection, "before_update", _refuse_change)
event.listen(CountedCorrection, "before_delete", _refuse_change)
