"""The settlement API's bodies (msgspec). Money and rates are JSON integers (decision 8)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from shop.settlement import bankfile, rules
from shop.settlement.ledger import LedgerCheck
from shop.settlement.models import (
    PayoutAccount,
    PayoutBatch,
    PayoutItem,
    PayoutMethod,
    SettlementStatement,
    SettlementStatementLine,
    SettlementWeek,
)
from shop.settlement.payouts import StatementPayout
from shop.settlement.services import CategoryRateView, VendorRateView

Won = Annotated[int, msgspec.Meta(description="원 단위 정수")]
RateBp = Annotated[int, msgspec.Meta(
    description="수수료율, 베이시스포인트 정수 (500 = 5%, 0 ~ 5000)", examples=[500]
)]


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


# -- commission -----------------------------------------------------------------------------------


class CategoryRateOut(msgspec.Struct, kw_only=True):
    category: str
    label: str
    rate_bp: RateBp
    rate_label: str
    is_default: Annotated[bool, _d("아직 관리자가 정하지 않은 임시 기본값인지")]
    note: str
    updated_at: dt.datetime | None

    @classmethod
    def of(cls, view: CategoryRateView) -> CategoryRateOut:
        return cls(category=view.category, label=view.label, rate_bp=view.rate_bp,
                   rate_label=rules.rate_label(view.rate_bp), is_default=view.is_default,
                   note=view.note, updated_at=view.updated_at)


class VendorRateOut(msgspec.Struct, kw_only=True):
    vendor_id: int
    vendor_name: str
    rate_bp: RateBp
    rate_label: str
    reason: str
    updated_at: dt.datetime

    @classmethod
    def of(cls, view: VendorRateView) -> VendorRateOut:
        return cls(vendor_id=view.vendor_id, vendor_name=view.vendor_name, rate_bp=view.rate_bp,
                   rate_label=rules.rate_label(view.rate_bp), reason=view.reason,
                   updated_at=view.updated_at)


class CommissionRatesOut(msgspec.Struct, kw_only=True):
    categories: list[CategoryRateOut]
    vendors: Annotated[list[VendorRateOut], _d("기업별 수수료율 (카테고리 수수료율 대신 적용)")]
    rounding: str


class CategoryRateIn(msgspec.Struct, forbid_unknown_fields=True):
    rate_bp: RateBp
    note: Annotated[str, _d("바꾼 이유나 근거")] = ""


class VendorRateIn(msgspec.Struct, forbid_unknown_fields=True):
    rate_bp: RateBp
    reason: Annotated[str, _d("기업별 수수료율을 두는 이유 (협약, 창업 지원 등)")] = ""


# -- statements -----------------------------------------------------------------------------------


class StatementLineOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    kind_label: str
    occurred_at: dt.datetime
    order_number: str
    description: str
    delivery: Annotated[Won, _d("배송비 (판매: 받은 배송비, 환불: 돌려준 배송비; 수수료 없음)")]
    sales: Won
    commission: Won
    refunds: Won
    commission_refunded: Won
    payouts: Won
    amount: Annotated[Won, _d("지급 예정액의 변화 (+ 늘어남, - 줄어듦)")]

    @classmethod
    def of(cls, line: SettlementStatementLine) -> StatementLineOut:
        return cls(id=line.id, kind=line.kind.value, kind_label=line.kind.label,
                   occurred_at=line.occurred_at, order_number=line.order_number,
                   description=line.description, delivery=line.delivery, sales=line.sales,
                   commission=line.commission, refunds=line.refunds,
                   commission_refunded=line.commission_refunded, payouts=line.payouts,
                   amount=line.amount)


class StatementOut(msgspec.Struct, kw_only=True):
    id: int
    vendor_id: int
    vendor_name: str
    week_start: Annotated[dt.date, _d("정산 주의 월요일 (서울 시간 월~일)")]
    week_label: str
    opening_balance: Won
    sales: Annotated[Won, _d("판매 (상품 + 배송비)")]
    commission: Annotated[Won, _d("판매 수수료")]
    refunds: Annotated[Won, _d("환불 (구매자에게 돌려준 금액)")]
    commission_refunded: Annotated[Won, _d("환불분 수수료 반환")]
    payouts: Annotated[Won, _d("지급 (송금한 금액)")]
    closing_balance: Annotated[Won, _d("기말 잔액 = 지급 예정액 (음수: 기업이 갚을 금액)")]
    payout_state: Annotated[str, _d("paid, in_batch, payable, carried, nothing")]
    payout_state_label: str
    payout_amount: Annotated[Won, _d("지급했거나 지급 중이거나 지금 지급할 금액")]
    csv_url: str
    lines: list[StatementLineOut] | None = None

    @classmethod
    def of(
        cls, statement: SettlementStatement, payout: StatementPayout,
        lines: list[SettlementStatementLine] | None = None,
    ) -> StatementOut:
        return cls(
            id=statement.id, vendor_id=statement.vendor_id, vendor_name=statement.vendor_name,
            week_start=statement.week_start, week_label=rules.week_label(statement.week_start),
            opening_balance=statement.opening_balance, sales=statement.sales,
            commission=statement.commission, refunds=statement.refunds,
            commission_refunded=statement.commission_refunded, payouts=statement.payouts,
            closing_balance=statement.closing_balance, payout_state=payout.state.value,
            payout_state_label=payout.state.label, payout_amount=payout.amount,
            csv_url=f"/api/settlement/statements/{statement.id}/csv",
            lines=[StatementLineOut.of(line) for line in lines] if lines is not None else None,
        )


class StatementListOut(msgspec.Struct, kw_only=True):
    items: list[StatementOut]


class VendorSettlementOut(msgspec.Struct, kw_only=True):
    vendor_id: int
    balance: Annotated[Won, _d("지금 장부상 지급할 금액 (마감 전 거래 포함)")]
    statements: list[StatementOut]


class WeekOut(msgspec.Struct, kw_only=True):
    id: int
    week_start: dt.date
    week_label: str
    closed_at: dt.datetime
    closed_by: str
    statement_count: int = 0

    @classmethod
    def of(cls, week: SettlementWeek, statement_count: int = 0) -> WeekOut:
        return cls(id=week.id, week_start=week.week_start,
                   week_label=rules.week_label(week.week_start), closed_at=week.closed_at,
                   closed_by=week.closed_by, statement_count=statement_count)


class CloseWeekIn(msgspec.Struct, forbid_unknown_fields=True):
    week: Annotated[
        str | None, _d("마감할 주의 아무 날짜 YYYY-MM-DD (생략: 지난주)"),
    ] = None


class CloseWeekOut(msgspec.Struct, kw_only=True):
    weeks: Annotated[list[WeekOut], _d("이번에 마감한 주 (앞선 미마감 주 포함), 이미 마감된 주")]
    created: bool


class AccountTotalOut(msgspec.Struct, kw_only=True):
    account: str
    account_label: str
    vendor_id: int | None
    total: Annotated[Won, _d("차변 +, 대변 -")]


class LedgerCheckOut(msgspec.Struct, kw_only=True):
    ok: bool
    transactions: int
    grand_total: Annotated[Won, _d("모든 계정의 합 (항상 0이어야 함)")]
    unbalanced: Annotated[list[int], _d("분개 합이 0이 아닌 거래 id")]
    unposted: list[int]
    accounts: list[AccountTotalOut]

    @classmethod
    def of(cls, check: LedgerCheck) -> LedgerCheckOut:
        return cls(
            ok=check.ok, transactions=check.transactions, grand_total=check.grand_total,
            unbalanced=[i for i, _, _ in check.unbalanced], unposted=[i for i, _ in check.unposted],
            accounts=[AccountTotalOut(account=a.account.value, account_label=a.account.label,
                                      vendor_id=a.vendor_id, total=a.total)
                      for a in check.accounts],
        )


# -- payouts --------------------------------------------------------------------------------------


class BankOut(msgspec.Struct):
    code: str
    name: str


class PayoutAccountIn(msgspec.Struct, forbid_unknown_fields=True):
    method: Annotated[str, _d("bank_transfer (계좌 이체) 또는 stripe_connect")]
    bank_code: Annotated[str, _d("은행 코드 3자리 (004 KB국민, 088 신한 …)")] = ""
    account_number: Annotated[str, _d("계좌번호 (숫자, - 허용)")] = ""
    holder_name: Annotated[str, _d("예금주")] = ""
    stripe_account_id: Annotated[str, _d("Stripe 연결 계정 ID (acct_…)")] = ""


class PayoutAccountOut(msgspec.Struct, kw_only=True):
    vendor_id: int
    method: str
    method_label: str
    bank_code: str
    bank_name: str
    account_number: Annotated[str, _d("대표 관리자와 관리자에게만 전체 번호, 그 밖에는 끝 4자리")]
    holder_name: str
    stripe_account_id: str
    updated_at: dt.datetime

    @classmethod
    def of(cls, account: PayoutAccount, *, full: bool) -> PayoutAccountOut:
        number = account.account_number
        return cls(
            vendor_id=account.vendor_id, method=account.method.value,
            method_label=account.method.label, bank_code=account.bank_code,
            bank_name=bankfile.bank_label(account.bank_code) if account.bank_code else "",
            account_number=number if full else bankfile.mask_account(number) if number else "",
            holder_name=account.holder_name, stripe_account_id=account.stripe_account_id,
            updated_at=account.updated_at,
        )


class PayoutItemOut(msgspec.Struct, kw_only=True):
    id: int
    statement_id: int
    vendor_id: int
    vendor_name: str
    amount: Won
    status: str
    status_label: str
    bank_code: str
    account_number: str
    holder_name: str
    stripe_account_id: str
    transfer_id: str
    error: str
    paid_at: dt.datetime | None

    @classmethod
    def of(cls, item: PayoutItem) -> PayoutItemOut:
        return cls(
            id=item.id, statement_id=item.statement_id, vendor_id=item.vendor_id,
            vendor_name=item.vendor_name, amount=item.amount, status=item.status.value,
            status_label=item.status.label, bank_code=item.bank_code,
            account_number=item.account_number, holder_name=item.holder_name,
            stripe_account_id=item.stripe_account_id, transfer_id=item.transfer_id,
            error=item.error, paid_at=item.paid_at,
        )


class PayoutBatchOut(msgspec.Struct, kw_only=True):
    id: int
    method: str
    method_label: str
    status: str
    status_label: str
    total: Won
    item_count: int
    note: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    file_url: Annotated[str | None, _d("계좌 이체 배치의 대량이체 파일 (CP949 CSV)")]
    items: list[PayoutItemOut]

    @classmethod
    def of(cls, batch: PayoutBatch) -> PayoutBatchOut:
        return cls(
            id=batch.id, method=batch.method.value, method_label=batch.method.label,
            status=batch.status.value, status_label=batch.status.label, total=batch.total,
            item_count=batch.item_count, note=batch.note, created_at=batch.created_at,
            sent_at=batch.sent_at,
            file_url=(f"/api/settlement/payout-batches/{batch.id}/file"
                      if batch.method is PayoutMethod.BANK_TRANSFER else None),
            items=[PayoutItemOut.of(item) for item in batch.items],
        )


class PayoutBatchListOut(msgspec.Struct, kw_only=True):
    items: list[PayoutBatchOut]


class PayoutBatchIn(msgspec.Struct, forbid_unknown_fields=True):
    method: Annotated[str, _d("bank_transfer 또는 stripe_connect")]
    statement_ids: Annotated[
        list[int] | None, _d("이 정산서만 (생략: 이 방법으로 지급할 수 있는 모든 정산서)")
    ] = None
    note: str = ""


class CancelBatchIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: str = ""
