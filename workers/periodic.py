"""Periodic jobs, scheduled by periodiq on the same broker as every other actor.

Each job is an actor with a ``periodic`` cron option; :data:`JOBS` lists them all, and the
composition root (``infra.bootstrap.bootstrap(actors=True)``) hands that list to the
scheduler. As in ``workers.actors``, the broker is configured before the decorators run
because dramatiq binds an actor to the global broker at declaration.
"""

from __future__ import annotations

import datetime as dt

import dramatiq
import structlog
from periodiq import cron

from workers.setup import configure

configure()

from infra import outbox  # noqa: E402
from infra.clock import utcnow  # noqa: E402
from infra.mail import purge_sent as purge_sent_mails_older_than  # noqa: E402
from markets.applications import offers as waitlist_offers  # noqa: E402
from markets.days import generation  # noqa: E402
from markets.lending import sweeper as lending  # noqa: E402
from shop.analytics import exports as analytics_exports  # noqa: E402
from shop.analytics import health as analytics_health  # noqa: E402
from shop.catalog import indexing  # noqa: E402
from shop.checkout import stock  # noqa: E402
from shop.settlement import services as settlement  # noqa: E402
from workers import resources  # noqa: E402
from workers.setup import installed_settings  # noqa: E402

log = structlog.get_logger("jangteo.periodic")

#: How long relayed events (and their processed-event marks) are kept for inspection.
OUTBOX_RETENTION = dt.timedelta(days=14)
#: How long the log of sent mails is kept (far longer than any event can be redelivered).
SENT_MAIL_RETENTION = dt.timedelta(days=180)


@dramatiq.actor(queue_name="maintenance", periodic=cron("15 4 * * *"), max_retries=3)
async def purge_relayed_events() -> None:
    """Daily at 04:15: drop relayed outbox rows past retention so the table stays small."""
    async with resources.session_factory()() as session:
        purged = await outbox.purge_published(session, OUTBOX_RETENTION)
    log.info("outbox_purged", purged=purged)


@dramatiq.actor(queue_name="maintenance", periodic=cron("25 4 * * *"), max_retries=3)
async def purge_sent_mails() -> None:
    """Daily at 04:25: drop the send-once records of mails sent over 180 days ago."""
    async with resources.session_factory()() as session:
        purged = await purge_sent_mails_older_than(session, SENT_MAIL_RETENTION)
    log.info("sent_mails_purged", purged=purged)


@dramatiq.actor(queue_name="maintenance", periodic=cron("30 3 * * *"), max_retries=3)
async def rebuild_search_index() -> None:
    """Nightly at 03:30: rebuild the index from the database, a safety net under the events."""
    async with resources.session_factory()() as session:
        stats = await indexing.rebuild_index(session, resources.search_engine())
    log.info("search_rebuilt", **stats)


@dramatiq.actor(queue_name="maintenance", periodic=cron("* * * * *"), max_retries=0)
async def expire_stock_reservations() -> None:
    """Every minute: mark reservations past their deadline expired and send their events.

    Availability already ignores them (lazy expiry); this makes their status true. No
    retries: the next minute's run picks up whatever this one could not.
    """
    async with resources.session_factory()() as session:
        expired = await stock.expire_due(session)
    log.info("stock_reservations_expired", expired=expired)


@dramatiq.actor(queue_name="maintenance", periodic=cron("10 0 * * *"), max_retries=3)
async def keep_market_days_ahead() -> None:
    """Daily at 00:10: every market has its days generated 8 weeks ahead (vendors apply for
    them, calendars show them), and days that have closed are marked held."""
    async with resources.session_factory()() as session:
        created = await generation.generate_all(session)
        held = await generation.close_past_days(session)
    log.info("market_days_generated", created=created, held=held)


@dramatiq.actor(queue_name="maintenance", periodic=cron("7 * * * *"), max_retries=3)
async def expire_waitlist_offers() -> None:
    """Hourly: unanswered waitlist offers past their 48 hours pass to the next in line."""
    async with resources.session_factory()() as session:
        expired = await waitlist_offers.expire_offers(session)
    log.info("waitlist_offers_expired", expired=expired)


@dramatiq.actor(queue_name="maintenance", periodic=cron("*/10 * * * *"), max_retries=0)
async def sweep_lending() -> None:
    """Every 10 minutes: loans not returned in time become overdue (with a strike), loans never
    picked up lapse, and loans of cancelled market days are released. No retries: the next
    run picks up whatever this one could not (the sweep is idempotent)."""
    async with resources.session_factory()() as session:
        result = await lending.sweep(session)
    log.info("lending_swept", overdue=result.overdue, lapsed=result.lapsed,
             cancelled_with_day=result.cancelled_with_day, failed=result.failed)


@dramatiq.actor(queue_name="maintenance", periodic=cron("20 * * * *"), max_retries=3)
async def close_settlement_weeks() -> None:
    """Hourly at :20: close every settlement week (Monday–Sunday, Asia/Seoul) that ended over
    an hour ago and is not closed yet, writing each vendor's statement. Whatever the
    scheduler's time zone, a week closes early on Monday (Seoul); later runs do nothing."""
    async with resources.session_factory()() as session:
        closed = await settlement.close_due_weeks(session)
    log.info("settlement_weeks_closed", weeks=[c.week.week_start.isoformat() for c in closed],
             statements=sum(len(c.statements) for c in closed))


@dramatiq.actor(queue_name="maintenance", periodic=cron("45 4 * * *"), max_retries=1)
async def check_analytics() -> None:
    """Nightly at 04:45: compare every analytics summary with a fresh aggregate of the facts
    (``jangteo analytics rebuild --check``) and record the outcome for ``/metrics``; a
    difference is logged as a warning (fix: ``jangteo analytics rebuild``)."""
    async with resources.session_factory()() as session:
        run = await analytics_health.run_check(session, now=utcnow())
    (log.warning if run.differences else log.info)(
        "analytics_checked", differences=run.differences, detail=run.detail[:2000])


@dramatiq.actor(queue_name="maintenance", periodic=cron("50 4 * * *"), max_retries=3)
async def purge_analytics_exports() -> None:
    """Daily at 04:50: delete analytics export files (and rows) kept their 7 days, and fail
    exports whose worker died so their person can ask again."""
    async with resources.session_factory()() as session:
        purged, failed = await analytics_exports.purge_exports(
            session, installed_settings().var_dir, now=utcnow())
    log.info("analytics_exports_purged", purged=purged, failed=failed)


#: Every periodic job, for the scheduler (tests check that no periodic actor is missing).
JOBS: tuple[dramatiq.Actor, ...] = (
    purge_relayed_events,
    purge_sent_mails,
    rebuild_search_index,
    expire_stock_reservations,
    keep_market_days_ahead,
    expire_waitlist_offers,
    sweep_lending,
    close_settlement_weeks,
    check_analytics,
    purge_analytics_exports,
)
