"""Lending pages (Korean, no JavaScript needed): the organizers' desk and the vendors' loans.

``/organizer/lending`` is the desk for one market and one day: pickups by slot, returns
due, requests to confirm, overdue loans and units in maintenance; each loan has a page with
the check-out and check-in forms (a condition and a note per unit). ``/console/loans`` is
where a vendor books a kit for a market day or a date range and follows or cancels its
loans. Forms carry the CSRF token; refused input comes back with each message beside its
field and nothing written.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select

from infra.accounts.models import Role, User
from infra.auth import requires_role, requires_user
from infra.clock import seoul_time, utcnow
from infra.errors import Problems
from infra.web.forms import FORM_STATUSES, Refusal, attempt
from infra.web.params import DbSession, FormData, SignedIn
from markets.access import managed_markets, require_market_organizer
from markets.days.models import MarketDay, MarketDayStatus
from markets.lending import booking, desk, inventory, maintenance, queries, rules
from markets.lending.errors import LendingErrorCode
from markets.lending.models import (
    Condition,
    EquipmentItem,
    Loan,
    LoanStatus,
    MaintenanceKind,
    MaintenanceResolution,
)
from markets.lending.rules import BookingRequest, UnitReport
from markets.models import Market
from shop.vendors.access import vendors_of

requires_organizer = requires_role(Role.ORGANIZER)
_UNIT_FIELD = re.compile(r"^units\[(\d+)\]\.(\w+)$")
CONDITION_OPTIONS = [(c.value, c.label) for c in Condition]
#: These forms have always been shown again for any refusal, a unit or loan not found (404)
#: or not the person's to touch (403) included; the page shown again still checks access.
SHOWN = FORM_STATUSES | {403, 404}


def _today() -> dt.date:
    """Today in Seoul, by the one clock."""
    return rules.seoul_date(utcnow())


def _form(data: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in data.items() if k != "_csrf_token"}


def _int(data: dict[str, str], name: str, problems: Problems, *, default: int | None = None,
         message: str = "숫자로 입력해 주세요.") -> int | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        problems.add(LendingErrorCode.INVALID_QUANTITY, name, message)
        return default
    return int(raw)


async def _markets(session: DbSession) -> list[Market]:
    return list((await session.scalars(select(Market).order_by(Market.id))).all())


async def _upcoming_days(session: DbSession, market_id: int) -> list[MarketDay]:
    rows = await session.scalars(
        select(MarketDay).where(MarketDay.market_id == market_id,
                                MarketDay.status == MarketDayStatus.SCHEDULED,
                                MarketDay.closes_at > utcnow())
        .order_by(MarketDay.day).limit(26)
    )
    return list(rows.all())


def _inspection(data: dict[str, str], unit_ids: list[int]) -> list[UnitReport]:
    return [
        UnitReport(unit_id, data.get(f"condition_{unit_id}", "good"),
                   data.get(f"note_{unit_id}", ""))
        for unit_id in unit_ids
    ]


def _unit_errors(refusal: Refusal, unit_ids: list[int]) -> dict[str, str]:
    """``units[2].note`` (the service's name) → ``note_<unit id>`` (the form's)."""
    errors = {}
    for name, message in refusal.errors.items():
        match = _UNIT_FIELD.match(name)
        if match and int(match.group(1)) < len(unit_ids):
            errors[f"{match.group(2)}_{unit_ids[int(match.group(1))]}"] = message
        else:
            errors["_form" if name in ("status", "unit_id") else name] = message
    if "_form" not in errors and not any(k.startswith(("note_", "condition_")) for k in errors):
        errors["_form"] = refusal.message
    return errors


# ---------------------------------------------------------------- organizers


class OrganizerLendingPages(Controller):
    path = "/organizer/lending"
    include_in_schema = False
    guards = [requires_organizer]

    @get("/", name="lending:desk")
    async def desk(
        self, db_session: DbSession, user: SignedIn,
        market_id: FromQuery[int | None] = None, day: FromQuery[str | None] = None,
    ) -> Template:
        markets = await managed_markets(db_session, user)
        chosen_day = rules.parse_date(day) or _today()
        if market_id is None and len(markets) == 1:
            market_id = markets[0].id
        if market_id is not None:
            await require_market_organizer(db_session, user, market_id)
        board = await queries.desk_board(db_session, market_id, chosen_day) if market_id else None
        return Template("lending/desk.html", context={
            "markets": markets, "board": board, "day": chosen_day,
            "prev_day": chosen_day - dt.timedelta(days=1),
            "next_day": chosen_day + dt.timedelta(days=1),
            "resolutions": {
                MaintenanceKind.DAMAGED: [MaintenanceResolution.REPAIRED,
                                          MaintenanceResolution.WRITTEN_OFF],
                MaintenanceKind.MISSING: [MaintenanceResolution.FOUND,
                                          MaintenanceResolution.WRITTEN_OFF],
            },
            "hhmm": rules.hhmm,
        })

    async def _equipment(
        self, db_session: DbSession, user: User, market_id: int, *,
        errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        await require_market_organizer(db_session, user, market_id)
        view = await queries.equipment_view(db_session, market_id, None)
        items = (await db_session.scalars(
            select(EquipmentItem).where(EquipmentItem.market_id == market_id)
            .order_by(EquipmentItem.name)
        )).all()
        return Template("lending/equipment.html", context={
            "view": view, "items": items, "errors": errors or {}, "form": form or {},
            "unit_options": [
                (str(u.id), f"{u.code} ({u.item.name})")
                for u in await queries.units_of_market(db_session, market_id)
            ],
            "kind_options": [(k.value, k.label) for k in MaintenanceKind],
        }, status_code=status_code)

    async def _equipment_refused(
        self, db_session: DbSession, user: User, market_id: int, data: dict[str, str],
        refusal: Refusal, errors: dict[str, str] | None = None,
    ) -> Template:
        """The equipment page again, each message beside its field and the input kept."""
        return await self._equipment(db_session, user, market_id,
                                     errors=refusal.errors if errors is None else errors,
                                     form=_form(data), status_code=refusal.status_code)

    @get("/markets/{market_id:int}/equipment", name="lending:equipment")
    async def equipment(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int]
    ) -> Template:
        return await self._equipment(db_session, user, market_id)

    @post("/markets/{market_id:int}/items")
    async def add_item(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        async def add() -> EquipmentItem:
            problems = Problems()
            quantity = _int(data, "quantity", problems, default=0)
            problems.raise_if_any()
            return await inventory.add_item(
                db_session, user, market_id, name=data.get("name", ""),
                quantity=quantity or 0, description=data.get("description", ""),
                code_prefix=data.get("code_prefix") or None,
            )

        item = await attempt(db_session, add, shown=SHOWN)
        if isinstance(item, Refusal):
            return await self._equipment_refused(db_session, user, market_id, data, item)
        flash(request, f"'{item.name}' {len(item.units)}개를 등록했습니다.", category="success")
        return Redirect(f"/organizer/lending/markets/{market_id}/equipment")

    @post("/markets/{market_id:int}/kits")
    async def define_kit(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        async def define() -> str:
            problems = Problems()
            components = []
            for key in sorted(k for k in data if k.startswith("kit_item_")):
                quantity = _int(data, key, problems, default=0)
                if quantity:
                    components.append((int(key.removeprefix("kit_item_")), quantity))
            problems.raise_if_any()
            kit = await inventory.define_kit(db_session, user, market_id,
                                             name=data.get("kit_name", ""),
                                             components=components,
                                             description=data.get("kit_description", ""))
            return kit.name

        name = await attempt(db_session, define, shown=SHOWN)
        if isinstance(name, Refusal):
            errors = {("kit_name" if k == "name" else k): v for k, v in name.errors.items()}
            return await self._equipment_refused(db_session, user, market_id, data, name,
                                                 errors)
        flash(request, f"'{name}' 세트를 만들었습니다.", category="success")
        return Redirect(f"/organizer/lending/markets/{market_id}/equipment")

    @post("/markets/{market_id:int}/desk")
    async def configure_desk(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        async def configure() -> None:
            problems = Problems()
            settings = desk.DeskSettings(
                place=data.get("place"),
                slot_minutes=_int(data, "slot_minutes", problems),
                slot_capacity=_int(data, "slot_capacity", problems),
                return_grace_minutes=_int(data, "return_grace_minutes", problems),
                opens=_clock(data, "opens", problems), closes=_clock(data, "closes", problems),
            )
            problems.raise_if_any()
            await desk.configure_desk(db_session, user, market_id, settings)

        outcome = await attempt(db_session, configure, shown=SHOWN)
        if isinstance(outcome, Refusal):
            return await self._equipment_refused(db_session, user, market_id, data, outcome)
        flash(request, "대여 창구 설정을 저장했습니다.", category="success")
        return Redirect(f"/organizer/lending/markets/{market_id}/equipment")

    @post("/markets/{market_id:int}/problems")
    async def report_problem(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        async def report() -> None:
            problems = Problems()
            unit_id = _int(data, "unit_id", problems)
            if unit_id is None:
                problems.add(LendingErrorCode.UNKNOWN_UNIT, "unit_id", "장비를 골라 주세요.")
            problems.raise_if_any()
            assert unit_id is not None
            await maintenance.report_unit_problem(db_session, user, unit_id,
                                                  data.get("kind", ""), data.get("note", ""))

        outcome = await attempt(db_session, report, shown=SHOWN)
        if isinstance(outcome, Refusal):
            return await self._equipment_refused(db_session, user, market_id, data, outcome)
        flash(request, "정비 목록에 올렸습니다. 해결될 때까지 대여되지 않습니다.",
              category="success")
        return Redirect(f"/organizer/lending?market_id={market_id}")

    @post("/maintenance/{maintenance_id:int}/resolve")
    async def resolve(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        maintenance_id: FromPath[int], data: FormData,
    ) -> Redirect:
        record = await maintenance.resolve_maintenance(
            db_session, user, maintenance_id, data.get("resolution", ""), data.get("note", ""),
        )
        label = record.resolution.label if record.resolution else ""
        flash(request, f"{record.unit.code}: {label} 처리했습니다.", category="success")
        return Redirect(f"/organizer/lending?market_id={record.unit.item.market_id}")

    async def _loan_page(
        self, db_session: DbSession, loan_id: int, user: User, *,
        errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        loan = await queries.loan_for(db_session, user, loan_id)
        view = await queries.loan_view(db_session, loan)
        return Template("lending/desk_loan.html", context={
            "view": view, "loan": loan, "errors": errors or {}, "form": form or {},
            "conditions": CONDITION_OPTIONS, "hhmm": rules.hhmm, "statuses": LoanStatus,
            "local": _local,
        }, status_code=status_code)

    @get("/loans/{loan_id:int}", name="lending:desk_loan")
    async def loan(
        self, db_session: DbSession, user: SignedIn, loan_id: FromPath[int]
    ) -> Template:
        return await self._loan_page(db_session, loan_id, user)

    async def _act(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: User, loan_id: int,
        data: dict[str, str], action: str,
    ) -> Template | Redirect:
        unit_ids = [int(k.removeprefix("condition_")) for k in data
                    if k.startswith("condition_") and k.removeprefix("condition_").isdigit()]

        async def act() -> tuple[Loan, str]:
            if action == "check_out":
                loan = await desk.check_out(db_session, user, loan_id,
                                            _inspection(data, unit_ids))
                return loan, "수령 처리했습니다."
            if action == "check_in":
                loan = await desk.check_in(db_session, user, loan_id,
                                           _inspection(data, unit_ids))
                return loan, "반납 처리했습니다."
            if action == "confirm":
                loan = await desk.confirm_loan(db_session, user, loan_id, data.get("reason", ""))
                return loan, "대여를 확정했습니다."
            loan = await booking.cancel_loan(db_session, user, loan_id, data.get("reason", ""))
            return loan, "대여를 취소했습니다."

        outcome = await attempt(db_session, act, shown=SHOWN)
        if isinstance(outcome, Refusal):
            errors = _unit_errors(outcome, unit_ids)
            if action in ("confirm", "cancel") and "reason" in outcome.errors:
                errors = {"reason": outcome.errors["reason"]}
            return await self._loan_page(db_session, loan_id, user, errors=errors,
                                         form=_form(data), status_code=outcome.status_code)
        loan, message = outcome
        flash(request, f"#{loan.id} {message} ({loan.status.label})", category="success")
        return Redirect(f"/organizer/lending/loans/{loan.id}")

    @post("/loans/{loan_id:int}/check-out")
    async def check_out(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        loan_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        return await self._act(request, db_session, user, loan_id, data, "check_out")

    @post("/loans/{loan_id:int}/check-in")
    async def check_in(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        loan_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        return await self._act(request, db_session, user, loan_id, data, "check_in")

    @post("/loans/{loan_id:int}/confirm")
    async def confirm(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        loan_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        return await self._act(request, db_session, user, loan_id, data, "confirm")

    @post("/loans/{loan_id:int}/cancel")
    async def cancel(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        loan_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        return await self._act(request, db_session, user, loan_id, data, "cancel")


def _clock(data: dict[str, str], name: str, problems: Problems) -> dt.time | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.time.fromisoformat(raw)
    except ValueError:
        problems.add(LendingErrorCode.INVALID_SETTING, name, "시각을 HH:MM으로 입력해 주세요.")
        return None


def _local(moment: dt.datetime | None) -> str:
    return seoul_time(moment) or "—"


# ---------------------------------------------------------------- vendors


class VendorLoanPages(Controller):
    path = "/console/loans"
    include_in_schema = False
    guards = [requires_user]

    async def _overview(
        self, db_session: DbSession, user: User, market_id: int | None, *,
        errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        vendors = await vendors_of(db_session, user)
        markets = await _markets(db_session)
        if market_id is None and markets:
            market_id = markets[0].id
        equipment = days = None
        day_times: set[str] = set()
        range_times: list[str] = []
        if market_id is not None:
            await queries.market_or_404(db_session, market_id)
            equipment = await queries.equipment_view(db_session, market_id, None)
            days = await _upcoming_days(db_session, market_id)
            desk = equipment.desk
            for day in days[:4]:
                day_times.update(rules.hhmm(s) for s in rules.market_day_slots(
                    day.setup_from, day.opens_at, desk.slot_minutes))
            range_times = [rules.hhmm(s) for s in rules.date_range_slots(
                _today(), desk.opens, desk.closes, desk.slot_minutes)]
        return Template("lending/console_loans.html", context={
            "vendors": vendors, "markets": markets, "market_id": market_id,
            "equipment": equipment, "days": days or [],
            "pickup_times": [("장날", sorted(day_times)), ("기간 대여 첫날", range_times)],
            "loans": await queries.loans_of_vendors(db_session, [v.id for v in vendors]),
            "errors": errors or {}, "form": form or {"period": "day", "quantity": "1"},
            "local": _local, "today": _today(),
        }, status_code=status_code)

    @get("/", name="lending:console")
    async def overview(
        self, db_session: DbSession, user: SignedIn, market_id: FromQuery[int | None] = None,
    ) -> Template:
        return await self._overview(db_session, user, market_id)

    @post("/")
    async def book(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        data: FormData,
    ) -> Template | Redirect:
        problems = Problems()
        vendor_id = _int(data, "vendor_id", problems)
        market_id = _int(data, "market_id", problems)
        kit_id = _int(data, "kit_id", problems)
        quantity = _int(data, "quantity", problems, default=1,
                        message="세트 수량은 숫자로 입력해 주세요.")
        items = []
        for key in sorted(k for k in data if k.startswith("item_")):
            count = _int(data, key, problems, default=0)
            if count:
                items.append((int(key.removeprefix("item_")), count))
        by_day = data.get("period", "day") != "range"
        day_id = _int(data, "market_day_id", problems) if by_day else None

        async def book() -> Loan:
            if vendor_id is None:
                problems.add(LendingErrorCode.REQUIRED, "vendor_id", "입점기업을 골라 주세요.")
            if market_id is None:
                problems.add(LendingErrorCode.UNKNOWN_MARKET, "market_id", "장터를 골라 주세요.")
            problems.raise_if_any()
            assert vendor_id is not None and market_id is not None
            return await booking.book_loan(db_session, user, BookingRequest(
                vendor_id=vendor_id, market_id=market_id, kit_id=kit_id,
                quantity=quantity if quantity is not None else 1, items=items,
                market_day_id=day_id,
                start_date=None if by_day else data.get("start_date", ""),
                end_date=None if by_day else data.get("end_date", ""),
                pickup_at=data.get("pickup_at") or None, note=data.get("note", ""),
            ))

        loan = await attempt(db_session, book, shown=SHOWN)
        if isinstance(loan, Refusal):
            return await self._overview(db_session, user, market_id,
                                        errors=_booking_errors(loan, items),
                                        form=_form(data), status_code=loan.status_code)
        flash(request, f"대여를 예약했습니다. 수령: {_local(loan.pickup_slot.starts_at)} "
                       f"({loan.status.label})", category="success")
        return Redirect(f"/console/loans/{loan.id}")

    @get("/{loan_id:int}", name="lending:console_loan")
    async def loan(
        self, db_session: DbSession, user: SignedIn, loan_id: FromPath[int],
    ) -> Template:
        loan = await queries.loan_for(db_session, user, loan_id)
        return Template("lending/console_loan.html", context={
            "view": await queries.loan_view(db_session, loan), "loan": loan, "local": _local,
            "statuses": LoanStatus, "errors": {},
        })

    @post("/{loan_id:int}/cancel")
    async def cancel(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        loan_id: FromPath[int], data: FormData,
    ) -> Redirect:
        loan = await booking.cancel_loan(db_session, user, loan_id, data.get("reason", ""))
        flash(request, f"#{loan.id} 대여를 취소했습니다.", category="success")
        return Redirect("/console/loans")


_BOOKING_FIELDS = ("vendor_id", "market_id", "kit_id", "quantity", "market_day_id",
                   "start_date", "end_date", "pickup_at", "note")


def _booking_errors(refusal: Refusal, items: list[tuple[int, int]]) -> dict[str, str]:
    """The refusal's messages under the booking form's field names; one about no field the
    form shows goes on top of the form."""
    errors = dict(refusal.errors)
    if not any(k in errors for k in _BOOKING_FIELDS) and not any(
            k.startswith("items[") for k in errors):
        errors["_form"] = refusal.message
    return {_item_field(k, items): v for k, v in errors.items()}


def _item_field(name: str, items: list[tuple[int, int]]) -> str:
    """``items[1].quantity`` (the service's name) → ``item_<id>`` (the form's)."""
    match = re.match(r"^items\[(\d+)\]\.\w+$", name)
    if match and int(match.group(1)) < len(items):
        return f"item_{items[int(match.group(1))][0]}"
    return name


ROUTES: list[Any] = [OrganizerLendingPages, VendorLoanPages]
