"""품목 상한: the most vendors per category on one market day, a market's assignment policy.

The optimiser treats a cap as a hard limit (``markets.assignment.solver``); an empty policy
means no caps.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.db import transaction
from infra.errors import Problems
from markets.access import require_market_organizer
from markets.assignment.errors import AssignmentErrorCode as Code
from markets.assignment.models import AssignmentPolicy
from markets.booths.rules import clean_properties
from shop.catalog.taxonomy import Category

MAX_CATEGORY_CAP = 1000


async def policy_of(session: AsyncSession, market_id: int) -> dict[str, int]:
    policy = await session.scalar(
        select(AssignmentPolicy).where(AssignmentPolicy.market_id == market_id)
    )
    return dict(policy.category_caps) if policy else {}


async def reserved_properties_of(session: AsyncSession, market_id: int) -> frozenset[str]:
    policy = await session.scalar(
        select(AssignmentPolicy).where(AssignmentPolicy.market_id == market_id)
    )
    return frozenset(policy.reserved_properties or ()) if policy else frozenset()


async def set_reserved_properties(
    session: AsyncSession, market_id: int, actor: User | None, properties: list[str]
) -> list[str]:
    """속성 부스 우선: booths with these properties go first to vendors who need them,
    even against tiers (e.g. cooking booths kept for food vendors)."""
    await require_market_organizer(session, actor, market_id)
    problems = Problems()
    clean = list(clean_properties(properties, "reserved_properties", problems))
    problems.raise_if_any()
    async with transaction(session):
        policy = await session.scalar(
            select(AssignmentPolicy).where(AssignmentPolicy.market_id == market_id)
        )
        if policy is None:
            policy = AssignmentPolicy(market_id=market_id, category_caps={})
            session.add(policy)
        policy.reserved_properties = clean
    return clean


async def set_category_caps(
    session: AsyncSession, market_id: int, actor: User | None, caps: dict[str, object]
) -> dict[str, int]:
    """품목 상한: most vendors per category on one day (empty: no caps)."""
    await require_market_organizer(session, actor, market_id)
    problems = Problems()
    clean = clean_category_caps(caps, problems)
    problems.raise_if_any()
    async with transaction(session):
        policy = await session.scalar(
            select(AssignmentPolicy).where(AssignmentPolicy.market_id == market_id)
        )
        if policy is None:
            policy = AssignmentPolicy(market_id=market_id)
            session.add(policy)
        policy.category_caps = clean
    return clean


def clean_category_caps(caps: dict[str, object], problems: Problems) -> dict[str, int]:
    """Category code -> cap; a bad entry is a problem naming ``category_caps.<code>``."""
    known = {c.value for c in Category}
    clean: dict[str, int] = {}
    for category, value in caps.items():
        field = f"category_caps.{category}"
        if category not in known:
            problems.add(Code.INVALID_CAP, field, "알 수 없는 품목입니다.")
            continue
        if value in (None, ""):
            continue
        try:
            number = int(str(value).strip()) if isinstance(value, str) else value
        except ValueError:
            number = None
        if not isinstance(number, int) or isinstance(number, bool) or not (
            0 <= number <= MAX_CATEGORY_CAP
        ):
            problems.add(
                Code.INVALID_CAP, field, f"0 이상 {MAX_CATEGORY_CAP} 이하의 정수로 입력해 주세요."
            )
            continue
        clean[category] = number
    return clean
