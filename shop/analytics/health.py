"""Are the summaries still the sums of the facts? The nightly check and what ``/metrics``
shows of it.

``workers.periodic.check_analytics`` runs :func:`run_check` every night (the same comparison
as ``jangteo analytics rebuild --check``, every summary table) and records the outcome in
``analytics_check_runs``; the web process's ``/metrics`` reads the latest run through
:func:`export_metrics`, which ``infra.bootstrap`` registers as a scrape probe (the check runs
in the worker, the scrape in the web process: the database is what they share).
"""

from __future__ import annotations

import datetime as dt

from prometheus_client import Gauge
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.db import end_read, transaction
from shop.analytics import rollups
from shop.analytics.models import AnalyticsCheckRun

DIFFERENCES = Gauge(
    "jangteo_analytics_check_differences",
    "Summary rows that differed from a fresh aggregate of the sales facts at the last check",
)
LAST_RUN = Gauge(
    "jangteo_analytics_check_last_run_timestamp_seconds",
    "When the analytics summaries were last checked against the facts (Unix time)",
)
#: How many differences are written into a run's detail for the operator.
DETAIL_LINES = 20


async def run_check(session: AsyncSession, *, now: dt.datetime) -> AnalyticsCheckRun:
    """Compare every summary with the facts and record the outcome."""
    differences = await rollups.check_range(session)
    await end_read(session)  # no snapshot held while the outcome is written
    detail = "\n".join(f"{d.table} {d.key}: {d.stored} != {d.expected}"
                       for d in differences[:DETAIL_LINES])
    run = AnalyticsCheckRun(checked_at=now, differences=len(differences), detail=detail)
    async with transaction(session):
        session.add(run)
    return run


async def latest(session: AsyncSession) -> AnalyticsCheckRun | None:
    return await session.scalar(
        select(AnalyticsCheckRun).order_by(AnalyticsCheckRun.checked_at.desc()).limit(1))


async def export_metrics(session: AsyncSession) -> None:
    """Set the gauges from the latest run (-1 differences: never checked)."""
    run = await latest(session)
    DIFFERENCES.set(run.differences if run else -1)
    LAST_RUN.set(run.checked_at.timestamp() if run else 0)
