"""The optimiser's vocabulary: booths, applicants and their history in, placements and
reasons out. Plain frozen dataclasses, no ORM (``markets.assignment.inputs`` builds them
from rows); the solver (``solver``, ``day_model``, ``day_search``) and the independent
checker (``checks``) speak only this.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

DayKey = int
VendorKey = int

#: Booth sizes as ranks (``BoothSize.rank``): a booth fits a vendor if its rank is >= the need.
SMALL, STANDARD, LARGE = 0, 1, 2


class UnplacedReason(enum.StrEnum):
    """Why a vendor has no booth on a day; the organizer and the vendor both see it."""

    MARKET_FULL = "market_full"
    NO_BOOTH_WITH_POWER = "no_booth_with_power"
    NO_BOOTH_LARGE_ENOUGH = "no_booth_large_enough"
    POWER_BOOTHS_TAKEN = "power_booths_taken"
    LARGE_BOOTHS_TAKEN = "large_booths_taken"
    CATEGORY_CAP = "category_cap"
    ROTATION_HOLD = "rotation_hold"
    MANUAL = "manual"
    #: Not the optimiser's: the vendor did not come (check-in), so its booth was freed.
    NO_SHOW = "no_show"
    #: "Only my wishes": every wished booth went to a regular or to a vendor ranked ahead.
    WISHES_TAKEN = "wishes_taken"
    #: Every booth the vendor fits went to others, at least one to a higher tier.
    LOWER_TIER = "lower_tier"
    #: The vendor needs a property (e.g. a fire permit) and every booth with it is taken.
    ZONE_FULL = "zone_full"
    #: The vendor asks for several booths side by side and no such block is left (or the
    #: map has none that fits it).
    NO_ADJACENT_BLOCK = "no_adjacent_block"
    #: A booth the vendor fits went, by the organizer's option to keep property booths
    #: (e.g. cooking) for vendors who need them, to such a vendor ranked behind it.
    RESERVED_FOR_NEED = "reserved_for_need"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS: dict[UnplacedReason, str] = {
    UnplacedReason.MARKET_FULL: (
        "자리 부족: 맞는 부스가 모두 고정 부스 업체나 우선순위가 같으면서 연차·심사 점수가 "
        "앞선 업체에 배정됨"
    ),
    UnplacedReason.NO_BOOTH_WITH_POWER: "전기가 필요한데 크기가 맞으면서 전기가 있는 부스가 없음",
    UnplacedReason.NO_BOOTH_LARGE_ENOUGH: "필요한 크기 이상의 부스가 없음",
    UnplacedReason.POWER_BOOTHS_TAKEN: "빈 부스는 있지만 전기가 있는 부스가 모두 찼음",
    UnplacedReason.LARGE_BOOTHS_TAKEN: "빈 부스는 있지만 필요한 크기의 부스가 모두 찼음",
    UnplacedReason.CATEGORY_CAP: "같은 품목 업체 수 상한에 걸림",
    UnplacedReason.ROTATION_HOLD: (
        "맞는 부스가 프리미엄·코너 부스뿐인데 순번상 이번에는 차례가 아님"
    ),
    UnplacedReason.MANUAL: "운영자가 배정을 취소함",
    UnplacedReason.NO_SHOW: "무단 불참으로 그날 부스를 비움",
    UnplacedReason.WISHES_TAKEN: (
        "희망 부스에만 배정을 원했는데, 희망 부스가 모두 고정 부스 업체나 "
        "우선순위·연차·심사 점수가 앞선 업체에 배정됨"
    ),
    UnplacedReason.ZONE_FULL: (
        "필요한 부스 속성(예: 화기 사용·조리 가능)이 있는 부스가 모두 찼거나 없음"
    ),
    UnplacedReason.NO_ADJACENT_BLOCK: (
        "여러 부스를 한 줄로 나란히 원했는데, 맞는 크기·설비로 붙어 있는 빈 부스 묶음이 없음"
    ),
    UnplacedReason.RESERVED_FOR_NEED: (
        "자리 부족: 맞는 부스 중 화기·조리 등 특별 설비가 있는 부스는 운영자 설정에 따라 "
        "그 설비가 꼭 필요한 업체에 먼저 배정됨 (우선순위·연차보다 앞섬)"
    ),
    UnplacedReason.LOWER_TIER: (
        "자리 부족: 맞는 부스가 모두 찼고, 그중 일부는 더 높은 우선순위 업체에 배정됨"
    ),
}


@dataclass(frozen=True)
class BoothSlot:
    """A booth as the optimiser sees it; ``code`` is its identity within the layout."""

    code: str
    zone: str = ""
    size: int = STANDARD
    has_power: bool = False
    is_corner: bool = False
    is_premium: bool = False
    #: What the organizer says the booth has beyond size and power: "cooking" (fire
    #: permit), "accessible", ... (free-form codes).
    properties: frozenset[str] = frozenset()

    @property
    def rotates_as_corner(self) -> bool:
        """A corner booth that is also premium rotates as premium (the higher class), so
        one booth is never held back by two rotations at once."""
        return self.is_corner and not self.is_premium


@dataclass(frozen=True)
class Applicant:
    """An accepted vendor and what it needs; ``days`` None means every day of the run."""

    key: VendorKey
    categories: frozenset[str] = frozenset()
    needs_power: bool = False
    min_size: int = SMALL
    preferred_booths: tuple[str, ...] = ()
    preferred_zones: tuple[str, ...] = ()
    #: Higher is placed first (the organizer's tier minus no-show strikes).
    priority: int = 0
    wants_premium: bool = False
    wants_corner: bool = False
    days: frozenset[DayKey] | None = None
    #: Years at this market (the vendor's market record): second tie-breaker after the tier.
    seniority: int = 0
    #: The jury's weighted total (0-10): third tie-breaker.
    jury_score: float = 0.0
    #: "Only my wishes": placed in one of ``preferred_booths`` or nowhere.
    wishes_only: bool = False
    #: A regular's fixed booth for the season (``preferred_booths`` are then move wishes).
    own_booth: str | None = None
    #: A regular granted several booths: the others besides ``own_booth``. Such a regular
    #: holds all of them whenever it attends, or moves as a whole stall to the run a wish
    #: names (its first booth; ``markets.assignment.claims.move_stalls``, decision 94).
    more_own_booths: tuple[str, ...] = ()
    #: Booth properties the vendor cannot do without (e.g. "cooking").
    needs: frozenset[str] = frozenset()
    #: Booths side by side in one row: at least ``booths_min``, up to ``booths_max`` when
    #: nobody left out could use the extra ones (``markets.assignment.blocks``).
    booths_min: int = 1
    booths_max: int = 1

    @property
    def wants_block(self) -> bool:
        """Needs more than one booth before it can be placed at all (a regular holds its
        own booth: its block can only grow around it)."""
        return self.booths_min > 1 and self.own_booth is None

    @property
    def own_booths(self) -> tuple[str, ...]:
        """Every booth granted to the regular for the season (none for anyone else)."""
        return () if self.own_booth is None else (self.own_booth, *self.more_own_booths)

    @property
    def standing(self) -> tuple[int, int, float, int]:
        """Who wins a contested booth, best first: tier, seniority, jury score, then the
        vendor's id (stable across runs, never the input order)."""
        return (-self.priority, -self.seniority, -self.jury_score, self.key)

    @property
    def regular_standing(self) -> tuple[int, int, float, int]:
        """Between regulars asking to move, the senior wins a contested wish first."""
        return (-self.seniority, -self.priority, -self.jury_score, self.key)

    def fits(self, booth: BoothSlot) -> bool:
        return (
            booth.size >= self.min_size
            and (booth.has_power or not self.needs_power)
            and self.needs <= booth.properties
        )

    def attends(self, day: DayKey) -> bool:
        return self.days is None or day in self.days


