"""Purchases made outside the platform, in the buyer portal and the JSON API.

``/procurement/outside-purchases`` (menu: 공공구매 → 플랫폼 밖 구매) lists the files imported
for the institution, offers the template (XLSX with a guide sheet, or CSV) and the upload
form; a refused file is shown again with every wrong cell by row and column, and nothing is
imported. ``POST /api/procurement/institutions/{id}/outside-purchases`` (multipart ``file``)
does the same for programs; ``GET`` on it lists the imports. The use case is
:func:`shop.procurement.outside_purchases.import_file`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Response, Template
from litestar.status_codes import HTTP_201_CREATED

from infra import spreadsheets
from infra.accounts.models import Role
from infra.auth import requires_role, requires_user
from infra.clock import seoul_today
from infra.errors import InvalidInput
from infra.web.forms import Refusal, attempt
from infra.web.params import DbSession, MultipartData, SignedIn
from shop.procurement import outside_purchases, plans, portal
from shop.procurement.access import institution_or_404
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.outside_models import OutsidePurchaseImport
from shop.procurement.outside_purchases import COLUMNS, TEMPLATE_HEADER

TEMPLATE_NAME = "jangteo-outside-purchases-template"


def template_xlsx() -> bytes:
    guide = [("열", "적는 값"), *((c.header, c.hint) for c in COLUMNS),
             (), ("안내", "머리글(1행)은 그대로 두고 2행부터 한 줄에 구매 한 건씩 적습니다."),
             ("", "한 행이라도 틀리면 아무것도 가져오지 않고, 틀린 행과 열을 알려 드립니다.")]
    return spreadsheets.xlsx_bytes([("구매내역", [TEMPLATE_HEADER]), ("작성 방법", guide)])


def template_csv() -> bytes:
    return spreadsheets.csv_bytes([TEMPLATE_HEADER])


class ImportOut(msgspec.Struct, kw_only=True):
    id: int
    institution_id: int
    filename: str
    rows: int
    total_amount: int
    imported_by: int
    imported_at: dt.datetime

    @classmethod
    def of(cls, batch: OutsidePurchaseImport) -> ImportOut:
        return cls(id=batch.id, institution_id=batch.institution_id, filename=batch.filename,
                   rows=batch.rows, total_amount=batch.total_amount,
                   imported_by=batch.imported_by, imported_at=batch.imported_at)


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
                    refusal: Refusal | None = None) -> Template:
        chosen = await portal.chosen_institution(db_session, user, institution)
        imports: list[OutsidePurchaseImport] = []
        if chosen is not None:
            imports = await outside_purchases.imports_of(db_session, chosen.institution.id)
        errors = refusal.error.extra.get("errors", []) if refusal and refusal.error else []
        return Template("procurement/outside_purchases.html", context={
            "chosen": chosen, "imports": imports, "columns": COLUMNS,
            "refusal": refusal, "errors": errors, "year": seoul_today().year,
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
        return [ImportOut.of(b) for b in await outside_purchases.imports_of(db_session,
                                                                             institution_id)]

    @post("/", operation_id="importOutsidePurchases", status_code=HTTP_201_CREATED,
          summary="플랫폼 밖 구매(나라장터·카드·기타) XLSX/CSV 가져오기 (회계·기관 관리자); "
                  "한 행이라도 틀리면 아무것도 가져오지 않음")
    async def import_file(self, user: SignedIn, db_session: DbSession,
                          institution_id: FromPath[int], data: MultipartData) -> ImportOut:
        filename, content = await _upload(data)
        batch = await outside_purchases.import_file(
            db_session, user, institution_id, filename=filename, content=content)
        return ImportOut.of(batch)


ROUTES: list[Any] = [OutsidePurchasePages, OutsidePurchaseApi]
