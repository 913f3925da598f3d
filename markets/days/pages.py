"""Market-day pages (Korean, no JavaScript): the public market page, the organizer's day
sheet (check-in, fees, sales) and the vendor's sales report form.

Forms carry the CSRF token; a refused form comes back with what was typed and the message
beside its field; every success redirects with a flash.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select

from infra.accounts.models import Role, User
from infra.auth import requires_role, requires_user
from infra.clock import seoul_time
from infra.errors import NotFound
from infra.web.forms import EVERY_REFUSAL, FORM_STATUSES, Refusal, attempt
from infra.web.params import DbSession, FormData, SignedIn, Viewer
from markets.access import get_market, manages
from markets.applications.queries import criteria_of
from markets.booths.models import BoothSize
from markets.days import check_in, queries, sales, services
from markets.days import payments as fee_payments
from markets.days.errors import MarketErrorCode
from markets.days.models import BoothFee, BoothSalesReport, CheckIn, CheckInStatus, MarketDay
from markets.models import Market
from markets.schedules import WEEKDAYS_KO, local_today
from shop.payments import services as pay_services
from shop.payments.models import PaymentRefund, PaymentStatus
from shop.vendors.access import vendor_for_member, vendors_of

requires_organizer = requires_role(Role.ORGANIZER)


def day_label(day: MarketDay) -> str:
    return f"{day.day.year}년 {day.day.month}월 {day.day.day}일 ({WEEKDAYS_KO[day.day.weekday()]})"


def hhmm(moment: dt.datetime) -> str:
    return seoul_time(moment, "%H:%M")


def size_label(value: str) -> str:
    """A booth size as organizers say it (an application stores the size's code)."""
    try:
        return BoothSize(value).label
    except ValueError:
        return value


HELPERS = {"day_label": day_label, "hhmm": hhmm, "size_label": size_label}


class MarketDayPages(Controller):
    include_in_schema = False

    @get("/markets/{market_id:int}", name="markets:detail")
    async def market_page(
        self, viewer: Viewer, db_session: DbSession, market_id: FromPath[int]
    ) -> Template:
        market = await get_market(db_session, market_id)
        today = local_today(market.timezone)
        days = await queries.days_of_market(db_session, market.id, since=today, limit=12)
        return Template(
            "market_days/market.html",
            context={
                "market": market,
                "days": days,
                "criteria": await criteria_of(db_session, market.id),
                "calendar_url": f"/markets/{market.id}/calendar.ics",
                "runs_market": await manages(db_session, viewer, market.id),
                **HELPERS,
            },
        )


class OrganizerDayPages(Controller):
    path = "/organizer/markets/days"
    include_in_schema = False
    guards = [requires_organizer]

    async def _sheet(
        self, db_session: DbSession, user: User, day_id: int, *,
        errors: dict[str, str] | None = None, status_code: int = 200,
    ) -> Template:
        await services.organizer_of_day(db_session, user, day_id)
        day = await services.get_day(db_session, day_id)
        market = await db_session.get(Market, day.market_id)
        return Template(
            "market_days/organizer_day.html",
            context={
                "day": day, "market": market, "rows": await queries.day_sheet(db_session, day),
                "statuses": list(CheckInStatus), "errors": errors or {},
                "fee_actions": services.FEE_ACTIONS, **HELPERS,
            },
            status_code=status_code,
        )

    async def _refused(
        self, db_session: DbSession, user: User, day_id: int, refusal: Refusal
    ) -> Template:
        return await self._sheet(db_session, user, day_id, errors=refusal.errors,
                                 status_code=refusal.status_code)

    @get("/{day_id:int}", name="markets:organizer_day")
    async def sheet(
        self, db_session: DbSession, user: SignedIn, day_id: FromPath[int]
    ) -> Template:
        return await self._sheet(db_session, user, day_id)

    @post("/{day_id:int}/check-in")
    async def check_in(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        day_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        try:
            vendor_id = int(data.get("vendor_id", "0") or 0)
        except ValueError:
            return await self._sheet(db_session, user, day_id,
                                     errors={"vendor_id": "기업을 고르세요."}, status_code=400)

        async def record() -> CheckIn:
            return await check_in.record_check_in(
                db_session, day_id, vendor_id, user, data.get("status", ""),
                data.get("note", ""),
            )

        outcome = await attempt(db_session, record)
        if isinstance(outcome, Refusal):
            return await self._refused(db_session, user, day_id, outcome)
        flash(request, "출석을 기록했습니다.", category="success")
        return Redirect(f"/organizer/markets/days/{day_id}")

    @post("/{day_id:int}/fees/{fee_id:int}")
    async def fee(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        day_id: FromPath[int], fee_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        async def change() -> BoothFee:
            return await services.change_fee_status(
                db_session, fee_id, user, data.get("action", ""), data.get("reason", "")
            )

        # A fee gone meanwhile (404) is told on the day's sheet.
        outcome = await attempt(db_session, change, shown={*FORM_STATUSES, 404})
        if isinstance(outcome, Refusal):
            return await self._refused(db_session, user, day_id, outcome)
        flash(request, f"참가비를 '{outcome.status.label}'(으)로 처리했습니다.",
              category="success")
        return Redirect(f"/organizer/markets/days/{day_id}")

    @post("/{day_id:int}/booth-fee")
    async def booth_fee(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        day_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        async def set_fee() -> MarketDay:
            return await services.set_day_fee(db_session, day_id, user,
                                              data.get("booth_fee", ""))

        outcome = await attempt(db_session, set_fee)
        if isinstance(outcome, Refusal):
            return await self._refused(db_session, user, day_id, outcome)
        flash(request, f"참가비를 {outcome.booth_fee:,}원으로 정했습니다.", category="success")
        return Redirect(f"/organizer/markets/days/{day_id}")

    @post("/{day_id:int}/cancel")
    async def cancel(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        day_id: FromPath[int], data: FormData,
    ) -> Template | Redirect:
        async def cancel() -> MarketDay:
            return await services.cancel_market_day(db_session, day_id, user,
                                                    data.get("reason", ""))

        outcome = await attempt(db_session, cancel)
        if isinstance(outcome, Refusal):
            return await self._refused(db_session, user, day_id, outcome)
        flash(request, f"{day_label(outcome)} 장날을 취소했습니다. 참가 기업에 알립니다.",
              category="success")
        return Redirect(f"/organizer/markets/days/{day_id}")


class VendorSalesPages(Controller):
    path = "/console/markets/days"
    include_in_schema = False
    guards = [requires_user]

    async def _form(
        self, db_session: DbSession, user: User, day_id: int, vendor_id: int, *,
        form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        day = await services.get_day(db_session, day_id)
        market = await db_session.get(Market, day.market_id)
        report = await queries.sales_report(db_session, day.id, vendor.id)
        if form is None:
            form = {
                "amount": str(report.amount) if report else "",
                "sales_count": str(report.sales_count) if report else "",
                "best_sellers": "\n".join(report.best_sellers) if report else "",
                "note": report.note if report else "",
            }
        return Template(
            "market_days/sales_form.html",
            context={
                "vendor": vendor, "day": day, "market": market, "report": report,
                "form": form, "errors": errors or {}, "edit_days": sales.SALES_EDIT_DAYS,
                **HELPERS,
            },
            status_code=status_code,
        )

    @get("/{day_id:int}/sales", name="markets:sales_form")
    async def sales_form(
        self, db_session: DbSession, user: SignedIn, day_id: FromPath[int],
        vendor_id: FromQuery[int],
    ) -> Template:
        return await self._form(db_session, user, day_id, vendor_id)

    @post("/{day_id:int}/sales")
    async def report_sales(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        day_id: FromPath[int], vendor_id: FromQuery[int], data: FormData,
    ) -> Template | Redirect:
        async def report() -> BoothSalesReport:
            best = [line for line in data.get("best_sellers", "").splitlines() if line.strip()]
            return await sales.report_booth_sales(
                db_session, day_id, vendor_id, user, amount=data.get("amount", ""),
                sales_count=data.get("sales_count", ""), best_sellers=best,
                note=data.get("note", ""),
            )

        outcome = await attempt(db_session, report)
        if isinstance(outcome, Refusal):
            form = {k: v for k, v in data.items() if k != "_csrf_token"}
            return await self._form(db_session, user, day_id, vendor_id, form=form,
                                    errors=outcome.errors, status_code=outcome.status_code)
        flash(request, "부스 매출을 보고했습니다. 고마워요!", category="success")
        return Redirect(f"/console/markets?vendor_id={vendor_id}")


class VendorFeePages(Controller):
    """The vendor's booth fees, each due one payable by card (``markets.days.payments``)."""

    path = "/console/markets/fees"
    include_in_schema = False
    guards = [requires_user]

    @get("/", name="markets:vendor_fees")
    async def fees(
        self, db_session: DbSession, user: SignedIn, vendor_id: FromQuery[int | None] = None,
    ) -> Template:
        mine = await vendors_of(db_session, user)
        vendor = (
            await vendor_for_member(db_session, user, vendor_id)
            if vendor_id is not None else (mine[0] if mine else None)
        )
        return Template("market_days/vendor_fees.html", context={
            "vendor": vendor, "mine": mine,
            "fees": await queries.vendor_fees(db_session, vendor.id) if vendor else [],
            **HELPERS,
        })

    @post("/{fee_id:int}/pay")
    async def pay(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        fee_id: FromPath[int],
    ) -> Redirect:
        async def start() -> Any:
            return await fee_payments.start_fee_payment(
                db_session, request.app.state.payments, user, fee_id
            )

        # Not theirs (403) or gone (404): the error pages; any other refusal: a flash.
        outcome = await attempt(db_session, start, shown=EVERY_REFUSAL - {403, 404})
        if isinstance(outcome, Refusal):
            flash(request, outcome.message, category="error")
            return Redirect("/console/markets/fees")
        return Redirect(f"/pay/{outcome.token}")

    @get("/paid/{token:str}", name="markets:vendor_fee_paid")
    async def paid(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        token: FromPath[str],
    ) -> Redirect:
        """Where the payment page sends the payer back: say how it went, show the fees."""
        payment = await pay_services.by_token(db_session, token)
        if payment.kind != fee_payments.KIND:
            raise NotFound(MarketErrorCode.PAYMENT_NOT_FOUND, "결제를 찾을 수 없습니다.",
                           field="token")
        fee = await db_session.get(BoothFee, fee_payments.fee_id_of(payment))
        if fee is None:
            raise NotFound(MarketErrorCode.FEE_NOT_FOUND, "참가비 내역을 찾을 수 없습니다.",
                           field="fee_id")
        await vendor_for_member(db_session, user, fee.vendor_id)
        if payment.status is PaymentStatus.PENDING:
            return Redirect(f"/pay/{payment.token}")
        if payment.status is PaymentStatus.SUCCEEDED:
            flash(request, f"참가비 {payment.amount:,}원을 카드로 냈습니다.", category="success")
        else:
            last = await db_session.scalar(
                select(PaymentRefund).where(PaymentRefund.payment_id == payment.id)
                .order_by(PaymentRefund.id.desc()).limit(1)
            )
            refund = last.reason if last else ""
            flash(request, refund or f"결제가 '{payment.status.label}' 상태입니다.",
                  category="error")
        return Redirect(f"/console/markets/fees?vendor_id={fee.vendor_id}")


ROUTES: list[Any] = [MarketDayPages, OrganizerDayPages, VendorSalesPages, VendorFeePages]
