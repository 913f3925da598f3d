"""Who runs a market: its owning organizer, its co-organizers, and platform admins.

Every organizer-console use case and read in ``markets`` asks :func:`require_market_organizer`
with the market it touches: the role alone (장터 운영자) is not enough, the organizer must run
*that* market. A market without an owner is run by admins only until one is set.

The checks live in the services (a CLI or worker caller cannot skip them) and in the
controllers' reads; the route guards only turn away people without the role early.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.auth import require_organizer
from infra.db import transaction
from infra.errors import Conflict, Forbidden, NotFound
from markets.days.errors import MarketErrorCode
from markets.models import Market, MarketOrganizer, OrganizerRole


async def get_market(session: AsyncSession, market_id: int) -> Market:
    market = await session.get(Market, market_id)
    if market is None:
        raise NotFound(
            MarketErrorCode.MARKET_NOT_FOUND, "장터를 찾을 수 없습니다.", field="market_id"
        )
    return market


async def _role(session: AsyncSession, user_id: int, market_id: int) -> OrganizerRole | None:
    return await session.scalar(
        select(MarketOrganizer.role).where(
            MarketOrganizer.market_id == market_id, MarketOrganizer.user_id == user_id
        )
    )


async def manages(session: AsyncSession, user: User | None, market_id: int) -> bool:
    """Whether ``user`` may run the market: an admin, its owner or a co-organizer."""
    if user is None or not user.has_role(Role.ORGANIZER):
        return False
    if user.is_admin:
        return True
    return await _role(session, user.id, market_id) is not None


async def managed_market_ids(session: AsyncSession, user: User | None) -> set[int] | None:
    """The markets ``user`` runs; ``None`` means every market (an admin)."""
    if user is None or not user.has_role(Role.ORGANIZER):
        return set()
    if user.is_admin:
        return None
    rows = await session.scalars(
        select(MarketOrganizer.market_id).where(MarketOrganizer.user_id == user.id)
    )
    return set(rows.all())


async def managed_markets(session: AsyncSession, user: User | None) -> list[Market]:
    """The markets ``user`` runs, in id order (every market for an admin)."""
    ids = await managed_market_ids(session, user)
    stmt = select(Market).order_by(Market.id)
    if ids is not None:
        stmt = stmt.where(Market.id.in_(sorted(ids) or [0]))
    return list((await session.scalars(stmt)).all())


def not_market_organizer() -> Forbidden:
    return Forbidden(
        MarketErrorCode.NOT_MARKET_ORGANIZER,
        "이 장터를 운영하는 운영자만 할 수 있습니다.",
        field="market_id",
    )


async def require_market_organizer(
    session: AsyncSession, actor: User | None, market_id: int
) -> User:
    """The actor, if it runs the market: 403 without sign-in or the organizer role, 404 for an
    unknown market, 403 ``not_market_organizer`` for an organizer of other markets."""
    user = require_organizer(actor)
    await get_market(session, market_id)
    if not await manages(session, user, market_id):
        raise not_market_organizer()
    return user


# ---------------------------------------------------------------- managing the organizers


async def _owner_or_admin(session: AsyncSession, actor: User | None, market: Market) -> User:
    user = require_organizer(actor)
    if not user.is_admin and await _role(session, user.id, market.id) is not OrganizerRole.OWNER:
        raise Forbidden(
            MarketErrorCode.MARKET_OWNER_ONLY,
            "장터 소유 운영자나 플랫폼 관리자만 공동 운영자를 정할 수 있습니다.",
            field="market_id",
        )
    return user


async def _organizer_user(session: AsyncSession, user_id: int, field: str) -> User:
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound(MarketErrorCode.USER_NOT_FOUND, "사용자를 찾을 수 없습니다.", field=field)
    if not user.has_role(Role.ORGANIZER):
        raise Conflict(
            MarketErrorCode.NOT_AN_ORGANIZER,
            "장터 운영자 역할이 있는 사용자만 장터를 운영할 수 있습니다.",
            field=field,
        )
    return user


async def _rows(session: AsyncSession, market_id: int) -> list[MarketOrganizer]:
    return list(
        (
            await session.scalars(
                select(MarketOrganizer).where(MarketOrganizer.market_id == market_id)
                .execution_options(populate_existing=True)
            )
        ).all()
    )


async def organizers_of(session: AsyncSession, market_id: int) -> tuple[User | None, list[User]]:
    """The market's owner (or ``None``) and its co-organizers by name."""
    await get_market(session, market_id)
    rows = (
        await session.execute(
            select(User, MarketOrganizer.role)
            .join(MarketOrganizer, MarketOrganizer.user_id == User.id)
            .where(MarketOrganizer.market_id == market_id)
            .order_by(User.display_name, User.id)
        )
    ).all()
    owner = next((u for u, role in rows if role is OrganizerRole.OWNER), None)
    return owner, [u for u, role in rows if role is not OrganizerRole.OWNER]


