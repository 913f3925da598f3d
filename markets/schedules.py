"""When a market runs: its recurrence rule and season, evaluated in Asia/Seoul."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

WEEKDAYS_KO = "월화수목금토일"


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


def describe_day(moment: dt.datetime) -> str:
    return f"{moment.month}월 {moment.day}일 ({WEEKDAYS_KO[moment.weekday()]})"
