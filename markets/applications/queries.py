"""The read side of applications: who is booked where, what the jury said, who waits.

Market days, fees, check-in, calendars and sales all ask the same question, "which vendors
hold a place on this day?", so it is answered once, here. The organizer's lists, the
applicant's view of its scores and the waitlist order are read here too; nothing in this
module writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.errors import NotFound
from markets.access import manages, not_market_organizer
from markets.applications.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    JuryScore,
    MarketCriterion,
    OfferStatus,
    WaitlistOffer,
)
from markets.applications.rules import (
    Booking,
    CriterionResult,
    WaitlistEntry,
    criterion_results,
    jury_total,
    waitlist_order,
)
from markets.days.errors import MarketErrorCode
from markets.days.models import CheckIn, CheckInStatus, MarketDay, MarketDayStatus
from shop.vendors.access import member_role, vendor_for_member
from shop.vendors.models import Vendor


def application_not_found() -> NotFound:
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
        raise application_not_found()
    return application


async def application_keys(session: AsyncSession, application_id: int) -> tuple[int, int]:
    """``(market_id, vendor_id)`` of an application, read before any lock is taken."""
    row = (
        await session.execute(
            select(Application.market_id, Application.vendor_id).where(
                Application.id == application_id
            )
        )
    ).one_or_none()
    if row is None:
        raise application_not_found()
    return int(row[0]), int(row[1])


async def open_offer(session: AsyncSession, application_id: int) -> WaitlistOffer | None:
    """The waitlist offer currently held for the application, if any."""
    return await session.scalar(
        select(WaitlistOffer)
        .where(
            WaitlistOffer.application_id == application_id,
            WaitlistOffer.status == OfferStatus.OPEN,
        )
        .execution_options(populate_existing=True)
    )


def booking_of(application: Application, released: frozenset[int] = frozenset()) -> Booking:
    return Booking(
        application.whole_season, frozenset(application.market_day_ids or ()), released
    )


async def released_days(
    session: AsyncSession, application_ids: Sequence[int]
) -> dict[int, frozenset[int]]:
    """Per application, the days it gave up by not showing up (a ``no_show`` check-in): its
    place on such a day is free for someone else (``no_shows.release_no_show_place``).

    A no-show corrected after the freed place was accepted by a waitlisted vendor stays
    given up for that day (the correction takes back the strike only): so a day never has
    one booking more than places (``no_shows.restore_no_show_place``)."""
    if not application_ids:
        return {}
    rows = (
        await session.execute(
            select(CheckIn.application_id, CheckIn.market_day_id).where(
                CheckIn.application_id.in_(list(application_ids)),
                CheckIn.status == CheckInStatus.NO_SHOW,
            )
        )
    ).all()
    taken = (
        await session.execute(
            select(WaitlistOffer.freed_by_application_id, WaitlistOffer.freed_market_day_id)
            .where(
                WaitlistOffer.freed_by_application_id.in_(list(application_ids)),
                WaitlistOffer.freed_market_day_id.is_not(None),
                WaitlistOffer.status == OfferStatus.ACCEPTED,
            )
        )
    ).all()
    found: dict[int, set[int]] = {}
    for application_id, day_id in [*rows, *taken]:
        if application_id is not None and day_id is not None:
            found.setdefault(int(application_id), set()).add(int(day_id))
    return {k: frozenset(v) for k, v in found.items()}


async def accepted_places(session: AsyncSession, market_id: int, season: int) -> list[Booking]:
    """The places accepted applications hold in a season, less the days given up."""
    accepted = await accepted_applications(session, market_id, season)
    released = await released_days(session, [a.id for a in accepted])
    return [booking_of(a, released.get(a.id, frozenset())) for a in accepted]


async def accepted_applications(
    session: AsyncSession, market_id: int, season: int
) -> list[Application]:
    rows = await session.scalars(
        select(Application)
        .where(
            Application.market_id == market_id,
            Application.season == season,
            Application.status == ApplicationStatus.ACCEPTED,
        )
        .order_by(Application.id)
    )
    return list(rows.all())


async def booked_applications(session: AsyncSession, day: MarketDay) -> list[Application]:
    """The accepted applications that hold a place on ``day``."""
    candidates = await accepted_applications(session, day.market_id, day.day.year)
    return [a for a in candidates if a.covers(day.id, day.day.year)]


async def booking_for(
    session: AsyncSession, day: MarketDay, vendor_id: int
) -> Application | None:
    """The vendor's accepted application covering ``day``, if it is booked on it."""
    return next(
        (a for a in await booked_applications(session, day) if a.vendor_id == vendor_id), None
    )


