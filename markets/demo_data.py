"""Demo data for booth markets: the four markets the source documents name.

Why this exists: market days, booth applications and equipment loans all hang off a
market and its schedule, so the demo needs the real ones (DESIGN.md §3) with their real
rhythms: weekly on Sundays, six days a week, one weekday afternoon, and the last Friday of
each month. Those four cover the recurrence shapes the scheduler must handle.

A schedule is an RFC 5545 RRULE evaluated in Asia/Seoul, plus the months in which the
market runs at all. The markets themselves are data (``markets/demo_markets.toml``); this
module holds their shape and how their days recur. No database, no clock.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, time
from importlib import resources
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

__all__ = [
    "ALL_YEAR",
    "SEOUL_TZ",
    "STREET_SALES_SEASON",
    "MarketSeed",
    "demo_markets",
]

#: Markets are defined in Seoul local time (DESIGN.md §5); Korea has no daylight saving.
SEOUL_TZ = "Asia/Seoul"

ALL_YEAR: tuple[int, ...] = tuple(range(1, 13))

#: The support centre's street sales booths run from March to November (source documents,
#: DESIGN.md §3); outdoor winter days are off.
STREET_SALES_SEASON: tuple[int, ...] = tuple(range(3, 12))


@dataclass(frozen=True)
class MarketSeed:
    """A recurring market: where, when (RRULE + hours + season) and who runs it.

    ``rrule`` carries only the recurrence (no DTSTART): the start is anchored at
    ``opens`` in ``timezone`` when occurrences are computed, so the rule stays readable
    and the hours live in one place.
    """

    name: str
    place: str
    description: str
    rrule: str
    opens: time
    closes: time
    season_months: tuple[int, ...]
    timezone: str
    organizer_name: str
    #: Vendors one market day holds (None: no fixed limit) and the default booth fee in won.
    #: Demo figures, not published ones.
    capacity: int | None = None
    booth_fee: int = 0

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError(f"{self.name}: opens must be before closes")
        months = self.season_months
        if not months or list(months) != sorted(set(months)) or not set(months) <= set(ALL_YEAR):
            raise ValueError(f"{self.name}: season_months must be distinct months 1-12, sorted")
        ZoneInfo(self.timezone)  # fail early on a misspelt zone

    def occurrences(self, after: datetime, count: int) -> list[datetime]:
        """The next ``count`` opening times strictly after ``after``, in the market's zone.

        Occurrences outside ``season_months`` are skipped, so a March-November market
        jumps from its last November day to its first March day.
        """
        if after.tzinfo is None:
            raise ValueError("after must be timezone-aware")
        zone = ZoneInfo(self.timezone)
        local = after.astimezone(zone)
        anchor = datetime.combine(local.date().replace(day=1), self.opens, tzinfo=zone)
        rule = rrulestr(self.rrule, dtstart=anchor)
        found: list[datetime] = []
        for start in rule.xafter(after, inc=False):
            if start.month in self.season_months:
                found.append(start)
                if len(found) == count:
                    break
        return found


#: The seasons ``demo_markets.toml`` may name.
_SEASONS = {"all-year": ALL_YEAR, "street-sales": STREET_SALES_SEASON}


def demo_markets() -> list[MarketSeed]:
    """The four markets of DESIGN.md §3, with the schedules given there, as
    ``markets/demo_markets.toml`` lists them (all in Seoul time)."""
    text = (resources.files("markets") / "demo_markets.toml").read_text("utf-8")
    return [
        MarketSeed(
            name=m["name"], place=m["place"], description=m["description"], rrule=m["rrule"],
            opens=m["opens"], closes=m["closes"], season_months=_SEASONS[m["season"]],
            timezone=SEOUL_TZ, organizer_name=m["organizer"], capacity=m.get("capacity"),
            booth_fee=m["booth_fee"],
        )
        for m in tomllib.loads(text)["market"]
    ]
