"""출석 확인: the organizer records, on the day, whether each booked vendor came.

A no-show counts as a strike on the vendor's application and gives up its place for that
day (``markets.applications.no_shows``); correcting the record takes both back.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import utcnow
from infra.db import transaction
from infra.errors import Conflict, Problems
from infra.outbox import record
from markets.applications import no_shows
from markets.applications.events import ApplicationStrikeChanged
from markets.applications.models import Application
from markets.applications.places import lock_market
from markets.applications.queries import booking_for
from markets.days.errors import MarketErrorCode
from markets.days.events import CheckInRecorded
from markets.days.models import CheckIn, CheckInStatus, MarketDay, MarketDayStatus
from markets.days.services import get_day, organizer_of_day
from markets.models import Market


def _status(status: CheckInStatus | str) -> CheckInStatus:
    chosen = next((s for s in CheckInStatus if s.value == str(status)), None)
    if chosen is None:
        problems = Problems()
        problems.add(MarketErrorCode.INVALID_CHOICE, "status", "출석 상태를 고르세요.")
        problems.raise_if_any()
    assert chosen is not None
    return chosen


def _refuse_outside_the_day(day: MarketDay, now: dt.datetime) -> None:
    if day.status is MarketDayStatus.CANCELLED:
        raise Conflict(MarketErrorCode.DAY_CANCELLED, "취소된 장날입니다.", field="market_day_id")
    if now < day.setup_from:
        raise Conflict(
            MarketErrorCode.DAY_NOT_STARTED,
            "출석은 장날 준비 시간부터 기록할 수 있습니다.", field="market_day_id",
        )


async def _write_check_in(
    session: AsyncSession, day: MarketDay, application: Application, organizer: User,
    chosen: CheckInStatus, note: str,
) -> tuple[CheckIn, CheckInStatus | None]:
    """The day's check-in row for the vendor, new or corrected; and its earlier status."""
    vendor_id = application.vendor_id
    check_in = await session.scalar(
        select(CheckIn)
        .where(CheckIn.market_day_id == day.id, CheckIn.vendor_id == vendor_id)
        .execution_options(populate_existing=True)
    )
    previous = check_in.status if check_in else None
    if check_in is None:
        check_in = CheckIn(
            market_day_id=day.id, vendor_id=vendor_id, application_id=application.id,
            status=chosen, note=note, recorded_by_user_id=organizer.id,
        )
        session.add(check_in)
    else:
        check_in.status, check_in.note = chosen, note
        check_in.recorded_by_user_id = organizer.id
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            MarketErrorCode.CONCURRENT_CHANGE,
            "다른 운영자가 방금 이 기업의 출석을 기록했습니다. 다시 확인해 주세요.",
            field="vendor_id",
        ) from exc
    return check_in, previous


async def _count_strike(
    session: AsyncSession, market: Market, day: MarketDay, application: Application,
    organizer: User, delta: int, now: dt.datetime,
) -> None:
    """One strike more (a no-show: its place that day freed) or one less (corrected)."""
    strikes = await session.scalar(
        update(Application)
        .where(Application.id == application.id)
        .values(strikes=Application.strikes + delta)
        .returning(Application.strikes)
    )
    record(
        session,
        ApplicationStrikeChanged(
            id=application.id, market_id=application.market_id,
            vendor_id=application.vendor_id, season=application.season,
            actor_user_id=organizer.id, strikes=int(strikes or 0), market_day_id=day.id,
            reason="무단 불참" if delta > 0 else "무단 불참 기록 정정",
        ),
    )
    if delta > 0:
        await no_shows.release_no_show_place(session, market, application, day, organizer, now)
    else:
        await no_shows.restore_no_show_place(session, application, day, organizer, now)


async def record_check_in(
    session: AsyncSession,
    day_id: int,
    vendor_id: int,
    actor: User | None,
    status: CheckInStatus | str,
    note: str | None = "",
    *,
    now: dt.datetime | None = None,
) -> CheckIn:
    """출석 확인 for one booked vendor; a no-show adds a strike to its application.

    A no-show also gives up the vendor's place on this day: the booth it held is freed and
    the place offered down the waitlist, as a withdrawal does for a whole booking
    (``markets.applications.no_shows.release_no_show_place``). That takes the market-row
    lock first (decisions.md 11), so two organizers recording the same vendor at once, or a
    no-show and a withdrawal, cannot offer one place twice.

    Re-recording corrects the earlier entry: moving off ``no_show`` takes its strike back
    and the place with it (open offers voided, booth returned if still empty), so strikes
    always equal the number of no-shows on record. Strikes change with an atomic
    ``UPDATE … SET strikes = strikes ± 1``, never read-modify-write.
    """
    organizer = await organizer_of_day(session, actor, day_id)
    chosen = _status(status)
    text = (note or "").strip()[:500]
    moment = now or utcnow()
    async with transaction(session):
        day = await get_day(session, day_id)
        market = await lock_market(session, day.market_id)
        _refuse_outside_the_day(day, moment)
        application = await booking_for(session, day, vendor_id)
        if application is None:
            raise Conflict(
                MarketErrorCode.DAY_NOT_BOOKED, "이 장날에 선정된 기업이 아닙니다.",
                field="vendor_id",
            )
        check_in, previous = await _write_check_in(
            session, day, application, organizer, chosen, text
        )
        record(
            session,
            CheckInRecorded(
                id=day.id, market_id=day.market_id, actor_user_id=organizer.id,
                vendor_id=vendor_id, application_id=application.id, status=chosen.value,
                previous_status=previous.value if previous else None,
                day=day.day.isoformat(),
                category=next(iter(application.categories or ()), ""),
            ),
        )
        delta = int(chosen is CheckInStatus.NO_SHOW) - int(previous is CheckInStatus.NO_SHOW)
        if delta:
            await _count_strike(session, market, day, application, organizer, delta, moment)
    return check_in
