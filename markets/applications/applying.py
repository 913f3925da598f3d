"""Applying to a market (참가 신청) and withdrawing (참가 철회), the vendor's two use cases.

An application is checked whole before anything is written (every wrong field reported at
once), then saved in one transaction with its audit row, its attachments' rows, its event
and, if asked, the equipment kit booked for its days. Attachments are written to disk only
after the checks and removed again if the transaction fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import transaction
from infra.errors import Conflict, DomainError, InvalidInput, Problems
from infra.outbox import record
from infra.settings import Settings
from markets.access import get_market
from markets.applications.events import ApplicationSubmitted, ApplicationWithdrawn
from markets.applications.models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationDocument,
    ApplicationStatus,
    ApplicationStatusChange,
    OfferStatus,
)
from markets.applications.places import lock_market, offer_next, pass_on, release_fees
from markets.applications.queries import application_keys, get_application, open_offer, season_days
from markets.applications.rules import ApplicationForm, CleanApplication, clean_application
from markets.applications.status import application_event, change_status
from markets.days.errors import MarketErrorCode, clean_reason
from markets.days.models import MarketDayStatus
from markets.lending import booking as lending
from markets.lending.models import EquipmentKit
from markets.models import Market
from markets.schedules import local_today
from shop.vendors import documents as vendor_documents
from shop.vendors.access import vendor_for_member
from shop.vendors.models import DocumentKind, Vendor
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
DOCUMENTS_FIELD = "documents"
KIT_FIELD = "kit_id"
#: What the checks allow when no settings are given (no attachment can then be stored).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

#: A season or day that can be applied for: ``{market day id: (season, date)}``.
OpenDays = dict[int, tuple[int, dt.date]]


def open_seasons(market: Market, now: dt.datetime | None = None) -> list[int]:
    """Vendors apply for this year's season or the next one."""
    year = local_today(market.timezone, now).year
    return [year, year + 1]


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


# ---------------------------------------------------------------- apply, step by step


async def _approved_vendor(session: AsyncSession, actor: User | None, vendor_id: int) -> Vendor:
    vendor = await vendor_for_member(session, actor, vendor_id)
    if not vendor.can_sell:
        raise Conflict(
            MarketErrorCode.VENDOR_NOT_APPROVED,
            "입점 승인된 기업만 장터에 참가 신청할 수 있습니다.", field="vendor_id",
        )
    return vendor


async def _open_days(
    session: AsyncSession, market: Market, seasons: Sequence[int], now: dt.datetime
) -> OpenDays:
    """The scheduled days of the open seasons that have not opened yet."""
    days: OpenDays = {}
    for season in seasons:
        for day in await season_days(session, market.id, season):
            if day.status is MarketDayStatus.SCHEDULED and day.opens_at > now:
                days[day.id] = (season, day.day)
    return days


async def _check_submission(
    session: AsyncSession,
    market: Market,
    form: ApplicationForm,
    files: Sequence[IncomingDocument],
    seasons: list[int],
    days: OpenDays,
    *,
    max_bytes: int,
    kit_id: int | None,
) -> tuple[CleanApplication, list[CheckedDocument]]:
    """Every field of the form, the attachments and the chosen kit; all problems at once."""
    problems = Problems()
    clean = clean_application(form, problems, open_seasons=seasons, days_by_id=days)
    checked = check_documents(files, max_bytes, problems)
    if kit_id is not None:
        kit = await session.get(EquipmentKit, kit_id)
        if kit is None or kit.market_id != market.id or not kit.is_active:
            problems.add(
                MarketErrorCode.INVALID_CHOICE, KIT_FIELD,
                "이 장터에서 빌릴 수 있는 장비 세트가 아닙니다.",
            )
    problems.raise_if_any()
    assert clean is not None
    return clean, checked


def _kit_days(clean: CleanApplication, days: OpenDays, kit_id: int | None) -> list[int]:
    """The days a kit would be borrowed: those applied for (a whole season: its days
    scheduled so far). Refused when there is none yet."""
    kit_days = (
        clean.market_day_ids if not clean.whole_season
        else sorted(d for d, (season, _) in days.items() if season == clean.season)
    )
    if kit_id is not None and not kit_days:
        raise Conflict(
            MarketErrorCode.KIT_UNAVAILABLE,
            "아직 정해진 장날이 없어 장비를 함께 예약할 수 없습니다. "
            "장날이 생기면 장비 대여 화면에서 예약해 주세요.",
            field=KIT_FIELD,
        )
    return list(kit_days)


def _already_applied(season: int) -> Conflict:
    return Conflict(
        MarketErrorCode.ALREADY_APPLIED,
        f"{season} 시즌에 이미 이 장터에 신청했습니다.", field="season",
    )


async def _refuse_second_application(
    session: AsyncSession, market: Market, vendor: Vendor, season: int
) -> None:
    taken = await session.scalar(
        select(func.count(Application.id)).where(
            Application.market_id == market.id, Application.vendor_id == vendor.id,
            Application.season == season,
        )
    )
    if taken:
        raise _already_applied(season)


