"""Which days a snack box can be delivered: never on a Korean public holiday (the maintained
``holidays`` calendar, substitute holidays and one-off holidays included) nor on one of the
organizer's closed days (decision 37).

Pure code over dates: callers pass the day they mean, never the wall clock, so tests can pin
2025-10-03 (개천절) or 2025-10-08 (추석 대체 휴일).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Collection, Iterable

import holidays

from shop.snackboxes.errors import FieldError
from shop.snackboxes.errors import SnackBoxErrorCode as Code

#: Closed days an organizer may list on one box (a year of Sundays is 53).
CLOSED_DAYS_MAX = 200
_SEPARATORS = re.compile(r"[\s,;]+")


@functools.lru_cache(maxsize=16)
def _korean_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("KR", years=year, language="ko")


def holiday_name(day: dt.date) -> str | None:
    """The Korean public holiday on ``day`` ("개천절", "추석 대체 휴일"), or None."""
    name = _korean_holidays(day.year).get(day)
    return str(name) if name else None


def no_delivery_reason(day: dt.date, closed: Collection[dt.date] = ()) -> str | None:
    """Why nothing is delivered on ``day`` (a holiday, a closed day), or None."""
    name = holiday_name(day)
    if name:
        return f"공휴일({name})이라 배송하지 않습니다."
    if day in closed:
        return "운영자가 쉬는 날이라 배송하지 않습니다."
    return None


def is_delivery_day(day: dt.date, closed: Collection[dt.date] = ()) -> bool:
    return no_delivery_reason(day, closed) is None


def delivery_days(days: Iterable[dt.date], closed: Collection[dt.date] = ()) -> list[dt.date]:
    """The days among ``days`` on which boxes are delivered."""
    return [day for day in days if is_delivery_day(day, closed)]


def parse_closed_days(text: str) -> frozenset[dt.date]:
    """The stored list (cleaned when saved); anything unreadable is skipped."""
    found = set()
    for word in _SEPARATORS.split(text or ""):
        try:
            found.add(dt.date.fromisoformat(word))
        except ValueError:
            continue
    return frozenset(found)


def clean_closed_days(text: str, field: str = "closed_days") -> tuple[str, FieldError | None]:
    """Dates as typed (YYYY-MM-DD, separated by lines, spaces or commas) → one per line,
    sorted, without duplicates; or an error naming the first unreadable word."""
    days = set()
    for word in _SEPARATORS.split((text or "").strip()):
        if not word:
            continue
        try:
            days.add(dt.date.fromisoformat(word))
        except ValueError:
            return "", FieldError(
                field, Code.INVALID_CLOSED_DAYS,
                f"쉬는 날 '{word[:20]}'을(를) 읽을 수 없습니다. "
                "YYYY-MM-DD로 한 줄에 하나씩 적어 주세요.",
            )
    if len(days) > CLOSED_DAYS_MAX:
        return "", FieldError(field, Code.INVALID_CLOSED_DAYS,
                              f"쉬는 날은 {CLOSED_DAYS_MAX}일까지 적을 수 있습니다.")
    return "\n".join(day.isoformat() for day in sorted(days)), None
