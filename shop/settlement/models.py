"""Settlement tables: commission rates, the ledger, weekly statements, payout accounts and
payout batches.

The ledger is double entry: a :class:`LedgerTransaction` (a sale, a refund, a payout) holds
:class:`LedgerEntry` rows whose signed amounts (debit +, credit −) sum to zero. A transaction
is written unposted, its entries added, then posted; the database refuses to post an
unbalanced transaction and refuses any change to the entries of a posted one (triggers in the
migration ``0008_settlement_ledger``; on PostgreSQL a deferred constraint trigger also checks
every transaction's balance at commit).

Accounts (:class:`Account`): ``clearing`` is the shoppers' money Stripe collected for us,
``refunds`` the money given back to them, ``payouts`` the money sent to vendors,
``institutional_receipts`` the bank transfers public bodies made for purchase orders,
``commission_revenue`` the platform's commission, and ``vendor_payable`` (one per vendor) what
the platform owes a vendor: its credit balance, shown positive, is the amount payable.
"""

from __future__ import annotations

import datetime as dt
import enum

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from infra.db import str_enum


class Account(enum.StrEnum):
    CLEARING = "clearing"  # 고객 결제 정산 대기 (Stripe로 받은 돈)
    REFUNDS = "refunds"  # 고객 환불 (Stripe로 돌려준 돈)
    PAYOUTS = "payouts"  # 입점기업 송금 (보낸 돈)
    COMMISSION_REVENUE = "commission_revenue"  # 플랫폼 수수료 수익
    VENDOR_PAYABLE = "vendor_payable"  # 입점기업 미지급금 (기업별)
    INSTITUTIONAL_RECEIPTS = "institutional_receipts"  # 공공기관 대금 입금 (계좌 이체)

    @property
    def label(self) -> str:
        return ACCOUNT_LABELS[self]


ACCOUNT_LABELS = {
    Account.CLEARING: "고객 결제 정산 대기",
    Account.REFUNDS: "고객 환불",
    Account.PAYOUTS: "입점기업 송금",
    Account.COMMISSION_REVENUE: "플랫폼 수수료 수익",
    Account.VENDOR_PAYABLE: "입점기업 미지급금",
    Account.INSTITUTIONAL_RECEIPTS: "공공기관 대금 입금",
}


class TransactionKind(enum.StrEnum):
    SALE = "sale"  # 판매
    REFUND = "refund"  # 환불
    PAYOUT = "payout"  # 지급
    INSTITUTIONAL_SALE = "institutional_sale"  # 공공구매 (기관이 계좌 이체로 지급)

    @property
    def label(self) -> str:
        return {"sale": "판매", "refund": "환불", "payout": "지급",
                "institutional_sale": "공공구매"}[self.value]


class PayoutMethod(enum.StrEnum):
    BANK_TRANSFER = "bank_transfer"  # 계좌 이체 (대량이체 파일)
    STRIPE_CONNECT = "stripe_connect"  # Stripe Connect 송금

    @property
    def label(self) -> str:
        return {"bank_transfer": "계좌 이체 (대량이체 파일)",
                "stripe_connect": "Stripe Connect 송금"}[self.value]


class PayoutBatchStatus(enum.StrEnum):
    CREATED = "created"  # 생성됨 (송금 전)
    SENT = "sent"  # 송금 완료
    CANCELLED = "cancelled"  # 취소

    @property
    def label(self) -> str:
        return {"created": "송금 전", "sent": "송금 완료", "cancelled": "취소"}[self.value]


class PayoutItemStatus(enum.StrEnum):
    PENDING = "pending"  # 송금 대기
    PAID = "paid"  # 송금 완료
    FAILED = "failed"  # 송금 실패 (다시 시도 가능)

    @property
    def label(self) -> str:
        return {"pending": "송금 대기", "paid": "송금 완료", "failed": "송금 실패"}[self.value]


# -- commission rates ---------------------------------------------------------------------------


