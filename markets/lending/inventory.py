"""What a market lends: equipment items with their numbered units, and kits of them.

Organizers of the market register items (천막 3×3 with units 천막-01, 천막-02…), buy more units
and put kits together ('부스 기본 세트' = 천막 1 + 천막 추 4 + 테이블 1 + 의자 2). Each use
case checks every field first, then writes under the market's desk lock in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.auth import require_organizer
from infra.db import transaction
from infra.errors import Conflict, InvalidInput, NotFound, Problems
from infra.outbox import record
from markets.lending import rules
from markets.lending.availability import lock_desk
from markets.lending.errors import LendingErrorCode
from markets.lending.events import EquipmentAdded, KitDefined
from markets.lending.models import EquipmentItem, EquipmentKit, EquipmentUnit, KitComponent
from markets.lending.queries import market_or_404
from markets.lending.steps import desk_organizer

# ---------------------------------------------------------------- items and units


def _check_quantity(quantity: int, problems: Problems) -> None:
    if not 1 <= quantity <= rules.MAX_UNITS_PER_ITEM:
        problems.add(
            LendingErrorCode.INVALID_QUANTITY, "quantity",
            f"수량은 1개에서 {rules.MAX_UNITS_PER_ITEM}개 사이로 입력해 주세요.",
        )


async def add_item(
    session: AsyncSession,
    actor: User | None,
    market_id: int,
    *,
    name: str,
    quantity: int,
    description: str = "",
    code_prefix: str | None = None,
) -> EquipmentItem:
    """장비 등록: a kind of equipment with ``quantity`` numbered units (천막-01, 천막-02…)."""
    organizer = await desk_organizer(session, actor, market_id)
    problems = Problems()
    clean = rules.clean_name(name, "name", problems)
    _check_quantity(quantity, problems)
    prefix = rules.clean_name(code_prefix or clean.replace(" ", "")[:20], "code_prefix",
                              problems, max_length=20)
    problems.raise_if_any()
    await market_or_404(session, market_id)
    async with transaction(session):
        await lock_desk(session, market_id)
        taken = await session.scalar(
            select(func.count(EquipmentItem.id)).where(
                EquipmentItem.market_id == market_id, EquipmentItem.name == clean
            )
        )
        if taken:
            raise Conflict(LendingErrorCode.NAME_TAKEN, "이미 등록된 장비 이름입니다.",
                           field="name")
        item = EquipmentItem(market_id=market_id, name=clean, description=description.strip())
        session.add(item)
        await session.flush()
        session.add_all(
            EquipmentUnit(item_id=item.id, code=f"{prefix}-{n:02d}")
            for n in range(1, quantity + 1)
        )
        record(
            session,
            EquipmentAdded(id=item.id, market_id=market_id, units=quantity,
                           actor_user_id=organizer.id),
        )
    await session.refresh(item, attribute_names=["units"])
    return item


def _next_codes(codes: Sequence[str], fallback_prefix: str, quantity: int) -> list[str]:
    """``quantity`` unit codes continuing the item's numbering (천막-03, 천막-04…), skipping
    any already taken."""
    prefix = codes[0].rsplit("-", 1)[0] if codes else fallback_prefix
    existing = set(codes)
    chosen: list[str] = []
    n = len(codes) + 1
    while len(chosen) < quantity:
        code = f"{prefix}-{n:02d}"
        if code not in existing:
            chosen.append(code)
        n += 1
    return chosen


async def add_units(
    session: AsyncSession, actor: User | None, item_id: int, quantity: int
) -> EquipmentItem:
    """장비 추가 구입: more numbered units of an existing item."""
    organizer = require_organizer(actor)
    if not 1 <= quantity <= rules.MAX_UNITS_PER_ITEM:
        raise InvalidInput(
            LendingErrorCode.INVALID_QUANTITY,
            f"수량은 1개에서 {rules.MAX_UNITS_PER_ITEM}개 사이로 입력해 주세요.",
            field="quantity",
        )
    item = await session.get(EquipmentItem, item_id)
    if item is None:
        raise NotFound(LendingErrorCode.UNKNOWN_ITEM, "장비를 찾을 수 없습니다.", field="item_id")
    await desk_organizer(session, organizer, item.market_id)
    async with transaction(session):
        await lock_desk(session, item.market_id)
        codes = (await session.scalars(
            select(EquipmentUnit.code).where(EquipmentUnit.item_id == item.id)
        )).all()
        session.add_all(
            EquipmentUnit(item_id=item.id, code=code)
            for code in _next_codes(codes, item.name.replace(" ", "")[:20], quantity)
        )
        record(session, EquipmentAdded(id=item.id, market_id=item.market_id, units=quantity,
                                       actor_user_id=organizer.id))
    await session.refresh(item, attribute_names=["units"])
    return item


# ---------------------------------------------------------------- kits


def _check_components(components: Sequence[tuple[int, int]], problems: Problems) -> set[int]:
    """Quantities in range and no item twice; returns the item ids named."""
    if not components:
        problems.add(LendingErrorCode.REQUIRED, "components", "세트에 넣을 장비를 골라 주세요.")
    seen: set[int] = set()
    for index, (item_id, quantity) in enumerate(components):
        if not 1 <= quantity <= rules.MAX_ITEM_QUANTITY:
            problems.add(
                LendingErrorCode.INVALID_QUANTITY, f"components[{index}].quantity",
                f"수량은 1개에서 {rules.MAX_ITEM_QUANTITY}개 사이로 입력해 주세요.",
            )
        if item_id in seen:
            problems.add(
                LendingErrorCode.DUPLICATE_ITEM, f"components[{index}].item_id",
                "같은 장비를 두 번 넣었습니다.",
            )
        seen.add(item_id)
    return seen


async def _check_items_of_market(
    session: AsyncSession, market_id: int, components: Sequence[tuple[int, int]],
    named: set[int], problems: Problems,
) -> None:
    """Every component is an item this market lends."""
    known = set(
        (await session.scalars(
            select(EquipmentItem.id).where(
                EquipmentItem.market_id == market_id, EquipmentItem.id.in_(named or {0})
            )
        )).all()
    )
    for index, (item_id, _) in enumerate(components):
        if item_id not in known:
            problems.add(
                LendingErrorCode.UNKNOWN_ITEM, f"components[{index}].item_id",
                "이 장터의 장비가 아닙니다.",
            )


async def define_kit(
    session: AsyncSession,
    actor: User | None,
    market_id: int,
    *,
    name: str,
    components: Sequence[tuple[int, int]],
    description: str = "",
) -> EquipmentKit:
    """세트 구성: e.g. '부스 기본 세트' = 천막 1 + 천막 추 4 + 테이블 1 + 의자 2."""
    organizer = await desk_organizer(session, actor, market_id)
    problems = Problems()
    clean = rules.clean_name(name, "name", problems)
    named = _check_components(components, problems)
    await market_or_404(session, market_id)
    await _check_items_of_market(session, market_id, components, named, problems)
    problems.raise_if_any()
    async with transaction(session):
        await lock_desk(session, market_id)
        if await session.scalar(
            select(func.count(EquipmentKit.id)).where(
                EquipmentKit.market_id == market_id, EquipmentKit.name == clean
            )
        ):
            raise Conflict(LendingErrorCode.NAME_TAKEN, "이미 있는 세트 이름입니다.", field="name")
        kit = EquipmentKit(
            market_id=market_id, name=clean, description=description.strip(),
            components=[KitComponent(item_id=i, quantity=q) for i, q in components],
        )
        session.add(kit)
        await session.flush()
        record(
            session,
            KitDefined(id=kit.id, market_id=market_id,
                       components={str(i): q for i, q in components},
                       actor_user_id=organizer.id),
        )
    return kit
