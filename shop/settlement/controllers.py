"""``/api/settlement``: statements for vendors, and commission, week closing, ledger checks and
payout batches for admins. Programs authenticate with ``Authorization: Bearer jt_…``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from infra.accounts.models import User
from infra.auth import requires_admin, requires_user
from infra.errors import NotFound
from infra.spreadsheets import attachment
from infra.web.params import DbSession, SignedIn, strict_body
from shop.settlement import bankfile, ledger, payouts, services, statements
from shop.settlement.errors import SettlementErrorCode as Code
from shop.settlement.models import PayoutMethod, SettlementStatement
from shop.settlement.payouts import BankTransferProvider, PayoutProvider, StripeConnectProvider
from shop.settlement.schemas import (
    BankOut,
    CancelBatchIn,
    CategoryRateIn,
    CategoryRateOut,
    CloseWeekIn,
    CloseWeekOut,
    CommissionRatesOut,
    LedgerCheckOut,
    PayoutAccountIn,
    PayoutAccountOut,
    PayoutBatchIn,
    PayoutBatchListOut,
    PayoutBatchOut,
    StatementListOut,
    StatementOut,
    VendorRateIn,
    VendorRateOut,
    VendorSettlementOut,
    WeekOut,
)
from shop.vendors.access import member_role, vendor_for_member
from shop.vendors.models import MemberRole

TAGS = ["정산 (Settlement)"]
ROUNDING = (
    "수수료는 입점기업 주문별·카테고리별로 (상품 금액 × 수수료율)을 원 단위로 반올림하되 "
    "0.5원은 내립니다. "
    "배송비에는 수수료가 없습니다. 환불은 누적 환불액 기준으로 같은 규칙으로 되돌려, 전액 환불하면 "
    "부과한 수수료가 정확히 모두 되돌아갑니다."
)


def provider_for(request: Request[Any, Any, Any], method: PayoutMethod) -> PayoutProvider:
    if method is PayoutMethod.STRIPE_CONNECT:
        return StripeConnectProvider(request.app.state.payments.client)
    return BankTransferProvider()


async def statement_for(
    user: User, db_session: DbSession, statement_id: int
) -> SettlementStatement:
    """The statement, if the signed-in person may read it (its vendor's members, admins)."""
    statement = await statements.statement_or_404(db_session, statement_id)
    await vendor_for_member(db_session, user, statement.vendor_id)
    return statement


async def statement_out(db_session: DbSession, statement: SettlementStatement,
                        *, with_lines: bool = False) -> StatementOut:
    states = await payouts.payout_states(db_session, [statement])
    lines = await statements.lines_of(db_session, statement.id) if with_lines else None
    return StatementOut.of(statement, states[statement.id], lines)


async def statements_out(
    db_session: DbSession, rows: list[SettlementStatement]
) -> list[StatementOut]:
    states = await payouts.payout_states(db_session, rows)
    return [StatementOut.of(s, states[s.id]) for s in rows]


class VendorSettlementApi(Controller):
    path = "/api/settlement"
    tags = TAGS

    @get("/banks", operation_id="listBanks", summary="은행 코드 목록 (지급 계좌 등록용)")
    async def banks(self) -> list[BankOut]:
        return [BankOut(code, name) for code, name in bankfile.BANK_CODES.items()]

    @get(
        "/vendors/{vendor_id:int}/statements", operation_id="listVendorStatements",
        summary="입점기업의 주간 정산서 목록과 현재 잔액 (구성원)", guards=[requires_user],
    )
    async def vendor_statements(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int]
    ) -> VendorSettlementOut:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        rows = await statements.vendor_statements(db_session, vendor.id)
        return VendorSettlementOut(
            vendor_id=vendor.id, balance=await ledger.vendor_balance(db_session, vendor.id),
            statements=await statements_out(db_session, rows),
        )

    @get(
        "/statements/{statement_id:int}", operation_id="getStatement",
        summary="정산서와 그 내역 (구성원, 관리자)", guards=[requires_user],
    )
    async def statement(
        self, user: SignedIn, db_session: DbSession,
        statement_id: FromPath[int],
    ) -> StatementOut:
        statement = await statement_for(user, db_session, statement_id)
        return await statement_out(db_session, statement, with_lines=True)

    @get(
        "/statements/{statement_id:int}/csv", operation_id="downloadStatementCsv",
        summary="정산서 CSV (UTF-8 BOM, 엑셀용 한글 머리글)", guards=[requires_user],
        media_type="text/csv",
    )
    async def statement_csv(
        self, user: SignedIn, db_session: DbSession,
        statement_id: FromPath[int],
    ) -> Response[bytes]:
        statement = await statement_for(user, db_session, statement_id)
        lines = await statements.lines_of(db_session, statement.id)
        return attachment(statements.csv_filename(statement),
                          statements.csv_bytes(statement, lines), "text/csv; charset=utf-8")

    @get(
        "/vendors/{vendor_id:int}/payout-account", operation_id="getPayoutAccount",
        summary="지급 계좌 (구성원; 계좌번호 전체는 대표 관리자와 관리자만)",
        guards=[requires_user],
    )
    async def get_account(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int]
    ) -> PayoutAccountOut:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        account = await payouts.payout_account(db_session, vendor.id)
        if account is None:
            raise NotFound(Code.PAYOUT_ACCOUNT_NOT_FOUND, "등록된 지급 계좌가 없습니다.",
                           field="vendor_id")
        full = user.is_admin or await member_role(db_session, user, vendor.id) is MemberRole.OWNER
        return PayoutAccountOut.of(account, full=full)

    @put(
        "/vendors/{vendor_id:int}/payout-account", operation_id="savePayoutAccount",
        summary="지급 계좌 등록·변경 (대표 관리자)", guards=[requires_user],
        description="은행 코드는 GET /api/settlement/banks의 3자리 코드입니다. 잘못된 항목은 "
                    "모두 errors[]로 알려 주고 아무것도 저장하지 않습니다.",
    )
    async def save_account(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
        data: JSONBody[PayoutAccountIn],
    ) -> PayoutAccountOut:
        account = await payouts.save_payout_account(
            db_session, vendor_id, user,
            payouts.AccountForm(method=data.method, bank_code=data.bank_code,
                                account_number=data.account_number, holder_name=data.holder_name,
                                stripe_account_id=data.stripe_account_id),
        )
        return PayoutAccountOut.of(account, full=True)


