"""``/api/procurement``: institutions and staff, certificates, purchase orders from draft to
payment, the exception register, monthly disclosures, and the public OCDS release package.

Programs authenticate with ``Authorization: Bearer jt_…``; the release package needs no login.
Every refusal is an RFC 9457 problem detail naming its code and field.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from infra.auth import requires_admin, requires_user
from infra.errors import InvalidInput
from infra.web.openapi import problem_responses
from infra.web.params import DbSession, SignedIn, strict_body
from shop.procurement import (
    approval,
    certificate_history,
    corrections,
    disclosures,
    exception_register,
    institutions,
    invoicing,
    ocds_feed,
    ordering,
    receiving,
)
from shop.procurement.access import institution_or_404, order_or_404, require_role
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.models import ProcurementRole
from shop.procurement.schemas import (
    CancelIn,
    CertificateIn,
    CertificateOut,
    CorrectionIn,
    CorrectionOut,
    DeliveryIn,
    DepartmentIn,
    DepartmentOut,
    DisclosureIn,
    DisclosureOut,
    ExceptionIn,
    ExceptionOut,
    InspectionIn,
    InstitutionIn,
    InstitutionOut,
    InvoiceIn,
    MembershipIn,
    MembershipOut,
    OrderIn,
    OrderOut,
    PaymentIn,
    RevocationIn,
)

TAGS = ["공공구매 (Procurement)"]
RELEASE_PACKAGE_PATH = "/api/procurement/ocds/release-package"


def _by_line(values: dict[str, int], field: str) -> dict[int, int]:
    try:
        return {int(key): value for key, value in values.items()}
    except ValueError:
        raise InvalidInput(Code.UNKNOWN_ORDER_LINE, "품목 id는 숫자여야 합니다.",
                           field=field) from None


async def _order_out(db_session: DbSession, order_id: int) -> OrderOut:
    db_session.expunge_all()
    return OrderOut.of(await order_or_404(db_session, order_id))


class InstitutionApi(Controller):
    path = "/api/procurement/institutions"
    tags = TAGS

    @post("/", operation_id="registerInstitution", summary="공공기관 등록 (플랫폼 관리자)",
          guards=[requires_admin], status_code=HTTP_201_CREATED)
    async def register(self, user: SignedIn, db_session: DbSession,
                       data: JSONBody[InstitutionIn]) -> InstitutionOut:
        row = await institutions.register_institution(
            db_session, user, kind=data.kind, name=data.name,
            business_registration_number=data.business_registration_number,
            district=data.district)
        return InstitutionOut.of(await institution_or_404(db_session, row.id))

    @get("/", operation_id="listInstitutions", summary="공공기관 목록")
    async def list_all(self, db_session: DbSession) -> list[InstitutionOut]:
        return [InstitutionOut.of(i) for i in await institutions.all_institutions(db_session)]

    @post("/{institution_id:int}/departments", operation_id="addDepartment",
          summary="부서 추가 (기관 관리자)", guards=[requires_user], status_code=HTTP_201_CREATED)
    async def add_department(self, user: SignedIn, db_session: DbSession,
                             institution_id: FromPath[int],
                             data: JSONBody[DepartmentIn]) -> DepartmentOut:
        row = await institutions.add_department(db_session, user, institution_id, data.name)
        return DepartmentOut.of(row)

    @post("/{institution_id:int}/memberships", operation_id="grantProcurementRole",
          summary="직원에게 역할 부여 (기관 관리자)", guards=[requires_user],
          status_code=HTTP_201_CREATED)
    async def grant(self, user: SignedIn, db_session: DbSession, institution_id: FromPath[int],
                    data: JSONBody[MembershipIn]) -> MembershipOut:
        row = await institutions.grant_role(db_session, user, institution_id, email=data.email,
                                            role=data.role, department_id=data.department_id)
        return MembershipOut.of(row)

    @get("/{institution_id:int}/memberships", operation_id="listProcurementRoles",
         summary="기관 직원과 역할 (기관 관리자)", guards=[requires_user])
    async def memberships(self, user: SignedIn, db_session: DbSession,
                          institution_id: FromPath[int]) -> list[MembershipOut]:
        await institution_or_404(db_session, institution_id)
        await require_role(db_session, user, institution_id, ProcurementRole.INSTITUTION_ADMIN)
        rows = await institutions.memberships_of(db_session, institution_id)
        return [MembershipOut.of(m) for m in rows]

    @post("/{institution_id:int}/exceptions", operation_id="recordProcurementException",
          summary="우선구매 예외 기록 (추가만 가능)", guards=[requires_user],
          status_code=HTTP_201_CREATED)
    async def record_exception(self, user: SignedIn, db_session: DbSession,
                               institution_id: FromPath[int],
                               data: JSONBody[ExceptionIn]) -> ExceptionOut:
        row = await exception_register.record_entry(
            db_session, user, institution_id, department_id=data.department_id,
            category=data.category, reason=data.reason, explanation=data.explanation,
            order_id=data.order_id, decided_on=data.decided_on)
        return ExceptionOut.of(row)

    @get("/{institution_id:int}/exceptions", operation_id="listProcurementExceptions",
         summary="우선구매 예외 대장 (공개)")
    async def exceptions(self, db_session: DbSession,
                         institution_id: FromPath[int]) -> list[ExceptionOut]:
        await institution_or_404(db_session, institution_id)
        rows = await exception_register.entries_of(db_session, institution_id)
        return [ExceptionOut.of(r) for r in rows]

    @post("/{institution_id:int}/disclosures", operation_id="publishDisclosure",
          summary="월별 실적 공시 발행 (공시 담당자; 바뀐 것이 있으면 새 판)",
          guards=[requires_user], status_code=HTTP_201_CREATED)
    async def publish(self, user: SignedIn, db_session: DbSession,
                      institution_id: FromPath[int], data: JSONBody[DisclosureIn]) -> DisclosureOut:
        row = await disclosures.publish_month(db_session, user, institution_id, year=data.year,
                                              month=data.month, published_on=data.published_on)
        return DisclosureOut.of(row)

    @get("/{institution_id:int}/disclosures", operation_id="listDisclosures",
         summary="발행된 월별 공시 (공개)")
    async def published(self, db_session: DbSession,
                        institution_id: FromPath[int]) -> list[DisclosureOut]:
        await institution_or_404(db_session, institution_id)
        rows = await disclosures.versions_of(db_session, institution_id)
        return [DisclosureOut.of(r) for r in rows]


class CertificateApi(Controller):
    path = "/api/procurement/vendors/{vendor_id:int}/certificates"
    tags = TAGS

    @get("/", operation_id="listVendorCertificates", summary="입점기업 인증 이력 (공개)")
    async def history(self, db_session: DbSession,
                      vendor_id: FromPath[int]) -> list[CertificateOut]:
        rows = await certificate_history.certificates_of(db_session, vendor_id)
        return [CertificateOut.of(r) for r in rows]

    @post("/", operation_id="recordVendorCertificate", summary="인증 이력 추가 (플랫폼 관리자)",
          guards=[requires_admin], status_code=HTTP_201_CREATED)
    async def add(self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
                  data: JSONBody[CertificateIn]) -> CertificateOut:
        row = await certificate_history.record_certificate(
            db_session, user, vendor_id, enterprise_type=data.enterprise_type,
            number=data.number, valid_from=data.valid_from, valid_to=data.valid_to,
            vulnerable_share_bp=data.vulnerable_share_bp)
        return CertificateOut.of(row)

    @post("/{certificate_id:int}/revocation", operation_id="revokeVendorCertificate",
          summary="인증 취소 기록 (플랫폼 관리자; 이미 결재된 주문의 집계는 그대로)",
          guards=[requires_admin], status_code=HTTP_200_OK)
    async def revoke(self, user: SignedIn, db_session: DbSession, vendor_id: FromPath[int],
                     certificate_id: FromPath[int], data: JSONBody[RevocationIn]) -> CertificateOut:
        row = await certificate_history.revoke_certificate(db_session, user, certificate_id,
                                                           data.revoked_on)
        return CertificateOut.of(row)


class OrderApi(Controller):
    path = "/api/procurement/orders"
    tags = TAGS
    guards = [requires_user]

    @post("/", operation_id="createPurchaseOrder",
          summary="구매 주문 작성 (요청자; 1인 견적 한도를 넘으면 409)",
          status_code=HTTP_201_CREATED)
    async def create(self, request: Request[Any, Any, Any], user: SignedIn,
                     db_session: DbSession, data: JSONBody[OrderIn]) -> OrderOut:
        data = await strict_body(request, OrderIn)
        order = await ordering.create_order(db_session, user, ordering.OrderInput(
            institution_id=data.institution_id, department_id=data.department_id,
            vendor_id=data.vendor_id, title=data.title, method=data.method, quotes=data.quotes,
            estimated_price=data.estimated_price, contract_date=data.contract_date,
            lines=tuple(ordering.LineInput(line.category, line.description, line.quantity,
                                           line.unit_price) for line in data.lines)))
        return await _order_out(db_session, order.id)

    @get("/{order_id:int}", operation_id="getPurchaseOrder",
         summary="구매 주문 (그 기관의 직원; 공급 기업은 기업의 주문 목록에서)")
    async def show(self, user: SignedIn, db_session: DbSession,
                   order_id: FromPath[int]) -> OrderOut:
        order = await order_or_404(db_session, order_id)
        await require_role(db_session, user, order.institution_id, *ProcurementRole)
        return await _order_out(db_session, order_id)

    @post("/{order_id:int}/submit", operation_id="submitPurchaseOrder",
          summary="결재 상신 (요청자)",
          status_code=HTTP_200_OK)
    async def submit(self, user: SignedIn, db_session: DbSession,
                     order_id: FromPath[int]) -> OrderOut:
        await ordering.submit_order(db_session, user, order_id)
        return await _order_out(db_session, order_id)

    @post("/{order_id:int}/approve", operation_id="approvePurchaseOrder",
          summary="결재 (결재자; 요청자 본인은 409; 마지막 결재에서 실적 집계 확정)",
          status_code=HTTP_200_OK)
    async def approve(self, user: SignedIn, db_session: DbSession,
                      order_id: FromPath[int]) -> OrderOut:
        await approval.approve(db_session, user, order_id)
        return await _order_out(db_session, order_id)

    @post("/{order_id:int}/deliver", operation_id="deliverPurchaseOrder",
          summary="납품 기록 (납품 기업, 기관 요청자·검수자)",
          status_code=HTTP_200_OK)
    async def deliver(self, request: Request[Any, Any, Any], user: SignedIn,
                      db_session: DbSession, order_id: FromPath[int],
                      data: JSONBody[DeliveryIn]) -> OrderOut:
        data = await strict_body(request, DeliveryIn)
        quantities = _by_line(data.quantities, "quantities") if data.quantities else None
        await receiving.deliver(db_session, user, order_id, delivered_on=data.delivered_on,
                                quantities=quantities)
        return await _order_out(db_session, order_id)

    @post("/{order_id:int}/inspect", operation_id="inspectPurchaseOrder",
          summary="검수 (검수자; 요청자 본인은 409)",
          status_code=HTTP_200_OK)
    async def inspect(self, request: Request[Any, Any, Any], user: SignedIn,
                      db_session: DbSession, order_id: FromPath[int],
                      data: JSONBody[InspectionIn]) -> OrderOut:
        data = await strict_body(request, InspectionIn)
        await receiving.inspect(db_session, user, order_id, _by_line(data.accepted, "accepted"),
                                inspected_on=data.inspected_on)
        return await _order_out(db_session, order_id)

    @post("/{order_id:int}/invoice", operation_id="approvePurchaseOrderInvoice",
          summary="세금계산서 승인 (회계 담당자; 검수 전이나 합격분 초과는 409)",
          status_code=HTTP_200_OK)
    async def invoice(self, request: Request[Any, Any, Any], user: SignedIn,
                      db_session: DbSession, order_id: FromPath[int],
                      data: JSONBody[InvoiceIn]) -> OrderOut:
        data = await strict_body(request, InvoiceIn)
        await invoicing.approve_invoice(db_session, user, order_id, number=data.number,
                                        supply=data.supply, vat=data.vat,
                                        issued_on=data.issued_on)
        return await _order_out(db_session, order_id)

    @post("/{order_id:int}/pay", operation_id="payPurchaseOrder",
          summary="대금 지급 기록 (회계 담당자)",
          status_code=HTTP_200_OK)
    async def pay(self, request: Request[Any, Any, Any], user: SignedIn,
                  db_session: DbSession, order_id: FromPath[int],
                  data: JSONBody[PaymentIn]) -> OrderOut:
        data = await strict_body(request, PaymentIn)
        await invoicing.record_payment(db_session, user, order_id, amount=data.amount,
                                       bank_reference=data.bank_reference, paid_on=data.paid_on)
        return await _order_out(db_session, order_id)

    @post("/{order_id:int}/cancel", operation_id="cancelPurchaseOrder",
          summary="주문 취소 (납품 전; 요청자, 결재자, 기관 관리자)",
          status_code=HTTP_200_OK)
    async def cancel(self, user: SignedIn, db_session: DbSession, order_id: FromPath[int],
                     data: JSONBody[CancelIn]) -> OrderOut:
        await ordering.cancel_order(db_session, user, order_id, data.reason)
        return await _order_out(db_session, order_id)


    @post("/{order_id:int}/corrections", operation_id="correctCountedAmount",
          summary="인정 금액 정정: 사유와 함께 별도 행으로 추가 (공시 담당자, 기관 관리자)",
          status_code=HTTP_201_CREATED)
    async def correct(self, request: Request[Any, Any, Any], user: SignedIn,
                      db_session: DbSession, order_id: FromPath[int],
                      data: JSONBody[CorrectionIn]) -> CorrectionOut:
        data = await strict_body(request, CorrectionIn)
        row = await corrections.correct_counted_amount(
            db_session, user, order_id, amount_change=data.amount_change, reason=data.reason)
        return _correction_out(row)

    @get("/{order_id:int}/corrections", operation_id="listCountedAmountCorrections",
         summary="인정 금액 정정 내역 (기관 구성원)")
    async def list_corrections(self, user: SignedIn, db_session: DbSession,
                               order_id: FromPath[int]) -> list[CorrectionOut]:
        order = await order_or_404(db_session, order_id)
        await require_role(db_session, user, order.institution_id, *ProcurementRole)
        return [_correction_out(r) for r in await corrections.corrections_of(db_session,
                                                                              order_id)]


def _correction_out(row: Any) -> CorrectionOut:
    return CorrectionOut(id=row.id, order_id=row.order_id, amount_change=row.amount_change,
                         effective_on=row.effective_on, reason=row.reason,
                         recorded_by=row.recorded_by, recorded_at=row.recorded_at)


class OcdsApi(Controller):
    path = RELEASE_PACKAGE_PATH
    tags = TAGS

    @get("/", operation_id="getOcdsReleasePackage",
         summary="OCDS 1.1 릴리스 패키지: 모든 기관의 공개된 구매 주문 (로그인 불필요)",
         media_type="application/json",
         responses=problem_responses(404, s404="아직 공개된 구매가 없습니다"))
    async def package(self, request: Request[Any, Any, Any],
                      db_session: DbSession) -> dict[str, Any]:
        return await ocds_feed.release_package(db_session, uri=str(request.url))


ROUTES: list[Any] = [InstitutionApi, CertificateApi, OrderApi, OcdsApi]
