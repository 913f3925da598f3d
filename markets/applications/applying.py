"""Application use cases: apply, publish criteria, score, decide, withdraw, waitlist offers.

Each use case is one transaction (rows, audit rows, outbox events, commit). Whatever takes
or frees a place (accept, withdraw, answer or expire an offer) first locks the market row,
so places are counted by one transaction at a time: on PostgreSQL the ``UPDATE`` takes the
row lock, on SQLite it takes the database's write lock. Two organizers accepting two
waitlisted vendors for the one free place therefore end with exactly one acceptance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.clock import utcnow
from infra.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from infra.outbox import record
from infra.settings import Settings
from markets.access import (
    get_market,
    manages,
    not_market_organizer,
    require_market_organizer,
)
from markets.applications.events import (
    ApplicationAccepted,
    ApplicationEvent,
    ApplicationPriorityChanged,
    ApplicationRejected,
    ApplicationSubmitted,
    ApplicationWaitlisted,
    ApplicationWithdrawn,
    JuryScored,
    NoShowPlaceReleased,
    NoShowPlaceRestored,
    WaitlistOfferAccepted,
    WaitlistOfferDeclined,
    WaitlistOffered,
    WaitlistOfferExpired,
)
from markets.applications.models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationDocument,
    ApplicationStatus,
    ApplicationStatusChange,
    JuryScore,
    MarketCriterion,
    OfferStatus,
    WaitlistOffer,
)
from markets.applications.queries import (
    accepted_places,
    applicant_count,
    booking_of,
    days_covered,
    held_places,
    season_days,
)
from markets.applications.rules import (
    OFFER_HOURS,
    ApplicationForm,
    CriterionResult,
    WaitlistEntry,
    clean_application,
    clean_score,
    criterion_results,
    fits,
    jury_total,
    waitlist_order,
)
from markets.assignment import placements
from markets.booths.models import Booth
from markets.days import fees
from markets.days.errors import MarketErrorCode, Problems, clean_reason, require_organizer
from markets.days.models import MarketDay, MarketDayStatus
from markets.lending import services as lending
from markets.lending.models import EquipmentKit
from markets.models import Market
from markets.schedules import local_today
from shop.vendors import documents as vendor_documents
from shop.vendors.access import member_role, vendor_for_member
from shop.vendors.models import DocumentKind, Vendor, VendorMember
from shop.vendors.rules import (
    ALLOWED_LABEL,
    ALLOWED_TYPES,
    CheckedDocument,
    IncomingDocument,
    safe_filename,
    size_label,
    sniff_content_type,
)

MAX_DOCUMENTS = 3
MAX_PRIORITY = 10
DOCUMENTS_FIELD = "documents"
KIT_FIELD = "kit_id"


def _as_kit_error(exc: DomainError) -> DomainError:
    """A lending refusal, re-aimed at the application's ``kit_id`` field: the applicant
    chose a kit, not units, days or pickup slots, so that is where the message belongs."""
    message = f"장비 세트를 함께 예약할 수 없습니다: {exc.message}"
    extra = {k: v for k, v in exc.extra.items() if k != "errors"}
    extra["errors"] = [{"field": KIT_FIELD, "message": message, "code": exc.code}]
    return type(exc)(exc.code, message, field=KIT_FIELD, status_code=exc.status_code,
                     extra=extra)


# ---------------------------------------------------------------- loading and locking


async def lock_market(session: AsyncSession, market_id: int) -> Market:
    """Serialise every change of places in one market (see the module docstring)."""
    await session.execute(
        update(Market).where(Market.id == market_id).values(capacity=Market.capacity)
    )
    market = await session.scalar(
        select(Market).where(Market.id == market_id).execution_options(populate_existing=True)
    )
    if market is None:
        raise NotFound(MarketErrorCode.MARKET_NOT_FOUND, "장터를 찾을 수 없습니다.",
                       field="market_id")
    return market


def _not_found() -> NotFound:
    return NotFound(
        MarketErrorCode.APPLICATION_NOT_FOUND, "참가 신청을 찾을 수 없습니다.",
        field="application_id",
    )


async def get_application(session: AsyncSession, application_id: int) -> Application:
    application = await session.scalar(
        select(Application)
        .where(Application.id == application_id)
        .execution_options(populate_existing=True)
    )
    if application is None:
        raise _not_found()
    return application


async def _keys(session: AsyncSession, application_id: int) -> tuple[int, int]:
    """``(market_id, vendor_id)`` of an application, read before any lock is taken."""
    row = (
        await session.execute(
            select(Application.market_id, Application.vendor_id).where(
                Application.id == application_id
            )
        )
    ).one_or_none()
    if row is None:
        raise _not_found()
    return int(row[0]), int(row[1])


async def _open_offer(session: AsyncSession, application_id: int) -> WaitlistOffer | None:
    return await session.scalar(
        select(WaitlistOffer)
        .where(
            WaitlistOffer.application_id == application_id,
            WaitlistOffer.status == OfferStatus.OPEN,
        )
        .execution_options(populate_existing=True)
    )


def open_seasons(market: Market, now: dt.datetime | None = None) -> list[int]:
    """Vendors apply for this year's season or the next one."""
    year = local_today(market.timezone, now).year
    return [year, year + 1]


