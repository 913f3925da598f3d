"""The application JSON API: apply, criteria, jury scores, decisions, waitlist offers.

Organizers (and admins) publish criteria, score and decide; a vendor's members apply,
withdraw, read their scores and answer offers. Every rule lives in the use-case modules
(``applying``, ``jury``, ``decisions``, ``offers``); reads come from ``queries``.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from infra.accounts.models import Role
from infra.auth import requires_role, requires_user
from infra.web.params import DbSession, SignedIn, strict_body
from markets.access import get_market, require_market_organizer
from markets.applications import applying, decisions, jury, offers, queries
from markets.applications.models import ApplicationStatus
from markets.applications.queries import vendor_applications
from markets.applications.schemas import (
    ApplicationDetailOut,
    ApplicationIn,
    ApplicationListItem,
    ApplicationOut,
    CriterionIn,
    CriterionOut,
    CriterionScoreOut,
    DecisionIn,
    OfferOut,
    PriorityIn,
    ScoresIn,
    StatusChangeOut,
)
from shop.vendors.access import vendor_for_member

TAGS = ["장터 참가 신청 (Market applications)"]
requires_organizer = requires_role(Role.ORGANIZER)


def detail_out(d: queries.Detail) -> ApplicationDetailOut:
    return ApplicationDetailOut(
        application=ApplicationOut.of(d.application),
        scores=[CriterionScoreOut.of(r) for r in d.results],
        jury_total=d.total,
        applicants=d.applicants,
        open_offer=OfferOut.of(d.open_offer) if d.open_offer else None,
    )


class MarketApplicationApi(Controller):
    path = "/api/markets"
    tags = TAGS

    @get("/{market_id:int}/criteria", operation_id="listMarketCriteria",
         summary="공개된 심사 기준 (누구나)")
    async def criteria(self, db_session: DbSession, market_id: FromPath[int]) -> list[CriterionOut]:
        market = await get_market(db_session, market_id)
        return [CriterionOut.of(c) for c in await queries.criteria_of(db_session, market.id)]

    @post("/{market_id:int}/criteria", operation_id="addMarketCriterion",
          summary="심사 기준 공개 (운영자)", guards=[requires_organizer], status_code=201)
    async def add_criterion(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int],
        data: JSONBody[CriterionIn],
    ) -> CriterionOut:
        data = await strict_body(request, CriterionIn)
        criterion = await jury.add_criterion(
            db_session, market_id, user,
            jury.CriterionInput(data.name, data.weight, data.description),
        )
        return CriterionOut.of(criterion)

    @delete("/criteria/{criterion_id:int}", operation_id="removeMarketCriterion",
            summary="심사 기준 삭제 (점수가 없을 때만; 운영자)", guards=[requires_organizer])
    async def remove_criterion(
        self, db_session: DbSession, user: SignedIn,
        criterion_id: FromPath[int],
    ) -> None:
        await jury.remove_criterion(db_session, criterion_id, user)

    @post("/{market_id:int}/applications", operation_id="applyToMarket",
          summary="장터 참가 신청 (입점기업 구성원; 시즌 전체 또는 고른 장날)",
          guards=[requires_user], status_code=201)
    async def apply(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        market_id: FromPath[int],
        data: JSONBody[ApplicationIn],
    ) -> ApplicationOut:
        data = await strict_body(request, ApplicationIn)
        application = await applying.apply(
            db_session, user, data.vendor_id, market_id, data.form(),
            settings=request.app.state.settings, kit_id=data.kit_id,
        )
        return ApplicationOut.of(application)

    @get("/{market_id:int}/applications", operation_id="listMarketApplications",
         summary="신청 목록과 심사 점수 (운영자)", guards=[requires_organizer])
    async def list_applications(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        season: FromQuery[int | None] = None, status: FromQuery[ApplicationStatus | None] = None,
    ) -> list[ApplicationListItem]:
        await require_market_organizer(db_session, user, market_id)
        market = await get_market(db_session, market_id)
        rows = await queries.market_applications(
            db_session, market.id, season=season, status=status
        )
        return [
            ApplicationListItem(application=ApplicationOut.of(a), vendor_name=v.name,
                                jury_total=total)
            for a, v, total in rows
        ]

    @get("/{market_id:int}/waitlist", operation_id="getMarketWaitlist",
         summary="대기 순번 (우선순위−경고, 심사 점수, 신청 순; 운영자)",
         guards=[requires_organizer])
    async def waitlist(
        self, db_session: DbSession, user: SignedIn, market_id: FromPath[int],
        season: FromQuery[int],
    ) -> list[ApplicationListItem]:
        await require_market_organizer(db_session, user, market_id)
        market = await get_market(db_session, market_id)
        rows = await queries.market_applications(
            db_session, market.id, season=season, status=ApplicationStatus.WAITLISTED
        )
        names = {a.id: v.name for a, v, _ in rows}
        return [
            ApplicationListItem(application=ApplicationOut.of(a), vendor_name=names[a.id],
                                jury_total=total)
            for a, total in await queries.waitlist(db_session, market.id, season)
        ]

    @get("/applications/{application_id:int}", operation_id="getMarketApplication",
         summary="신청 상세: 기준별 점수, 전체 신청 기업 수 (구성원·운영자)",
         guards=[requires_user])
    async def detail(
        self, db_session: DbSession, user: SignedIn,
        application_id: FromPath[int],
    ) -> ApplicationDetailOut:
        application = await queries.visible_application(
            db_session, user, application_id
        )
        return detail_out(await queries.detail(db_session, application))

    @get("/applications/{application_id:int}/history", operation_id="getApplicationHistory",
         summary="상태 변경 이력 (누가, 언제, 왜)", guards=[requires_user])
    async def history(
        self, db_session: DbSession, user: SignedIn,
        application_id: FromPath[int],
    ) -> list[StatusChangeOut]:
        application = await queries.visible_application(
            db_session, user, application_id
        )
        return [
            StatusChangeOut(from_status=c.from_status, to_status=c.to_status,
                            actor_user_id=c.actor_user_id, reason=c.reason, at=c.created_at)
            for c in await queries.history(db_session, application.id)
        ]

    @put("/applications/{application_id:int}/scores", operation_id="scoreMarketApplication",
         summary="심사 점수 매기기 (운영자; 기준별 0-10, 다시 매기면 바뀜)",
         guards=[requires_organizer])
    async def score(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        application_id: FromPath[int], data: JSONBody[ScoresIn],
    ) -> ApplicationDetailOut:
        data = await strict_body(request, ScoresIn)
        await jury.score(
            db_session, application_id, user,
            {s.criterion_id: (s.score, s.comment) for s in data.scores},
        )
        application = await queries.get_application(db_session, application_id)
        return detail_out(await queries.detail(db_session, application))

    @post("/applications/{application_id:int}/{action:str}",
          operation_id="decideMarketApplication",
          summary="결정: accept(선정) · waitlist(대기) · reject(미선정, 사유 필수) — 운영자",
          guards=[requires_organizer], status_code=200)
    async def decide(
        self, db_session: DbSession, user: SignedIn,
        application_id: FromPath[int], action: FromPath[str],
        data: JSONBody[DecisionIn | None] = None,
    ) -> ApplicationOut:
        application = await decisions.decide(
            db_session, application_id, user, action, data.reason if data else ""
        )
        return ApplicationOut.of(application)

    @post("/applications/{application_id:int}/withdraw", operation_id="withdrawMarketApplication",
          summary="신청 철회 (구성원; 선정된 자리는 대기 순번에 제안됩니다)",
          guards=[requires_user], status_code=200)
    async def withdraw(
        self, db_session: DbSession, user: SignedIn,
        application_id: FromPath[int], data: JSONBody[DecisionIn | None] = None,
    ) -> ApplicationOut:
        application = await applying.withdraw(
            db_session, application_id, user, data.reason if data else ""
        )
        return ApplicationOut.of(application)

    @put("/applications/{application_id:int}/priority", operation_id="setApplicationPriority",
         summary="우선순위 등급 정하기 (운영자)", guards=[requires_organizer])
    async def priority(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        application_id: FromPath[int], data: JSONBody[PriorityIn],
    ) -> ApplicationOut:
        data = await strict_body(request, PriorityIn)
        application = await decisions.set_priority(
            db_session, application_id, user, data.priority_tier, data.reason
        )
        return ApplicationOut.of(application)

    @post("/offers/{offer_id:int}/accept", operation_id="acceptWaitlistOffer",
          summary="대기 순번 제안 수락 (구성원)", guards=[requires_user], status_code=200)
    async def accept_offer(
        self, db_session: DbSession, user: SignedIn, offer_id: FromPath[int]
    ) -> OfferOut:
        return OfferOut.of(
            await offers.answer_offer(db_session, offer_id, user, True)
        )

    @post("/offers/{offer_id:int}/decline", operation_id="declineWaitlistOffer",
          summary="대기 순번 제안 거절 (구성원; 다음 순번에 제안됩니다)",
          guards=[requires_user], status_code=200)
    async def decline_offer(
        self, db_session: DbSession, user: SignedIn, offer_id: FromPath[int]
    ) -> OfferOut:
        return OfferOut.of(
            await offers.answer_offer(db_session, offer_id, user, False)
        )


class VendorApplicationApi(Controller):
    path = "/api/markets/vendors"
    tags = TAGS
    guards = [requires_user]

    @get("/{vendor_id:int}/applications", operation_id="listVendorMarketApplications",
         summary="우리 기업의 장터 신청 (구성원)")
    async def mine(
        self, db_session: DbSession, user: SignedIn, vendor_id: FromPath[int]
    ) -> list[ApplicationOut]:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        return [ApplicationOut.of(a) for a in await vendor_applications(db_session, [vendor.id])]

    @get("/{vendor_id:int}/offers", operation_id="listVendorWaitlistOffers",
         summary="우리 기업에 온 대기 순번 제안 (구성원)")
    async def offers(
        self, db_session: DbSession, user: SignedIn, vendor_id: FromPath[int]
    ) -> list[OfferOut]:
        vendor = await vendor_for_member(db_session, user, vendor_id)
        return [OfferOut.of(o) for o in await queries.offers_for(db_session, [vendor.id])]


ROUTES: list[Any] = [MarketApplicationApi, VendorApplicationApi]
