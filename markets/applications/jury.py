"""The jury (심사): review criteria a market publishes, and the scores jurors give by them.

Criteria are public before anyone applies; an applicant later sees the mean score per
criterion (jurors anonymous) and the weighted total (``queries.detail``). A juror never
scores an application of its own vendor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.auth import require_organizer
from infra.db import transaction
from infra.errors import Conflict, Forbidden, NotFound, Problems
from infra.outbox import record
from markets.access import get_market, require_market_organizer
from markets.applications.events import JuryScored
from markets.applications.models import (
    Application,
    ApplicationStatus,
    JuryScore,
    MarketCriterion,
)
from markets.applications.queries import criteria_of, get_application
from markets.applications.rules import clean_score
from markets.applications.status import application_event
from markets.days.errors import MarketErrorCode
from shop.vendors.models import VendorMember

SCORABLE = {ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED}


# ---------------------------------------------------------------- criteria


@dataclass(frozen=True)
class CriterionInput:
    name: str
    weight: int | str
    description: str = ""


def _clean_criterion(data: CriterionInput) -> tuple[str, int, str]:
    problems = Problems()
    name = (data.name or "").strip()
    if not name or len(name) > 60:
        problems.add(MarketErrorCode.REQUIRED, "name", "기준 이름을 60자 이내로 입력하세요.")
    weight = data.weight if isinstance(data.weight, int) else None
    if isinstance(data.weight, str) and data.weight.strip().isdigit():
        weight = int(data.weight.strip())
    if isinstance(data.weight, bool) or weight is None or not 1 <= weight <= 100:
        problems.add(
            MarketErrorCode.INVALID_NUMBER, "weight", "가중치를 1에서 100 사이로 입력하세요."
        )
    description = (data.description or "").strip()
    if len(description) > 1000:
        problems.add(MarketErrorCode.TOO_LONG, "description", "설명은 1000자 이내로 적어 주세요.")
    problems.raise_if_any()
    assert weight is not None
    return name, weight, description


def _name_taken() -> Conflict:
    return Conflict(
        MarketErrorCode.CRITERION_TAKEN, "같은 이름의 기준이 있습니다.", field="name"
    )


async def add_criterion(
    session: AsyncSession, market_id: int, actor: User | None, data: CriterionInput
) -> MarketCriterion:
    """Publish a review criterion; applicants see it before they apply."""
    await require_market_organizer(session, actor, market_id)
    name, weight, description = _clean_criterion(data)
    market = await get_market(session, market_id)
    existing = await criteria_of(session, market.id)
    if any(c.name == name for c in existing):
        raise _name_taken()
    criterion = MarketCriterion(
        market_id=market.id, name=name, weight=weight, description=description,
        position=len(existing),
    )
    async with transaction(session, on_integrity_error=_name_taken()):
        session.add(criterion)
    return criterion


async def remove_criterion(session: AsyncSession, criterion_id: int, actor: User | None) -> None:
    """A criterion goes only while nobody has scored by it: published scores stay explainable."""
    require_organizer(actor)
    criterion = await session.get(MarketCriterion, criterion_id)
    if criterion is None:
        raise NotFound(MarketErrorCode.CRITERION_NOT_FOUND, "심사 기준을 찾을 수 없습니다.",
                       field="criterion_id")
    await require_market_organizer(session, actor, criterion.market_id)
    used = await session.scalar(
        select(func.count(JuryScore.id)).where(JuryScore.criterion_id == criterion.id)
    )
    if used:
        raise Conflict(
            MarketErrorCode.CRITERION_SCORED, "이미 점수가 매겨진 기준은 지울 수 없습니다.",
            field="criterion_id",
        )
    async with transaction(session):
        await session.delete(criterion)


# ---------------------------------------------------------------- scores


async def _refuse_own_vendor(session: AsyncSession, application: Application, juror: User) -> None:
    own = await session.scalar(
        select(func.count(VendorMember.id)).where(
            VendorMember.vendor_id == application.vendor_id, VendorMember.user_id == juror.id
        )
    )
    if own:
        raise Forbidden(
            MarketErrorCode.OWN_APPLICATION, "자기 기업의 신청은 심사할 수 없습니다.",
            field="application_id",
        )


def _clean_scores(
    scores: Mapping[int, tuple[int | str, str]], criterion_ids: set[int]
) -> dict[int, tuple[int, str]]:
    """``{criterion id: (score, comment)}``, every wrong entry reported at once."""
    problems = Problems()
    if not scores:
        problems.add(MarketErrorCode.REQUIRED, "scores", "점수를 하나 이상 입력하세요.")
    clean: dict[int, tuple[int, str]] = {}
    for criterion_id, (raw, comment) in scores.items():
        field = f"scores.{criterion_id}"
        if criterion_id not in criterion_ids:
            problems.add(
                MarketErrorCode.CRITERION_NOT_FOUND, field, "이 장터의 심사 기준이 아닙니다."
            )
            continue
        value = clean_score(raw)
        if value is None:
            problems.add(MarketErrorCode.INVALID_SCORE, field, "점수는 0에서 10 사이의 정수입니다.")
            continue
        if len((comment or "").strip()) > 1000:
            problems.add(MarketErrorCode.TOO_LONG, field, "의견은 1000자 이내로 적어 주세요.")
            continue
        clean[criterion_id] = (value, (comment or "").strip())
    problems.raise_if_any()
    return clean


async def score(
    session: AsyncSession,
    application_id: int,
    juror: User | None,
    scores: Mapping[int, tuple[int | str, str]],
) -> list[JuryScore]:
    """심사 점수: one juror scores an application (0-10) on some or all criteria.

    Scoring again replaces the juror's earlier score on that criterion. A juror who is a
    member of the applying vendor may not score it.
    """
    organizer = require_organizer(juror)
    application = await get_application(session, application_id)
    await require_market_organizer(session, organizer, application.market_id)
    if application.status not in SCORABLE:
        raise Conflict(
            MarketErrorCode.NOT_SCORABLE,
            f"'{application.status.label}' 상태의 신청은 심사할 수 없습니다.", field="status",
        )
    await _refuse_own_vendor(session, application, organizer)
    criteria = {c.id for c in await criteria_of(session, application.market_id)}
    clean = _clean_scores(scores, criteria)
    existing = {
        s.criterion_id: s
        for s in (
            await session.scalars(
                select(JuryScore).where(
                    JuryScore.application_id == application.id,
                    JuryScore.juror_user_id == organizer.id,
                )
            )
        ).all()
    }
    saved = []
    scored_meanwhile = Conflict(
        MarketErrorCode.CONCURRENT_CHANGE, "같은 점수가 방금 저장되었습니다. 다시 시도하세요.",
        field="scores",
    )
    async with transaction(session, on_integrity_error=scored_meanwhile):
        for criterion_id, (value, comment) in clean.items():
            row = existing.get(criterion_id)
            if row is None:
                row = JuryScore(
                    application_id=application.id, juror_user_id=organizer.id,
                    criterion_id=criterion_id, score=value, comment=comment,
                )
                session.add(row)
            else:
                row.score, row.comment = value, comment
            saved.append(row)
        record(
            session,
            application_event(
                JuryScored, application, organizer.id, "",
                juror_user_id=organizer.id, criterion_ids=sorted(clean),
            ),
        )
    return saved