E = TypeVar("E", bound=ApplicationEvent)


def _event(
    cls: type[E], application: Application, actor_id: int | None, reason: str, **extra: Any
) -> E:
    return cls(
        id=application.id, market_id=application.market_id, vendor_id=application.vendor_id,
        season=application.season, actor_user_id=actor_id, reason=reason, **extra,
    )


def _change_status(
    session: AsyncSession,
    application: Application,
    target: ApplicationStatus,
    actor_id: int | None,
    reason: str,
) -> None:
    APPLICATION_TRANSITIONS.check(application.status, target)
    session.add(
        ApplicationStatusChange(
            application_id=application.id, from_status=application.status, to_status=target,
            actor_user_id=actor_id, reason=reason,
        )
    )
    application.status = target
    application.status_reason = reason


# ---------------------------------------------------------------- documents


def check_documents(
    files: Sequence[IncomingDocument], max_bytes: int, problems: Problems
) -> list[CheckedDocument]:
    """Optional attachments, checked like vendor documents: size and magic bytes."""
    if len(files) > MAX_DOCUMENTS:
        problems.add(
            MarketErrorCode.TOO_MANY_DOCUMENTS, DOCUMENTS_FIELD,
            f"첨부 서류는 {MAX_DOCUMENTS}개까지 올릴 수 있습니다.",
        )
        return []
    checked = []
    for doc in files:
        name = safe_filename(doc.filename)
        if len(doc.data) > max_bytes:
            problems.add(
                MarketErrorCode.DOCUMENT_TOO_LARGE, DOCUMENTS_FIELD,
                f"파일이 너무 큽니다 ({name}). {size_label(max_bytes)} 이하로 올려 주세요.",
                status=413,
            )
            continue
        if not doc.data:
            problems.add(
                MarketErrorCode.DOCUMENT_EMPTY, DOCUMENTS_FIELD, f"빈 파일입니다 ({name})."
            )
            continue
        content_type = sniff_content_type(doc.data[:16])
        if content_type is None:
            problems.add(
                MarketErrorCode.DOCUMENT_TYPE_NOT_ALLOWED, DOCUMENTS_FIELD,
                f"올릴 수 없는 파일 형식입니다 ({name}). {ALLOWED_LABEL} 파일만 됩니다.",
                status=415,
            )
            continue
        checked.append(
            CheckedDocument(
                kind=DocumentKind.OTHER, filename=name, content_type=content_type,
                extension=ALLOWED_TYPES[content_type], data=doc.data,
                sha256=hashlib.sha256(doc.data).hexdigest(),
            )
        )
    return checked


# ---------------------------------------------------------------- apply


