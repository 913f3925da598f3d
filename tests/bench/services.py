"""Where a benchmark's database and broker come from: the same variables as the tests.

``JANGTEO_TEST_DATABASE_URL`` / ``JANGTEO_TEST_REDIS_URL`` when set (CI, a developer with
servers), otherwise a SQLite file and the embedded Redis in a temporary ``var/``.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import text

from infra import migrate
from infra.db import make_engine
from infra.embedded_redis import ensure_embedded_redis, stop_embedded_redis
from infra.settings import Settings


def bench_settings(name: str) -> Settings:
    var_dir = Path(tempfile.mkdtemp(prefix=f"jt-bench-{name}-"))
    database = os.environ.get("JANGTEO_TEST_DATABASE_URL") or f"sqlite:///{var_dir / 'bench.db'}"
    redis_url = os.environ.get("JANGTEO_TEST_REDIS_URL") or ensure_embedded_redis(var_dir)
    return Settings(
        var_dir=var_dir,
        database_url=database,
        redis_url=redis_url,
        namespace=f"jt-bench-{uuid.uuid4().hex[:8]}",
        secret_key="bench-secret-key-long-enough-0123456789abcdef",
        port=18000 + os.getpid() % 1000,
    )


def release(settings: Settings) -> None:
    """Stop the embedded Redis a benchmark started (a server named by URL is left alone)."""
    if not os.environ.get("JANGTEO_TEST_REDIS_URL"):
        stop_embedded_redis(settings.var_dir)


def database_label(settings: Settings) -> str:
    return "postgresql" if settings.is_postgres else "sqlite"


async def _reset(settings: Settings) -> None:
    engine = make_engine(settings)
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def fresh_database(settings: Settings) -> None:
    asyncio.run(_reset(settings))
    migrate.upgrade(settings)
