"""Sales facts and the summary tables built from them.

A :class:`SalesFact` is one thing that moved money for a vendor: an order line paid, a line
refunded or cancelled, a booth report (one row per revision), an institutional order line.
Facts are unique on ``(source, source_id, revision)``, so a redelivered event inserts nothing,
and they are the history: the outbox is purged after 14 days, the facts are kept.

The summary tables hold sums of the current facts per period and keys; they are changed only
in the transaction that inserts a new fact (``shop.analytics.rollups``) and can always be
regenerated from the facts (``jangteo analytics rebuild``). Dimensions are plain strings
(``""`` when unknown), not foreign keys: a fact must survive the row it describes.
"""

from __future__ import annotations

import datetime as dt
import enum

from advanced_alchemy.base import AdvancedDeclarativeBase, BigIntBase, CommonTableAttributes
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import str_enum


class Channel(enum.StrEnum):
    """Where the sale happened (판매 채널)."""

    ONLINE = "online"  # 온라인 몰
    SNACK_BOX = "snack_box"  # 햇음 간식 상자 (구성 상품별)
    BOOTH_MARKET = "booth_market"  # 장터 부스 (매출 보고)
    INSTITUTIONAL = "institutional"  # 공공기관 구매

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS = {
    Channel.ONLINE: "온라인 몰",
    Channel.SNACK_BOX: "간식 상자",
    Channel.BOOTH_MARKET: "장터 부스",
    Channel.INSTITUTIONAL: "공공기관",
}


class FactKind(enum.StrEnum):
    SALE = "sale"  # 결제된 주문 줄 (+)
    REFUND = "refund"  # 처리된 환불 (−), 처리한 날에
    CANCELLATION = "cancellation"  # 발송 전 취소 (−), 취소한 날에
    BOOTH_REPORT = "booth_report"  # 부스 매출 보고 (최신 회차만 유효)
    INSTITUTIONAL = "institutional"  # 공공기관 구매 줄, 결제가 기록된 때


#: Kinds whose amounts are money given back (the "refunds" measure of the summaries).
RETURN_KINDS = frozenset({FactKind.REFUND, FactKind.CANCELLATION})


#: Carried by ``ix_sales_fact_buyer_month`` on PostgreSQL (``shop.analytics.public_body``).
BUYER_MONTH_INCLUDE = ("channel", "current", "counted_as", "vendor_id", "order_ref", "net_amount")


class SalesFact(BigIntBase):
    __tablename__ = "analytics_sales_facts"
    __table_args__ = (
        UniqueConstraint("source", "source_id", "revision", name="uq_sales_fact_source"),
        Index("ix_sales_fact_vendor_day", "vendor_id", "business_date"),
        # The rebuild and check read a month at a time; the platform counts orders per month
        # from it alone (an index-only scan on PostgreSQL).
        Index("ix_sales_fact_month", "business_month", "kind", "order_ref"),
        # An institution's facts per month, for the public body's totals: on PostgreSQL the
        # columns they sum and count ride along (an index-only scan; decision 79).
        Index("ix_sales_fact_buyer_month", "buyer_key", "business_month",
              postgresql_include=list(BUYER_MONTH_INCLUDE)),
    )

    #: What the fact was made from: ``order_line``, ``refund_line``, ``refund``,
    #: ``booth_report``, ``procurement_line``; with ``source_id`` it names the fact.
    source: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(String(64))
    #: 0 for facts that are never corrected; a booth report's revision (1, 2, …).
    revision: Mapped[int] = mapped_column(Integer, default=0)
    #: False once a later revision of the same source replaced it (left out of every sum).
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    kind: Mapped[FactKind] = mapped_column(str_enum(FactKind, "sales_fact_kind"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "sales_channel"))
    #: The event the fact was made from (for tracing; not part of its identity).
    event_id: Mapped[str] = mapped_column(String(64), default="")
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    #: The Asia/Seoul date it counts on, computed once when the fact is written.
    business_date: Mapped[dt.date] = mapped_column(Date, index=True)
    #: The first day of ``business_date``'s month (the monthly summaries' key).
    business_month: Mapped[dt.date] = mapped_column(Date, index=True)
    vendor_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    category: Mapped[str] = mapped_column(String(40), default="")
    enterprise_type: Mapped[str] = mapped_column(String(40), default="")
    district: Mapped[str] = mapped_column(String(40), default="")
    #: Units (negative for units given back); 0 for a booth report, which counts receipts.
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    #: Receipts (판매 건수) a booth report names; 0 otherwise.
    receipts: Mapped[int] = mapped_column(Integer, default=0)
    #: Won, delivery fees excluded, before commission; negative for refunds and cancellations.
    net_amount: Mapped[int] = mapped_column(BigInteger)
    #: The buyer's own enterprise when the buyer is a social-economy enterprise (mutual
    #: trade, 기업 간 거래); None when the buyer is not one or the event does not say.
    buyer_vendor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Online: the order id; booth: the market day id; institutional: the purchase order id.
    order_ref: Mapped[str] = mapped_column(String(64), default="")
    #: Institutional channel: the buying institution and department (public-body hooks).
    institution: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    #: Institutional channel: the enterprise type the purchase counted as on its contract
    #: date (None: general purchase, or not institutional).
    counted_as: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: Booth channel: the market the report's day belongs to (the market-day summaries).
    market_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Who bought, for new vs returning buyers: ``u<user id>``, ``e<hash of the e-mail>`` for
    #: a guest, ``i<institution id>``; None on facts that are no purchase (refunds, booths).
    buyer_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: 1 on the first line (lowest line id) of a paid online or snack-box order, else 0: the
    #: platform's order count is the sum of it, not a ``count(DISTINCT order_ref)``.
    opens_order: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")


