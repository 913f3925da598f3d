"""The organizer's decisions on an application: 선정 / 대기 / 미선정, and its priority tier.

Accepting takes a place, so it runs under the market lock (``places.lock_market``) and
needs a free place on every day applied for, or an open offer held for this very
application. Any other decision voids such an offer and passes its place on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.auth import require_organizer
from infra.clock import utcnow
from infra.db import transaction
from infra.errors import Conflict, InvalidInput
from infra.outbox import record
from markets.access import require_market_organizer
from markets.applications.events import (
    ApplicationAccepted,
    ApplicationEvent,
    ApplicationPriorityChanged,
    ApplicationRejected,
    ApplicationWaitlisted,
)
from markets.applications.models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationStatus,
    OfferStatus,
    WaitlistOffer,
)
from markets.applications.places import (
    assess_fees,
    has_place,
    lock_market,
    pass_on,
    take_freed_booth,
)
from markets.applications.queries import application_keys, get_application, open_offer
from markets.applications.status import application_event, change_status
from markets.days.errors import MarketErrorCode, clean_reason
from markets.lending import booking as lending
from markets.models import Market

MAX_PRIORITY = 10


@dataclass(frozen=True)
class Decision:
    target: ApplicationStatus
    event: type[ApplicationEvent]
    reason_required: bool
    label: str


DECISIONS: dict[str, Decision] = {
    "accept": Decision(ApplicationStatus.ACCEPTED, ApplicationAccepted, False, "선정"),
    "waitlist": Decision(ApplicationStatus.WAITLISTED, ApplicationWaitlisted, False, "대기"),
    "reject": Decision(ApplicationStatus.REJECTED, ApplicationRejected, True, "미선정"),
}


def _decision(action: str, reason: str | None) -> tuple[Decision, str]:
    """The decision asked for and its cleaned reason, refused before anything is read."""
    decision = DECISIONS.get(action)
    if decision is None:
        raise InvalidInput(MarketErrorCode.INVALID_CHOICE, "알 수 없는 처리입니다.", field="action")
    why = clean_reason(reason)
    if decision.reason_required and not why:
        raise InvalidInput(
            MarketErrorCode.REASON_REQUIRED,
            f"{decision.label} 사유를 입력해 주세요. 신청 기업에 그대로 전달됩니다.",
            field="reason",
        )
    return decision, why


async def _refuse_without_place(
    session: AsyncSession, market: Market, application: Application, now: dt.datetime
) -> None:
    """A place must be free on every day applied for; say whether offers hold the rest."""
    if await has_place(session, market, application, now):
        return
    held_by_offer = await has_place(session, market, application, now, ignore_offers=True)
    raise Conflict(
        MarketErrorCode.PLACE_HELD_BY_OFFER if held_by_offer
        else MarketErrorCode.MARKET_FULL,
        "남은 자리는 대기 순번 제안에 묶여 있습니다. 응답을 기다려 주세요."
        if held_by_offer else
        f"자리가 없습니다 (장날당 {market.capacity}자리). "
        "대기로 두거나 자리가 난 뒤 선정하세요.",
        field="status",
    )


def _close_offer(
    offer: WaitlistOffer, status: OfferStatus, actor: User, now: dt.datetime
) -> None:
    offer.status, offer.answered_at = status, now
    offer.answered_by_user_id = actor.id


async def decide(
    session: AsyncSession,
    application_id: int,
    actor: User | None,
    action: str,
    reason: str | None = "",
    *,
    now: dt.datetime | None = None,
) -> Application:
    """선정 / 대기 / 미선정 by an organizer, recording who and why.

    Accepting needs a free place on every day applied for (or an open offer held for this
    very application). Rejecting needs a reason, which the vendor reads.
    """
    organizer = require_organizer(actor)
    decision, why = _decision(action, reason)
    moment = now or utcnow()
    market_id, _ = await application_keys(session, application_id)
    await require_market_organizer(session, organizer, market_id)
    async with transaction(session):
        market = await lock_market(session, market_id)
        application = await get_application(session, application_id)
        APPLICATION_TRANSITIONS.check(application.status, decision.target)
        offer = await open_offer(session, application.id)
        accepting = decision.target is ApplicationStatus.ACCEPTED
        if accepting and offer is not None:  # the place is already held for this application
            _close_offer(offer, OfferStatus.ACCEPTED, organizer, moment)
        elif accepting:
            await _refuse_without_place(session, market, application, moment)
        elif offer is not None:
            _close_offer(offer, OfferStatus.VOID, organizer, moment)
        change_status(session, application, decision.target, organizer.id,
                      why or decision.label)
        if accepting:
            await assess_fees(session, application, organizer.id, moment)
            if offer is not None:
                await take_freed_booth(session, offer, application, organizer.id)
            record(
                session,
                application_event(
                    ApplicationAccepted, application, organizer.id, why,
                    via_offer_id=offer.id if offer is not None else None,
                ),
            )
        else:
            record(session, application_event(decision.event, application, organizer.id, why))
        if decision.target is ApplicationStatus.REJECTED:
            await lending.cancel_loans_of_application(
                session, application.id, organizer, f"참가 신청 미선정: {why}"
            )
        if offer is not None and not accepting:
            await pass_on(session, market, application.season, offer, moment)
    return application


async def set_priority(
    session: AsyncSession, application_id: int, actor: User | None, tier: int | str,
    reason: str | None = "",
) -> Application:
    """우선순위 등급 (seniority, enterprise type, …) set by an organizer, with a reason."""
    organizer = require_organizer(actor)
    value = tier if isinstance(tier, int) and not isinstance(tier, bool) else None
    if isinstance(tier, str) and tier.strip().lstrip("-").isdigit():
        value = int(tier.strip())
    if value is None or not -MAX_PRIORITY <= value <= MAX_PRIORITY:
        raise InvalidInput(
            MarketErrorCode.INVALID_NUMBER,
            f"우선순위는 -{MAX_PRIORITY}에서 {MAX_PRIORITY} 사이의 정수입니다.",
            field="priority_tier",
        )
    why = clean_reason(reason)
    application = await get_application(session, application_id)
    await require_market_organizer(session, organizer, application.market_id)
    async with transaction(session):
        application.priority_tier = value
        record(
            session,
            application_event(
                ApplicationPriorityChanged, application, organizer.id, why,
                priority_tier=value,
            ),
        )
    return application