async def apply(
    session: AsyncSession,
    actor: User | None,
    vendor_id: int,
    market_id: int,
    form: ApplicationForm,
    files: Sequence[IncomingDocument] = (),
    *,
    settings: Settings | None = None,
    kit_id: int | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """참가 신청 by a member of an approved vendor, for a season or chosen days.

    Every field is checked before anything is written; attachments are written only after
    the checks and removed again if the transaction fails.

    ``kit_id``: an equipment kit of the market to borrow on each applied-for day (for a whole
    season: the season's days scheduled so far), booked in the same transaction
    (``markets.lending.services.reserve_kit_for_application``). If the kit cannot be lent on
    every one of those days, nothing is saved, the application included: a 409 naming the
    field ``kit_id`` (``not_enough_units``, ``pickup_slot_full``) says why.
    """
    vendor = await vendor_for_member(session, actor, vendor_id)
    assert actor is not None
    if not vendor.can_sell:
        raise Conflict(
            MarketErrorCode.VENDOR_NOT_APPROVED,
            "입점 승인된 기업만 장터에 참가 신청할 수 있습니다.", field="vendor_id",
        )
    market = await get_market(session, market_id)
    moment = now or utcnow()
    seasons = open_seasons(market, moment)
    days_by_id = {}
    for season in seasons:
        for day in await season_days(session, market.id, season):
            if day.status is MarketDayStatus.SCHEDULED and day.opens_at > moment:
                days_by_id[day.id] = (season, day.day)
    problems = Problems()
    clean = clean_application(form, problems, open_seasons=seasons, days_by_id=days_by_id)
    checked = check_documents(
        files, settings.max_upload_bytes if settings else 10 * 1024 * 1024, problems
    )
    if kit_id is not None:
        kit = await session.get(EquipmentKit, kit_id)
        if kit is None or kit.market_id != market.id or not kit.is_active:
            problems.add(
                MarketErrorCode.INVALID_CHOICE, KIT_FIELD,
                "이 장터에서 빌릴 수 있는 장비 세트가 아닙니다.",
            )
    problems.raise_if_any()
    assert clean is not None
    kit_days = (
        clean.market_day_ids if not clean.whole_season
        else sorted(d for d, (season, _) in days_by_id.items() if season == clean.season)
    )
    if kit_id is not None and not kit_days:
        raise Conflict(
            MarketErrorCode.KIT_UNAVAILABLE,
            "아직 정해진 장날이 없어 장비를 함께 예약할 수 없습니다. "
            "장날이 생기면 장비 대여 화면에서 예약해 주세요.",
            field=KIT_FIELD,
        )
    if checked and settings is None:
        raise InvalidInput(MarketErrorCode.DOCUMENT_NOT_FOUND, "서류를 저장할 수 없습니다.",
                           field=DOCUMENTS_FIELD)
    taken = await session.scalar(
        select(func.count(Application.id)).where(
            Application.market_id == market.id, Application.vendor_id == vendor.id,
            Application.season == clean.season,
        )
    )
    if taken:
        raise Conflict(
            MarketErrorCode.ALREADY_APPLIED,
            f"{clean.season} 시즌에 이미 이 장터에 신청했습니다.", field="season",
        )
    application = Application(
        market_id=market.id, vendor_id=vendor.id, season=clean.season,
        whole_season=clean.whole_season, market_day_ids=clean.market_day_ids,
        categories=clean.categories, needs_power=clean.needs_power,
        tables_needed=clean.tables_needed, needs_tent=clean.needs_tent,
        min_booth_size=clean.min_booth_size, preferred_zones=clean.preferred_zones,
        preferred_booth_codes=clean.preferred_booth_codes, note=clean.note,
        wants_premium_booth=clean.wants_premium_booth,
        status=ApplicationStatus.SUBMITTED, submitted_by_user_id=actor.id,
    )
    session.add(application)
    try:
        await session.flush()
    except IntegrityError as exc:  # the same vendor applied twice at once
        await session.rollback()
        raise Conflict(
            MarketErrorCode.ALREADY_APPLIED,
            f"{clean.season} 시즌에 이미 이 장터에 신청했습니다.", field="season",
        ) from exc
    session.add(
        ApplicationStatusChange(
            application_id=application.id, from_status=None,
            to_status=ApplicationStatus.SUBMITTED, actor_user_id=actor.id, reason="참가 신청",
        )
    )
    for doc in checked:
        session.add(
            ApplicationDocument(
                application_id=application.id, filename=doc.filename,
                content_type=doc.content_type, size_bytes=doc.size, sha256=doc.sha256,
                storage_path=vendor_documents.storage_path_for(vendor.id, doc),
            )
        )
    record(
        session,
        _event(
            ApplicationSubmitted, application, actor.id, "참가 신청",
            whole_season=application.whole_season,
            market_day_ids=list(application.market_day_ids),
            categories=list(application.categories),
        ),
    )
    if kit_id is not None:
        try:
            await lending.reserve_kit_for_application(
                session, vendor, kit_days, kit_id, actor=actor,
                application_id=application.id, now=moment,
            )
        except DomainError as exc:
            await session.rollback()
            raise _as_kit_error(exc) from exc
    stored = (
        await vendor_documents.write_files(settings, vendor.id, checked)
        if checked and settings else []
    )
    try:
        await session.commit()
    except BaseException:
        await session.rollback()
        await vendor_documents.discard(stored)
        raise
    return application


# ---------------------------------------------------------------- criteria and jury


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


async def criteria_of(session: AsyncSession, market_id: int) -> list[MarketCriterion]:
    rows = await session.scalars(
        select(MarketCriterion)
        .where(MarketCriterion.market_id == market_id)
        .order_by(MarketCriterion.position, MarketCriterion.id)
    )
    return list(rows.all())


async def add_criterion(
    session: AsyncSession, market_id: int, actor: User | None, data: CriterionInput
) -> MarketCriterion:
    """Publish a review criterion; applicants see it before they apply."""
    await require_market_organizer(session, actor, market_id)
    name, weight, description = _clean_criterion(data)
    market = await get_market(session, market_id)
    existing = await criteria_of(session, market.id)
    if any(c.name == name for c in existing):
        raise Conflict(
            MarketErrorCode.CRITERION_TAKEN, "같은 이름의 기준이 있습니다.", field="name"
        )
    criterion = MarketCriterion(
        market_id=market.id, name=name, weight=weight, description=description,
        position=len(existing),
    )
    session.add(criterion)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(
            MarketErrorCode.CRITERION_TAKEN, "같은 이름의 기준이 있습니다.", field="name"
        ) from exc
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
    await session.delete(criterion)
    await session.commit()


SCORABLE = {ApplicationStatus.SUBMITTED, ApplicationStatus.WAITLISTED}


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
    own = await session.scalar(
        select(func.count(VendorMember.id)).where(
            VendorMember.vendor_id == application.vendor_id, VendorMember.user_id == organizer.id
        )
    )
    if own:
        raise Forbidden(
            MarketErrorCode.OWN_APPLICATION, "자기 기업의 신청은 심사할 수 없습니다.",
            field="application_id",
        )
    criteria = {c.id: c for c in await criteria_of(session, application.market_id)}
    problems = Problems()
    if not scores:
        problems.add(MarketErrorCode.REQUIRED, "scores", "점수를 하나 이상 입력하세요.")
    clean: dict[int, tuple[int, str]] = {}
    for criterion_id, (raw, comment) in scores.items():
        field = f"scores.{criterion_id}"
        if criterion_id not in criteria:
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
        _event(
            JuryScored, application, organizer.id, "",
            juror_user_id=organizer.id, criterion_ids=sorted(clean),
        ),
    )
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(
            MarketErrorCode.CONCURRENT_CHANGE, "같은 점수가 방금 저장되었습니다. 다시 시도하세요.",
            field="scores",
        ) from exc
    return saved


