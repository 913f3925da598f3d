"""A vendor's secret calendar address: made on first use, reset on request.

The token is 32 bytes from ``secrets`` (URL-safe), the only thing that names the feed; the
vendor id is not in the address. Resetting replaces it in one statement, so two resets at
once leave exactly one valid address (the later one).
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from infra.db import transaction
from markets.days.models import VendorCalendarFeed


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def feed_path(token: str) -> str:
    return f"/calendars/{token}/booths.ics"


async def token_of(session: AsyncSession, vendor_id: int) -> str:
    """The vendor's current token, made (and committed) the first time anyone asks."""
    found = await session.scalar(
        select(VendorCalendarFeed.token).where(VendorCalendarFeed.vendor_id == vendor_id)
    )
    if found is not None:
        return found
    try:
        async with transaction(session):
            session.add(VendorCalendarFeed(vendor_id=vendor_id, token=_new_token()))
    except IntegrityError:  # a second tab made it at the same moment: use theirs
        pass
    token = await session.scalar(
        select(VendorCalendarFeed.token).where(VendorCalendarFeed.vendor_id == vendor_id)
    )
    assert token is not None
    return token


async def reset(session: AsyncSession, vendor_id: int) -> str:
    """A new token; every calendar subscribed with the old one stops receiving the feed."""
    await token_of(session, vendor_id)
    async with transaction(session):
        feed = await session.scalar(
            select(VendorCalendarFeed).where(VendorCalendarFeed.vendor_id == vendor_id)
            .with_for_update()
        )
        assert feed is not None
        feed.token = _new_token()
        token = feed.token
    return token


async def vendor_of(session: AsyncSession, token: str) -> int | None:
    return await session.scalar(
        select(VendorCalendarFeed.vendor_id).where(VendorCalendarFeed.token == token)
    )