class SummaryBase(CommonTableAttributes, AdvancedDeclarativeBase):
    """A summary table: no surrogate id, its key (period and dimensions) is its primary key,
    so a row costs one index to write (decision 78)."""

    __abstract__ = True


class _Measures:
    """What every summary row sums: sales (+), money given back (−), their net, units,
    receipts."""

    sales_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    net_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    quantity: Mapped[int] = mapped_column(BigInteger, default=0)
    receipts: Mapped[int] = mapped_column(BigInteger, default=0)


def _key(*columns: str) -> tuple[PrimaryKeyConstraint]:
    """The primary key, vendor first where a vendor's dashboard reads the table (its range
    scan is then the key's prefix, no second index)."""
    return (PrimaryKeyConstraint(*columns),)


class DailyVendorSales(_Measures, SummaryBase):
    __tablename__ = "analytics_daily_vendor_sales"
    __table_args__ = _key("vendor_id", "day", "channel")

    day: Mapped[dt.date] = mapped_column(Date)
    vendor_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))


class MonthlyVendorSales(_Measures, SummaryBase):
    __tablename__ = "analytics_monthly_vendor_sales"
    __table_args__ = _key("vendor_id", "month", "channel")

    month: Mapped[dt.date] = mapped_column(Date)
    vendor_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))


class DailyProductSales(_Measures, SummaryBase):
    __tablename__ = "analytics_daily_product_sales"
    __table_args__ = _key("vendor_id", "day", "product_id")

    day: Mapped[dt.date] = mapped_column(Date)
    product_id: Mapped[int] = mapped_column(Integer)
    vendor_id: Mapped[int] = mapped_column(Integer)


class MonthlyProductSales(_Measures, SummaryBase):
    __tablename__ = "analytics_monthly_product_sales"
    __table_args__ = _key("vendor_id", "month", "product_id")

    month: Mapped[dt.date] = mapped_column(Date)
    product_id: Mapped[int] = mapped_column(Integer)
    vendor_id: Mapped[int] = mapped_column(Integer)


class _PlatformMeasures(_Measures):
    #: Paid online and snack-box orders (the sum of the facts' ``opens_order``).
    orders: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class DailyPlatformSales(_PlatformMeasures, SummaryBase):
    __tablename__ = "analytics_daily_platform_sales"
    __table_args__ = _key("day", "channel", "enterprise_type", "district")

    day: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    enterprise_type: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(40))


class MonthlyPlatformSales(_PlatformMeasures, SummaryBase):
    __tablename__ = "analytics_monthly_platform_sales"
    __table_args__ = _key("month", "channel", "enterprise_type", "district")

    month: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    enterprise_type: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(40))


class MonthlyMutualTrade(_Measures, SummaryBase):
    """Sales between social-economy enterprises (기업 간 거래) per month: the seller
    ``vendor_id`` sold to the enterprise ``buyer_vendor_id``."""

    __tablename__ = "analytics_monthly_mutual_trade"
    __table_args__ = _key("month", "vendor_id", "buyer_vendor_id", "channel")

    month: Mapped[dt.date] = mapped_column(Date)
    vendor_id: Mapped[int] = mapped_column(Integer)
    buyer_vendor_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))


class DailyVendorBuyers(_Measures, SummaryBase):
    """What one buyer bought from one vendor on one Seoul day (purchases only): with
    :class:`FirstPurchase` it tells new from returning buyers."""

    __tablename__ = "analytics_daily_vendor_buyers"
    __table_args__ = _key("vendor_id", "day", "buyer_key")

    day: Mapped[dt.date] = mapped_column(Date)
    vendor_id: Mapped[int] = mapped_column(Integer)
    buyer_key: Mapped[str] = mapped_column(String(64))


class FirstPurchase(SummaryBase):
    """The Seoul day a buyer first bought from a vendor: the earliest of its purchases
    whatever order their events arrive in (a later-arriving older purchase moves it back)."""

    __tablename__ = "analytics_first_purchases"
    __table_args__ = _key("vendor_id", "buyer_key")

    vendor_id: Mapped[int] = mapped_column(Integer)
    buyer_key: Mapped[str] = mapped_column(String(64))
    first_day: Mapped[dt.date] = mapped_column(Date)


