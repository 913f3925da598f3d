"""The lending JSON API: what a market lends, bookings, the desk's check-out and check-in.

Thin handlers: parse (quantities strictly, see decisions.md 8), call one service, shape the
answer. Who may act is decided in the use cases (organizers for the desk, the vendor's
members for their loans); the guards only turn anonymous callers away early.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from infra.accounts.models import Role
from infra.auth import requires_role, requires_user
from infra.errors import InvalidInput, NotFound
from infra.web.params import DbSession, SignedIn, strict_body
from markets.access import managed_market_ids, require_market_organizer
from markets.lending import booking, desk, inventory, maintenance, queries
from markets.lending.errors import LendingErrorCode
from markets.lending.models import EquipmentItem, LoanStatus
from markets.lending.schemas import (
    DeskIn,
    DeskOut,
    EquipmentOut,
    InspectionIn,
    ItemIn,
    ItemOut,
    KitIn,
    KitOut,
    LoanIn,
    LoanOut,
    MaintenanceOut,
    ProblemReportIn,
    ReasonIn,
    ResolutionIn,
    SlotOut,
    StrikeOut,
    UnitOut,
    UnitsIn,
)
from shop.vendors.access import vendor_for_member, vendors_of

TAGS = ["장비 대여 (Lending)"]
requires_organizer = requires_role(Role.ORGANIZER)


def _item_out(item: EquipmentItem) -> ItemOut:
    return ItemOut(
        item.id, item.market_id, item.name, item.description,
        [UnitOut(u.id, u.code, u.retired_at is not None) for u in item.units],
    )


def _time(raw: str | None, field: str) -> dt.time | None:
    if raw is None:
        return None
    try:
        return dt.time.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(LendingErrorCode.INVALID_SETTING, "시각을 HH:MM으로 입력해 주세요.",
                           field=field) from None


class EquipmentApi(Controller):
    path = "/api/markets/{market_id:int}/equipment"
    tags = TAGS

    @get("/", operation_id="listEquipment",
         summary="장터의 대여 장비와 세트, 기간별 빌릴 수 있는 수량",
         description="market_day_id 또는 start_date(~end_date)를 주면 그 기간의 남은 수량을, "
                     "주지 않으면 지금 남은 수량을 돌려줍니다.")
    async def list_equipment(
        self, db_session: DbSession, market_id: FromPath[int],
        market_day_id: FromQuery[int | None] = None, start_date: FromQuery[str | None] = None,
        end_date: FromQuery[str | None] = None,
    ) -> EquipmentOut:
        await queries.market_or_404(db_session, market_id)
        choice = await queries.period_for(db_session, market_id, market_day_id=market_day_id,
                                          start_date=start_date, end_date=end_date)
        view = await queries.equipment_view(db_session, market_id,
                                            choice.period if choice else None)
        return EquipmentOut.of(view)

    @post("/", operation_id="addEquipmentItem",
          summary="장비 등록 (장터 운영자; 수량만큼 번호 부여)",
          guards=[requires_organizer], status_code=HTTP_201_CREATED)
    async def add_item(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int],
        data: JSONBody[ItemIn],
    ) -> ItemOut:
        data = await strict_body(request, ItemIn)
        item = await inventory.add_item(
            db_session, user, market_id, name=data.name, quantity=data.quantity,
            description=data.description, code_prefix=data.code_prefix,
        )
        return _item_out(item)

    @post("/{item_id:int}/units", operation_id="addEquipmentUnits",
          summary="같은 장비 추가 (장터 운영자)", guards=[requires_organizer],
          status_code=HTTP_201_CREATED)
    async def add_units(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int],
        item_id: FromPath[int], data: JSONBody[UnitsIn],
    ) -> ItemOut:
        data = await strict_body(request, UnitsIn)
        item = await db_session.get(EquipmentItem, item_id)
        if item is None or item.market_id != market_id:
            raise NotFound(LendingErrorCode.UNKNOWN_ITEM, "이 장터의 장비가 아닙니다.",
                           field="item_id")
        return _item_out(await inventory.add_units(db_session, user, item_id,
                                                  data.quantity))

    @post("/kits", operation_id="defineEquipmentKit", summary="세트 구성 (장터 운영자)",
          guards=[requires_organizer], status_code=HTTP_201_CREATED)
    async def define_kit(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int],
        data: JSONBody[KitIn],
    ) -> KitOut:
        data = await strict_body(request, KitIn)
        kit = await inventory.define_kit(
            db_session, user, market_id, name=data.name,
            components=[(c.item_id, c.quantity) for c in data.components],
            description=data.description,
        )
        view = await queries.equipment_view(db_session, market_id, None)
        (out,) = [k for k in EquipmentOut.of(view).kits if k.id == kit.id]
        return out

    @get("/pickup-slots", operation_id="listPickupSlots",
         summary="수령 시간대와 남은 자리 (장날 또는 기간 시작일)")
    async def pickup_slots(
        self, db_session: DbSession, market_id: FromPath[int],
        market_day_id: FromQuery[int | None] = None, start_date: FromQuery[str | None] = None,
    ) -> list[SlotOut]:
        await queries.market_or_404(db_session, market_id)
        choice = await queries.period_for(db_session, market_id, market_day_id=market_day_id,
                                          start_date=start_date)
        if choice is None:
            raise InvalidInput(LendingErrorCode.PERIOD_CHOICE,
                               "market_day_id 또는 start_date를 주세요.", field="market_day_id")
        return [SlotOut.of(s) for s in await queries.slot_views(db_session, market_id,
                                                                choice.slots)]

    @put("/desk", operation_id="configureLendingDesk",
         summary="대여 창구 설정: 수령 시간대, 인원, 창구 시간, 반납 유예 (장터 운영자)",
         guards=[requires_organizer])
    async def configure_desk(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int],
        data: JSONBody[DeskIn],
    ) -> DeskOut:
        data = await strict_body(request, DeskIn)
        configured = await desk.configure_desk(
            db_session, user, market_id,
            desk.DeskSettings(
                place=data.place, slot_minutes=data.slot_minutes,
                slot_capacity=data.slot_capacity, opens=_time(data.opens, "opens"),
                closes=_time(data.closes, "closes"),
                return_grace_minutes=data.return_grace_minutes,
            ),
        )
        return DeskOut.of(configured)

    @get("/maintenance", operation_id="listMaintenance",
         summary="정비 중인 장비 (파손·분실, 장터 운영자)", guards=[requires_organizer])
    async def maintenance(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int]
    ) -> list[MaintenanceOut]:
        await queries.market_or_404(db_session, market_id)
        await require_market_organizer(db_session, user, market_id)
        return [MaintenanceOut.of(m) for m in await queries.open_maintenance(db_session,
                                                                             market_id)]


class LoanApi(Controller):
    path = "/api/loans"
    tags = TAGS
    guards = [requires_user]

    @post("/", operation_id="bookLoan", status_code=HTTP_201_CREATED,
          summary="장비 대여 예약 (장날 또는 기간, 수령 시간대 선택; 무료)",
          description="장날 대여는 바로 확정되고, 기간 대여는 창구 확인을 기다립니다(장비는 "
                      "그동안 확보). 잘못된 입력은 아무것도 저장하지 않고 항목별 오류로, "
                      "장비나 시간대가 모자라면 409로 돌려줍니다.")
    async def book(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        data: JSONBody[LoanIn]
    ) -> LoanOut:
        data = await strict_body(request, LoanIn)
        loan = await booking.book_loan(db_session, user, data.request())
        return LoanOut.of(await queries.loan_view(db_session, loan))

    @get("/", operation_id="listLoans",
         summary="대여 목록: 입점기업 구성원은 자기 기업의 것, 운영자는 장터별")
    async def list_loans(
        self, db_session: DbSession, user: SignedIn,
        vendor_id: FromQuery[int | None] = None, market_id: FromQuery[int | None] = None,
        status: FromQuery[LoanStatus | None] = None,
    ) -> list[LoanOut]:
        if market_id is not None:
            await require_market_organizer(db_session, user, market_id)
            views = await queries.loans_of_market(db_session, market_id,
                                                  statuses=[status] if status else [])
        elif vendor_id is not None:
            views = await queries.loans_of_vendors(db_session, [vendor_id])
            if vendor_id not in {v.id for v in await vendors_of(db_session, user)}:
                run = await managed_market_ids(db_session, user)  # None: an admin, all
                if run is not None:
                    if not run:  # neither a member nor an organizer: 403 / 404
                        await vendor_for_member(db_session, user, vendor_id)
                    views = [v for v in views if v.loan.market_id in run]
        else:
            mine = [v.id for v in await vendors_of(db_session, user)]
            views = await queries.loans_of_vendors(db_session, mine)
        return [LoanOut.of(v) for v in views if status is None or v.loan.status is status]

    @get("/{loan_id:int}", operation_id="getLoan",
         summary="대여 상세: 장비 번호, 상태 이력(누가·왜), 수령·반납 때 상태")
    async def get_loan(
        self, db_session: DbSession, user: SignedIn, loan_id: FromPath[int]
    ) -> LoanOut:
        loan = await queries.loan_for(db_session, user, loan_id)
        return LoanOut.of(await queries.loan_view(db_session, loan))

    @post("/{loan_id:int}/cancel", operation_id="cancelLoan", status_code=HTTP_200_OK,
          summary="대여 취소 (입점기업 또는 운영자; 운영자는 사유 필수)")
    async def cancel(
        self, db_session: DbSession, user: SignedIn, loan_id: FromPath[int],
        data: JSONBody[ReasonIn | None] = None,
    ) -> LoanOut:
        loan = await booking.cancel_loan(db_session, user, loan_id,
                                          data.reason if data else "")
        return LoanOut.of(await queries.loan_view(db_session, loan))

    @post("/{loan_id:int}/confirm", operation_id="confirmLoan", status_code=HTTP_200_OK,
          summary="기간 대여 확정 (장터 운영자)", guards=[requires_organizer])
    async def confirm(
        self, db_session: DbSession, user: SignedIn, loan_id: FromPath[int],
        data: JSONBody[ReasonIn | None] = None,
    ) -> LoanOut:
        loan = await desk.confirm_loan(db_session, user, loan_id,
                                           data.reason if data else "")
        return LoanOut.of(await queries.loan_view(db_session, loan))

    @post("/{loan_id:int}/check-out", operation_id="checkOutLoan", status_code=HTTP_200_OK,
          summary="수령 처리: 장비 상태 기록, 파손·분실 장비는 정비로 보내고 대체 (장터 운영자)",
          guards=[requires_organizer])
    async def check_out(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        loan_id: FromPath[int],
        data: JSONBody[InspectionIn | None] = None,
    ) -> LoanOut:
        body = await strict_body(request, InspectionIn) if data is not None else InspectionIn()
        loan = await desk.check_out(db_session, user, loan_id, body.reports())
        return LoanOut.of(await queries.loan_view(db_session, loan))

    @post("/{loan_id:int}/check-in", operation_id="checkInLoan", status_code=HTTP_200_OK,
          summary="반납 처리: 장비 상태 기록, 파손은 정비로, 분실·지연은 경고 (장터 운영자)",
          guards=[requires_organizer])
    async def check_in(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        loan_id: FromPath[int],
        data: JSONBody[InspectionIn | None] = None,
    ) -> LoanOut:
        body = await strict_body(request, InspectionIn) if data is not None else InspectionIn()
        loan = await desk.check_in(db_session, user, loan_id, body.reports())
        return LoanOut.of(await queries.loan_view(db_session, loan))


class LendingDeskApi(Controller):
    path = "/api/lending"
    tags = TAGS
    guards = [requires_user]

    @post("/maintenance", operation_id="reportEquipmentProblem", status_code=HTTP_201_CREATED,
          summary="창고 점검에서 발견한 파손·분실 장비를 정비로 (장터 운영자)",
          guards=[requires_organizer])
    async def report(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        data: JSONBody[ProblemReportIn],
    ) -> MaintenanceOut:
        data = await strict_body(request, ProblemReportIn)
        record = await maintenance.report_unit_problem(db_session, user, data.unit_id,
                                                    data.kind, data.note)
        return MaintenanceOut.of(record)

    @post("/maintenance/{maintenance_id:int}/resolve", operation_id="resolveMaintenance",
          status_code=HTTP_200_OK, summary="정비 완료: 수리 완료·찾음(다시 대여 가능) 또는 폐기",
          guards=[requires_organizer])
    async def resolve(
        self, db_session: DbSession, user: SignedIn,
        maintenance_id: FromPath[int], data: JSONBody[ResolutionIn],
    ) -> MaintenanceOut:
        record = await maintenance.resolve_maintenance(db_session, user, maintenance_id,
                                                    data.resolution, data.note)
        return MaintenanceOut.of(record)

    @get("/strikes", operation_id="listLendingStrikes",
         summary="입점기업의 대여 경고 (반납 지연, 분실): 구성원과 운영자")
    async def strikes(
        self, db_session: DbSession, user: SignedIn, vendor_id: FromQuery[int]
    ) -> list[StrikeOut]:
        if not user.has_role(Role.ORGANIZER):
            await vendor_for_member(db_session, user, vendor_id)
        return [StrikeOut.of(s) for s in await queries.strikes_of(db_session, vendor_id)]


ROUTES: list[Any] = [EquipmentApi, LoanApi, LendingDeskApi]
