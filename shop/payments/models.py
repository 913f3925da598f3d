"""Stripe webhook events as received: stored once by Stripe's event id, then processed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advanced_alchemy.base import BigIntBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column


class StripeWebhookEvent(BigIntBase):
    __tablename__ = "stripe_webhook_events"

    stripe_event_id: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(100), index=True)
    #: The id of the object the event is about (pi_…, re_…), for ordering by object.
    object_id: Mapped[str] = mapped_column(String(100), index=True, default="")
    #: Stripe's own creation time, so consumers can ignore an older state arriving late.
    stripe_created: Mapped[int] = mapped_column(default=0)
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
