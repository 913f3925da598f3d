"""The periodic scheduler, patient with its broker.

periodiq's scheduler sends each due actor's message and lets any error escape, so a Redis
blip at the minute mark ended the scheduler process (and, before ``jangteo run`` had a
supervisor, the whole platform). Here a send that fails on the broker's connection is tried
again with a growing pause for up to ``patience_s`` seconds; a job still not sent after that
is logged and skipped (every periodic job is written so that its next run catches up), and
the schedule goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import redis
import structlog
from dramatiq.errors import BrokerConnectionError
from periodiq import Scheduler

log = structlog.get_logger("jangteo.scheduler")

#: Errors that mean "the broker is not there right now", worth waiting out.
BROKER_DOWN = (redis.ConnectionError, redis.TimeoutError, BrokerConnectionError, OSError)


class PatientScheduler(Scheduler):
    def __init__(
        self,
        actors: list[Any],
        *,
        patience_s: float = 40.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(actors)
        self.patience_s = patience_s
        self._sleep = sleep
        self._clock = clock

    def send_actors(self, actors: Iterable[Any], now: Any) -> None:
        for actor in actors:
            self._send_patiently(actor, str(now))

    def _send_patiently(self, actor: Any, scheduled_at: str) -> None:
        deadline = self._clock() + self.patience_s
        pause = 0.2
        while True:
            try:
                actor.send_with_options(scheduled_at=scheduled_at)
                log.info("periodic_job_sent", actor=actor.actor_name, scheduled_at=scheduled_at)
                return
            except BROKER_DOWN as exc:
                if self._clock() + pause > deadline:
                    log.error("periodic_job_skipped", actor=actor.actor_name,
                              scheduled_at=scheduled_at, error=f"{type(exc).__name__}: {exc}")
                    return
                log.warning("periodic_job_send_retry", actor=actor.actor_name,
                            retry_in_s=pause, error=f"{type(exc).__name__}: {exc}")
                self._sleep(pause)
                pause = min(pause * 2, 5.0)