async def jury_totals(
    session: AsyncSession, market_id: int, application_ids: Sequence[int]
) -> dict[int, float | None]:
    """Weighted jury total (0-10) of each application; ``None`` when not scored yet."""
    if not application_ids:
        return {}
    criteria = [(c.id, c.name, c.weight) for c in await criteria_of(session, market_id)]
    rows = (
        await session.execute(
            select(JuryScore.application_id, JuryScore.criterion_id, JuryScore.score).where(
                JuryScore.application_id.in_(list(application_ids))
            )
        )
    ).all()
    by_app: dict[int, list[tuple[int, int, str]]] = {}
    for app_id, criterion_id, value in rows:
        by_app.setdefault(int(app_id), []).append((int(criterion_id), int(value), ""))
    return {
        app_id: jury_total(criterion_results(criteria, by_app.get(app_id, [])))
        for app_id in application_ids
    }


# ---------------------------------------------------------------- places and offers


async def _future_day_ids(
    session: AsyncSession, market_id: int, season: int, now: dt.datetime
) -> list[int]:
    return [
        d.id for d in await season_days(session, market_id, season)
        if d.status is MarketDayStatus.SCHEDULED and d.closes_at > now
    ]


async def _has_place(
    session: AsyncSession, market: Market, application: Application, now: dt.datetime,
    *, ignore_offers: bool = False,
) -> bool:
    held = await held_places(session, market.id, application.season)
    if ignore_offers:
        held = await accepted_places(session, market.id, application.season)
    day_ids = await _future_day_ids(session, market.id, application.season, now)
    return fits(market.capacity, day_ids, held, booking_of(application))


