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

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS: dict[UnplacedReason, str] = {
    UnplacedReason.MARKET_FULL: "자리 부족: 맞는 부스가 모두 우선순위가 같거나 높은 업체에 배정됨",
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

    def fits(self, booth: BoothSlot) -> bool:
        return booth.size >= self.min_size and (booth.has_power or not self.needs_power)

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

    preferred_booth: int = 30
    preferred_zone: int = 12
    rotation: int = 20
    rotation_step: int = 5
    waste_size: int = 3
    waste_power: int = 3
    same_category_neighbours: int = 25


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


@dataclass(frozen=True)
class SeasonResult:
    days: tuple[DayResult, ...]
    seconds: float

    @property
    def objective(self) -> int:
        return sum(d.objective for d in self.days)

    def day(self, key: DayKey) -> DayResult:
        return next(d for d in self.days if d.day == key)