class CommissionCategoryRate(BigIntAuditBase):
    """The admin's rate for a category; categories without a row use the placeholder default."""

    __tablename__ = "commission_category_rates"
    __table_args__ = (
        CheckConstraint("rate_bp >= 0 AND rate_bp <= 5000", name="ck_commission_category_rate"),
    )

    category: Mapped[str] = mapped_column(String(40), unique=True)
    rate_bp: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class CommissionVendorRate(BigIntAuditBase):
    """A vendor's own rate (an agreement, a start-up discount): it replaces the category rates."""

    __tablename__ = "commission_vendor_rates"
    __table_args__ = (
        CheckConstraint("rate_bp >= 0 AND rate_bp <= 5000", name="ck_commission_vendor_rate"),
    )

    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="CASCADE"), unique=True
    )
    rate_bp: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


# -- the ledger ---------------------------------------------------------------------------------


class LedgerTransaction(BigIntAuditBase):
    """One business fact in the ledger, for one vendor. ``key`` names the fact
    (``sale:vendor_order:12``, ``refund:34``, ``payout:item:5``) so it is written once."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (Index("ix_ledger_transactions_vendor_occurred", "vendor_id", "occurred_at"),)

    key: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[TransactionKind] = mapped_column(str_enum(TransactionKind, "ledger_kind"))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="RESTRICT"))
    vendor_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor_orders.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    order_number: Mapped[str] = mapped_column(String(24), default="")
    refund_id: Mapped[int | None] = mapped_column(
        ForeignKey("order_refunds.id", ondelete="RESTRICT"), nullable=True
    )
    payout_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("payout_items.id", ondelete="RESTRICT"), nullable=True, unique=True
    )
    #: The outbox event this was written from (None for payouts, written by their service).
    event_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    #: When it happened in business terms: it decides the settlement week.
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    #: What the shopper paid (sale), got back (refund), or the vendor received (payout).
    gross: Mapped[int] = mapped_column(Integer)
    #: The delivery-fee part of ``gross`` (commission-free).
    delivery: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(String(200), default="")
    posted: Mapped[bool] = mapped_column(Boolean, default=False)

    entries: Mapped[list[LedgerEntry]] = relationship(
        back_populates="transaction", lazy="selectin", order_by="LedgerEntry.id"
    )


class LedgerEntry(BigIntAuditBase):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(
            "(account = 'vendor_payable' AND vendor_id IS NOT NULL)"
            " OR (account <> 'vendor_payable' AND vendor_id IS NULL)",
            name="ck_ledger_entry_vendor_account",
        ),
        Index("ix_ledger_entries_account_vendor", "account", "vendor_id"),
    )

    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), index=True
    )
    account: Mapped[Account] = mapped_column(str_enum(Account, "ledger_account"))
    vendor_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendors.id", ondelete="RESTRICT"), nullable=True
    )
    #: Signed whole won: debit positive, credit negative.
    amount: Mapped[int] = mapped_column(Integer)
    #: Commission entries: the category, the rate applied then, and the base it applied to.
    category: Mapped[str | None] = mapped_column(String(40), nullable=True)
    rate_bp: Mapped[int | None] = mapped_column(Integer, nullable=True)
    base_amount: Mapped[int | None] = mapped_column(Integer, nullable=True)

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="entries")


# -- weekly statements --------------------------------------------------------------------------


class SettlementWeek(BigIntAuditBase):
    """A closed settlement week (Monday–Sunday, Asia/Seoul): one row, written once."""

    __tablename__ = "settlement_weeks"

    week_start: Mapped[dt.date] = mapped_column(Date, unique=True)
    period_start: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    period_end: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    closed_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    closed_by: Mapped[str] = mapped_column(String(100), default="")


class SettlementStatement(BigIntAuditBase):
    """A vendor's statement for one week: what it was owed, what moved, what it is owed."""

    __tablename__ = "settlement_statements"
    __table_args__ = (
        UniqueConstraint("week_id", "vendor_id", name="uq_settlement_statement_week_vendor"),
        CheckConstraint(
            "closing_balance = opening_balance + sales - commission - refunds"
            " + commission_refunded - payouts",
            name="ck_settlement_statement_balance",
        ),
    )

    week_id: Mapped[int] = mapped_column(
        ForeignKey("settlement_weeks.id", ondelete="RESTRICT"), index=True
    )
    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="RESTRICT"), index=True
    )
    vendor_name: Mapped[str] = mapped_column(String(120))
    week_start: Mapped[dt.date] = mapped_column(Date, index=True)
    opening_balance: Mapped[int] = mapped_column(Integer)
    sales: Mapped[int] = mapped_column(Integer)
    commission: Mapped[int] = mapped_column(Integer)
    refunds: Mapped[int] = mapped_column(Integer)
    commission_refunded: Mapped[int] = mapped_column(Integer)
    payouts: Mapped[int] = mapped_column(Integer)
    #: The amount payable to the vendor at the week's end (negative: the vendor owes us).
    closing_balance: Mapped[int] = mapped_column(Integer)


