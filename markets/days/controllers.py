"""The market-day JSON API and the two iCalendar feeds.

Programs authenticate with ``Authorization: Bearer jt_…``; organizers (and admins) manage
days, check-in and fees; a vendor's members report its sales and read its notices. The
feeds are public: a phone calendar cannot sign in, and who sells on which day is shown on
the public market pages anyway.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody

from infra.accounts.models import Role
from infra.auth import requires_role, requires_user
from infra.errors import NotFound
from infra.web.params import DbSession, SignedIn, strict_body
from markets.access import get_market
from markets.days import (
    calendar_addresses,
    calendars,
    check_in,
    generation,
    queries,
    sales,
    services,
)
from markets.days import payments as fee_payments
from markets.days.errors import MarketErrorCode
from markets.days.models import MarketDayStatus
from markets.days.schemas import (
    BoothDayOut,
    BoothFeeIn,
    BoothFeeOut,
    CalendarAddressOut,
    CancelDayIn,
    CheckInIn,
    CheckInOut,
    CheckInSheetRow,
    FeeActionIn,
    FeePaymentOut,
    GenerateDaysIn,
    GeneratedOut,
    MarketDayOut,
    NoticeOut,
    SalesIn,
    SalesOut,
    VendorFeeOut,
)
from shop.vendors.access import vendor_for_member
from shop.vendors.models import Vendor, VendorStatus

TAGS = ["장날 (Market days)"]
requires_organizer = requires_role(Role.ORGANIZER)


class MarketDayApi(Controller):
    path = "/api/markets"
    tags = TAGS

    @get("/{market_id:int}/days", operation_id="listMarketDays",
         summary="장날 목록 (기간·상태로 거르기)")
    async def list_days(
        self,
        db_session: DbSession,
        market_id: FromPath[int],
        since: FromQuery[dt.date | None] = None,
        until: FromQuery[dt.date | None] = None,
        status: FromQuery[MarketDayStatus | None] = None,
    ) -> list[MarketDayOut]:
        market = await get_market(db_session, market_id)
        days = await queries.days_of_market(
            db_session, market.id, since=since, until=until, status=status
        )
        return [MarketDayOut.of(d) for d in days]

    @post("/{market_id:int}/days/generate", operation_id="generateMarketDays",
          summary="장날 미리 만들기 (운영자; 중복 없이)", guards=[requires_organizer],
          status_code=200)
    async def generate(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        data: JSONBody[GenerateDaysIn | None] = None,
    ) -> GeneratedOut:
        weeks = data.weeks if data else generation.HORIZON_WEEKS
        _, created = await generation.open_days_ahead(db_session, user, market_id, weeks)
        return GeneratedOut(created=[d.day for d in created])

    @get("/days/{day_id:int}", operation_id="getMarketDay", summary="장날 한 건")
    async def get_day(self, db_session: DbSession, day_id: FromPath[int]) -> MarketDayOut:
        return MarketDayOut.of(await services.get_day(db_session, day_id))

    @post("/days/{day_id:int}/cancel", operation_id="cancelMarketDay",
          summary="장날 취소 (운영자; 사유 필수, 참가 기업에 알림)",
          guards=[requires_organizer], status_code=200)
    async def cancel(
        self, db_session: DbSession, user: SignedIn, day_id: FromPath[int],
        data: JSONBody[CancelDayIn | None] = None,
    ) -> MarketDayOut:
        day = await services.cancel_market_day(
            db_session, day_id, user, data.reason if data else ""
        )
        return MarketDayOut.of(day)

    @put("/days/{day_id:int}/booth-fee", operation_id="setMarketDayFee",
         summary="장날 부스 참가비 바꾸기 (운영자; 원 단위 정수)", guards=[requires_organizer])
    async def set_fee(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        day_id: FromPath[int],
        data: JSONBody[BoothFeeIn],
    ) -> MarketDayOut:
        data = await strict_body(request, BoothFeeIn)
        day = await services.set_day_fee(db_session, day_id, user, data.booth_fee)
        return MarketDayOut.of(day)

    @get("/days/{day_id:int}/check-ins", operation_id="getCheckInSheet",
         summary="출석부: 이 장날에 선정된 기업과 출석 기록 (운영자)", guards=[requires_organizer])
    async def check_in_sheet(
        self, db_session: DbSession, user: SignedIn, day_id: FromPath[int]
    ) -> list[CheckInSheetRow]:
        await services.organizer_of_day(db_session, user, day_id)
        day = await services.get_day(db_session, day_id)
        return [
            CheckInSheetRow(
                vendor_id=row.vendor.id, vendor_name=row.vendor.name,
                application_id=row.application.id, strikes=row.application.strikes,
                status=row.check_in.status if row.check_in else None,
            )
            for row in await queries.day_sheet(db_session, day)
        ]

    @put("/days/{day_id:int}/check-ins/{vendor_id:int}", operation_id="recordCheckIn",
         summary="출석 기록 (운영자; 무단 불참은 경고 1회)", guards=[requires_organizer])
    async def record_check_in(
        self, db_session: DbSession, user: SignedIn, day_id: FromPath[int],
        vendor_id: FromPath[int], data: JSONBody[CheckInIn],
    ) -> CheckInOut:
        row = await check_in.record_check_in(
            db_session, day_id, vendor_id, user, data.status, data.note
        )
        return CheckInOut.of(row)

    @get("/days/{day_id:int}/booth-fees", operation_id="listBoothFees",
         summary="장날 부스 참가비 내역 (운영자)", guards=[requires_organizer])
    async def fees(
        self, db_session: DbSession, user: SignedIn, day_id: FromPath[int]
    ) -> list[BoothFeeOut]:
        await services.organizer_of_day(db_session, user, day_id)
        day = await services.get_day(db_session, day_id)
        return [BoothFeeOut.of(f) for f in await queries.fees_of_day(db_session, day.id)]

    @post("/booth-fees/{fee_id:int}/{action:str}", operation_id="changeBoothFeeStatus",
          summary="참가비 처리: paid(납부 확인) · waive(면제, 사유 필수) · refunded(환불 완료)",
          guards=[requires_organizer], status_code=200)
    async def fee_action(
        self, db_session: DbSession, user: SignedIn, fee_id: FromPath[int],
        action: FromPath[str], data: JSONBody[FeeActionIn | None] = None,
    ) -> BoothFeeOut:
        fee = await services.change_fee_status(
            db_session, fee_id, user, action, data.reason if data else ""
        )
        return BoothFeeOut.of(fee)

    @post("/booth-fees/{fee_id:int}/pay", operation_id="payBoothFee", guards=[requires_user],
          summary="참가비 카드 결제 시작 (구성원; 결제 페이지·결제 API로 이어서 냅니다)",
          status_code=200)
    async def pay_fee(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        fee_id: FromPath[int],
    ) -> FeePaymentOut:
        payment = await fee_payments.start_fee_payment(
            db_session, request.app.state.payments, user, fee_id
        )
        return FeePaymentOut(
            fee_id=fee_id, payment_token=payment.token, payment_status=payment.status.value,
            amount=payment.amount, pay_url=f"/pay/{payment.token}",
            payment_api=f"/api/payments/{payment.token}",
        )

    @get("/days/{day_id:int}/sales", operation_id="listBoothSales",
         summary="장날 부스 매출 보고 (운영자)", guards=[requires_organizer])
    async def sales(
        self, db_session: DbSession, user: SignedIn, day_id: FromPath[int]
    ) -> list[SalesOut]:
        await services.organizer_of_day(db_session, user, day_id)
        day = await services.get_day(db_session, day_id)
        return [SalesOut.of(s) for s in await queries.sales_of_day(db_session, day.id)]

    @put("/days/{day_id:int}/sales/{vendor_id:int}", operation_id="reportBoothSales",
         summary="부스 매출 보고·수정 (구성원; 장날 후 7일까지)", guards=[requires_user])
    async def report_sales(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        day_id: FromPath[int],
        vendor_id: FromPath[int], data: JSONBody[SalesIn],
    ) -> SalesOut:
        data = await strict_body(request, SalesIn)
        report = await sales.report_booth_sales(
            db_session, day_id, vendor_id, user, amount=data.amount,
            sales_count=data.sales_count, best_sellers=data.best_sellers, note=data.note,
        )
        return SalesOut.of(report)


class VendorMarketApi(Controller):
    path = "/api/markets/vendors"
    tags = TAGS
    guards = [requires_user]

    @get("/{vendor_id:int}/notices", operation_id="listVendorMarketNotices",
         summary="장터 알림 (장날 취소, 부스 배정·미배정; 구성원)")
    async def notices(
        self, db_session: DbSession, user: SignedIn, vendor_id: FromPath[int]
    ) -> list[NoticeOut]:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        return [NoticeOut.of(n) for n in await queries.notices_for(db_session, [vendor.id])]

    @get("/{vendor_id:int}/booth-fees", operation_id="listVendorBoothFees",
         summary="우리 기업의 부스 참가비 (구성원; payable이면 카드로 낼 수 있음)")
    async def booth_fees(
        self, db_session: DbSession, user: SignedIn, vendor_id: FromPath[int]
    ) -> list[VendorFeeOut]:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        return [
            VendorFeeOut(fee=BoothFeeOut.of(f.fee), market_id=f.market.id,
                         market_name=f.market.name, day=f.day.day, payable=f.payable)
            for f in await queries.vendor_fees(db_session, vendor.id)
        ]

    @get("/{vendor_id:int}/calendar", operation_id="getVendorCalendarAddress",
         summary="내 부스 일정 달력의 비밀 구독 주소 (구성원)")
    async def calendar_address(
        self, db_session: DbSession, user: SignedIn, vendor_id: FromPath[int]
    ) -> CalendarAddressOut:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        return CalendarAddressOut.of(await calendar_addresses.token_of(db_session, vendor.id))

    @post("/{vendor_id:int}/calendar/reset", operation_id="resetVendorCalendarAddress",
          summary="달력 구독 주소 재발급 (이전 주소로 구독한 달력은 더 이상 받지 못함; 구성원)",
          status_code=200)
    async def reset_calendar_address(
        self, db_session: DbSession, user: SignedIn, vendor_id: FromPath[int]
    ) -> CalendarAddressOut:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        return CalendarAddressOut.of(await calendar_addresses.reset(db_session, vendor.id))

    @get("/{vendor_id:int}/booth-days", operation_id="listVendorBoothDays",
         summary="내 부스 일정 (선정된 장날; 구성원)")
    async def booth_days(
        self, db_session: DbSession, user: SignedIn, vendor_id: FromPath[int]
    ) -> list[BoothDayOut]:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        return [
            BoothDayOut(
                market_id=e.market.id, market_name=e.market.name,
                market_day=MarketDayOut.of(e.day), booth_code=e.booth_code,
                pickups=list(e.pickups),
            )
            for e in await calendars.booth_days(db_session, vendor.id)
        ]


def _ics(body: bytes, filename: str) -> Response[bytes]:
    return Response(
        content=body,
        media_type=calendars.MEDIA_TYPE,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "public, max-age=900",
        },
    )


class CalendarFeeds(Controller):
    tags = ["장터 (Markets)"]

    @get("/markets/{market_id:int}/calendar.ics", operation_id="marketCalendar",
         summary="장터 일정 iCalendar 구독 주소 (취소된 날은 STATUS:CANCELLED)",
         media_type=calendars.MEDIA_TYPE)
    async def market_calendar(
        self, db_session: DbSession, market_id: FromPath[int]
    ) -> Response[bytes]:
        market = await get_market(db_session, market_id)
        return _ics(await calendars.market_feed(db_session, market), f"market-{market.id}.ics")

    @get("/calendars/{token:str}/booths.ics", operation_id="vendorCalendar",
         summary="입점기업의 장터 부스 일정 iCalendar 비밀 주소 (설치 시각, 부스 번호, 장비 수령; "
                 "부스 배정 전인 날은 TENTATIVE)",
         media_type=calendars.MEDIA_TYPE,
         # Outside /api a refusal is a page, as a calendar app or a browser shows it.
         responses={404: ResponseSpec(data_container=str, media_type="text/html",
                                      generate_examples=False,
                                      description="없거나 새로 발급되어 끝난 주소")})
    async def vendor_calendar(self, db_session: DbSession, token: FromPath[str]) -> Response[bytes]:
        vendor_id = await calendar_addresses.vendor_of(db_session, token)
        vendor = await db_session.get(Vendor, vendor_id) if vendor_id is not None else None
        if vendor is None or vendor.status is not VendorStatus.APPROVED:
            raise NotFound(
                MarketErrorCode.CALENDAR_NOT_FOUND,
                "달력 주소를 찾을 수 없습니다. 주소가 재발급되었다면 새 주소로 구독해 주세요.",
                field="token",
            )
        return _ics(await calendars.vendor_feed(db_session, vendor), "jangteo-booths.ics")


ROUTES: list[Any] = [MarketDayApi, VendorMarketApi, CalendarFeeds]
