"""Engines and sessions for both databases the platform runs on.

The same models and services run on SQLite (a fresh machine) and PostgreSQL (production,
CI). SQLite needs a few pragmas to behave like a server database under concurrent
processes: WAL so readers never block the writer, a busy timeout instead of instant
"database is locked", and foreign keys switched on.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

import msgspec
from sqlalchemy import Enum, Insert, Table, event, insert, inspect
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import make_transient_to_detached

from infra.settings import Settings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _json_dumps(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _drop_closed(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """A pooled asyncpg connection the server has closed (a restart, an idle timeout, a
    terminated backend) is replaced before it is handed out: the driver noticed the closed
    socket while the connection sat in the pool, so asking it costs no round trip, where
    SQLAlchemy's ``pool_pre_ping`` sends three (begin, ping, rollback) at every checkout
    (decision 82). ``DisconnectionError`` makes the pool retry with a fresh connection."""
    driver = record.driver_connection
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def make_engine(settings: Settings, **kwargs: Any) -> AsyncEngine:
    url = settings.sqlalchemy_url
    # JSON columns (checkout snapshots, outbox payloads) with msgspec rather than the
    # standard library: the same documents, less CPU per statement.
    kwargs.setdefault("json_serializer", _json_dumps)
    kwargs.setdefault("json_deserializer", msgspec.json.decode)
    if url.startswith("sqlite"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 15}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    engine = create_async_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        event.listen(engine.sync_engine, "checkout", _drop_closed)
    return engine


def make_read_engine(settings: Settings, engine: AsyncEngine) -> AsyncEngine:
    """An engine for single reads that need no transaction (a product page's prices and
    stock): on PostgreSQL its connections are in autocommit, so a read is its statements
    alone, where a session's read also pays BEGIN and ROLLBACK (decision 83). Built by
    ``make_engine``, so a closed connection is replaced the same way (decision 82). A
    small pool beside ``engine``'s, without overflow: a connection opened past the pool's
    size would be closed on its return and opened again by the next read, which costs
    more than waiting a moment for one of five. On SQLite, ``engine`` itself (its driver
    begins nothing before a write).
    """
    if engine.dialect.name != "postgresql":
        return engine
    return make_engine(settings, isolation_level="AUTOCOMMIT", pool_size=5, max_overflow=0)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for work outside a request (workers, CLI); rolled back unless committed."""
    async with factory() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise


@asynccontextmanager
async def transaction(
    session: AsyncSession, *, on_integrity_error: Exception | None = None
) -> AsyncIterator[AsyncSession]:
    """One use case, one transaction (decision 9): commit what the block did, or roll all of
    it back, whatever was raised.

    ``on_integrity_error`` is raised instead of a unique or foreign-key violation when such a
    clash means "someone else changed this at the same moment" (two tabs editing one cart),
    so the caller answers with a clear 409 rather than a 500.
    """
    try:
        yield session
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        if on_integrity_error is None:
            raise
        raise on_integrity_error from exc
    except BaseException:
        await session.rollback()
        raise


async def end_read(session: AsyncSession) -> None:
    """End a transaction that has only read, so that no connection or snapshot is held
    while a slow outside call answers (Stripe), or before a loop whose every step is a
    transaction of its own.

    It commits rather than rolls back so that what was read stays loaded (a rollback would
    expire it); a use case that writes uses :func:`transaction` instead.
    """
    await session.commit()


M = TypeVar("M")


def table_of(model: type[Any]) -> Table:
    """A mapped class's table, for statements that write rows without the ORM."""
    return cast(Table, model.__table__)


async def insert_as_loaded(session: AsyncSession, instance: M) -> M:
    """Write a new ORM object's row with one ``INSERT … RETURNING`` and attach the object to
    the session as if it had been read: persistent, nothing left to flush.

    For rows a use case writes on every request (a checkout, its reservation, its payment):
    the unit of work's flush costs more CPU than the statement (decision 82). Column defaults
    apply as in any insert, and the returned row fills what the caller did not set. The
    statement runs now, so a unique clash raises here, not at the commit. Relationships
    the caller did not set stay unloaded."""
    mapper = inspect(type(instance))
    table = mapper.local_table
    state = inspect(instance)
    props = [(prop.key, prop.columns[0]) for prop in mapper.column_attrs]
    values = {column.key: state.dict[key] for key, column in props if key in state.dict}
    row = (await session.execute(_inserting(table), values)).one()
    for key, column in props:
        state.dict[key] = row._mapping[column]
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


def attach_as_loaded(session: AsyncSession, model: type[M], rows: Iterable[Any]) -> list[M]:
    """Objects of ``model`` for rows a Core ``INSERT … RETURNING`` of its table's columns
    wrote, attached as :func:`insert_as_loaded` attaches its object: persistent, nothing
    left to flush (for a statement built once with its values bound, decision 96)."""
    mapper = inspect(model)
    props = [(prop.key, prop.columns[0]) for prop in mapper.column_attrs]
    made = []
    for row in rows:
        instance = mapper.class_manager.new_instance()
        state = inspect(instance)
        for key, column in props:
            state.dict[key] = row._mapping[column]
        make_transient_to_detached(instance)
        session.add(instance)
        made.append(instance)
    return made


@functools.cache
def _inserting(table: Table) -> Insert:
    """``INSERT … RETURNING *`` into ``table``, built once per table with its values bound
    at execution, so its cache key is computed once per process (decision 91)."""
    return insert(table).returning(*table.c)


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def str_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: stored as its value in a VARCHAR with a CHECK on both databases."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        values_callable=lambda members: [m.value for m in members],
        length=40,
        validate_strings=True,
    )
