"""Background exports of the sales facts (``shop.analytics.exports``): asked for from the
vendor's and the admin's dashboards (or ``POST /api/analytics/exports``), followed on a status
page that refreshes itself while the file is made (and its JSON twin), downloaded for 7 days.
Only the person who asked sees an export. A second request of the same kind while one is
queued or running is refused with 409 naming the rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import File, Redirect, Template
from litestar.status_codes import HTTP_202_ACCEPTED

from infra import spreadsheets
from infra.auth import requires_user
from infra.clock import utcnow
from infra.errors import Forbidden
from infra.settings import Settings
from infra.web.forms import Refusal, attempt
from infra.web.params import DbSession, FormData, SignedIn
from shop.analytics import dashboard, exports
from shop.analytics.errors import AnalyticsErrorCode as Code
from shop.analytics.models import ExportKind
from shop.vendors.access import vendor_for_member

TAGS = ["판매 분석 (Analytics)"]


def _var_dir(request: Request[Any, Any, Any]) -> Any:
    settings: Settings = request.app.state.settings
    return settings.var_dir


async def _order(db_session: DbSession, user: SignedIn, kind: str, vendor_id: int | None,
                 first: str | None, last: str | None, fmt: str | None,
                 now: dt.datetime) -> exports.ExportOrder:
    """The export asked for, after checking the person may see its facts."""
    period = dashboard.parse_period(first, last, now=now)
    if kind == ExportKind.PLATFORM_FACTS.value:
        if not user.is_admin:
            raise Forbidden(Code.EXPORT_FORBIDDEN,
                            "관리자만 플랫폼 판매 내역을 내보낼 수 있습니다.", field="kind")
        return exports.ExportOrder(ExportKind.PLATFORM_FACTS, period.first, period.last,
                                   fmt or "csv")
    vendor = await vendor_for_member(db_session, user, vendor_id or 0)
    return exports.ExportOrder(ExportKind.VENDOR_FACTS, period.first, period.last, fmt or "csv",
                               vendor_id=vendor.id, vendor_name=vendor.name)


async def _download(request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
                    export_id: int) -> File:
    export = await exports.export_of(db_session, user.id, export_id)
    path = exports.file_of(export, _var_dir(request), now=utcnow())
    media = spreadsheets.CSV_MEDIA_TYPE if export.format == "csv" else (
        spreadsheets.XLSX_MEDIA_TYPE)
    return File(path=path, filename=export.filename, media_type=media,
                content_disposition_type="attachment",
                headers={"Cache-Control": "private, no-store"})


API = "/api/analytics/exports"


class ExportIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kind: str
    vendor_id: int | None = None
    first: str | None = msgspec.field(default=None, name="from")
    last: str | None = msgspec.field(default=None, name="to")
    format: str = "csv"


class ExportsApi(Controller):
    path = API
    tags = TAGS
    guards = [requires_user]

    @post("/", operation_id="requestAnalyticsExport", status_code=HTTP_202_ACCEPTED,
          summary="판매 내역 내보내기 요청 (백그라운드)",
          description="kind: vendor_facts(입점기업, vendor_id 필요) 또는 platform_facts(관리자). "
                      "같은 종류가 대기 중이거나 만드는 중이면 409 export_already_running.")
    async def request_export(self, user: SignedIn, db_session: DbSession,
                             data: JSONBody[ExportIn]) -> dict[str, Any]:
        now = utcnow()
        order = await _order(db_session, user, data.kind, data.vendor_id, data.first,
                             data.last, data.format, now)
        export = await exports.request_export(db_session, user.id, order, now=now)
        return exports.progress(export, API)

    @get("/{export_id:int}", operation_id="getAnalyticsExport",
         summary="내보내기 상태 (대기 중, 만드는 중, 완료, 실패)와 쓴 행 수")
    async def status(self, user: SignedIn, db_session: DbSession,
                     export_id: FromPath[int]) -> dict[str, Any]:
        return exports.progress(await exports.export_of(db_session, user.id, export_id), API)

    @get("/{export_id:int}/file", operation_id="downloadAnalyticsExport",
         summary="완료된 내보내기 파일 (7일 보관)",
         description="끝나지 않았으면 409 export_not_ready, 보관 기간이 지났으면 404.")
    async def download(self, request: Request[Any, Any, Any], user: SignedIn,
                       db_session: DbSession, export_id: FromPath[int]) -> File:
        return await _download(request, db_session, user, export_id)


class ExportPages(Controller):
    path = "/analytics/exports"
    include_in_schema = False
    guards = [requires_user]

    @get("/", name="analytics:exports")
    async def list_exports(self, user: SignedIn, db_session: DbSession) -> Template:
        found = await exports.exports_of(db_session, user.id)
        return Template("analytics/exports.html", context={
            "exports": [exports.progress(e) for e in found], "refusal": None})

    @post("/", name="analytics:request_export", status_code=303)
    async def request_export(self, user: SignedIn, db_session: DbSession,
                             data: FormData) -> Redirect | Template:
        now = utcnow()

        async def use_case() -> Any:
            vendor_id = data.get("vendor_id") or ""
            order = await _order(db_session, user, data.get("kind", ""),
                                 int(vendor_id) if vendor_id.isdigit() else None,
                                 data.get("from"), data.get("to"), data.get("format"), now)
            return await exports.request_export(db_session, user.id, order, now=now)

        outcome = await attempt(db_session, use_case)
        if isinstance(outcome, Refusal):
            found = await exports.exports_of(db_session, user.id)
            return Template("analytics/exports.html", status_code=outcome.status_code, context={
                "exports": [exports.progress(e) for e in found], "refusal": outcome})
        return Redirect(f"/analytics/exports/{outcome.id}", status_code=303)

    @get("/{export_id:int}", name="analytics:export")
    async def status(self, user: SignedIn, db_session: DbSession,
                     export_id: FromPath[int]) -> Template:
        export = await exports.export_of(db_session, user.id, export_id)
        return Template("analytics/export.html", context={"export": exports.progress(export)})

    @get("/{export_id:int}/file", name="analytics:export_file")
    async def download(self, request: Request[Any, Any, Any], user: SignedIn,
                       db_session: DbSession, export_id: FromPath[int]) -> File:
        return await _download(request, db_session, user, export_id)


ROUTES: list[Any] = [ExportsApi, ExportPages]
