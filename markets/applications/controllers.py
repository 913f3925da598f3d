"""The application JSON API: apply, criteria, jury scores, decisions, waitlist offers.

Organizers (and admins) publish criteria, score and decide; a vendor's members apply,
withdraw, read their scores and answer offers. Every rule lives in the services.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from infra.accounts.models import Role, User
from infra.auth import current_user, requires_role, requires_user
from infra.web.params import DbSession
from markets.access import get_market, require_market_organizer
from markets.applications import services
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
from markets.days.schemas import strict_body
from shop.vendors.access import vendor_for_member

TAGS = ["장터 참가 신청 (Market applications)"]
requires_organizer = requires_role(Role.ORGANIZER)


def signed_in(request: Request[Any, Any, Any]) -> User:
    user = current_user(request)
    assert user is not None, "guarded"
    return user


def detail_out(d: services.Detail) -> ApplicationDetailOut:
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
        return [CriterionOut.of(c) for c in await services.criteria_of(db_session, market.id)]

    @post("/{market_id:int}/criteria", operation_id="addMarketCriterion",
          summary="심사 기준 공개 (운영자)", guards=[requires_organizer], status_code=201)
    async def add_criterion(
        self, request: Request[Any, Any, Any], db_session: DbSession, market_id: FromPath[int],
        data: JSONBody[CriterionIn],
    ) -> CriterionOut:
        data = await strict_body(request, CriterionIn)
        criterion = await services.add_criterion(
            db_session, market_id, signed_in(request),
            services.CriterionInput(data.name, data.weight, data.description),
        )
        return CriterionOut.of(criterion)

    @delete("/criteria/{criterion_id:int}", operation_id="removeMarketCriterion",
            summary="심사 기준 삭제 (점수가 없을 때만; 운영자)", guards=[requires_organizer])
    async def remove_criterion(
        self, request: Request[Any, Any, Any], db_session: DbSession,
        criterion_id: FromPath[int],
    ) -> None:
        await services.remove_criterion(db_session, criterion_id, signed_in(request))

    @post("/{market_id:int}/applications", operation_id="applyToMarket",
          summary="장터 참가 신청 (입점기업 구성원; 시즌 전체 또는 고른 장날)",
          guards=[requires_user], status_code=201)
    async def apply(
        self, request: Request[Any, Any, Any], db_session: DbSession, market_id: FromPath[int],
        data: JSONBody[ApplicationIn],
    ) -> ApplicationOut:
        data = await strict_body(request, ApplicationIn)
        application = await services.apply(
            db_session, signed_in(request), data.vendor_id, market_id, data.form(),
            settings=request.app.state.settings, kit_id=data.kit_id,
        )
        return ApplicationOut.of(application)

    @get("/{market_id:int}/applications", operation_id="listMarketApplications",
         summary="신청 목록과 심사 점수 (운영자)", guards=[requires_organizer])
    async def list_applications(
        self, request: Request[Any, Any, Any], db_session: DbSession, market_id: FromPath[int],
        season: FromQuery[int | None] = None, status: FromQuery[ApplicationStatus | None] = None,
    ) -> list[ApplicationListItem]:
        await require_market_organizer(db_session, signed_in(request), market_id)
        market = await get_market(db_session, market_id)
        rows = await services.market_applications(
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
        self, request: Request[Any, Any, Any], db_session: DbSession, market_id: FromPath[int],
        season: FromQuery[int],
    ) -> list[ApplicationListItem]:
        await require_market_organizer(db_session, signed_in(request), market_id)
        market = await get_market(db_session, market_id)
        rows = await services.market_applications(
            db_session, market.id, season=season, status=ApplicationStatus.WAITLISTED
        )
        names = {a.id: v.name for a, v, _ in rows}
        return [
            ApplicationListItem(application=ApplicationOut.of(a), vendor_name=names[a.id],
                                jury_total=total)
            for a, total in await services.waitlist(db_session, market.id, season)
        ]

    @get("/applications/{application_id:int}", operation_id="getMarketApplication",
         summary="신청 상세: 기준별 점수, 전체 신청 기업 수 (구성원·운영자)",
         guards=[requires_user])
    async def detail(
        self, request: Request[Any, Any, Any], db_session: DbSession,
        application_id: FromPath[int],
    ) -> ApplicationDetailOut:
        application = await services.visible_application(
            db_session, signed_in(request), application_id
        )
        return detail_out(await services.detail(db_session, application))

    @get("/applications/{application_id:int}/history", operation_id="getApplicationHistory",
         summary="상태 변경 이력 (누가, 언제, 왜)", guards=[requires_user])
    async def history(
        self, request: Request[Any, Any, Any], db_session: DbSession,
        application_id: FromPath[int],
    ) -> list[StatusChangeOut]:
        application = await services.visible_application(
            db_session, signed_in(request), application_id
        )
        return [
            StatusChangeOut(from_status=c.from_status, to_status=c.to_status,
                            actor_user_id=c.actor_user_id, reason=c.reason, at=c.created_at)
            for c in await services.history(db_session, application.id)
        ]

    @put("/applications/{application_id:int}/scores", operation_id="scoreMarketApplication",
         summary="심사 점수 매기기 (운영자; 기준별 0-10, 다시 매기면 바뀜)",
         guards=[requires_organizer])
    async def score(
        self, request: Request[Any, Any, Any], db_session: DbSession,
        application_id: FromPath[int], data: JSONBody[ScoresIn],
    ) -> ApplicationDetailOut:
        data = await strict_body(request, ScoresIn)
        await services.score(
            db_session, application_id, signed_in(request),
            {s.criterion_id: (s.score, s.comment) for s in data.scores},
        )
        application = await services.get_application(db_session, application_id)
        return detail_out(await services.detail(db_session, application))

    @post("/applications/{application_id:int}/{action:str}",
          operation_id="decideMarketApplication",
          summary="결정: accept(선정) · waitlist(대기) · reject(미선정, 사유 필수) — 운영자",
          guards=[requires_organizer], status_code=200)
    async def decide(
        self, request: Request[Any, Any, Any], db_session: DbSession,
        application_id: FromPath[int], action: FromPath[str],
        data: JSONBody[DecisionIn | None] = None,
    ) -> ApplicationOut:
        application = await services.decide(
            db_session, application_id, signed_in(request), action, data.reason if data else ""
        )
        return ApplicationOut.of(application)

    @post("/applications/{application_id:int}/withdraw", operation_id="withdrawMarketApplication",
          summary="신청 철회 (구성원; 선정된 자리는 대기 순번에 제안됩니다)",
          guards=[requires_user], status_code=200)
    async def withdraw(
        self, request: Request[Any, Any, Any], db_session: DbSession,
        application_id: FromPath[int], data: JSONBody[DecisionIn | None] = None,
    ) -> ApplicationOut:
        application = await services.withdraw(
            db_session, application_id, signed_in(request), data.reason if data else ""
        )
        return ApplicationOut.of(application)

    @put("/applications/{application_id:int}/priority", operation_id="setApplicationPriority",
         summary="우선순위 등급 정하기 (운영자)", guards=[requires_organizer])
    async def priority(
        self, request: Request[Any, Any, Any], db_session: DbSession,
        application_id: FromPath[int], data: JSONBody[PriorityIn],
    ) -> ApplicationOut:
        data = await strict_body(request, PriorityIn)
        application = await services.set_priority(
            db_session, application_id, signed_in(request), data.priority_tier, data.reason
        )
        return ApplicationOut.of(application)

    @post("/offers/{offer_id:int}/accept", operation_id="acceptWaitlistOffer",
          summary="대기 순번 제안 수락 (구성원)", guards=[requires_user], status_code=200)
    async def accept_offer(
        self, request: Request[Any, Any, Any], db_session: DbSession, offer_id: FromPath[int]
    ) -> OfferOut:
        return OfferOut.of(
            await services.answer_offer(db_session, offer_id, signed_in(request), True)
        )

    @post("/offers/{offer_id:int}/decline", operation_id="declineWaitlistOffer",
          summary="대기 순번 제안 거절 (구성원; 다음 순번에 제안됩니다)",
          guards=[requires_user], status_code=200)
    async def decline_offer(
        self, request: Request[Any, Any, Any], db_session: DbSession, offer_id: FromPath[int]
    ) -> OfferOut:
        return OfferOut.of(
            await services.answer_offer(db_session, offer_id, signed_in(request), False)
        )


class VendorApplicationApi(Controller):
    path = "/api/markets/vendors"
    tags = TAGS
    guards = [requires_user]

    @get("/{vendor_id:int}/applications", operation_id="listVendorMarketApplications",
         summary="우리 기업의 장터 신청 (구성원)")
    async def mine(
        self, request: Request[Any, Any, Any], db_session: DbSession, vendor_id: FromPath[int]
    ) -> list[ApplicationOut]:
        vendor = await vendor_for_member(db_session, signed_in(request), vendor_id)
        return [ApplicationOut.of(a) for a in await vendor_applications(db_session, [vendor.id])]

    @get("/{vendor_id:int}/offers", operation_id="listVendorWaitlistOffers",
         summary="우리 기업에 온 대기 순번 제안 (구성원)")
    async def offers(
        self, request: Request[Any, Any, Any], db_session: DbSession, vendor_id: FromPath[int]
    ) -> list[OfferOut]:
        vendor = await vendor_for_member(db_session, signed_in(request), vendor_id)
        return [OfferOut.of(o) for o in await services.offers_for(db_session, [vendor.id])]


ROUTES: list[Any] = [MarketApplicationApi, VendorApplicationApi]
