"""The outbox relay loop: polls for unsent events and hands them to the broker.

It runs as a thread of the worker process (or alone with ``jangteo relay``), with its own
event loop and database engine. Polling every ``relay_interval_s`` (50 ms by default) keeps
publish-to-searchable well under a second without any database-specific notification.
"""

from __future__ import annotations

import asyncio
import threading

import structlog

from infra import outbox
from infra.db import make_engine, make_session_factory
from infra.settings import Settings
from workers.routing import publish

log = structlog.get_logger("jangteo.relay")


async def relay_until(settings: Settings, stop: threading.Event) -> int:
    engine = make_engine(settings, pool_size=2) if settings.is_postgres else make_engine(settings)
    factory = make_session_factory(engine)
    total = 0
    try:
        while not stop.is_set():
            try:
                async with factory() as session:
                    sent = await outbox.relay_batch(session, publish)
            except Exception:
                log.exception("relay_failed")
                sent = 0
                await asyncio.sleep(1)
            total += sent
            if sent == 0:
                await asyncio.sleep(settings.relay_interval_s)
    finally:
        await engine.dispose()
    return total


class RelayThread(threading.Thread):
    def __init__(self, settings: Settings) -> None:
        super().__init__(name="outbox-relay", daemon=True)
        self.settings = settings
        self.stop_event = threading.Event()

    def run(self) -> None:
        asyncio.run(relay_until(self.settings, self.stop_event))

    def stop(self, timeout: float = 5) -> None:
        self.stop_event.set()
        self.join(timeout)
