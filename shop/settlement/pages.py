"""Settlement pages (Korean, no JavaScript): the vendor's statements and payout account in its
console; statements of all vendors, commission rates and payout batches for admins.

Forms carry the CSRF token; refused input comes back in the same form with the message beside
its field.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select

from infra.accounts.models import User
from infra.auth import requires_admin, requires_user
from infra.clock import utcnow
from infra.errors import DomainError, InvalidInput
from infra.spreadsheets import attachment
from infra.web.forms import EVERY_REFUSAL, Refusal, attempt
from infra.web.params import DbSession, FormData, SignedIn
from shop.settlement import bankfile, ledger, payouts, rules, services, statements
from shop.settlement.controllers import ROUNDING, provider_for
from shop.settlement.errors import SettlementErrorCode as Code
from shop.settlement.models import Account, PayoutBatch, PayoutMethod, SettlementStatement
from shop.vendors.access import member_role, vendor_for_member
from shop.vendors.models import MemberRole, Vendor, VendorStatus

BANK_OPTIONS = [(code, f"{name} ({code})") for code, name in bankfile.BANK_CODES.items()]
METHOD_OPTIONS = [(m.value, m.label) for m in PayoutMethod]


def _beside(refused: Refusal, field: str) -> dict[str, str]:
    """The refusal's message beside the field it names, or beside ``field`` if it names none."""
    named = next(iter(refused.errors), "_form")
    return {field if named == "_form" else named: refused.message}


def _text(data: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in data.items() if k != "_csrf_token"}


def _csv(statement: SettlementStatement, lines: list[Any]) -> Response[bytes]:
    return attachment(statements.csv_filename(statement), statements.csv_bytes(statement, lines),
                      "text/csv; charset=utf-8")


_FILTERS = {"won": lambda amount: f"{int(amount):,}원", "rate": rules.rate_label,
            "week": rules.week_label,
            "bank": bankfile.bank_label, "mask": bankfile.mask_account}


def _page(name: str, status_code: int = 200, **context: Any) -> Template:
    return Template(f"settlement/{name}", context={**_FILTERS, **context},
                    status_code=status_code)


# ---------------------------------------------------------------- vendor console


