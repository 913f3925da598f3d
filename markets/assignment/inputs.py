"""From rows to the optimiser's plain input: booths, applications, earlier placements.

Pure functions over already-loaded values, kept apart from the services so the
translation rules (what "wants a premium booth" means, how a zone preference matches, how
strikes lower priority) are stated once and tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from markets.assignment.problem import Applicant, BoothSlot, RotationHistory
from markets.booths.models import BoothSize


@dataclass(frozen=True)
class BoothFacts:
    code: str
    zone: str
    size: BoothSize
    has_power: bool
    is_corner: bool
    is_premium: bool
    properties: Sequence[str] = ()


@dataclass(frozen=True)
class ApplicationFacts:
    vendor_id: int
    categories: Sequence[str]
    needs_power: bool
    min_booth_size: str
    preferred_zones: Sequence[str]
    preferred_booth_codes: Sequence[str]
    priority_tier: int
    strikes: int
    #: The application's explicit 프리미엄·코너 부스 희망 flag.
    wants_premium_booth: bool = False
    #: 희망 부스만: one of the wished booths or none.
    only_wishes: bool = False
    #: Years at this market (the vendor's market record).
    years_at_market: int = 0
    #: The jury's weighted total (0-10), None when not scored.
    jury_total: float | None = None
    #: The regular's own booths this season (고정 부스; one, or several for a big stall).
    regular_booth_codes: Sequence[str] = ()
    #: Booth properties the vendor needs.
    needs_properties: Sequence[str] = ()
    #: Booths side by side in one row: at least / at most.
    booths_min: int = 1
    booths_max: int = 1


def slot(booth: BoothFacts) -> BoothSlot:
    return BoothSlot(
        code=booth.code, zone=booth.zone, size=booth.size.rank, has_power=booth.has_power,
        is_corner=booth.is_corner, is_premium=booth.is_premium,
        properties=frozenset(booth.properties),
    )


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def matching_zones(preference: str, zones: Iterable[str]) -> list[str]:
    """The layout's zones a stated preference means: the zone's full name ("A 먹거리") or
    its first word ("A"), ignoring case and spacing."""
    wanted = _key(preference)
    if not wanted:
        return []
    return [z for z in zones if _key(z) == wanted or (_key(z).split() or [""])[0] == wanted]


def size_rank(value: str) -> int:
    """The rank of a BoothSize value; an unknown value is treated as the smallest booth
    (the application rules validate sizes, so this only guards old rows)."""
    return next((s.rank for s in BoothSize if s.value == value), BoothSize.SMALL.rank)


def applicant(
    facts: ApplicationFacts, booths: Sequence[BoothFacts], days: frozenset[int]
) -> Applicant:
    """One accepted application as the optimiser sees it.

    * priority = the organizer's tier minus no-show strikes (each strike costs a tier,
      as in the waitlist order);
    * a vendor *wants* a premium or corner booth exactly when its application says so
      (``wants_premium_booth``, one flag for both kinds): the rotation rule compares only
      vendors who asked, and naming a premium booth among the preferred ones is a preference
      like any other, not a request to join the rotation (a premium corner booth counts as
      premium, as in the solver);
    * preferred booth codes that name no booth of the layout are dropped, the order kept
      (the first wish is worth more than the second);
    * a regular's booth that is no longer in the layout is no claim (of several, the
      first left is its seat, the others ``more_own_booths``); for a regular the
      wishes are where it asks to move, so "only my wishes" does not apply to it;
    * years at the market and the jury total (unscored: 0) break ties within a tier.
    """
    by_code = {b.code: b for b in booths}
    preferred = tuple(dict.fromkeys(c for c in facts.preferred_booth_codes if c in by_code))
    zones = sorted({b.zone for b in booths})
    preferred_zones: list[str] = []
    for p in facts.preferred_zones:
        for z in matching_zones(p, zones):
            if z not in preferred_zones:
                preferred_zones.append(z)
    owned = tuple(dict.fromkeys(c for c in facts.regular_booth_codes if c in by_code))
    own = owned[0] if owned else None
    return Applicant(
        key=facts.vendor_id,
        categories=frozenset(facts.categories),
        needs_power=facts.needs_power,
        min_size=size_rank(facts.min_booth_size),
        preferred_booths=preferred,
        preferred_zones=tuple(preferred_zones),
        priority=facts.priority_tier - facts.strikes,
        wants_premium=facts.wants_premium_booth,
        wants_corner=facts.wants_premium_booth,
        days=days,
        seniority=max(0, facts.years_at_market),
        jury_score=facts.jury_total or 0.0,
        wishes_only=facts.only_wishes and bool(preferred) and own is None,
        own_booth=own,
        more_own_booths=owned[1:],
        needs=frozenset(facts.needs_properties),
        booths_min=max(1, facts.booths_min),
        booths_max=max(1, facts.booths_min, facts.booths_max),
    )


def rotation_history(
    placements_by_day: Mapping[int, Mapping[int, BoothFacts]],
    applicants: Iterable[Applicant],
) -> dict[int, RotationHistory]:
    """Premium and corner placements on the season's other assigned days.

    ``placements_by_day``: day id -> vendor id -> booth it holds. A vendor stays in the
    fairness comparison only if it was placed on every one of those days.
    """
    out = {}
    for a in applicants:
        premium = corner = 0
        every = True
        for placements in placements_by_day.values():
            booth = placements.get(a.key)
            if booth is None:
                every = False
                continue
            premium += booth.is_premium and a.wants_premium
            corner += booth.is_corner and not booth.is_premium and a.wants_corner
        out[a.key] = RotationHistory(premium=premium, corner=corner, placed_every_day=every)
    return out
