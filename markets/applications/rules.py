"""The rules of applications in pure code: places, waitlist order, jury totals, input.

Nothing here touches the database; the services load rows, ask these functions, and only
then write. That keeps the rules testable without a server and the services short.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from infra.errors import Problems
from markets.booths.models import BoothSize
from markets.booths.rules import MAX_PROPERTIES, PROPERTY_PATTERN
from markets.days.errors import MarketErrorCode
from shop.catalog.taxonomy import Category

MAX_TABLES = 4
MAX_PREFERENCES = 5
MAX_NOTE = 2000
#: Most booths side by side one vendor may ask for (a food truck, a large stall).
MAX_BLOCK = 3
SCORE_MIN, SCORE_MAX = 0, 10
#: How long a waitlisted vendor has to answer an offered place.
OFFER_HOURS = 48

# ---------------------------------------------------------------- places


@dataclasses.dataclass(frozen=True)
class Booking:
    """The days an application holds (or asks for): the whole season, or chosen day ids."""

    whole_season: bool
    day_ids: frozenset[int] = frozenset()
    #: Days the holder gave up after the fact (a no-show): it no longer holds a place there.
    released: frozenset[int] = frozenset()

    def covers(self, day_id: int) -> bool:
        return (self.whole_season or day_id in self.day_ids) and day_id not in self.released


def fits(
    capacity: int | None,
    season_day_ids: Iterable[int],
    held: Sequence[Booking],
    candidate: Booking,
) -> bool:
    """Whether ``candidate`` still has a place on every day it asks for.

    ``held`` are the places taken: accepted applications and open waitlist offers. A day
    is full when as many bookings cover it as the market has places. A whole-season
    candidate also needs a free whole-season place, so that days not generated yet (the
    season runs ahead of the eight-week horizon) cannot be overbooked later. ``None``
    capacity means the organizer decides without a limit.
    """
    if capacity is None:
        return True
    if capacity <= 0:
        return False
    days = list(season_day_ids) if candidate.whole_season else sorted(candidate.day_ids)
    for day_id in days:
        if sum(1 for b in held if b.covers(day_id)) >= capacity:
            return False
    return not (
        candidate.whole_season and sum(1 for b in held if b.whole_season) >= capacity
    )


# ---------------------------------------------------------------- waitlist order


@dataclasses.dataclass(frozen=True)
class WaitlistEntry:
    application_id: int
    priority_tier: int
    strikes: int
    jury_total: float | None
    submitted_at: dt.datetime

    @property
    def effective_priority(self) -> int:
        """Each no-show strike costs one priority tier."""
        return self.priority_tier - self.strikes


def waitlist_order(entries: Iterable[WaitlistEntry]) -> list[WaitlistEntry]:
    """Who is offered a freed place first: higher effective priority (tier minus strikes),
    then the higher jury total (unscored last), then the earlier submission."""
    return sorted(
        entries,
        key=lambda e: (
            -e.effective_priority,
            -(e.jury_total if e.jury_total is not None else -1.0),
            e.submitted_at,
            e.application_id,
        ),
    )


# ---------------------------------------------------------------- jury totals


@dataclasses.dataclass(frozen=True)
class CriterionResult:
    criterion_id: int
    name: str
    weight: int
    mean: float | None
    scores: int
    comments: tuple[str, ...]


def criterion_results(
    criteria: Sequence[tuple[int, str, int]],
    scores: Iterable[tuple[int, int, str]],
) -> list[CriterionResult]:
    """Per criterion ``(id, name, weight)``: the mean of the jurors' ``(criterion_id, score,
    comment)`` scores, how many scored, and the non-empty comments."""
    by_criterion: dict[int, list[tuple[int, str]]] = {}
    for criterion_id, score, comment in scores:
        by_criterion.setdefault(criterion_id, []).append((score, comment))
    results = []
    for criterion_id, name, weight in criteria:
        given = by_criterion.get(criterion_id, [])
        mean = round(sum(s for s, _ in given) / len(given), 2) if given else None
        comments = tuple(c for _, c in given if c)
        results.append(CriterionResult(criterion_id, name, weight, mean, len(given), comments))
    return results


def jury_total(results: Sequence[CriterionResult]) -> float | None:
    """The weighted mean (0-10) over the criteria scored so far; ``None`` before any score."""
    scored = [r for r in results if r.mean is not None and r.weight > 0]
    weight = sum(r.weight for r in scored)
    if not weight:
        return None
    return round(sum(r.weight * (r.mean or 0.0) for r in scored) / weight, 2)


# ---------------------------------------------------------------- application input


@dataclasses.dataclass(frozen=True)
class ApplicationForm:
    """An application as typed: strings and lists, checked by :func:`clean_application`."""

    season: str | int = ""
    whole_season: bool = True
    market_day_ids: Sequence[int | str] = ()
    categories: Sequence[str] = ()
    needs_power: bool = False
    tables_needed: str | int = 1
    needs_tent: bool = False
    min_booth_size: str = BoothSize.SMALL.value
    preferred_zones: Sequence[str] = ()
    preferred_booth_codes: Sequence[str] = ()
    note: str = ""
    wants_premium_booth: bool = False
    #: 희망 부스만: one of the wished booths or none (otherwise anywhere).
    only_wishes: bool = False
    #: Booth properties the vendor needs ("cooking", "accessible", ...).
    needs_properties: Sequence[str] = ()
    #: Booths side by side in one row: at least / at most.
    booths_min: str | int = 1
    booths_max: str | int = 1


@dataclasses.dataclass(frozen=True)
class CleanApplication:
    season: int
    whole_season: bool
    market_day_ids: list[int]
    categories: list[str]
    needs_power: bool
    tables_needed: int
    needs_tent: bool
    min_booth_size: str
    preferred_zones: list[str]
    preferred_booth_codes: list[str]
    note: str
    wants_premium_booth: bool = False
    only_wishes: bool = False
    needs_properties: list[str] = dataclasses.field(default_factory=list)
    booths_min: int = 1
    booths_max: int = 1


def _int(value: str | int) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = (value or "").strip().replace(",", "")
    if not text or not text.lstrip("-").isdigit() or not text.isascii():
        return None
    return int(text)


def _short_list(values: Sequence[str], limit: int, length: int) -> list[str] | None:
    cleaned: list[str] = []
    for value in values:
        text = str(value).strip()
        if text and text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > limit or any(len(v) > length for v in cleaned):
        return None
    return cleaned


def clean_application(
    form: ApplicationForm,
    problems: Problems,
    *,
    open_seasons: Sequence[int],
    days_by_id: Mapping[int, tuple[int, dt.date]],
) -> CleanApplication | None:
    """Check every field; ``days_by_id`` are the market's open days: id → (season, date)."""
    season = _int(form.season)
    if season is None or season not in open_seasons:
        problems.add(
            MarketErrorCode.INVALID_SEASON, "season",
            "신청할 수 있는 시즌(연도)을 고르세요: " + ", ".join(map(str, open_seasons)),
        )
    day_ids: list[int] = []
    if not form.whole_season:
        parsed = [_int(v) for v in form.market_day_ids]
        if not parsed:
            problems.add(
                MarketErrorCode.INVALID_DAYS, "market_day_ids",
                "참가할 장날을 하나 이상 고르거나 시즌 전체 참가를 고르세요.",
            )
        elif any(
            d is None or d not in days_by_id or days_by_id[d][0] != season for d in parsed
        ):
            problems.add(
                MarketErrorCode.INVALID_DAYS, "market_day_ids",
                "고른 장날 가운데 이 장터·시즌의 신청 가능한 날이 아닌 것이 있습니다.",
            )
        else:
            day_ids = sorted({d for d in parsed if d is not None})
    known = {c.value for c in Category}
    categories = [c for c in dict.fromkeys(str(v).strip() for v in form.categories) if c]
    if not categories:
        problems.add(MarketErrorCode.INVALID_CATEGORY, "categories", "판매할 품목을 고르세요.")
    elif any(c not in known for c in categories):
        problems.add(
            MarketErrorCode.INVALID_CATEGORY, "categories", "알 수 없는 품목 분류가 있습니다."
        )
    tables = _int(form.tables_needed)
    if tables is None or not 0 <= tables <= MAX_TABLES:
        problems.add(
            MarketErrorCode.INVALID_NUMBER, "tables_needed",
            f"필요한 탁자 수를 0에서 {MAX_TABLES} 사이로 입력하세요.",
        )
    size = (form.min_booth_size or "").strip()
    if size not in {s.value for s in BoothSize}:
        problems.add(MarketErrorCode.INVALID_CHOICE, "min_booth_size", "부스 크기를 고르세요.")
    zones = _short_list(form.preferred_zones, MAX_PREFERENCES, 40)
    if zones is None:
        problems.add(
            MarketErrorCode.TOO_LONG, "preferred_zones",
            f"선호 구역은 {MAX_PREFERENCES}개까지, 각 40자 이내로 적어 주세요.",
        )
    booths = _short_list(form.preferred_booth_codes, MAX_PREFERENCES, 20)
    if booths is None:
        problems.add(
            MarketErrorCode.TOO_LONG, "preferred_booth_codes",
            f"선호 부스는 {MAX_PREFERENCES}개까지, 각 20자 이내로 적어 주세요.",
        )
    needs = sorted({str(c).strip().lower() for c in form.needs_properties or () if str(c).strip()})
    if len(needs) > MAX_PROPERTIES or any(not PROPERTY_PATTERN.match(c) for c in needs):
        problems.add(
            MarketErrorCode.INVALID_CHOICE, "needs_properties",
            f"부스 속성은 {MAX_PROPERTIES}개까지, 영문 소문자·숫자·-·_로 적어 주세요. 예: cooking",
        )
    least, most = _int(form.booths_min), _int(form.booths_max)
    if least is None or not 1 <= least <= MAX_BLOCK:
        problems.add(
            MarketErrorCode.INVALID_NUMBER, "booths_min",
            f"필요한 부스 수(최소)를 1에서 {MAX_BLOCK} 사이로 입력하세요.",
        )
    elif most is None or not least <= most <= MAX_BLOCK:
        problems.add(
            MarketErrorCode.INVALID_NUMBER, "booths_max",
            f"원하는 부스 수(최대)는 최소 {least}개 이상 {MAX_BLOCK}개 이하로 입력하세요.",
        )
    note = (form.note or "").strip()
    if len(note) > MAX_NOTE:
        problems.add(MarketErrorCode.TOO_LONG, "note", f"{MAX_NOTE}자 이내로 적어 주세요.")
    if problems:
        return None
    assert season is not None and tables is not None and zones is not None
    assert booths is not None and least is not None and most is not None
    return CleanApplication(
        season=season,
        whole_season=form.whole_season,
        market_day_ids=day_ids,
        categories=categories,
        needs_power=bool(form.needs_power),
        tables_needed=tables,
        needs_tent=bool(form.needs_tent),
        min_booth_size=size,
        preferred_zones=zones,
        preferred_booth_codes=booths,
        note=note,
        wants_premium_booth=bool(form.wants_premium_booth),
        only_wishes=bool(form.only_wishes) and bool(booths),
        needs_properties=needs,
        booths_min=least,
        booths_max=most,
    )


def clean_score(value: str | int) -> int | None:
    score = _int(value)
    return score if score is not None and SCORE_MIN <= score <= SCORE_MAX else None