async def _offer_next(
    session: AsyncSession,
    market: Market,
    season: int,
    freed_by_id: int | None,
    now: dt.datetime,
    *,
    freed_day: MarketDay | None = None,
    freed_booth_id: int | None = None,
) -> WaitlistOffer | None:
    """Offer a freed place to the first waitlisted application, in waitlist order, that
    fits and has not already been offered this same place (declined, expired or void).

    ``freed_day``: the place is that one day only (a no-show gave it up). Only applications
    asking for that day are offered it, the offer lapses when the day closes at the latest,
    and whoever takes it gets ``freed_booth_id`` that day.
    """
    if market.capacity is None:
        return None
    if freed_day is not None and (
        freed_day.status is not MarketDayStatus.SCHEDULED or freed_day.closes_at <= now
    ):
        return None
    await session.flush()
    waitlisted = list(
        (
            await session.scalars(
                select(Application).where(
                    Application.market_id == market.id,
                    Application.season == season,
                    Application.status == ApplicationStatus.WAITLISTED,
                )
            )
        ).all()
    )
    if freed_day is not None:
        waitlisted = [a for a in waitlisted if a.covers(freed_day.id, freed_day.day.year)]
    if not waitlisted:
        return None
    same_place = (WaitlistOffer.freed_by_application_id == freed_by_id) & (
        WaitlistOffer.freed_market_day_id == freed_day.id if freed_day is not None
        else WaitlistOffer.freed_market_day_id.is_(None)
    )
    offered_before = set(
        (
            await session.scalars(
                select(WaitlistOffer.application_id).where(
                    WaitlistOffer.application_id.in_([a.id for a in waitlisted]),
                    (WaitlistOffer.status == OfferStatus.OPEN) | same_place,
                )
            )
        ).all()
    )
    candidates = {a.id: a for a in waitlisted if a.id not in offered_before}
    totals = await jury_totals(session, market.id, list(candidates))
    entries = [
        WaitlistEntry(a.id, a.priority_tier, a.strikes, totals.get(a.id), a.created_at)
        for a in candidates.values()
    ]
    held = await held_places(session, market.id, season)
    day_ids = await _future_day_ids(session, market.id, season, now)
    for entry in waitlist_order(entries):
        application = candidates[entry.application_id]
        if not fits(market.capacity, day_ids, held, booking_of(application)):
            continue
        expires = now + dt.timedelta(hours=OFFER_HOURS)
        if freed_day is not None:
            expires = min(expires, freed_day.closes_at)
        offer = WaitlistOffer(
            application_id=application.id, freed_by_application_id=freed_by_id,
            status=OfferStatus.OPEN, expires_at=expires,
            freed_market_day_id=freed_day.id if freed_day is not None else None,
            freed_booth_id=freed_booth_id if freed_day is not None else None,
        )
        session.add(offer)
        await session.flush()
        record(
            session,
            WaitlistOffered(
                id=offer.id, application_id=application.id, market_id=market.id,
                vendor_id=application.vendor_id, expires_at=offer.expires_at.isoformat(),
                freed_by_application_id=freed_by_id,
                freed_market_day_id=offer.freed_market_day_id,
                freed_booth_id=offer.freed_booth_id,
            ),
        )
        return offer
    return None


async def _pass_on(
    session: AsyncSession, market: Market, season: int, offer: WaitlistOffer, now: dt.datetime
) -> WaitlistOffer | None:
    """The place an offer held (declined, expired, voided) goes to the next in line."""
    day = None
    if offer.freed_market_day_id is not None:
        day = await session.get(MarketDay, offer.freed_market_day_id)
        if day is None:
            return None
    return await _offer_next(
        session, market, season, offer.freed_by_application_id, now,
        freed_day=day, freed_booth_id=offer.freed_booth_id,
    )


async def _take_freed_booth(
    session: AsyncSession, offer: WaitlistOffer, application: Application, actor_id: int | None
) -> None:
    """Whoever takes a place a no-show freed sells in its booth that day, if it still fits."""
    if offer.freed_market_day_id is None or offer.freed_booth_id is None:
        return
    await placements.place_in_booth(
        session, offer.freed_market_day_id, offer.freed_booth_id,
        vendor_id=application.vendor_id, application_id=application.id,
        needs_power=application.needs_power, min_booth_size=application.min_booth_size,
        actor_user_id=actor_id, reason="대기 순번 제안 수락: 무단 불참으로 빈 부스",
    )


# ---------------------------------------------------------------- no-shows


async def release_no_show_place(
    session: AsyncSession,
    market: Market,
    application: Application,
    day: MarketDay,
    actor: User,
    now: dt.datetime,
) -> tuple[Booth | None, WaitlistOffer | None]:
    """무단 불참: the vendor gives up its place on ``day`` only. The booth it held that day is
    freed and the place offered down the waitlist, as a withdrawal does for a whole booking.

    For ``markets.days.services.record_check_in``: joins its transaction (no commit); the
    caller has locked the market (:func:`lock_market`) and written the ``no_show`` check-in,
    which is what makes the day count as free (``queries.released_days``).
    """
    booth = await placements.free_booth_of_no_show(
        session, day.id, application.vendor_id, application.id, actor.id
    )
    offer = await _offer_next(
        session, market, application.season, application.id, now,
        freed_day=day, freed_booth_id=booth.id if booth is not None else None,
    )
    record(
        session,
        _event(
            NoShowPlaceReleased, application, actor.id, "무단 불참",
            market_day_id=day.id, booth_code=booth.code if booth is not None else None,
            offer_id=offer.id if offer is not None else None,
        ),
    )
    return booth, offer