class AdminSettlementApi(Controller):
    path = "/api/settlement"
    tags = TAGS
    guards = [requires_admin]

    # -- commission

    @get("/commission-rates", operation_id="getCommissionRates",
         summary="수수료율: 카테고리별 (임시 기본값 표시)과 기업별 (관리자)")
    async def rates(self, db_session: DbSession) -> CommissionRatesOut:
        return CommissionRatesOut(
            categories=[CategoryRateOut.of(v) for v in await services.category_rates(db_session)],
            vendors=[VendorRateOut.of(v) for v in await services.vendor_rates(db_session)],
            rounding=ROUNDING,
        )

    @put("/commission-rates/categories/{category:str}", operation_id="setCategoryRate",
         summary="카테고리 수수료율 변경 (이후 판매부터 적용)")
    async def set_category(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        category: FromPath[str],
        data: JSONBody[CategoryRateIn],
    ) -> CategoryRateOut:
        data = await strict_body(request, CategoryRateIn)
        view = await services.set_category_rate(
            db_session, category, data.rate_bp, user, note=data.note
        )
        return CategoryRateOut.of(view)

    @put("/commission-rates/vendors/{vendor_id:int}", operation_id="setVendorRate",
         summary="기업별 수수료율 지정 (카테고리 수수료율 대신 적용)")
    async def set_vendor(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        vendor_id: FromPath[int],
        data: JSONBody[VendorRateIn],
    ) -> VendorRateOut:
        data = await strict_body(request, VendorRateIn)
        view = await services.set_vendor_rate(
            db_session, vendor_id, data.rate_bp, user, reason=data.reason
        )
        return VendorRateOut.of(view)

    @delete("/commission-rates/vendors/{vendor_id:int}", operation_id="clearVendorRate",
            summary="기업별 수수료율 해제 (카테고리 수수료율로)", status_code=HTTP_204_NO_CONTENT)
    async def clear_vendor(self, db_session: DbSession, vendor_id: FromPath[int]) -> None:
        await services.clear_vendor_rate(db_session, vendor_id)

    # -- weeks, statements, ledger

    @get("/statements", operation_id="listWeekStatements",
         summary="한 주의 모든 입점기업 정산서 (기본: 마지막 마감 주)")
    async def week_statements(
        self, db_session: DbSession, week: FromQuery[str | None] = None
    ) -> StatementListOut:
        _, rows = await statements.week_statements(
            db_session, services.parse_week(week)
        )
        return StatementListOut(items=await statements_out(db_session, rows))

    @get("/weeks", operation_id="listSettlementWeeks", summary="마감한 정산 주")
    async def weeks(self, db_session: DbSession) -> list[WeekOut]:
        return [WeekOut.of(w) for w in await statements.weeks(db_session)]

    @post("/weeks/close", operation_id="closeSettlementWeek", status_code=200,
          summary="정산 주 마감 (월~일, 서울 시간): 입점기업별 정산서 작성",
          description="이미 마감한 주는 그대로 돌려줍니다 (created=false). 끝나지 않은 주는 409 "
                      "week_not_ended. 앞선 미마감 주가 있으면 먼저 마감합니다.")
    async def close_week(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        data: JSONBody[CloseWeekIn],
    ) -> CloseWeekOut:
        data = await strict_body(request, CloseWeekIn)
        closed = await services.close_week(
            db_session, services.parse_week(data.week),
            closed_by=f"{user.display_name} (#{user.id}, API)",
        )
        return CloseWeekOut(
            weeks=[WeekOut.of(c.week, len(c.statements)) for c in closed],
            created=any(c.created for c in closed),
        )

    @get("/ledger/check", operation_id="checkLedger",
         summary="장부 검증: 거래마다 분개 합 0, 전체 계정 합 0")
    async def check(self, db_session: DbSession) -> LedgerCheckOut:
        return LedgerCheckOut.of(await ledger.verify(db_session))

    # -- payouts

    @get("/payout-batches", operation_id="listPayoutBatches", summary="지급 배치 목록")
    async def batches(self, db_session: DbSession) -> PayoutBatchListOut:
        return PayoutBatchListOut(
            items=[PayoutBatchOut.of(b) for b in await payouts.batches(db_session)]
        )

    @post("/payout-batches", operation_id="createPayoutBatch", status_code=HTTP_201_CREATED,
          summary="지급 배치 만들기: 지급할 정산서 (기업별 마지막 정산서)를 모읍니다",
          description="지급할 정산서가 없으면 409 nothing_to_pay. 정산서는 한 번만 지급됩니다.")
    async def create_batch(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        data: JSONBody[PayoutBatchIn],
    ) -> PayoutBatchOut:
        data = await strict_body(request, PayoutBatchIn)
        batch = await payouts.create_batch(
            db_session, payouts.parse_method(data.method), user,
            statement_ids=data.statement_ids, note=data.note,
        )
        return PayoutBatchOut.of(batch)

    @get("/payout-batches/{batch_id:int}", operation_id="getPayoutBatch", summary="지급 배치")
    async def batch(self, db_session: DbSession, batch_id: FromPath[int]) -> PayoutBatchOut:
        return PayoutBatchOut.of(await payouts.batch_or_404(db_session, batch_id))

    @get("/payout-batches/{batch_id:int}/file", operation_id="downloadPayoutBankFile",
         summary="대량이체 업로드 파일 (CP949 CSV; 열 구성은 docs/decisions.md)",
         media_type="text/csv")
    async def bank_file(self, db_session: DbSession, batch_id: FromPath[int]) -> Response[bytes]:
        name, content = await payouts.bank_file(db_session, batch_id)
        return attachment(name, content, "text/csv; charset=cp949")

    @post("/payout-batches/{batch_id:int}/send", operation_id="sendPayoutBatch", status_code=200,
          summary="송금: 계좌 이체는 '은행 업로드 완료'로 표시, Stripe는 송금 실행",
          description="항목마다 지급 장부 기록과 함께 한 번만 지급됩니다. 실패한 Stripe 송금은 "
                      "다시 보내면 같은 멱등 키로 재시도합니다.")
    async def send(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        batch_id: FromPath[int],
    ) -> PayoutBatchOut:
        batch = await payouts.batch_or_404(db_session, batch_id)
        sent = await payouts.send_batch(
            db_session, batch.id, provider_for(request, batch.method), user
        )
        return PayoutBatchOut.of(sent)

    @post("/payout-batches/{batch_id:int}/cancel", operation_id="cancelPayoutBatch",
          status_code=200, summary="송금 전 배치 취소 (정산서는 다시 지급 대상)")
    async def cancel(
        self, user: SignedIn, db_session: DbSession, batch_id: FromPath[int],
        data: JSONBody[CancelBatchIn],
    ) -> PayoutBatchOut:
        batch = await payouts.cancel_batch(db_session, batch_id, user, data.reason)
        return PayoutBatchOut.of(batch)

ROUTES: list[Any] = [VendorSettlementApi, AdminSettlementApi]
