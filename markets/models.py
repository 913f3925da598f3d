"""Booth markets (장터): where and when they run; market days and booths come later."""

from __future__ import annotations

import datetime as dt

from advanced_alchemy.base import BigIntAuditBase
from sqlalchemy import JSON, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column


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