@dataclass(frozen=True)
class RotationHistory:
    """Premium/corner placements on earlier days of the season, outside this run."""

    premium: int = 0
    corner: int = 0
    #: Placed on every earlier day of the season: still in the fairness comparison.
    placed_every_day: bool = True


@dataclass(frozen=True)
class Weights:
    """Soft-goal weights (integers; the objective is exact integer arithmetic).

    Priority tiers dominate by construction: one tier step is worth more than every other
    soft goal a single vendor can gain or lose, so no lower-tier vendor keeps a booth a
    higher-tier vendor could take (see :func:`build_day`).
    """

    #: A first wish is worth this much; each later wish ``wish_step`` less (at least 1/5).
    preferred_booth: int = 30
    wish_step: int = 6
    preferred_zone: int = 12
    rotation: int = 20
    rotation_step: int = 5
    waste_size: int = 3
    waste_power: int = 3
    same_category_neighbours: int = 25


def wish_bonus(weights: Weights, rank: int) -> int:
    """What the ``rank``-th wish (0 = first) is worth: the first more than the second."""
    return max(weights.preferred_booth // 5, weights.preferred_booth - weights.wish_step * rank)


@dataclass(frozen=True)
class SeasonProblem:
    booths: tuple[BoothSlot, ...]
    #: Symmetric neighbour sets by booth code (see ``markets.booths.adjacency``).
    adjacency: Mapping[str, frozenset[str]]
    applicants: tuple[Applicant, ...]
    #: The market days of the run, in date order.
    days: tuple[DayKey, ...]
    #: Most vendors selling a category on one day (a vendor counts for each category it sells).
    category_caps: Mapping[str, int] = field(default_factory=dict)
    history: Mapping[VendorKey, RotationHistory] = field(default_factory=dict)
    weights: Weights = Weights()
    #: Wall-clock budget for the local search over the whole run (the matchings are exact).
    time_limit_s: float = 1.5
    #: The organizer's option: booths with these properties go first to vendors who need
    #: them, even against tiers; others get them only when no such vendor is left out.
    reserved_properties: frozenset[str] = frozenset()
    #: Lines of booths in map order (``markets.assignment.inputs.booth_rows``): a block of
    #: several booths is a run of consecutive booths of one row that are also neighbours
    #: in ``adjacency`` (a gap or an obstacle between two booths breaks the run).
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class DayResult:
    day: DayKey
    #: vendor key -> booth code
    placements: Mapping[VendorKey, str]
    unplaced: Mapping[VendorKey, UnplacedReason]
    objective: int
    same_category_pairs: int
    local_search_moves: int
    seconds: float
    #: Vendors holding several booths: vendor -> the whole block in row order (its
    #: ``placements`` booth is one of them).
    blocks: Mapping[VendorKey, tuple[str, ...]] = field(default_factory=dict)

    def booths_of(self, vendor: VendorKey) -> tuple[str, ...]:
        """Every booth the vendor holds today (none when unplaced)."""
        if vendor in self.blocks:
            return self.blocks[vendor]
        code = self.placements.get(vendor)
        return () if code is None else (code,)


@dataclass(frozen=True)
class SeasonResult:
    days: tuple[DayResult, ...]
    seconds: float

    @property
    def objective(self) -> int:
        return sum(d.objective for d in self.days)

    def day(self, key: DayKey) -> DayResult:
        return next(d for d in self.days if d.day == key)