class VendorSettlementPages(Controller):
    path = "/console/vendors/{vendor_id:int}/settlement"
    include_in_schema = False
    guards = [requires_user]

    async def _overview(
        self, user: User, db_session: DbSession, vendor_id: int, *,
        errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        is_owner = user.is_admin or (
            await member_role(db_session, user, vendor.id) is MemberRole.OWNER)
        account = await payouts.payout_account(db_session, vendor.id)
        rows = await statements.vendor_statements(db_session, vendor.id)
        if form is None:
            form = {"method": account.method.value, "bank_code": account.bank_code,
                    "account_number": account.account_number if is_owner else "",
                    "holder_name": account.holder_name,
                    "stripe_account_id": account.stripe_account_id} if account else {
                "method": PayoutMethod.BANK_TRANSFER.value}
        return _page(
            "console.html", status_code, vendor=vendor, is_owner=is_owner, account=account,
            statements=rows, states=await payouts.payout_states(db_session, rows),
            balance=await ledger.vendor_balance(db_session, vendor.id),
            bank_options=BANK_OPTIONS, method_options=METHOD_OPTIONS, form=form,
            errors=errors or {},
        )

    @get("/", name="settlement:console")
    async def overview(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int]
    ) -> Template:
        return await self._overview(user, db_session, vendor_id)

    @post("/payout-account")
    async def save_account(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        vendor_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        account = payouts.AccountForm(
            method=data.get("method", ""), bank_code=data.get("bank_code", ""),
            account_number=data.get("account_number", ""),
            holder_name=data.get("holder_name", ""),
            stripe_account_id=data.get("stripe_account_id", ""),
        )
        refused = await attempt(
            db_session, lambda: payouts.save_payout_account(db_session, vendor_id, user, account),
            shown=frozenset(EVERY_REFUSAL) - {403},
        )
        if isinstance(refused, Refusal):
            return await self._overview(user, db_session, vendor_id, errors=refused.errors,
                                        form=_text(data), status_code=refused.status_code)
        flash(request, "지급 계좌를 저장했습니다.", category="success")
        return Redirect(f"/console/vendors/{vendor_id}/settlement")

    @get("/statements/{statement_id:int}", name="settlement:console_statement")
    async def statement(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
        statement_id: FromPath[int],
    ) -> Template:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        statement = await statements.statement_or_404(db_session, statement_id,
                                                      vendor_id=vendor.id)
        return _page(
            "statement.html", statement=statement,
            lines=await statements.lines_of(db_session, statement.id),
            payout=(await payouts.payout_states(db_session, [statement]))[statement.id],
            back_url=f"/console/vendors/{vendor.id}/settlement",
            csv_url=f"/console/vendors/{vendor.id}/settlement/statements/{statement.id}"
                    "/statement.csv",
        )

    @get("/statements/{statement_id:int}/statement.csv", name="settlement:console_csv")
    async def statement_csv(
        self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
        statement_id: FromPath[int],
    ) -> Response[bytes]:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        statement = await statements.statement_or_404(db_session, statement_id,
                                                      vendor_id=vendor.id)
        return _csv(statement, await statements.lines_of(db_session, statement.id))


# ---------------------------------------------------------------- admin


class AdminSettlementPages(Controller):
    path = "/admin/settlement"
    include_in_schema = False
    guards = [requires_admin]

    async def _statements(
        self, db_session: DbSession, week: str | None, *, errors: dict[str, str] | None = None,
        form: dict[str, str] | None = None, status_code: int = 200,
    ) -> Template:
        try:
            chosen = services.parse_week(week)
        except DomainError as exc:
            chosen, errors = None, {"week_filter": exc.message}
        shown_week, rows = await statements.week_statements(db_session, chosen)
        check = await ledger.verify(db_session)
        summary = await ledger.account_summary(db_session)
        return _page(
            "admin_statements.html", status_code, weeks=await statements.weeks(db_session),
            shown_week=shown_week, statements=rows,
            states=await payouts.payout_states(db_session, rows), check=check,
            summary=[(a, summary[a]) for a in Account], errors=errors or {}, form=form or {},
            last_ended=rules.last_ended_week(utcnow()).isoformat(),
        )

    @get("/", name="settlement:admin")
    async def index(self, db_session: DbSession, week: FromQuery[str | None] = None) -> Template:
        return await self._statements(db_session, week)

    @post("/close-week")
    async def close_week(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        data: FormData,
    ) -> Template | Redirect:
        async def close() -> list[services.ClosedWeek]:
            return await services.close_week(
                db_session, services.parse_week(data.get("week")),
                closed_by=f"{user.display_name} (#{user.id})",
            )

        closed = await attempt(db_session, close, shown=EVERY_REFUSAL)
        if isinstance(closed, Refusal):
            return await self._statements(db_session, None, errors={"week": closed.message},
                                          form=_text(data), status_code=closed.status_code)
        last = closed[-1]
        label = rules.week_label(last.week.week_start)
        if last.created:
            flash(request, f"{label} 주를 마감했습니다: 정산서 {len(last.statements)}건"
                  + (f" (앞선 주 {len(closed) - 1}개 포함)" if len(closed) > 1 else ""),
                  category="success")
        else:
            flash(request, f"{label} 주는 이미 마감되어 있습니다.", category="info")
        return Redirect(f"/admin/settlement?week={last.week.week_start.isoformat()}")

    @get("/statements/{statement_id:int}", name="settlement:admin_statement")
    async def statement(self, db_session: DbSession, statement_id: FromPath[int]) -> Template:
        statement = await statements.statement_or_404(db_session, statement_id)
        return _page(
            "statement.html", statement=statement,
            lines=await statements.lines_of(db_session, statement.id),
            payout=(await payouts.payout_states(db_session, [statement]))[statement.id],
            back_url=f"/admin/settlement?week={statement.week_start.isoformat()}",
            csv_url=f"/admin/settlement/statements/{statement.id}/statement.csv",
        )

    @get("/statements/{statement_id:int}/statement.csv", name="settlement:admin_csv")
    async def statement_csv(
        self, db_session: DbSession, statement_id: FromPath[int]
    ) -> Response[bytes]:
        statement = await statements.statement_or_404(db_session, statement_id)
        return _csv(statement, await statements.lines_of(db_session, statement.id))

    # -- commission

    async def _commission(
        self, db_session: DbSession, *, errors: dict[str, str] | None = None,
        form: dict[str, str] | None = None, status_code: int = 200,
    ) -> Template:
        vendors = (await db_session.scalars(
            select(Vendor).where(Vendor.status == VendorStatus.APPROVED).order_by(Vendor.name)
        )).all()
        return _page(
            "admin_commission.html", status_code,
            categories=await services.category_rates(db_session),
            vendor_rates=await services.vendor_rates(db_session), vendors=vendors,
            rounding=ROUNDING, errors=errors or {}, form=form or {},
        )

    @get("/commission", name="settlement:commission")
    async def commission(self, db_session: DbSession) -> Template:
        return await self._commission(db_session)

    @post("/commission/categories/{category:str}")
    async def set_category(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        category: FromPath[str], data: FormData,
    ) -> Template | Redirect:
        field = f"rate_{category}"

        async def save() -> services.CategoryRateView:
            rate = services.parse_percent(data.get("rate", ""), field)
            return await services.set_category_rate(db_session, category, rate, user,
                                                    note=data.get("note", ""), field=field)

        view = await attempt(db_session, save, shown=EVERY_REFUSAL)
        if isinstance(view, Refusal):
            return await self._commission(
                db_session, errors=_beside(view, field),
                form={field: data.get("rate", "")}, status_code=view.status_code,
            )
        flash(request, f"{view.label} 수수료율을 {rules.rate_label(view.rate_bp)}(으)로 "
              "바꿨습니다. 앞으로의 판매부터 적용됩니다.", category="success")
        return Redirect("/admin/settlement/commission")

    @post("/commission/vendors")
    async def set_vendor(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        data: FormData,
    ) -> Template | Redirect:
        async def save() -> services.VendorRateView:
            raw_vendor = data.get("vendor_id", "")
            if not raw_vendor.isdigit():
                raise InvalidInput(
                    Code.VENDOR_REQUIRED, "입점기업을 골라 주세요.", field="vendor_id"
                )
            rate = services.parse_percent(data.get("vendor_rate", ""), "vendor_rate")
            return await services.set_vendor_rate(db_session, int(raw_vendor), rate, user,
                                                  reason=data.get("reason", ""),
                                                  field="vendor_rate")

        view = await attempt(db_session, save, shown=EVERY_REFUSAL)
        if isinstance(view, Refusal):
            return await self._commission(db_session, errors=view.errors, form=_text(data),
                                          status_code=view.status_code)
        flash(request, f"{view.vendor_name}에 기업별 수수료율 {rules.rate_label(view.rate_bp)}을 "
              "지정했습니다.", category="success")
        return Redirect("/admin/settlement/commission")

    @post("/commission/vendors/{vendor_id:int}/delete")
    async def clear_vendor(
        self, request: Request[Any, Any, Any], db_session: DbSession, vendor_id: FromPath[int]
    ) -> Redirect:
        await services.clear_vendor_rate(db_session, vendor_id)
        flash(request, "기업별 수수료율을 해제했습니다. 카테고리 수수료율이 적용됩니다.",
              category="success")
        return Redirect("/admin/settlement/commission")

    # -- payouts

    async def _payouts(
        self, db_session: DbSession, *, errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        return _page(
            "admin_payouts.html", status_code,
            candidates=await payouts.candidates(db_session),
            batches=await payouts.batches(db_session), method_options=METHOD_OPTIONS,
            errors=errors or {},
        )

    @get("/payouts", name="settlement:payouts")
    async def payouts_index(self, db_session: DbSession) -> Template:
        return await self._payouts(db_session)

    @post("/payouts")
    async def create_batch(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        data: FormData,
    ) -> Template | Redirect:
        async def create() -> PayoutBatch:
            return await payouts.create_batch(
                db_session, payouts.parse_method(data.get("method")), user,
                note=data.get("note", ""),
            )

        batch = await attempt(db_session, create, shown=EVERY_REFUSAL)
        if isinstance(batch, Refusal):
            return await self._payouts(db_session, errors={"method": batch.message},
                                       status_code=batch.status_code)
        flash(request, f"지급 배치 #{batch.id}를 만들었습니다: {batch.item_count}건, "
              f"{batch.total:,}원", category="success")
        return Redirect(f"/admin/settlement/payouts/{batch.id}")

    async def _batch(
        self, db_session: DbSession, batch_id: int, *, error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        batch = await payouts.batch_or_404(db_session, batch_id)
        return _page("admin_batch.html", status_code, batch=batch, error=error,
                     is_bank=batch.method is PayoutMethod.BANK_TRANSFER,
                     columns=bankfile.HEADER)

    @get("/payouts/{batch_id:int}", name="settlement:batch")
    async def batch(self, db_session: DbSession, batch_id: FromPath[int]) -> Template:
        return await self._batch(db_session, batch_id)

    @get("/payouts/{batch_id:int}/file", name="settlement:batch_file")
    async def batch_file(self, db_session: DbSession, batch_id: FromPath[int]) -> Response[bytes]:
        name, content = await payouts.bank_file(db_session, batch_id)
        return attachment(name, content, "text/csv; charset=cp949")

    @post("/payouts/{batch_id:int}/send")
    async def send(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        batch_id: FromPath[int],
    ) -> Template | Redirect:
        async def pay() -> PayoutBatch:
            batch = await payouts.batch_or_404(db_session, batch_id)
            return await payouts.send_batch(db_session, batch.id,
                                            provider_for(request, batch.method), user)

        batch = await attempt(db_session, pay, shown=EVERY_REFUSAL)
        if isinstance(batch, Refusal):
            return await self._batch(db_session, batch_id, error=batch.message,
                                     status_code=batch.status_code)
        failed = [i for i in batch.items if i.status.value == "failed"]
        if failed:
            flash(request, f"{len(failed)}건을 송금하지 못했습니다. 사유를 확인하고 다시 "
                  "송금하세요.", category="error")
        else:
            flash(request, f"배치 #{batch.id} 송금을 마쳤습니다.", category="success")
        return Redirect(f"/admin/settlement/payouts/{batch.id}")

    @post("/payouts/{batch_id:int}/cancel")
    async def cancel(
        self, request: Request[Any, Any, Any], user: SignedIn, db_session: DbSession,
        batch_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        refused = await attempt(
            db_session,
            lambda: payouts.cancel_batch(db_session, batch_id, user, data.get("reason", "")),
            shown=EVERY_REFUSAL,
        )
        if isinstance(refused, Refusal):
            return await self._batch(db_session, batch_id, error=refused.message,
                                     status_code=refused.status_code)
        flash(request, f"배치 #{batch_id}를 취소했습니다.", category="success")
        return Redirect("/admin/settlement/payouts")


ROUTES: list[Any] = [VendorSettlementPages, AdminSettlementPages]
