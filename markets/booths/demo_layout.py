"""Demo booth layouts for the four markets (pure data), and their loader.

Shapes follow the places (DESIGN.md §3): 광화문 광장 is a wide plaza (72 booths in four
zones, about the ~70 booths of the real mid-size market), 늘장 a long strip along the old
railway, 동진시장 a small courtyard, 달시장 a yard in front of a stage. Booths are 3 m x 3 m
unless large (6 m x 3 m) or small (2 m x 2 m); rows stand back to back (touching, so
neighbours) and aisles are 4 m or more (not neighbours). Premium spots face the entrance or
the stage; row ends are corners; food zones have power.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from markets.booths.models import Booth, BoothSize

SIZE_M = {BoothSize.SMALL: (2.0, 2.0), BoothSize.STANDARD: (3.0, 3.0), BoothSize.LARGE: (6.0, 3.0)}


@dataclass(frozen=True)
class BoothSeed:
    code: str
    zone: str
    size: BoothSize
    x: float
    y: float
    has_power: bool = False
    is_corner: bool = False
    is_premium: bool = False

    @property
    def width(self) -> float:
        return SIZE_M[self.size][0]

    @property
    def height(self) -> float:
        return SIZE_M[self.size][1]


def _block(
    prefix: str,
    zone: str,
    origin: tuple[float, float],
    per_row: int,
    rows: int = 2,
    *,
    size: BoothSize = BoothSize.STANDARD,
    power: str = "all",
    premium_first: int = 0,
    large_at: tuple[int, ...] = (),
    start: int = 1,
) -> list[BoothSeed]:
    """Rows of booths back to back; the first row faces the main walkway.

    ``power``: "all", "ends" (row ends only) or "alternate" (every other booth).
    ``premium_first``: the first n booths of the front row are premium.
    ``large_at``: positions in the back row that are large booths (6 m wide).
    """
    seeds: list[BoothSeed] = []
    n = start
    for row in range(rows):
        x = origin[0]
        y = origin[1] + row * SIZE_M[size][1]
        for col in range(per_row):
            booth_size = BoothSize.LARGE if row == rows - 1 and col in large_at else size
            end = col in (0, per_row - 1)
            has_power = {
                "all": True, "ends": end, "alternate": col % 2 == 0
            }[power]
            seeds.append(
                BoothSeed(
                    code=f"{prefix}-{n:02d}", zone=zone, size=booth_size, x=x, y=y,
                    has_power=has_power, is_corner=end,
                    is_premium=row == 0 and col < premium_first,
                )
            )
            x += SIZE_M[booth_size][0]
            n += 1
    return seeds


def gwanghwamun() -> list[BoothSeed]:
    """광화문 사회적경제 장터: 72 booths, zones A-D around a central walkway."""
    return [
        *_block("A", "A 먹거리", (2, 2), 9, power="all", premium_first=3),
        *_block("B", "B 생활·공예", (33, 2), 9, power="ends", premium_first=3),
        *_block("C", "C 체험·교육", (2, 14), 9, power="alternate", large_at=(3, 4)),
        *_block("D", "D 농산물", (40, 14), 9, power="ends", premium_first=2),
    ]


def neuljang() -> list[BoothSeed]:
    """늘장: a strip along the old railway, 40 booths in two long back-to-back rows."""
    return [
        *_block("가", "가 먹거리", (2, 2), 10, power="all", premium_first=2),
        *_block("나", "나 공방", (36, 2), 10, power="alternate", premium_first=1),
    ]


def dongjin() -> list[BoothSeed]:
    """동진시장: 20 small booths in a courtyard, one row on each side of it."""
    return [
        *_block("1", "골목", (2, 2), 10, rows=1, size=BoothSize.SMALL, power="ends",
                premium_first=2),
        *_block("2", "마당", (2, 10), 10, rows=1, size=BoothSize.SMALL, power="alternate"),
    ]


def dalsijang() -> list[BoothSeed]:
    """달시장: 30 booths before the stage; the front row faces it (premium)."""
    return [
        *_block("S", "무대 앞", (2, 2), 8, rows=1, power="all", premium_first=4),
        *_block("Y", "청년 소셜벤처", (2, 10), 6, power="alternate", large_at=(2,)),
        *_block("F", "먹거리", (26, 10), 5, rows=2, power="all"),
    ]


def demo_layout(market_name: str) -> list[BoothSeed]:
    layouts = {
        "광화문 사회적경제 장터": gwanghwamun,
        "늘장": neuljang,
        "동진시장": dongjin,
        "달시장": dalsijang,
    }
    make = layouts.get(market_name)
    return make() if make else []


async def load_booths(session: AsyncSession, market_id: int, market_name: str) -> int:
    """Add the demo layout to a market that has no booths yet; returns booths added."""
    if await session.scalar(select(func.count(Booth.id)).where(Booth.market_id == market_id)):
        return 0
    seeds = demo_layout(market_name)
    for order, seed in enumerate(seeds):
        session.add(
            Booth(
                market_id=market_id, code=seed.code, zone=seed.zone, size=seed.size,
                has_power=seed.has_power, is_corner=seed.is_corner, is_premium=seed.is_premium,
                x=seed.x, y=seed.y, width=seed.width, height=seed.height, adjacent_codes=[],
                is_active=True, position_order=order,
            )
        )
    return len(seeds)