async def restore_no_show_place(
    session: AsyncSession,
    application: Application,
    day: MarketDay,
    actor: User,
    now: dt.datetime,
) -> Booth | None:
    """A no-show corrected (the vendor was there after all): open offers of its freed place
    are voided and its booth given back if still empty. A place someone already accepted
    stays taken (the day is then one over capacity, for the organizer to settle)."""
    for offer in (
        await session.scalars(
            select(WaitlistOffer).where(
                WaitlistOffer.freed_by_application_id == application.id,
                WaitlistOffer.freed_market_day_id == day.id,
                WaitlistOffer.status == OfferStatus.OPEN,
            )
        )
    ).all():
        offer.status, offer.answered_at, offer.answered_by_user_id = OfferStatus.VOID, now, actor.id
    freed = await placements.booth_freed_by_no_show(session, day.id, application.vendor_id)
    booth = None
    if freed is not None:
        booth = await placements.place_in_booth(
            session, day.id, freed.id, vendor_id=application.vendor_id,
            application_id=application.id, needs_power=application.needs_power,
            min_booth_size=application.min_booth_size, actor_user_id=actor.id,
            reason="무단 불참 기록 정정",
        )
    record(
        session,
        _event(
            NoShowPlaceRestored, application, actor.id, "무단 불참 기록 정정",
            market_day_id=day.id, booth_code=booth.code if booth is not None else None,
        ),
    )
    return booth


async def _assess_fees(
    session: AsyncSession, application: Application, actor_id: int | None, now: dt.datetime
) -> None:
    for day in await days_covered(session, application, include_cancelled=False):
        if day.status is MarketDayStatus.SCHEDULED and day.opens_at > now:
            await fees.assess(session, day, [application], actor_id, "참가 선정")


async def _release_fees(
    session: AsyncSession, application: Application, actor_id: int | None, reason: str,
    now: dt.datetime,
) -> None:
    """Days still to come owe nothing after a withdrawal: due → waived, paid → refund due."""
    future = {
        d.id for d in await days_covered(session, application)
        if d.status is MarketDayStatus.SCHEDULED and d.opens_at > now
    }
    for day_id in sorted(future):
        owned = [f for f in await fees.fees_of_day(session, day_id)
                 if f.vendor_id == application.vendor_id]
        fees.settle_cancelled(session, owned, actor_id, reason)


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
    moment = now or utcnow()
    market_id, _ = await _keys(session, application_id)
    await require_market_organizer(session, organizer, market_id)
    market = await lock_market(session, market_id)
    application = await get_application(session, application_id)
    APPLICATION_TRANSITIONS.check(application.status, decision.target)
    offer = await _open_offer(session, application.id)
    via_offer: int | None = None
    if decision.target is ApplicationStatus.ACCEPTED:
        if offer is not None:  # the place is already held for this application
            offer.status, offer.answered_at = OfferStatus.ACCEPTED, moment
            offer.answered_by_user_id = organizer.id
            via_offer = offer.id
        elif not await _has_place(session, market, application, moment):
            held_by_offer = await _has_place(session, market, application, moment,
                                             ignore_offers=True)
            raise Conflict(
                MarketErrorCode.PLACE_HELD_BY_OFFER if held_by_offer
                else MarketErrorCode.MARKET_FULL,
                "남은 자리는 대기 순번 제안에 묶여 있습니다. 응답을 기다려 주세요."
                if held_by_offer else
                f"자리가 없습니다 (장날당 {market.capacity}자리). "
                "대기로 두거나 자리가 난 뒤 선정하세요.",
                field="status",
            )
    elif offer is not None:
        offer.status, offer.answered_at = OfferStatus.VOID, moment
        offer.answered_by_user_id = organizer.id
    _change_status(session, application, decision.target, organizer.id, why or decision.label)
    if decision.target is ApplicationStatus.ACCEPTED:
        await _assess_fees(session, application, organizer.id, moment)
        if offer is not None:
            await _take_freed_booth(session, offer, application, organizer.id)
        record(
            session,
            _event(
                ApplicationAccepted, application, organizer.id, why,
                via_offer_id=via_offer,
            ),
        )
    else:
        record(session, _event(decision.event, application, organizer.id, why))
    if decision.target is ApplicationStatus.REJECTED:
        await lending.cancel_loans_of_application(
            session, application.id, organizer, f"참가 신청 미선정: {why}"
        )
    if offer is not None and decision.target is not ApplicationStatus.ACCEPTED:
        await _pass_on(session, market, application.season, offer, moment)
    await session.commit()
    return application


