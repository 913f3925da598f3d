"""고정 부스와 연차: regulars' own booths for a season and each vendor's years at a market.

The organizer grants a regular a booth for a season (``RegularBooth``), or several for a
big stall (a second grant with ``add``), and keeps each vendor's years at the market
(``MarketVendorRecord``); the optimiser's input (``markets.assignment.runs``) reads both,
and ``markets.assignment.claims`` says what they mean on a market day. One regular per
booth and season: the unique constraint is the last word when two organizers grant the
same booth at the same instant.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.db import transaction
from infra.errors import Conflict, InvalidInput, NotFound, Problems
from markets.access import require_market_organizer
from markets.applications.models import Application
from markets.assignment.errors import AssignmentErrorCode as Code
from markets.assignment.models import MarketVendorRecord, RegularBooth
from markets.booths.models import Booth

MAX_YEARS = 100


@dataclass(frozen=True)
class RegularView:
    vendor_id: int
    booth_code: str
    years_at_market: int
    reason: str


async def years_at_market(session: AsyncSession, market_id: int) -> dict[int, int]:
    rows = await session.execute(
        select(MarketVendorRecord.vendor_id, MarketVendorRecord.years_at_market).where(
            MarketVendorRecord.market_id == market_id
        )
    )
    return {int(v): int(y) for v, y in rows.all()}


async def regular_booth_codes(
    session: AsyncSession, market_id: int, season: int
) -> dict[int, tuple[str, ...]]:
    """Vendor id -> its own booths' codes for the season (in code order: the first is
    where a regular granted several is seated)."""
    rows = await session.execute(
        select(RegularBooth.vendor_id, Booth.code)
        .join(Booth, Booth.id == RegularBooth.booth_id)
        .where(RegularBooth.market_id == market_id, RegularBooth.season == season)
        .order_by(RegularBooth.vendor_id, Booth.code)
    )
    out: dict[int, tuple[str, ...]] = {}
    for v, c in rows.all():
        out[int(v)] = (*out.get(int(v), ()), str(c))
    return out


async def regulars_of(session: AsyncSession, market_id: int, season: int) -> list[RegularView]:
    years = await years_at_market(session, market_id)
    rows = await session.execute(
        select(RegularBooth.vendor_id, Booth.code, RegularBooth.reason)
        .join(Booth, Booth.id == RegularBooth.booth_id)
        .where(RegularBooth.market_id == market_id, RegularBooth.season == season)
        .order_by(Booth.code)
    )
    return [
        RegularView(int(v), str(c), years.get(int(v), 0), str(r)) for v, c, r in rows.all()
    ]


async def grant_regular_booth(
    session: AsyncSession,
    market_id: int,
    actor: User | None,
    *,
    season: int,
    vendor_id: int,
    booth_code: str,
    reason: str = "",
    add: bool = False,
) -> RegularView:
    """고정 부스 지정: the vendor holds this booth whenever it attends this season.

    The vendor must have applied to the market for the season; the booth must be an
    active booth of the market, not already another regular's. Granting a regular a new
    booth replaces its old ones, unless ``add``: then the booth joins those it holds (a
    big stall's second or third booth; granting one it already holds changes nothing but
    the reason)."""
    user = await require_market_organizer(session, actor, market_id)
    problems = Problems()
    code = (booth_code or "").strip()
    if not code:
        problems.add(Code.BOOTH_NOT_FOUND, "booth_code", "부스 번호를 입력해 주세요.")
    if not 2000 <= season <= 2200:
        problems.add(Code.INVALID_REGULAR, "season", "시즌(연도)을 확인해 주세요.")
    problems.raise_if_any()
    booth = await session.scalar(
        select(Booth).where(Booth.market_id == market_id, Booth.code == code)
    )
    if booth is None or not booth.is_active:
        raise NotFound(Code.BOOTH_NOT_FOUND, f"이 장터에 {code} 부스가 없습니다.",
                       field="booth_code")
    applied = await session.scalar(
        select(Application.id).where(
            Application.market_id == market_id, Application.vendor_id == vendor_id,
            Application.season == season,
        )
    )
    if applied is None:
        raise NotFound(Code.VENDOR_NOT_ON_DAY, "이 시즌에 이 장터에 신청한 업체가 아닙니다.",
                       field="vendor_id")
    taken = Conflict(Code.BOOTH_TAKEN, f"{code} 부스는 이미 다른 고정 업체의 부스입니다.",
                     field="booth_code")
    async with transaction(session, on_integrity_error=taken):
        # One grant per vendor at a time (its applications locked): two replacing grants
        # racing must leave one booth, not both (one regular may now hold several).
        await session.execute(
            select(Application.id).where(
                Application.market_id == market_id, Application.vendor_id == vendor_id,
                Application.season == season,
            ).with_for_update()
        )
        holder = await session.scalar(
            select(RegularBooth).where(
                RegularBooth.market_id == market_id, RegularBooth.season == season,
                RegularBooth.booth_id == booth.id,
            )
        )
        if holder is not None and holder.vendor_id != vendor_id:
            raise taken
        mine = delete(RegularBooth).where(
            RegularBooth.market_id == market_id, RegularBooth.season == season,
            RegularBooth.vendor_id == vendor_id,
        )
        await session.execute(mine.where(RegularBooth.booth_id == booth.id) if add else mine)
        await session.flush()
        session.add(
            RegularBooth(
                market_id=market_id, season=season, vendor_id=vendor_id, booth_id=booth.id,
                granted_by_user_id=user.id, reason=reason.strip()[:500],
            )
        )
    years = await years_at_market(session, market_id)
    return RegularView(vendor_id, code, years.get(vendor_id, 0), reason.strip()[:500])


async def end_regular_booth(
    session: AsyncSession,
    market_id: int,
    actor: User | None,
    *,
    season: int,
    vendor_id: int,
    booth_code: str | None = None,
) -> None:
    """고정 부스 해제: from the next run on, the vendor is placed like anyone else; with
    ``booth_code``, only that one of its booths is given up (it keeps the others)."""
    await require_market_organizer(session, actor, market_id)
    code = (booth_code or "").strip()
    ending = delete(RegularBooth).where(
        RegularBooth.market_id == market_id, RegularBooth.season == season,
        RegularBooth.vendor_id == vendor_id,
    )
    if code:
        ending = ending.where(RegularBooth.booth_id.in_(
            select(Booth.id).where(Booth.market_id == market_id, Booth.code == code)
        ))
    async with transaction(session):
        gone = await session.execute(ending)
    if not getattr(gone, "rowcount", 0):
        if code:
            raise NotFound(Code.INVALID_REGULAR, f"{code} 부스는 이 업체의 고정 부스가 아닙니다.",
                           field="booth_code")
        raise NotFound(Code.INVALID_REGULAR, "이 시즌의 고정 업체가 아닙니다.", field="vendor_id")


async def set_years_at_market(
    session: AsyncSession, market_id: int, actor: User | None, *, vendor_id: int, years: object
) -> int:
    """연차: how many years the vendor has sold at this market (ties within a tier)."""
    await require_market_organizer(session, actor, market_id)
    try:
        number = int(str(years).strip())
    except ValueError:
        number = -1
    if isinstance(years, bool) or not 0 <= number <= MAX_YEARS:
        raise InvalidInput(
            Code.INVALID_REGULAR, f"연차는 0 이상 {MAX_YEARS} 이하의 정수로 입력해 주세요.",
            field="years_at_market",
        )
    changed = Conflict(Code.CONCURRENT_CHANGE, "동시에 바뀌었습니다. 다시 시도해 주세요.")
    async with transaction(session, on_integrity_error=changed):
        record = await session.scalar(
            select(MarketVendorRecord).where(
                MarketVendorRecord.market_id == market_id,
                MarketVendorRecord.vendor_id == vendor_id,
            )
        )
        if record is None:
            record = MarketVendorRecord(market_id=market_id, vendor_id=vendor_id)
            session.add(record)
        record.years_at_market = number
    return number
