"""Purchases made outside the platform, in the buyer portal and the JSON API.

``/procurement/outside-purchases`` (menu: 공공구매 → 플랫폼 밖 구매) lists the files imported
for the institution, offers the template (XLSX with a guide sheet, or CSV) and the upload
form; a refused file is shown again with every wrong cell by row and column, and nothing is
imported. ``POST /api/procurement/institutions/{id}/outside-purchases`` (multipart ``file``)
does the same for programs; ``GET`` on it lists the imports. The use case is
:func:`shop.procurement.outside_purchases.import_file`.

A wrong import is withdrawn whole from the same page (a reason per file; the accountant or the
institution admin) or by ``POST …/outside-purchases/{import_id}/withdrawal``; the list shows
who withdrew it, when and why (:mod:`shop.procurement.outside_withdrawals`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_201_CREATED

from infra import spreadsheets
from infra.accounts.models import Role
from infra.auth import requires_role, requires_user
from infra.clock import seoul_date, seoul_today
from infra.errors import InvalidInput
from infra.web.forms import Refusal, attempt
from infra.web.params import DbSession, FormData, MultipartData, SignedIn, strict_body
from shop.procurement import outside_purchases, outside_withdrawals, plans, portal
from shop.procurement.access import institution_or_404
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.outside_models import OutsideImportWithdrawal, OutsidePurchaseImport
from shop.procurement.outside_purchases import COLUMNS, TEMPLATE_HEADER
from shop.procurement.outside_withdrawals import WITHDRAWERS, ImportEntry

TEMPLATE_NAME = "jangteo-outside-purchases-template"


def template_xlsx() -> bytes:
    guide = [("열", "적는 값"), *((c.header, c.hint) for c in COLUMNS),
             (), ("안내", "머리글(1행)은 그대로 두고 2행부터 한 줄에 구매 한 건씩 적습니다."),
             ("", "한 행이라도 틀리면 아무것도 가져오지 않고, 틀린 행과 열을 알려 드립니다.")]
    return spreadsheets.xlsx_bytes([("구매내역", [TEMPLATE_HEADER]), ("작성 방법", guide)])


def template_csv() -> bytes:
    return spreadsheets.csv_bytes([TEMPLATE_HEADER])


class WithdrawalIn(msgspec.Struct, forbid_unknown_fields=True):
    """Why the whole import is withdrawn (required, up to 500 characters)."""

    reason: str


class WithdrawalOut(msgspec.Struct, kw_only=True):
    id: int
    import_id: int
    reason: str
    withdrawn_by: int
    withdrawn_at: dt.datetime
    #: The Seoul day from which the import's rows no longer count.
    effective_on: dt.date

    @classmethod
    def of(cls, row: OutsideImportWithdrawal) -> WithdrawalOut:
        return cls(id=row.id, import_id=row.import_id, reason=row.reason,
                   withdrawn_by=row.withdrawn_by, withdrawn_at=row.withdrawn_at,
                   effective_on=seoul_date(row.withdrawn_at))


class ImportOut(msgspec.Struct, kw_only=True):
    id: int
    institution_id: int
    filename: str
    rows: int
    total_amount: int
    imported_by: int
    imported_at: dt.datetime
    #: Set once the whole import was withdrawn (its rows no longer count).
    withdrawal: WithdrawalOut | None = None

    @classmethod
    def of(cls, batch: OutsidePurchaseImport,
           withdrawal: OutsideImportWithdrawal | None = None) -> ImportOut:
        return cls(id=batch.id, institution_id=batch.institution_id, filename=batch.filename,
                   rows=batch.rows, total_amount=batch.total_amount,
                   imported_by=batch.imported_by, imported_at=batch.imported_at,
                   withdrawal=WithdrawalOut.of(withdrawal) if withdrawal else None)


async def _upload(data: dict[str, Any]) -> tuple[str, bytes]:
    upload = data.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInput(Code.REQUIRED, "가져올 XLSX 또는 CSV 파일을 골라 주세요.", field="file")
    return upload.filename or "upload", await upload.read()


class OutsidePurchasePages(Controller):
    path = "/procurement/outside-purchases"
    include_in_schema = False
    guards = [requires_role(Role.PUBLIC_BUYER)]

    async def _page(self, db_session: Any, user: Any, institution: int | None, *,
                    refusal: Refusal | None = None, withdrawing: int | None = None,
                    form: dict[str, str] | None = None) -> Template:
        chosen = await portal.chosen_institution(db_session, user, institution)
        imports: list[ImportEntry] = []
        if chosen is not None:
            imports = await outside_withdrawals.imports_with_withdrawals(
                db_session, chosen.institution.id)
        shown = refusal if withdrawing is None else None
        errors = shown.error.extra.get("errors", []) if shown and shown.error else []
        return Template("procurement/outside_purchases.html", context={
            "chosen": chosen, "imports": imports, "columns": COLUMNS,
            "refusal": shown, "errors": errors, "year": seoul_today().year,
            "can_withdraw": chosen is not None and bool(chosen.roles & set(WITHDRAWERS)),
            "withdrawing": withdrawing, "form": form or {},
            "withdraw_errors": refusal.errors if refusal and withdrawing is not None else {},
        }, status_code=refusal.status_code if refusal else 200)

    @get("/", name="procurement:outside_purchases")
    async def page(self, user: SignedIn, db_session: DbSession,
                   institution: FromQuery[int | None] = None) -> Template:
        return await self._page(db_session, user, institution)

    @get("/template.xlsx", name="procurement:outside_template_xlsx")
    async def template_xlsx(self, user: SignedIn) -> Response[bytes]:
        return spreadsheets.attachment(f"{TEMPLATE_NAME}.xlsx", template_xlsx(),
                                       spreadsheets.XLSX_MEDIA_TYPE)

    @get("/template.csv", name="procurement:outside_template_csv")
    async def template_csv(self, user: SignedIn) -> Response[bytes]:
        return spreadsheets.attachment(f"{TEMPLATE_NAME}.csv", template_csv(),
                                       spreadsheets.CSV_MEDIA_TYPE)

    @post("/import", name="procurement:outside_import")
    async def upload(self, request: Request[Any, Any, Any], user: SignedIn,
                     db_session: DbSession, data: MultipartData) -> Template | Redirect:
        raw = data.get("institution_id")
        institution_id = int(raw) if isinstance(raw, str) and raw.isdigit() else 0

        async def run() -> OutsidePurchaseImport:
            filename, content = await _upload(data)
            return await outside_purchases.import_file(
                db_session, user, institution_id, filename=filename, content=content)

        outcome = await attempt(db_session, run, shown=frozenset({400, 403, 409, 413}))
        if isinstance(outcome, Refusal):
            return await self._page(db_session, user, institution_id, refusal=outcome)
        flash(request, f"'{outcome.filename}'에서 {outcome.rows:,}건, 합계 "
                       f"{outcome.total_amount:,}원을 가져왔습니다. 연간 실적의 총 구매액에 "
                       "반영됩니다.", category="success")
        return Redirect(f"/procurement/outside-purchases?institution={institution_id}")

    @post("/{import_id:int}/withdraw", name="procurement:outside_withdraw")
    async def withdraw(self, request: Request[Any, Any, Any], user: SignedIn,
                       db_session: DbSession, import_id: FromPath[int],
                       data: FormData) -> Template | Redirect:
        raw = data.get("institution_id", "")
        institution_id = int(raw) if raw.isdigit() else 0

        async def run() -> OutsideImportWithdrawal:
            await institution_or_404(db_session, institution_id)
            return await outside_withdrawals.withdraw_import(
                db_session, user, institution_id, import_id, reason=data.get("reason", ""))

        outcome = await attempt(db_session, run)
        if isinstance(outcome, Refusal):
            return await self._page(db_session, user, institution_id, refusal=outcome,
                                    withdrawing=import_id, form=data)
        flash(request, f"가져온 파일을 철회했습니다. {seoul_date(outcome.withdrawn_at).isoformat()}"
                       "부터 실적에서 빠지며, 이미 공시한 달은 다음 판에 차이로 나타납니다.",
              category="success")
        return Redirect(f"/procurement/outside-purchases?institution={institution_id}")


class OutsidePurchaseApi(Controller):
    path = "/api/procurement/institutions/{institution_id:int}/outside-purchases"
    tags = ["공공구매 계획·실적 (Procurement plans)"]
    guards = [requires_user]

    @get("/", operation_id="listOutsidePurchaseImports",
         summary="플랫폼 밖 구매 가져오기 내역 (기관 구성원)")
    async def list_imports(self, user: SignedIn, db_session: DbSession,
                           institution_id: FromPath[int]) -> list[ImportOut]:
        await institution_or_404(db_session, institution_id)
        await plans.require_reader(db_session, user, institution_id)
        return [ImportOut.of(e.batch, e.withdrawal) for e in
                await outside_withdrawals.imports_with_withdrawals(db_session, institution_id)]

    @post("/", operation_id="importOutsidePurchases", status_code=HTTP_201_CREATED,
          summary="플랫폼 밖 구매(나라장터·카드·기타) XLSX/CSV 가져오기 (회계·기관 관리자); "
                  "한 행이라도 틀리면 아무것도 가져오지 않음")
    async def import_file(self, user: SignedIn, db_session: DbSession,
                          institution_id: FromPath[int], data: MultipartData) -> ImportOut:
        filename, content = await _upload(data)
        batch = await outside_purchases.import_file(
            db_session, user, institution_id, filename=filename, content=content)
        return ImportOut.of(batch)

    @post("/{import_id:int}/withdrawal", operation_id="withdrawOutsidePurchaseImport",
          status_code=HTTP_201_CREATED,
          summary="잘못 가져온 플랫폼 밖 구매 파일을 통째로 철회 (회계·기관 관리자, 사유 필수); "
                  "철회한 날부터 실적에서 빠지고 공시한 달은 다음 판에 차이로 나타남")
    async def withdraw(self, request: Request[Any, Any, Any], user: SignedIn,
                       db_session: DbSession, institution_id: FromPath[int],
                       import_id: FromPath[int], data: JSONBody[WithdrawalIn]) -> WithdrawalOut:
        data = await strict_body(request, WithdrawalIn)
        await institution_or_404(db_session, institution_id)
        row = await outside_withdrawals.withdraw_import(
            db_session, user, institution_id, import_id, reason=data.reason)
        return WithdrawalOut.of(row)


ROUTES: list[Any] = [OutsidePurchasePages, OutsidePurchaseApi]