def _taken() -> Conflict:
    return Conflict(
        MarketErrorCode.CONCURRENT_CHANGE,
        "방금 다른 변경으로 장터 운영자가 바뀌었습니다. 다시 확인해 주세요.",
        field="user_id",
    )


async def set_owner(
    session: AsyncSession, market_id: int, actor: User | None, user_id: int | None
) -> None:
    """A platform admin names (or, with ``None``, clears) the market's owning organizer.
    The previous owner stays on as a co-organizer (remove it separately if need be)."""
    user = require_organizer(actor)
    if not user.is_admin:
        raise Forbidden(
            MarketErrorCode.ADMIN_ONLY, "장터 소유자는 플랫폼 관리자만 정할 수 있습니다.",
            field="user_id",
        )
    await get_market(session, market_id)
    if user_id is not None:
        await _organizer_user(session, user_id, "user_id")
    rows = await _rows(session, market_id)
    for row in rows:
        if row.role is OrganizerRole.OWNER and row.user_id != user_id:
            row.role = OrganizerRole.CO_ORGANIZER
    await session.flush()
    # A clash: another admin named an owner at the same moment.
    async with transaction(session, on_integrity_error=_taken()):
        if user_id is not None:
            mine = next((r for r in rows if r.user_id == user_id), None)
            if mine is None:
                session.add(
                    MarketOrganizer(market_id=market_id, user_id=user_id,
                                    role=OrganizerRole.OWNER)
                )
            else:
                mine.role = OrganizerRole.OWNER


async def add_co_organizer(
    session: AsyncSession, market_id: int, actor: User | None, user_id: int
) -> None:
    """The owner (or an admin) lets another organizer run the market; idempotent (someone
    who runs the market already keeps its role)."""
    market = await get_market(session, market_id)
    await _owner_or_admin(session, actor, market)
    await _organizer_user(session, user_id, "user_id")
    try:
        async with transaction(session):
            if await _role(session, user_id, market_id) is not None:
                return
            session.add(MarketOrganizer(market_id=market_id, user_id=user_id,
                                        role=OrganizerRole.CO_ORGANIZER))
    except IntegrityError:  # the same organizer added twice at once: the other one won
        pass


async def remove_co_organizer(
    session: AsyncSession, market_id: int, actor: User | None, user_id: int
) -> None:
    """The owner (or an admin) takes a co-organizer off the market; the owner itself is
    changed only by an admin (:func:`set_owner`)."""
    market = await get_market(session, market_id)
    await _owner_or_admin(session, actor, market)
    if await _role(session, user_id, market_id) is OrganizerRole.OWNER:
        raise Conflict(
            MarketErrorCode.MARKET_OWNER_ONLY,
            "소유 운영자는 뺄 수 없습니다. 플랫폼 관리자가 다른 소유자를 정해 주세요.",
            field="user_id",
        )
    async with transaction(session):
        await session.execute(
            delete(MarketOrganizer).where(
                MarketOrganizer.market_id == market_id, MarketOrganizer.user_id == user_id
            )
        )


async def give_markets_to(
    session: AsyncSession, user: User, market_ids: Sequence[int]
) -> int:
    """Demo and set-up helper: ``user`` owns those of the given markets that have no owner
    yet. Does not commit. Returns how many it took over."""
    owned = set(
        (
            await session.scalars(
                select(MarketOrganizer.market_id).where(
                    MarketOrganizer.market_id.in_(list(market_ids) or [0]),
                    MarketOrganizer.role == OrganizerRole.OWNER,
                )
            )
        ).all()
    )
    taken = 0
    for market_id in market_ids:
        if market_id in owned:
            continue
        role = await _role(session, user.id, market_id)
        if role is None:
            session.add(MarketOrganizer(market_id=market_id, user_id=user.id,
                                        role=OrganizerRole.OWNER))
        else:
            await session.execute(
                update(MarketOrganizer)
                .where(MarketOrganizer.market_id == market_id,
                       MarketOrganizer.user_id == user.id)
                .values(role=OrganizerRole.OWNER)
            )
        taken += 1
    await session.flush()
    return taken