async def withdraw(
    session: AsyncSession,
    application_id: int,
    actor: User | None,
    reason: str | None = "",
    *,
    now: dt.datetime | None = None,
) -> Application:
    """참가 철회 by the vendor. An accepted place is freed: fees for days to come are waived
    or owed back, and the place is offered down the waitlist."""
    market_id, vendor_id = await _keys(session, application_id)
    await vendor_for_member(session, actor, vendor_id)
    assert actor is not None
    moment = now or utcnow()
    why = clean_reason(reason) or "신청 철회"
    market = await lock_market(session, market_id)
    application = await get_application(session, application_id)
    APPLICATION_TRANSITIONS.check(application.status, ApplicationStatus.WITHDRAWN)
    was_accepted = application.status is ApplicationStatus.ACCEPTED
    offer = await _open_offer(session, application.id)
    if offer is not None:
        offer.status, offer.answered_at = OfferStatus.VOID, moment
        offer.answered_by_user_id = actor.id
    _change_status(session, application, ApplicationStatus.WITHDRAWN, actor.id, why)
    if was_accepted:
        await _release_fees(session, application, actor.id, f"참가 철회: {why}", moment)
    await lending.cancel_loans_of_application(session, application.id, actor,
                                              f"부스 신청 철회: {why}")
    record(
        session,
        _event(
            ApplicationWithdrawn, application, actor.id, why,
            freed_place=was_accepted,
        ),
    )
    if was_accepted:
        await _offer_next(session, market, application.season, application.id, moment)
    elif offer is not None:
        await _pass_on(session, market, application.season, offer, moment)
    await session.commit()
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
    application.priority_tier = value
    record(
        session,
        _event(
            ApplicationPriorityChanged, application, organizer.id, why,
            priority_tier=value,
        ),
    )
    await session.commit()
    return application


