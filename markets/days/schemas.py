"""The market-day API's shapes (msgspec). Bodies carrying won are read again strictly by
``infra.web.params.strict_body``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from markets.days.calendar_addresses import feed_path
from markets.days.models import (
    BoothFee,
    BoothFeeStatus,
    BoothSalesReport,
    CheckIn,
    CheckInStatus,
    MarketDay,
    MarketDayNotice,
    MarketDayStatus,
)


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class MarketDayOut(msgspec.Struct, kw_only=True):
    id: int
    market_id: int
    day: Annotated[dt.date, _d("장날 (서울 날짜)")]
    opens_at: Annotated[dt.datetime, _d("여는 시각 (UTC)")]
    closes_at: dt.datetime
    setup_from: Annotated[dt.datetime, _d("부스 설치·장비 수령 시작 시각 (UTC)")]
    status: MarketDayStatus
    status_label: str
    cancel_reason: str
    booth_fee: Annotated[int, _d("부스 참가비 (원)")]

    @classmethod
    def of(cls, day: MarketDay) -> MarketDayOut:
        return cls(
            id=day.id, market_id=day.market_id, day=day.day, opens_at=day.opens_at,
            closes_at=day.closes_at, setup_from=day.setup_from, status=day.status,
            status_label=day.status.label, cancel_reason=day.cancel_reason,
            booth_fee=day.booth_fee,
        )


class CancelDayIn(msgspec.Struct, kw_only=True):
    reason: Annotated[str, _d("취소 사유 (필수; 참가 기업에 그대로 전달됩니다)")] = ""


class BoothFeeIn(msgspec.Struct, kw_only=True):
    booth_fee: Annotated[int, _d("부스 참가비 (원, 0 이상 정수)")]


class GenerateDaysIn(msgspec.Struct, kw_only=True):
    weeks: Annotated[int, msgspec.Meta(ge=1, le=104, description="몇 주 앞까지")] = 8


class GeneratedOut(msgspec.Struct, kw_only=True):
    created: list[dt.date]


class CheckInIn(msgspec.Struct, kw_only=True):
    status: Annotated[str, _d("present · late · absent · no_show")]
    note: str = ""


class CheckInOut(msgspec.Struct, kw_only=True):
    market_day_id: int
    vendor_id: int
    application_id: int
    status: CheckInStatus
    status_label: str
    note: str
    recorded_by_user_id: int | None

    @classmethod
    def of(cls, row: CheckIn) -> CheckInOut:
        return cls(
            market_day_id=row.market_day_id, vendor_id=row.vendor_id,
            application_id=row.application_id, status=row.status, status_label=row.status.label,
            note=row.note, recorded_by_user_id=row.recorded_by_user_id,
        )


class CheckInSheetRow(msgspec.Struct, kw_only=True):
    vendor_id: int
    vendor_name: str
    application_id: int
    strikes: int
    status: CheckInStatus | None


class BoothFeeOut(msgspec.Struct, kw_only=True):
    id: int
    market_day_id: int
    vendor_id: int
    application_id: int
    amount: int
    status: BoothFeeStatus
    status_label: str

    @classmethod
    def of(cls, fee: BoothFee) -> BoothFeeOut:
        return cls(
            id=fee.id, market_day_id=fee.market_day_id, vendor_id=fee.vendor_id,
            application_id=fee.application_id, amount=fee.amount, status=fee.status,
            status_label=fee.status.label,
        )


class VendorFeeOut(msgspec.Struct, kw_only=True):
    """A vendor's booth fee with its day, and whether it can be paid by card now."""

    fee: BoothFeeOut
    market_id: int
    market_name: str
    day: dt.date
    payable: Annotated[bool, _d("카드로 낼 수 있는지 (납부 예정이고 장날이 취소되지 않음)")]


class FeePaymentOut(msgspec.Struct, kw_only=True):
    """The card payment of a booth fee: pay it on ``pay_url`` (or through the payment API)."""

    fee_id: int
    payment_token: str
    payment_status: str
    amount: int
    pay_url: Annotated[str, _d("결제 페이지 (/pay/{token})")]
    payment_api: Annotated[str, _d("결제 API (/api/payments/{token})")]


class FeeActionIn(msgspec.Struct, kw_only=True):
    reason: Annotated[str, _d("처리 사유 (면제에는 필수)")] = ""


class SalesIn(msgspec.Struct, kw_only=True):
    amount: Annotated[int, _d("매출액 (원)")]
    sales_count: Annotated[int, _d("판매 건수")]
    best_sellers: Annotated[list[str], _d("잘 팔린 상품 (10개까지)")] = msgspec.field(
        default_factory=list
    )
    note: str = ""


class SalesOut(msgspec.Struct, kw_only=True):
    id: int
    market_day_id: int
    vendor_id: int
    amount: int
    sales_count: int
    best_sellers: list[str]
    revision: int
    note: str

    @classmethod
    def of(cls, report: BoothSalesReport) -> SalesOut:
        return cls(
            id=report.id, market_day_id=report.market_day_id, vendor_id=report.vendor_id,
            amount=report.amount, sales_count=report.sales_count,
            best_sellers=list(report.best_sellers), revision=report.revision, note=report.note,
        )


class NoticeOut(msgspec.Struct, kw_only=True):
    id: int
    market_day_id: int
    kind: str
    kind_label: str
    message: str
    created_at: dt.datetime

    @classmethod
    def of(cls, notice: MarketDayNotice) -> NoticeOut:
        return cls(
            id=notice.id, market_day_id=notice.market_day_id, kind=notice.kind.value,
            kind_label=notice.kind.label, message=notice.message, created_at=notice.created_at,
        )


class BoothDayOut(msgspec.Struct, kw_only=True):
    market_id: int
    market_name: str
    market_day: MarketDayOut
    booth_code: str | None
    pickups: list[dt.datetime]


class CalendarAddressOut(msgspec.Struct, kw_only=True):
    """A vendor's secret calendar address; whoever has it can read the booth calendar."""

    path: Annotated[str, _d("구독 주소 경로 (/calendars/{비밀 토큰}/booths.ics); 사이트 주소 뒤에 "
                            "붙여 구독")]

    @classmethod
    def of(cls, token: str) -> CalendarAddressOut:
        return cls(path=feed_path(token))
