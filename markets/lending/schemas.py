"""The lending API's shapes (msgspec), with Korean descriptions for the OpenAPI page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from markets.lending import rules
from markets.lending.availability import Stock
from markets.lending.models import (
    LendingDesk,
    LendingStrike,
    MaintenanceRecord,
)
from markets.lending.queries import EquipmentView, LoanView, SlotView


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


# ---------------------------------------------------------------- input


class ItemLineIn(msgspec.Struct, forbid_unknown_fields=True):
    item_id: int
    quantity: Annotated[int, _d("개수 (1~50)")]


class LoanIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """대여 예약. 장날(``market_day_id``) 또는 기간(``start_date``~``end_date``) 중 하나."""

    vendor_id: Annotated[int, _d("빌리는 입점기업 (내가 구성원인 기업)")]
    market_id: Annotated[int, _d("장비를 빌려 주는 장터")]
    kit_id: Annotated[int | None, _d("세트 (예: 부스 기본 세트)")] = None
    quantity: Annotated[int, _d("세트 수량 (1~10)")] = 1
    items: Annotated[list[ItemLineIn], _d("세트 외에 따로 빌릴 장비")] = msgspec.field(
        default_factory=list
    )
    market_day_id: Annotated[int | None, _d("장날 (설치 시작~폐장까지 대여)")] = None
    start_date: Annotated[str | None, _d("기간 대여 시작일 YYYY-MM-DD (창구 여는 시각부터)")] = None
    end_date: Annotated[str | None, _d("기간 대여 종료일 YYYY-MM-DD (창구 닫는 시각까지)")] = None
    pickup_at: Annotated[
        str | None, _d("수령 시간: 'HH:MM'(서울) 또는 ISO 일시; 비우면 가장 이른 빈 시간대")
    ] = None
    note: Annotated[str, _d("메모 (500자 이내)")] = ""

    def request(self) -> rules.BookingRequest:
        return rules.BookingRequest(
            vendor_id=self.vendor_id, market_id=self.market_id, kit_id=self.kit_id,
            quantity=self.quantity, items=[(i.item_id, i.quantity) for i in self.items],
            market_day_id=self.market_day_id, start_date=self.start_date,
            end_date=self.end_date, pickup_at=self.pickup_at, note=self.note,
        )


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, _d("사유 (운영자가 취소할 때는 필수)")] = ""


class UnitReportIn(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: int
    condition: Annotated[str, _d("good(양호) · damaged(파손) · missing(분실)")] = "good"
    note: Annotated[str, _d("파손·분실이면 상태 설명 (필수)")] = ""


class InspectionIn(msgspec.Struct, forbid_unknown_fields=True):
    """수령·반납 때 장비 상태. 적지 않은 장비는 '양호'로 기록합니다."""

    units: list[UnitReportIn] = msgspec.field(default_factory=list)

    def reports(self) -> list[rules.UnitReport]:
        return [rules.UnitReport(u.unit_id, u.condition, u.note) for u in self.units]


class ItemIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, _d("장비 이름 (예: 천막 3×3)")]
    quantity: Annotated[int, _d("보유 수량 (1~500); 번호가 붙은 개별 장비로 등록")]
    description: str = ""
    code_prefix: Annotated[str | None, _d("개별 장비 번호 앞머리 (예: 천막 → 천막-01)")] = None


class UnitsIn(msgspec.Struct, forbid_unknown_fields=True):
    quantity: Annotated[int, _d("추가할 수량")]


class ComponentIn(msgspec.Struct, forbid_unknown_fields=True):
    item_id: int
    quantity: int


class KitIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, _d("세트 이름 (예: 부스 기본 세트)")]
    components: list[ComponentIn]
    description: str = ""


class DeskIn(msgspec.Struct, forbid_unknown_fields=True):
    place: str | None = None
    slot_minutes: Annotated[int | None, _d("수령 시간대 길이(분): 10·15·20·30·60")] = None
    slot_capacity: Annotated[int | None, _d("시간대별 수령 인원")] = None
    opens: Annotated[str | None, _d("기간 대여 창구 여는 시각 HH:MM")] = None
    closes: Annotated[str | None, _d("기간 대여 창구 닫는 시각 HH:MM")] = None
    return_grace_minutes: Annotated[int | None, _d("반납 유예(분); 지나면 반납 지연")] = None


class ProblemReportIn(msgspec.Struct, forbid_unknown_fields=True):
    unit_id: int
    kind: Annotated[str, _d("damaged(파손) 또는 missing(분실)")]
    note: str


class ResolutionIn(msgspec.Struct, forbid_unknown_fields=True):
    resolution: Annotated[str, _d("repaired(수리 완료) · found(찾음) · written_off(폐기)")]
    note: str = ""


# ---------------------------------------------------------------- output


class StockOut(msgspec.Struct):
    item_id: int
    name: str
    owned: int
    in_maintenance: int
    available: Annotated[int, _d("요청한 기간(없으면 지금) 빌릴 수 있는 수량")]

    @classmethod
    def of(cls, stock: Stock) -> StockOut:
        return cls(stock.item_id, stock.name, stock.owned, stock.in_maintenance, stock.free)


class ComponentOut(msgspec.Struct):
    item_id: int
    name: str
    quantity: int


class KitOut(msgspec.Struct):
    id: int
    name: str
    description: str
    components: list[ComponentOut]
    available: Annotated[int, _d("요청한 기간에 빌릴 수 있는 세트 수")]


class DeskOut(msgspec.Struct):
    place: str
    slot_minutes: int
    slot_capacity: int
    opens: str
    closes: str
    return_grace_minutes: int

    @classmethod
    def of(cls, desk: LendingDesk) -> DeskOut:
        return cls(desk.place or "", desk.slot_minutes, desk.slot_capacity,
                   desk.opens.strftime("%H:%M"), desk.closes.strftime("%H:%M"),
                   desk.return_grace_minutes)


class EquipmentOut(msgspec.Struct):
    market_id: int
    market_name: str
    period_starts_at: dt.datetime | None
    period_ends_at: dt.datetime | None
    items: list[StockOut]
    kits: list[KitOut]
    desk: DeskOut

    @classmethod
    def of(cls, view: EquipmentView) -> EquipmentOut:
        return cls(
            market_id=view.market.id, market_name=view.market.name,
            period_starts_at=view.period.starts_at if view.period else None,
            period_ends_at=view.period.ends_at if view.period else None,
            items=[StockOut.of(s) for s in view.stock],
            kits=[
                KitOut(k.kit.id, k.kit.name, k.kit.description,
                       [ComponentOut(i, n, q) for i, n, q in k.components], k.available)
                for k in view.kits
            ],
            desk=DeskOut.of(view.desk),
        )


class UnitOut(msgspec.Struct):
    id: int
    code: str
    retired: bool


class ItemOut(msgspec.Struct):
    id: int
    market_id: int
    name: str
    description: str
    units: list[UnitOut]


class SlotOut(msgspec.Struct):
    starts_at: dt.datetime
    local_time: Annotated[str, _d("서울 시각 HH:MM")]
    capacity: int
    booked: int
    free: int

    @classmethod
    def of(cls, slot: SlotView) -> SlotOut:
        return cls(slot.starts_at, slot.label, slot.capacity, slot.booked, slot.free)


class HeldUnitOut(msgspec.Struct):
    unit_id: int
    code: str
    item_id: int
    item_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None


class HistoryOut(msgspec.Struct):
    from_status: str | None
    to_status: str
    actor_user_id: int | None
    actor_name: str | None
    reason: str
    at: dt.datetime


class ConditionOut(msgspec.Struct):
    unit_id: int
    code: str
    stage: str
    condition: str
    note: str
    at: dt.datetime


class LoanOut(msgspec.Struct, kw_only=True):
    id: int
    vendor_id: int
    vendor_name: str
    market_id: int
    market_name: str
    market_day_id: int | None
    kit_id: int | None
    kit_quantity: int
    application_id: int | None
    status: str
    status_label: str
    status_reason: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    pickup_at: dt.datetime
    pickup_local_time: str
    note: str
    lines: list[ComponentOut]
    units: list[HeldUnitOut]
    short: Annotated[dict[str, int], _d("정비 등으로 모자라게 된 장비: 이름 → 개수")]
    checked_out_at: dt.datetime | None
    returned_at: dt.datetime | None
    history: list[HistoryOut] = msgspec.field(default_factory=list)
    conditions: list[ConditionOut] = msgspec.field(default_factory=list)

    @classmethod
    def of(cls, view: LoanView) -> LoanOut:
        loan = view.loan
        codes = {u.reservation.unit_id: u.code for u in view.units}
        return cls(
            id=loan.id, vendor_id=loan.vendor_id, vendor_name=view.vendor_name,
            market_id=loan.market_id, market_name=view.market_name,
            market_day_id=loan.market_day_id, kit_id=loan.kit_id,
            kit_quantity=loan.kit_quantity, application_id=loan.application_id,
            status=loan.status.value, status_label=loan.status.label,
            status_reason=loan.status_reason, starts_at=rules.aware(loan.starts_at),
            ends_at=rules.aware(loan.ends_at), pickup_at=view.pickup_at,
            pickup_local_time=rules.hhmm(view.pickup_at), note=loan.note,
            lines=[ComponentOut(line.item_id, name, line.quantity)
                   for line, (name, _) in zip(loan.lines, view.lines, strict=True)],
            units=[
                HeldUnitOut(u.reservation.unit_id, u.code, u.item_id, u.item_name,
                            rules.aware(u.reservation.starts_at),
                            rules.aware(u.reservation.ends_at) if u.reservation.ends_at
                            else None)
                for u in view.units
            ],
            short=view.short,
            checked_out_at=rules.aware(loan.checked_out_at) if loan.checked_out_at else None,
            returned_at=rules.aware(loan.returned_at) if loan.returned_at else None,
            history=[
                HistoryOut(c.from_status.value if c.from_status else None, c.to_status.value,
                           c.actor_user_id, actor, c.reason, rules.aware(c.created_at))
                for c, actor in view.history
            ],
            conditions=[
                ConditionOut(r.unit_id, codes.get(r.unit_id, r.unit.code), r.stage.value,
                             r.condition.value, r.note, rules.aware(r.created_at))
                for r in view.conditions
            ],
        )


class MaintenanceOut(msgspec.Struct):
    id: int
    unit_id: int
    unit_code: str
    item_name: str
    kind: str
    note: str
    loan_id: int | None
    reported_at: dt.datetime
    resolved_at: dt.datetime | None
    resolution: str | None

    @classmethod
    def of(cls, record: MaintenanceRecord) -> MaintenanceOut:
        return cls(
            record.id, record.unit_id, record.unit.code, record.unit.item.name,
            record.kind.value, record.note, record.loan_id, rules.aware(record.created_at),
            rules.aware(record.resolved_at) if record.resolved_at else None,
            record.resolution.value if record.resolution else None,
        )


class StrikeOut(msgspec.Struct):
    id: int
    vendor_id: int
    loan_id: int
    reason: str
    reason_label: str
    note: str
    at: dt.datetime

    @classmethod
    def of(cls, strike: LendingStrike) -> StrikeOut:
        return cls(strike.id, strike.vendor_id, strike.loan_id, strike.reason.value,
                   strike.reason.label, strike.note, rules.aware(strike.created_at))
