"""The application API's shapes (msgspec), with Korean descriptions for the OpenAPI page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from markets.applications.models import (
    Application,
    ApplicationStatus,
    MarketCriterion,
    OfferStatus,
    WaitlistOffer,
)
from markets.applications.rules import ApplicationForm, CriterionResult


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class ApplicationIn(msgspec.Struct, kw_only=True):
    """장터 참가 신청서. 시즌 전체 또는 고른 장날에 신청합니다."""

    vendor_id: Annotated[int, _d("신청하는 입점기업 (구성원이어야 합니다)")]
    season: Annotated[int, _d("시즌 (연도, 예: 2027)")]
    whole_season: Annotated[bool, _d("시즌 전체 참가 여부; false면 market_day_ids 필수")] = True
    market_day_ids: list[int] = msgspec.field(default_factory=list)
    categories: Annotated[list[str], _d("판매 품목 분류 코드 (food, household, …)")] = (
        msgspec.field(default_factory=list)
    )
    needs_power: bool = False
    tables_needed: Annotated[int, _d("필요한 탁자 수 (0-4)")] = 1
    needs_tent: bool = False
    min_booth_size: Annotated[str, _d("small · standard · large")] = "small"
    preferred_zones: list[str] = msgspec.field(default_factory=list)
    preferred_booth_codes: list[str] = msgspec.field(default_factory=list)
    wants_premium_booth: Annotated[
        bool,
        _d("프리미엄·코너 부스 희망: 원하는 업체끼리 돌아가며 배정 (시즌 동안 1회 넘게 차이 없음)"),
    ] = False
    only_wishes: Annotated[
        bool,
        _d("희망 부스만: preferred_booth_codes(앞이 1지망) 중 하나가 아니면 배정하지 않음. "
           "false면 희망 부스가 모두 찼을 때 다른 부스에 배정"),
    ] = False
    needs_properties: Annotated[
        list[str],
        _d("꼭 필요한 부스 속성: cooking(조리·화기), accessible, … (그 속성 부스에만 배정)"),
    ] = msgspec.field(default_factory=list)
    booths_min: Annotated[
        int, _d("필요한 부스 수 (1-3): 여러 부스면 한 줄로 나란히 붙은 부스만 배정")
    ] = 1
    booths_max: Annotated[
        int, _d("원하는 부스 수 (booths_min-3): 남는 부스가 있을 때만 최소보다 더 배정")
    ] = 1
    note: str = ""
    kit_id: Annotated[
        int | None,
        _d("함께 빌릴 장비 세트 (이 장터의 세트, GET /api/markets/{id}/equipment). 신청한 장날마다 "
           "1세트를 예약합니다. 빌릴 수 없으면 신청도 저장되지 않고 409 (kit_id)."),
    ] = None

    def form(self) -> ApplicationForm:
        return ApplicationForm(
            season=self.season, whole_season=self.whole_season,
            market_day_ids=tuple(self.market_day_ids), categories=tuple(self.categories),
            needs_power=self.needs_power, tables_needed=self.tables_needed,
            needs_tent=self.needs_tent, min_booth_size=self.min_booth_size,
            preferred_zones=tuple(self.preferred_zones),
            preferred_booth_codes=tuple(self.preferred_booth_codes), note=self.note,
            wants_premium_booth=self.wants_premium_booth, only_wishes=self.only_wishes,
            needs_properties=tuple(self.needs_properties),
            booths_min=self.booths_min, booths_max=self.booths_max,
        )


class ApplicationOut(msgspec.Struct, kw_only=True):
    id: int
    market_id: int
    vendor_id: int
    season: int
    whole_season: bool
    market_day_ids: list[int]
    categories: list[str]
    needs_power: bool
    tables_needed: int
    needs_tent: bool
    min_booth_size: str
    preferred_zones: list[str]
    preferred_booth_codes: list[str]
    wants_premium_booth: bool
    only_wishes: bool
    needs_properties: list[str]
    booths_min: int
    booths_max: int
    note: str
    status: ApplicationStatus
    status_label: str
    status_reason: str
    priority_tier: int
    strikes: Annotated[int, _d("무단 불참 경고 수 (대기 순번을 낮춥니다)")]
    created_at: dt.datetime

    @classmethod
    def of(cls, a: Application) -> ApplicationOut:
        return cls(
            id=a.id, market_id=a.market_id, vendor_id=a.vendor_id, season=a.season,
            whole_season=a.whole_season, market_day_ids=list(a.market_day_ids),
            categories=list(a.categories), needs_power=a.needs_power,
            tables_needed=a.tables_needed, needs_tent=a.needs_tent,
            min_booth_size=a.min_booth_size, preferred_zones=list(a.preferred_zones),
            preferred_booth_codes=list(a.preferred_booth_codes),
            wants_premium_booth=a.wants_premium_booth, only_wishes=a.only_wishes,
            needs_properties=list(a.needs_properties or ()),
            booths_min=a.booths_min or 1, booths_max=a.booths_max or 1,
            note=a.note, status=a.status,
            status_label=a.status.label, status_reason=a.status_reason,
            priority_tier=a.priority_tier, strikes=a.strikes, created_at=a.created_at,
        )


class CriterionScoreOut(msgspec.Struct, kw_only=True):
    criterion_id: int
    name: str
    weight: int
    mean: Annotated[float | None, _d("심사위원 평균 (0-10)")]
    jurors: int
    comments: list[str]

    @classmethod
    def of(cls, r: CriterionResult) -> CriterionScoreOut:
        return cls(
            criterion_id=r.criterion_id, name=r.name, weight=r.weight, mean=r.mean,
            jurors=r.scores, comments=list(r.comments),
        )


class ApplicationDetailOut(msgspec.Struct, kw_only=True):
    """신청 기업과 운영자가 보는 신청 상세: 심사 점수와 전체 신청 기업 수."""

    application: ApplicationOut
    scores: list[CriterionScoreOut]
    jury_total: Annotated[float | None, _d("가중 평균 점수 (0-10)")]
    applicants: Annotated[int, _d("이 장터·시즌에 신청한 기업 수 (철회 제외)")]
    open_offer: OfferOut | None


class ApplicationListItem(msgspec.Struct, kw_only=True):
    application: ApplicationOut
    vendor_name: str
    jury_total: float | None


class CriterionIn(msgspec.Struct, kw_only=True):
    name: str
    weight: Annotated[int, _d("가중치 (1-100)")]
    description: str = ""


class CriterionOut(msgspec.Struct, kw_only=True):
    id: int
    market_id: int
    name: str
    weight: int
    description: str

    @classmethod
    def of(cls, c: MarketCriterion) -> CriterionOut:
        return cls(id=c.id, market_id=c.market_id, name=c.name, weight=c.weight,
                   description=c.description)


class ScoreIn(msgspec.Struct, kw_only=True):
    criterion_id: int
    score: Annotated[int, _d("0-10 정수")]
    comment: str = ""


class ScoresIn(msgspec.Struct, kw_only=True):
    scores: list[ScoreIn]


class DecisionIn(msgspec.Struct, kw_only=True):
    reason: Annotated[str, _d("사유 (미선정에는 필수; 신청 기업에 전달됩니다)")] = ""


class PriorityIn(msgspec.Struct, kw_only=True):
    priority_tier: Annotated[int, _d("우선순위 등급 (-10..10, 높을수록 먼저)")]
    reason: str = ""


class OfferOut(msgspec.Struct, kw_only=True):
    id: int
    application_id: int
    status: OfferStatus
    status_label: str
    expires_at: dt.datetime
    freed_by_application_id: int | None
    freed_market_day_id: Annotated[
        int | None, _d("무단 불참으로 빈 하루 자리면 그 장날 (아니면 null: 신청 전체의 자리)")
    ] = None
    freed_booth_id: Annotated[int | None, _d("그날 비워진 부스 (수락하면 그 부스에 배정)")] = None

    @classmethod
    def of(cls, o: WaitlistOffer) -> OfferOut:
        return cls(
            id=o.id, application_id=o.application_id, status=o.status,
            status_label=o.status.label, expires_at=o.expires_at,
            freed_by_application_id=o.freed_by_application_id,
            freed_market_day_id=o.freed_market_day_id, freed_booth_id=o.freed_booth_id,
        )


class StatusChangeOut(msgspec.Struct, kw_only=True):
    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    actor_user_id: int | None
    reason: str
    at: dt.datetime
