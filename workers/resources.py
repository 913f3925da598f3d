"""What a worker process holds for its lifetime: one DB engine, one search engine.

Created lazily on the worker's event-loop thread (the AsyncIO middleware's), because an
async engine belongs to the loop that made it. The tantivy writer takes a lock on the index,
so one search engine per process, its writes serialised by a lock.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.db import make_engine, make_session_factory
from infra.mail import Mailer, make_mailer
from infra.payments import StripeGateway
from search.engine import SearchEngine
from search.engine import make_engine as make_search_engine
from workers.setup import installed_settings

_lock = threading.Lock()
_state: dict[str, Any] = {}
index_write_lock = threading.Lock()


def session_factory() -> async_sessionmaker[AsyncSession]:
    with _lock:
        if "sessions" not in _state:
            _state["sessions"] = make_session_factory(make_engine(installed_settings()))
        return _state["sessions"]


def payments_gateway() -> StripeGateway:
    with _lock:
        if "payments" not in _state:
            _state["payments"] = StripeGateway(installed_settings())
        return _state["payments"]


def search_engine() -> SearchEngine:
    with _lock:
        if "search" not in _state:
            settings = installed_settings()
            _state["search"] = make_search_engine(
                meilisearch_url=settings.meilisearch_url,
                meilisearch_key=settings.meilisearch_key,
                data_dir=settings.search_dir,
            )
        return _state["search"]


def mailer() -> Mailer:
    with _lock:
        if "mailer" not in _state:
            _state["mailer"] = make_mailer(installed_settings())
        return _state["mailer"]


def close() -> None:
    with _lock:
        search = _state.pop("search", None)
        if search is not None:
            search.close()
        _state.pop("sessions", None)
        _state.pop("mailer", None)
        _state.pop("payments", None)