async def season_days(
    session: AsyncSession, market_id: int, season: int, *, include_cancelled: bool = False
) -> list[MarketDay]:
    stmt = select(MarketDay).where(
        MarketDay.market_id == market_id,
        MarketDay.day >= dt.date(season, 1, 1),
        MarketDay.day <= dt.date(season, 12, 31),
    )
    if not include_cancelled:
        stmt = stmt.where(MarketDay.status != MarketDayStatus.CANCELLED)
    return list((await session.scalars(stmt.order_by(MarketDay.day))).all())


async def days_covered(
    session: AsyncSession, application: Application, *, include_cancelled: bool = True
) -> list[MarketDay]:
    days = await season_days(
        session, application.market_id, application.season, include_cancelled=include_cancelled
    )
    return [d for d in days if application.covers(d.id, d.day.year)]


async def held_places(session: AsyncSession, market_id: int, season: int) -> list[Booking]:
    """Places taken in a season: accepted applications (less the days a no-show gave up)
    plus open waitlist offers."""
    offered = await session.scalars(
        select(Application)
        .join(WaitlistOffer, WaitlistOffer.application_id == Application.id)
        .where(
            Application.market_id == market_id,
            Application.season == season,
            WaitlistOffer.status == OfferStatus.OPEN,
        )
    )
    return [
        *await accepted_places(session, market_id, season),
        *(booking_of(a) for a in offered.all()),
    ]


async def applicant_count(session: AsyncSession, market_id: int, season: int) -> int:
    """How many vendors applied for the season (withdrawn applications not counted)."""
    return int(
        await session.scalar(
            select(func.count(Application.id)).where(
                Application.market_id == market_id,
                Application.season == season,
                Application.status != ApplicationStatus.WITHDRAWN,
            )
        )
        or 0
    )


async def vendor_applications(
    session: AsyncSession, vendor_ids: Sequence[int]
) -> list[Application]:
    if not vendor_ids:
        return []
    rows = await session.scalars(
        select(Application)
        .where(Application.vendor_id.in_(list(vendor_ids)))
        .order_by(Application.season.desc(), Application.id.desc())
    )
    return list(rows.all())


# ---------------------------------------------------------------- criteria and jury totals


async def criteria_of(session: AsyncSession, market_id: int) -> list[MarketCriterion]:
    rows = await session.scalars(
        select(MarketCriterion)
        .where(MarketCriterion.market_id == market_id)
        .order_by(MarketCriterion.position, MarketCriterion.id)
    )
    return list(rows.all())


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


# ---------------------------------------------------------------- lists and details


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
        open_offer=await open_offer(session, application.id),
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


async def history_with_actors(
    session: AsyncSession, application_id: int
) -> list[tuple[ApplicationStatusChange, str | None]]:
    """The history as people read it: each change with who made it (their name, not an id;
    ``None`` for the system)."""
    rows = await session.execute(
        select(ApplicationStatusChange, User.display_name)
        .outerjoin(User, User.id == ApplicationStatusChange.actor_user_id)
        .where(ApplicationStatusChange.application_id == application_id)
        .order_by(ApplicationStatusChange.id)
    )
    return [(change, name) for change, name in rows.all()]


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
