"""Booth markets (장터): where and when they run, and who runs them.

A market has at most one owning organizer and any number of co-organizers, each a
:class:`MarketOrganizer` row; only they (and platform admins) use its organizer console
(``markets.access``).
"""

from __future__ import annotations

import datetime as dt
import enum

from advanced_alchemy.base import BigIntAuditBase
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import str_enum


class Market(BigIntAuditBase):
    __tablename__ = "markets"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    place: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: RFC 5545 recurrence rule, evaluated in ``timezone`` (Asia/Seoul).
    rrule: Mapped[str] = mapped_column(String(200))
    opens: Mapped[dt.time] = mapped_column(Time)
    closes: Mapped[dt.time] = mapped_column(Time)
    season_months: Mapped[list[int]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Seoul")
    organizer_name: Mapped[str] = mapped_column(String(120), default="")
    #: Vendors one market day can hold; ``None`` means the organizer decides case by case
    #: (no automatic waitlisting, no freed places to offer).
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    #: Booth fee in won copied onto each generated market day (the day may then differ).
    default_booth_fee: Mapped[int] = mapped_column(Integer, default=0)
    #: Minutes before opening when vendors may set up and pick up lent equipment.
    setup_minutes: Mapped[int] = mapped_column(Integer, default=60)


class OrganizerRole(enum.StrEnum):
    OWNER = "owner"  # 소유 운영자: runs the market and chooses its co-organizers
    CO_ORGANIZER = "co_organizer"  # 공동 운영자: runs the market

    @property
    def label(self) -> str:
        return {"owner": "소유 운영자", "co_organizer": "공동 운영자"}[self.value]


class MarketOrganizer(BigIntAuditBase):
    """An organizer who runs a market: its owner (at most one per market, a partial unique
    index on both databases) or a co-organizer. A market without an owner row is run by
    platform admins only.

    Ownership is a row here rather than a column of ``markets``: adding a foreign-key column
    to ``markets`` needs a table rebuild on SQLite, and with ``foreign_keys=ON`` dropping the
    old table would cascade-delete every market's days, applications and loans.
    """

    __tablename__ = "market_organizers"
    __table_args__ = (
        UniqueConstraint("market_id", "user_id", name="uq_market_organizer"),
        Index(
            "uq_market_owner",
            "market_id",
            unique=True,
            postgresql_where=text("role = 'owner'"),
            sqlite_where=text("role = 'owner'"),
        ),
    )

    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[OrganizerRole] = mapped_column(
        str_enum(OrganizerRole, "market_organizer_role"), default=OrganizerRole.CO_ORGANIZER
    )
