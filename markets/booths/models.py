"""Booth maps: the booths of a market, where they stand and what they offer."""

from __future__ import annotations

import enum

from advanced_alchemy.base import BigIntAuditBase
from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import str_enum


class BoothSize(enum.StrEnum):
    SMALL = "small"  # 2m x 2m
    STANDARD = "standard"  # 3m x 3m
    LARGE = "large"  # 3m x 6m

    @property
    def label(self) -> str:
        return {"small": "소형(2×2m)", "standard": "표준(3×3m)", "large": "대형(3×6m)"}[self.value]

    @property
    def rank(self) -> int:
        return {"small": 0, "standard": 1, "large": 2}[self.value]


class Booth(BigIntAuditBase):
    __tablename__ = "booths"
    __table_args__ = (UniqueConstraint("market_id", "code", name="uq_booth_code"),)

    market_id: Mapped[int] = mapped_column(ForeignKey("markets.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))  # e.g. "A-01"
    zone: Mapped[str] = mapped_column(String(40), default="")  # e.g. "A구역 (먹거리)"
    size: Mapped[BoothSize] = mapped_column(str_enum(BoothSize, "booth_size"))
    has_power: Mapped[bool] = mapped_column(Boolean, default=False)
    is_corner: Mapped[bool] = mapped_column(Boolean, default=False)
    is_premium: Mapped[bool] = mapped_column(Boolean, default=False)
    #: What else the booth offers, as short codes: "cooking" (fire permit), "accessible",
    #: "large", ... (organizers add their own). A vendor needing one only gets such booths.
    properties: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Position on the map, in metres from the map's top-left corner.
    x: Mapped[float] = mapped_column(Float, default=0)
    y: Mapped[float] = mapped_column(Float, default=0)
    width: Mapped[float] = mapped_column(Float, default=3)
    height: Mapped[float] = mapped_column(Float, default=3)
    #: Booth codes next to this one when given by hand; otherwise derived from positions.
    adjacent_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    position_order: Mapped[int] = mapped_column(Integer, default=0)
