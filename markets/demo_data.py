"""Demo data for booth markets: the four markets the source documents name.

Why this exists: market days, booth applications and equipment loans all hang off a
market and its schedule, so the demo needs the real ones (DESIGN.md §3) with their real
rhythms: weekly on Sundays, six days a week, one weekday afternoon, and the last Friday of
each month. Those four cover the recurrence shapes the scheduler must handle.

A schedule is an RFC 5545 RRULE evaluated in Asia/Seoul, plus the months in which the
market runs at all. Pure data: no database, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
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


def demo_markets() -> list[MarketSeed]:
    """The four markets of DESIGN.md §3, with the schedules given there."""
    return [
        MarketSeed(
            name="광화문 사회적경제 장터",
            place="광화문 광장",
            description=(
                "서울 사회적경제기업들이 광화문 광장에 부스를 여는 일요 장터입니다. "
                "먹거리와 생활용품, 체험 부스가 함께 열립니다."
            ),
            rrule="FREQ=WEEKLY;BYDAY=SU",
            opens=time(11, 0),
            closes=time(16, 0),
            # Street sales run March to November per the source documents.
            season_months=STREET_SALES_SEASON,
            timezone=SEOUL_TZ,
            organizer_name="서울시사회적경제지원센터",
            capacity=70,
            booth_fee=10000,
        ),
        MarketSeed(
            name="늘장",
            place="공덕역 폐선부지",
            description=(
                "공덕역 옛 경의선 폐선부지에 선 마을 장터입니다. "
                "화요일부터 일요일까지 낮부터 밤까지 엽니다."
            ),
            rrule="FREQ=WEEKLY;BYDAY=TU,WE,TH,FR,SA,SU",
            opens=time(11, 0),
            closes=time(21, 0),
            season_months=ALL_YEAR,
            timezone=SEOUL_TZ,
            organizer_name="늘장 운영위원회",
            capacity=40,
            booth_fee=5000,
        ),
        MarketSeed(
            name="동진시장",
            place="연남동 동진시장",
            description=(
                "연남동 옛 동진시장 자리에서 화요일 오후마다 열리는 작은 장터입니다. "
                "동네 공방과 농부가 직접 만든 것을 팝니다."
            ),
            rrule="FREQ=WEEKLY;BYDAY=TU",
            opens=time(16, 0),
            closes=time(18, 0),
            season_months=ALL_YEAR,
            timezone=SEOUL_TZ,
            organizer_name="동진시장 운영위원회",
            capacity=20,
            booth_fee=0,
        ),
        MarketSeed(
            name="달시장",
            place="영등포 하자센터 앞마당",
            description=(
                "매달 마지막 금요일 저녁, 하자센터 앞마당에서 열리는 달빛 장터입니다. "
                "청년 소셜벤처와 사회적기업의 먹거리와 공연이 함께합니다."
            ),
            rrule="FREQ=MONTHLY;BYDAY=-1FR",
            opens=time(17, 0),
            closes=time(21, 0),
            season_months=ALL_YEAR,
            timezone=SEOUL_TZ,
            organizer_name="하자센터 달시장 기획단",
            capacity=30,
            booth_fee=10000,
        ),
    ]