class SettlementStatementLine(BigIntAuditBase):
    """One ledger transaction of the vendor, as its statement shows it. Each vendor entry
    belongs to exactly one statement (``entry_id`` is unique)."""

    __tablename__ = "settlement_statement_lines"
    __table_args__ = (
        CheckConstraint(
            "amount = sales - commission - refunds + commission_refunded - payouts",
            name="ck_settlement_line_amount",
        ),
    )

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("settlement_statements.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_entries.id", ondelete="RESTRICT"), unique=True
    )
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[TransactionKind] = mapped_column(str_enum(TransactionKind, "ledger_kind"))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    order_number: Mapped[str] = mapped_column(String(24), default="")
    description: Mapped[str] = mapped_column(String(200), default="")
    delivery: Mapped[int] = mapped_column(Integer, default=0)
    sales: Mapped[int] = mapped_column(Integer, default=0)
    commission: Mapped[int] = mapped_column(Integer, default=0)
    refunds: Mapped[int] = mapped_column(Integer, default=0)
    commission_refunded: Mapped[int] = mapped_column(Integer, default=0)
    payouts: Mapped[int] = mapped_column(Integer, default=0)
    #: The change in the amount payable to the vendor.
    amount: Mapped[int] = mapped_column(Integer)


# -- payouts ------------------------------------------------------------------------------------


class PayoutAccount(BigIntAuditBase):
    """Where a vendor's money goes: a Korean bank account or a Stripe connected account."""

    __tablename__ = "payout_accounts"

    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="CASCADE"), unique=True
    )
    method: Mapped[PayoutMethod] = mapped_column(str_enum(PayoutMethod, "payout_method"))
    bank_code: Mapped[str] = mapped_column(String(3), default="")
    account_number: Mapped[str] = mapped_column(String(20), default="")
    holder_name: Mapped[str] = mapped_column(String(40), default="")
    stripe_account_id: Mapped[str] = mapped_column(String(40), default="")
    updated_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class PayoutBatch(BigIntAuditBase):
    __tablename__ = "payout_batches"

    method: Mapped[PayoutMethod] = mapped_column(str_enum(PayoutMethod, "payout_method"))
    status: Mapped[PayoutBatchStatus] = mapped_column(
        str_enum(PayoutBatchStatus, "payout_batch_status"), default=PayoutBatchStatus.CREATED
    )
    total: Mapped[int] = mapped_column(Integer, default=0)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    sent_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    items: Mapped[list[PayoutItem]] = relationship(
        back_populates="batch", lazy="selectin", order_by="PayoutItem.id"
    )


class PayoutItem(BigIntAuditBase):
    """One statement paid in a batch; ``statement_id`` is unique: a statement is paid once.
    The account details are copied at batch creation, so a later change cannot alter a file
    already handed to the bank."""

    __tablename__ = "payout_items"
    __table_args__ = (CheckConstraint("amount > 0", name="ck_payout_item_amount_positive"),)

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("payout_batches.id", ondelete="CASCADE"), index=True
    )
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("settlement_statements.id", ondelete="RESTRICT"), unique=True
    )
    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="RESTRICT"), index=True
    )
    vendor_name: Mapped[str] = mapped_column(String(120))
    amount: Mapped[int] = mapped_column(Integer)
    status: Mapped[PayoutItemStatus] = mapped_column(
        str_enum(PayoutItemStatus, "payout_item_status"), default=PayoutItemStatus.PENDING
    )
    bank_code: Mapped[str] = mapped_column(String(3), default="")
    account_number: Mapped[str] = mapped_column(String(20), default="")
    holder_name: Mapped[str] = mapped_column(String(40), default="")
    stripe_account_id: Mapped[str] = mapped_column(String(40), default="")
    transfer_id: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    batch: Mapped[PayoutBatch] = relationship(back_populates="items")