async def _submit(
    session: AsyncSession,
    market: Market,
    vendor: Vendor,
    clean: CleanApplication,
    checked: Sequence[CheckedDocument],
    actor: User,
) -> Application:
    """The application row, its first audit row, its documents' rows and its event."""
    application = Application(
        market_id=market.id, vendor_id=vendor.id, season=clean.season,
        whole_season=clean.whole_season, market_day_ids=clean.market_day_ids,
        categories=clean.categories, needs_power=clean.needs_power,
        tables_needed=clean.tables_needed, needs_tent=clean.needs_tent,
        min_booth_size=clean.min_booth_size, preferred_zones=clean.preferred_zones,
        preferred_booth_codes=clean.preferred_booth_codes, note=clean.note,
        wants_premium_booth=clean.wants_premium_booth, only_wishes=clean.only_wishes,
        needs_properties=clean.needs_properties,
        booths_min=clean.booths_min, booths_max=clean.booths_max,
        status=ApplicationStatus.SUBMITTED, submitted_by_user_id=actor.id,
    )
    session.add(application)
    try:
        await session.flush()
    except IntegrityError as exc:  # the same vendor applied twice at once
        raise _already_applied(clean.season) from exc
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
        application_event(
            ApplicationSubmitted, application, actor.id, "참가 신청",
            whole_season=application.whole_season,
            market_day_ids=list(application.market_day_ids),
            categories=list(application.categories),
        ),
    )
    return application


def _as_kit_error(exc: DomainError) -> DomainError:
    """A lending refusal, re-aimed at the application's ``kit_id`` field: the applicant
    chose a kit, not units, days or pickup slots, so that is where the message belongs."""
    message = f"장비 세트를 함께 예약할 수 없습니다: {exc.message}"
    extra = {k: v for k, v in exc.extra.items() if k != "errors"}
    extra["errors"] = [{"field": KIT_FIELD, "message": message, "code": exc.code}]
    # The same class, code and status as lending's refusal; only where and what it says.
    refusal = type(exc).__new__(type(exc), message)
    refusal.__dict__.update(exc.__dict__)
    refusal.message, refusal.field, refusal.extra = message, KIT_FIELD, extra
    return refusal


async def _reserve_kit(
    session: AsyncSession, vendor: Vendor, kit_days: list[int], kit_id: int, actor: User,
    application: Application, now: dt.datetime,
) -> None:
    try:
        await lending.reserve_kit_for_application(
            session, vendor, kit_days, kit_id, actor=actor,
            application_id=application.id, now=now,
        )
    except DomainError as exc:
        raise _as_kit_error(exc) from exc


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
    (``markets.lending.booking.reserve_kit_for_application``). If the kit cannot be lent on
    every one of those days, nothing is saved, the application included: a 409 naming the
    field ``kit_id`` (``not_enough_units``, ``pickup_slot_full``) says why.
    """
    vendor = await _approved_vendor(session, actor, vendor_id)
    assert actor is not None
    market = await get_market(session, market_id)
    moment = now or utcnow()
    seasons = open_seasons(market, moment)
    days = await _open_days(session, market, seasons, moment)
    clean, checked = await _check_submission(
        session, market, form, files, seasons, days,
        max_bytes=settings.max_upload_bytes if settings else DEFAULT_MAX_BYTES, kit_id=kit_id,
    )
    kit_days = _kit_days(clean, days, kit_id)
    if checked and settings is None:
        raise InvalidInput(MarketErrorCode.DOCUMENT_NOT_FOUND, "서류를 저장할 수 없습니다.",
                           field=DOCUMENTS_FIELD)
    await _refuse_second_application(session, market, vendor, clean.season)
    stored: list[vendor_documents.StoredFile] = []
    try:
        async with transaction(session):
            application = await _submit(session, market, vendor, clean, checked, actor)
            if kit_id is not None:
                await _reserve_kit(session, vendor, kit_days, kit_id, actor, application, moment)
            if checked and settings:
                stored = await vendor_documents.write_files(settings, vendor.id, checked)
    except BaseException:
        await vendor_documents.discard(stored)
        raise
    return application


# ---------------------------------------------------------------- withdraw


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
    market_id, vendor_id = await application_keys(session, application_id)
    await vendor_for_member(session, actor, vendor_id)
    assert actor is not None
    moment = now or utcnow()
    why = clean_reason(reason) or "신청 철회"
    async with transaction(session):
        market = await lock_market(session, market_id)
        application = await get_application(session, application_id)
        APPLICATION_TRANSITIONS.check(application.status, ApplicationStatus.WITHDRAWN)
        was_accepted = application.status is ApplicationStatus.ACCEPTED
        offer = await open_offer(session, application.id)
        if offer is not None:
            offer.status, offer.answered_at = OfferStatus.VOID, moment
            offer.answered_by_user_id = actor.id
        change_status(session, application, ApplicationStatus.WITHDRAWN, actor.id, why)
        if was_accepted:
            await release_fees(session, application, actor.id, f"참가 철회: {why}", moment)
        await lending.cancel_loans_of_application(session, application.id, actor,
                                                  f"부스 신청 철회: {why}")
        record(
            session,
            application_event(
                ApplicationWithdrawn, application, actor.id, why,
                freed_place=was_accepted,
            ),
        )
        if was_accepted:
            await offer_next(session, market, application.season, application.id, moment)
        elif offer is not None:
            await pass_on(session, market, application.season, offer, moment)
    return application
