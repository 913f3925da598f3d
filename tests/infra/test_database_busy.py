"""A database with no connection to spare (infra/web/errors.py): the request that waited
its pool's timeout gets a 503 with ``Retry-After`` (through the same handler as every
other HTTP error, so people get the error page), never a 500; any other database error
stays a 500."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.testing import AsyncTestClient
from sqlalchemy import make_url, text
from sqlalchemy.exc import IntegrityError

from infra.db import make_engine
from infra.settings import Settings
from infra.web.errors import EXCEPTION_HANDLERS
from tests.conftest import TEST_DATABASE_URL


async def test_a_request_that_finds_no_free_connection_is_told_to_retry(
    settings: Settings,
) -> None:
    # A real pool of one connection that gives up waiting after a fifth of a second; the
    # route holds that connection while asking for another, as a burst of requests would.
    engine = make_engine(settings, pool_size=1, max_overflow=0, pool_timeout=0.2)

    @get("/api/greedy")
    async def greedy() -> dict[str, Any]:
        async with engine.connect() as first, engine.connect() as second:
            await first.execute(text("SELECT 1"))
            return {"one": (await second.execute(text("SELECT 1"))).scalar_one()}

    @get("/api/read")
    async def read() -> dict[str, Any]:
        async with engine.connect() as connection:
            return {"one": (await connection.execute(text("SELECT 1"))).scalar_one()}

    app = Litestar([greedy, read], exception_handlers=EXCEPTION_HANDLERS)
    try:
        async with AsyncTestClient(app) as client:
            api = await client.get("/api/greedy")
            after = await client.get("/api/read")
    finally:
        await engine.dispose()
    assert api.status_code == 503
    assert api.headers["retry-after"] == "2"
    assert api.headers["content-type"].startswith("application/problem+json")
    assert "잠시 후 다시" in api.json()["detail"]
    assert after.json() == {"one": 1}  # the connection went back to the pool


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="a refused client needs PostgreSQL")
async def test_a_server_that_refuses_one_more_client_is_a_503_too(settings: Settings) -> None:
    # A role allowed no connection at all: PostgreSQL refuses it with SQLSTATE 53300, the code
    # it also gives when max_connections is reached, whatever language its messages are in.
    admin = make_engine(settings)
    async with admin.begin() as connection:
        await connection.execute(text("DROP ROLE IF EXISTS jangteo_no_slot"))
        await connection.execute(text("CREATE ROLE jangteo_no_slot LOGIN CONNECTION LIMIT 0"))
    await admin.dispose()
    refused = make_engine(dataclasses.replace(
        settings, database_url=make_url(settings.database_url).set(
            username="jangteo_no_slot", password=None).render_as_string(hide_password=False)))

    @get("/api/refused")
    async def read() -> dict[str, Any]:
        async with refused.connect() as connection:
            return {"one": (await connection.execute(text("SELECT 1"))).scalar_one()}

    app = Litestar([read], exception_handlers=EXCEPTION_HANDLERS)
    try:
        async with AsyncTestClient(app) as client:
            answer = await client.get("/api/refused")
    finally:
        await refused.dispose()
        admin = make_engine(settings)
        async with admin.begin() as connection:
            await connection.execute(text("DROP ROLE jangteo_no_slot"))
        await admin.dispose()
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "2"


async def test_another_database_error_is_still_a_server_error() -> None:
    @get("/api/broken")
    async def broken() -> None:
        raise IntegrityError("INSERT …", {}, Exception("duplicate key"))

    app = Litestar([broken], exception_handlers=EXCEPTION_HANDLERS)
    async with AsyncTestClient(app) as client:
        answer = await client.get("/api/broken")
    assert answer.status_code == 500
    assert answer.json()["code"] == "internal"
