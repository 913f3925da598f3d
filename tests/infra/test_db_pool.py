"""A pooled PostgreSQL connection the server closed is never handed to a request.

``infra.db`` checks each connection as it leaves the pool by asking the driver whether its
socket was closed, instead of SQLAlchemy's ``pool_pre_ping`` round trips (decision 82): a
backend that was terminated while its connection sat in the pool (a server restart, an
administrator's ``pg_terminate_backend``) is replaced, and the statement runs.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from infra.db import make_engine
from infra.settings import Settings


async def test_a_connection_the_server_closed_is_replaced_before_use(settings: Settings) -> None:
    if not settings.is_postgres:
        pytest.skip("a server that closes connections is PostgreSQL's case")
    engine = make_engine(settings, pool_size=1, max_overflow=0)
    admin = create_async_engine(settings.sqlalchemy_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            first = await conn.scalar(text("SELECT pg_backend_pid()"))
            driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        async with admin.connect() as conn:  # the connection is back in the pool now
            assert await conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        for _ in range(500):  # until the driver has read the server's goodbye
            if driver.is_closed():
                break
            await asyncio.sleep(0.01)
        assert driver.is_closed()
        async with engine.connect() as conn:
            second = await conn.scalar(text("SELECT pg_backend_pid()"))
        assert second != first
    finally:
        await engine.dispose()
        await admin.dispose()
