"""Migrations: they run both ways on the suite's database kind, and match the models."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from infra import migrate
from infra.db_bootstrap import all_metadata
from infra.settings import Settings, async_database_url
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def scratch_settings(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """An empty database of the suite's kind (a new PostgreSQL database, or a SQLite file)."""
    if not TEST_DATABASE_URL:
        yield settings.with_(database_url=f"sqlite:///{tmp_path / 'scratch.db'}")
        return
    name = f"jt_migrations_{uuid.uuid4().hex[:8]}"
    admin_url = make_url(async_database_url(TEST_DATABASE_URL)).set(
        drivername="postgresql+psycopg", database="postgres"
    )
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield settings.with_(
            database_url=make_url(TEST_DATABASE_URL).set(database=name).render_as_string(
                hide_password=False
            )
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _sync_url(settings: Settings) -> str:
    url = make_url(settings.sqlalchemy_url)
    driver = "postgresql+psycopg" if url.drivername.startswith("postgresql") else "sqlite"
    return url.set(drivername=driver).render_as_string(hide_password=False)


async def test_upgrade_downgrade_upgrade_leaves_the_schema_the_models_describe(
    scratch_settings: Settings,
) -> None:
    await asyncio.to_thread(migrate.upgrade, scratch_settings)
    await asyncio.to_thread(migrate.downgrade, scratch_settings, "base")
    engine = create_engine(_sync_url(scratch_settings))
    try:
        with engine.connect() as conn:
            left = set(inspect(conn).get_table_names()) - {"alembic_version"}
        assert left == set(), f"downgrade left tables behind: {left}"
        await asyncio.to_thread(migrate.upgrade, scratch_settings)
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert set(all_metadata().tables) <= tables
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), all_metadata()
            )
        assert diff == [], f"models and migrations disagree; regenerate or add one: {diff}"
    finally:
        engine.dispose()