async def _offer_with_keys(session: AsyncSession, offer_id: int) -> tuple[int, int, int]:
    row = (
        await session.execute(
            select(WaitlistOffer.application_id, Application.market_id, Application.vendor_id)
            .join(Application, Application.id == WaitlistOffer.application_id)
            .where(WaitlistOffer.id == offer_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound(
            MarketErrorCode.OFFER_NOT_FOUND, "대기 순번 제안을 찾을 수 없습니다.", field="offer_id"
        )
    return int(row[0]), int(row[1]), int(row[2])


async def _expire(
    session: AsyncSession, market: Market, offer: WaitlistOffer, application: Application,
    now: dt.datetime,
) -> None:
    offer.status, offer.answered_at = OfferStatus.EXPIRED, now
    record(
        session,
        WaitlistOfferExpired(
            id=offer.id, application_id=application.id, market_id=market.id,
            vendor_id=application.vendor_id,
        ),
    )
    await _pass_on(session, market, application.season, offer, now)


async def answer_offer(
    session: AsyncSession,
    offer_id: int,
    actor: User | None,
    accept: bool,
    *,
    now: dt.datetime | None = None,
) -> WaitlistOffer:
    """The waitlisted vendor takes the offered place (→ accepted) or passes it on."""
    application_id, market_id, vendor_id = await _offer_with_keys(session, offer_id)
    await vendor_for_member(session, actor, vendor_id)
    assert actor is not None
    moment = now or utcnow()
    market = await lock_market(session, market_id)
    offer = await session.scalar(
        select(WaitlistOffer)
        .where(WaitlistOffer.id == offer_id)
        .execution_options(populate_existing=True)
    )
    assert offer is not None
    application = await get_application(session, application_id)
    if offer.status is not OfferStatus.OPEN:
        raise Conflict(
            MarketErrorCode.OFFER_NOT_OPEN,
            f"이미 '{offer.status.label}' 처리된 제안입니다.", field="offer_id",
        )
    if offer.expires_at <= moment:
        await _expire(session, market, offer, application, moment)
        await session.commit()
        raise Conflict(
            MarketErrorCode.OFFER_EXPIRED, "응답 기한이 지난 제안입니다.", field="offer_id"
        )
    offer.answered_at, offer.answered_by_user_id = moment, actor.id
    if accept:
        APPLICATION_TRANSITIONS.check(application.status, ApplicationStatus.ACCEPTED)
        offer.status = OfferStatus.ACCEPTED
        _change_status(session, application, ApplicationStatus.ACCEPTED, actor.id,
                       "대기 순번 제안 수락")
        await _assess_fees(session, application, actor.id, moment)
        await _take_freed_booth(session, offer, application, actor.id)
        record(session, WaitlistOfferAccepted(
            id=offer.id, application_id=application.id, market_id=market.id,
            vendor_id=application.vendor_id, actor_user_id=actor.id,
        ))
        record(
            session,
            _event(
                ApplicationAccepted, application, actor.id, "대기 순번 제안 수락",
                via_offer_id=offer.id,
            ),
        )
    else:
        offer.status = OfferStatus.DECLINED
        record(session, WaitlistOfferDeclined(
            id=offer.id, application_id=application.id, market_id=market.id,
            vendor_id=application.vendor_id, actor_user_id=actor.id,
        ))
        await _pass_on(session, market, application.season, offer, moment)
    await session.commit()
    return offer


async def expire_offers(session: AsyncSession, now: dt.datetime | None = None) -> int:
    """Periodic: unanswered offers past their deadline expire and pass to the next in line."""
    moment = now or utcnow()
    due = (
        await session.execute(
            select(WaitlistOffer.id, Application.market_id)
            .join(Application, Application.id == WaitlistOffer.application_id)
            .where(WaitlistOffer.status == OfferStatus.OPEN, WaitlistOffer.expires_at <= moment)
            .order_by(WaitlistOffer.expires_at)
        )
    ).all()
    expired = 0
    for offer_id, market_id in due:
        market = await lock_market(session, int(market_id))
        offer = await session.scalar(
            select(WaitlistOffer)
            .where(WaitlistOffer.id == offer_id)
            .execution_options(populate_existing=True)
        )
        if offer is None or offer.status is not OfferStatus.OPEN:
            await session.rollback()
            continue
        application = await get_application(session, offer.application_id)
        await _expire(session, market, offer, application, moment)
        await session.commit()
        expired += 1
    return expired


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Detail:
    application: Application
    results: list[CriterionResult]
    total: float | None
    applicants: int
    open_offer: WaitlistOffer | None


async def visible_application(
    session: AsyncSession, user: User | None, application_id: int
) -> Application:
    """The market's organizers see its applications; a vendor's members see the vendor's own."""
    application = await get_application(session, application_id)
    if await manages(session, user, application.market_id):
        return application
    if (
        user is not None and user.has_role(Role.ORGANIZER)
        and await member_role(session, user, application.vendor_id) is None
    ):
        raise not_market_organizer()  # an organizer, but of other markets
    await vendor_for_member(session, user, application.vendor_id)
    return application


async def detail(session: AsyncSession, application: Application) -> Detail:
    """What the applicant is shown: mean score per published criterion (jurors anonymous),
    the weighted total, and how many vendors applied for the same market and season."""
    criteria = [(c.id, c.name, c.weight) for c in await criteria_of(session, application.market_id)]
    rows = (
        await session.execute(
            select(JuryScore.criterion_id, JuryScore.score, JuryScore.comment).where(
                JuryScore.application_id == application.id
            )
        )
    ).all()
    results = criterion_results(criteria, [(int(c), int(s), str(m)) for c, s, m in rows])
    return Detail(
        application=application,
        results=results,
        total=jury_total(results),
        applicants=await applicant_count(session, application.market_id, application.season),
        open_offer=await _open_offer(session, application.id),
    )


async def market_applications(
    session: AsyncSession,
    market_id: int,
    *,
    season: int | None = None,
    status: ApplicationStatus | None = None,
) -> list[tuple[Application, Vendor, float | None]]:
    """The organizer's list: each application with its vendor and jury total, best first."""
    stmt = (
        select(Application, Vendor)
        .join(Vendor, Vendor.id == Application.vendor_id)
        .where(Application.market_id == market_id)
    )
    if season is not None:
        stmt = stmt.where(Application.season == season)
    if status is not None:
        stmt = stmt.where(Application.status == status)
    pairs = [(a, v) for a, v in (await session.execute(stmt)).tuples().all()]
    totals = await jury_totals(session, market_id, [a.id for a, _ in pairs])
    ranked = sorted(
        pairs,
        key=lambda p: (
            p[0].season, -(totals.get(p[0].id) or -1.0), p[0].created_at, p[0].id
        ),
    )
    return [(a, v, totals.get(a.id)) for a, v in ranked]


async def history(session: AsyncSession, application_id: int) -> list[ApplicationStatusChange]:
    rows = await session.scalars(
        select(ApplicationStatusChange)
        .where(ApplicationStatusChange.application_id == application_id)
        .order_by(ApplicationStatusChange.id)
    )
    return list(rows.all())


async def offers_for(session: AsyncSession, vendor_ids: Sequence[int]) -> list[WaitlistOffer]:
    if not vendor_ids:
        return []
    rows = await session.scalars(
        select(WaitlistOffer)
        .join(Application, Application.id == WaitlistOffer.application_id)
        .where(Application.vendor_id.in_(list(vendor_ids)))
        .order_by(WaitlistOffer.id.desc())
    )
    return list(rows.all())


async def waitlist(
    session: AsyncSession, market_id: int, season: int
) -> list[tuple[Application, float | None]]:
    """The waitlist in offer order (priority tier less strikes, jury total, submission)."""
    waiting = (
        await session.scalars(
            select(Application).where(
                Application.market_id == market_id, Application.season == season,
                Application.status == ApplicationStatus.WAITLISTED,
            )
        )
    ).all()
    totals = await jury_totals(session, market_id, [a.id for a in waiting])
    by_id = {a.id: a for a in waiting}
    order = waitlist_order(
        WaitlistEntry(a.id, a.priority_tier, a.strikes, totals.get(a.id), a.created_at)
        for a in waiting
    )
    return [(by_id[e.application_id], e.jury_total) for e in order]
