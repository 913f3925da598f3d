"""When a market runs: its recurrence rule and season, evaluated in Asia/Seoul."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from infra.clock import utcnow

WEEKDAYS_KO = "월화수목금토일"


def local_today(timezone: str = "Asia/Seoul", now: dt.datetime | None = None) -> dt.date:
    """Today's date where the market is (Asia/Seoul), or at ``now``."""
    return (now or utcnow()).astimezone(ZoneInfo(timezone)).date()


def next_occurrences(
    rule: str,
    opens: dt.time,
    season_months: Sequence[int],
    *,
    after: dt.datetime,
    count: int = 5,
    timezone: str = "Asia/Seoul",
) -> list[dt.datetime]:
    """The next ``count`` opening times (aware, in the market's zone) after ``after``."""
    zone = ZoneInfo(timezone)
    local_after = after.astimezone(zone)
    start = dt.datetime.combine(local_after.date(), opens)
    recurrence = rrulestr(rule, dtstart=start)
    found: list[dt.datetime] = []
    cursor = start - dt.timedelta(seconds=1)
    while len(found) < count:
        nxt = recurrence.after(cursor)
        if nxt is None or nxt.year > local_after.year + 3:
            break
        cursor = nxt
        aware = nxt.replace(tzinfo=zone)
        if aware <= local_after:
            continue
        if season_months and aware.month not in season_months:
            continue
        found.append(aware)
    return found


def describe_day(moment: dt.date) -> str:
    return f"{moment.month}월 {moment.day}일 ({WEEKDAYS_KO[moment.weekday()]})"


def occurrences_between(
    rule: str,
    opens: dt.time,
    season_months: Sequence[int],
    *,
    start: dt.date,
    end: dt.date,
    timezone: str = "Asia/Seoul",
) -> list[dt.datetime]:
    """Every opening (aware, in the market's zone) on a local date in ``[start, end]``.

    The rule is anchored at ``opens`` on the first of ``start``'s month, so BYDAY rules
    such as ``-1FR`` (last Friday) see whole months; dateutil never yields the anchor itself
    unless it fits the rule. Dates outside ``season_months`` are dropped. Wall-clock times
    are kept as given: Asia/Seoul has had no daylight saving since 1988, so 11:00 is
    always 02:00 UTC there.
    """
    if end < start:
        return []
    zone = ZoneInfo(timezone)
    anchor = dt.datetime.combine(start.replace(day=1), opens)
    recurrence = rrulestr(rule, dtstart=anchor)
    first = dt.datetime.combine(start, dt.time.min)
    last = dt.datetime.combine(end, dt.time.max)
    return [
        moment.replace(tzinfo=zone)
        for moment in recurrence.between(first, last, inc=True)
        if not season_months or moment.month in season_months
    ]