class CheckInStatus(enum.StrEnum):
    """The attendance a market day's check-in records (as ``markets.days`` names it)."""

    PRESENT = "present"  # 출석
    LATE = "late"  # 지각
    ABSENT = "absent"  # 결석 (사전 연락)
    NO_SHOW = "no_show"  # 무단 불참


class MarketDayAttendance(BigIntBase):
    """One booked vendor on one market day, from the market-day events: that it was booked
    and the latest check-in status recorded for it. A fact, like :class:`SalesFact`: the
    events are gone after 14 days, this row is kept."""

    __tablename__ = "analytics_market_day_attendance"
    __table_args__ = (
        UniqueConstraint("market_day_id", "vendor_id", name="uq_market_day_attendance"),
    )

    market_day_id: Mapped[int] = mapped_column(Integer)
    market_id: Mapped[int] = mapped_column(Integer, index=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    vendor_id: Mapped[int] = mapped_column(Integer)
    #: ``""`` until a check-in is recorded; else a :class:`CheckInStatus` value.
    status: Mapped[str] = mapped_column(String(20), default="")
    #: When the status in force was recorded (the event's time): an older check-in event
    #: arriving late does not overwrite a newer one.
    status_at: Mapped[dt.datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True
    )
    #: The vendor's category on the day (category mix); ``""`` when no event named it.
    category: Mapped[str] = mapped_column(String(40), default="")


class MarketDaySummary(BigIntBase):
    """One market day: booked, attendance by status, and the booth sales reported (current
    revisions only). Changed only with a new attendance status or a new booth-report fact."""

    __tablename__ = "analytics_market_days"
    __table_args__ = (
        UniqueConstraint("market_day_id", name="uq_analytics_market_day"),
        Index("ix_analytics_market_days_market_day", "market_id", "day"),
    )

    market_day_id: Mapped[int] = mapped_column(Integer)
    market_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[dt.date] = mapped_column(Date)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    present: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
    absent: Mapped[int] = mapped_column(Integer, default=0)
    no_show: Mapped[int] = mapped_column(Integer, default=0)
    #: Vendors with a current booth sales report for the day.
    reports: Mapped[int] = mapped_column(Integer, default=0)
    reported_sales: Mapped[int] = mapped_column(BigInteger, default=0)
    receipts: Mapped[int] = mapped_column(BigInteger, default=0)


class AnalyticsCheckRun(BigIntBase):
    """One run of the summaries-against-facts check (the nightly job, or the CLI): what
    ``/metrics`` reports."""

    __tablename__ = "analytics_check_runs"

    checked_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    differences: Mapped[int] = mapped_column(Integer)
    #: The first differences, for the operator: ``table key: stored != expected`` lines.
    detail: Mapped[str] = mapped_column(Text, default="")


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"  # 대기 중
    RUNNING = "running"  # 만드는 중
    DONE = "done"  # 완료
    FAILED = "failed"  # 실패


#: Statuses in which an export still holds its person's slot for its kind.
OPEN_EXPORT_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class ExportKind(enum.StrEnum):
    """What a background export writes: the sales facts (one row per fact) of a vendor, or
    of the whole platform — the tables too long to build during a request."""

    VENDOR_FACTS = "vendor_facts"  # 입점기업 판매 내역 전체
    PLATFORM_FACTS = "platform_facts"  # 플랫폼 판매 내역 전체


class AnalyticsExport(BigIntBase):
    """A background export (decision 44): asked for on a page, written to a file under
    ``var/exports/`` by a worker, kept 7 days. At most one queued or running export per
    person and kind (a partial unique index on both databases, so two clicks racing cannot
    both start one)."""

    __tablename__ = "analytics_exports"
    __table_args__ = (
        Index(
            "uq_analytics_export_open",
            "requested_by",
            "kind",
            unique=True,
            postgresql_where=text("status IN ('queued', 'running')"),
            sqlite_where=text("status IN ('queued', 'running')"),
        ),
    )

    #: The user who asked (only they can see and download it).
    requested_by: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[ExportKind] = mapped_column(str_enum(ExportKind, "analytics_export_kind"))
    #: The vendor of a ``vendor_facts`` export.
    vendor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    first: Mapped[dt.date] = mapped_column(Date)
    last: Mapped[dt.date] = mapped_column(Date)
    #: ``csv`` or ``xlsx``.
    format: Mapped[str] = mapped_column(String(8))
    status: Mapped[ExportStatus] = mapped_column(
        str_enum(ExportStatus, "analytics_export_status"), default=ExportStatus.QUEUED)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    #: The rows to write, counted when the export starts (None until then).
    rows_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: The name the download is offered under (Korean).
    filename: Mapped[str] = mapped_column(String(200))
    #: The file, relative to the var directory ("" until done).
    path: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    started_at: Mapped[dt.datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True)
    #: When the file and this row are purged (7 days after it was finished).
    expires_at: Mapped[dt.datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True, index=True)
