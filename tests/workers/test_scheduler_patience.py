"""The periodic scheduler rides out a broker outage instead of ending (workers/scheduling.py)."""

from __future__ import annotations

from typing import Any

import redis

from workers.scheduling import PatientScheduler


class FlakyActor:
    """Refuses ``failures`` sends as a Redis that is down does, then takes them."""

    def __init__(self, name: str, failures: int) -> None:
        self.actor_name = name
        self.failures = failures
        self.sent: list[str] = []

    def send_with_options(self, **options: Any) -> None:
        if self.failures:
            self.failures -= 1
            raise redis.ConnectionError("Error 111 connecting to var/redis.sock")
        self.sent.append(options["scheduled_at"])


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_send_refused_by_a_down_broker_is_retried_until_it_goes_through() -> None:
    clock = FakeClock()
    blip, steady = FlakyActor("expire_stock_reservations", 3), FlakyActor("sweep_lending", 0)
    scheduler = PatientScheduler([], sleep=clock.sleep, clock=clock)
    scheduler.send_actors([blip, steady], now="2026-12-07 00:10:00+00:00")
    assert blip.sent == ["2026-12-07 00:10:00+00:00"]
    assert steady.sent == ["2026-12-07 00:10:00+00:00"]
    assert 0 < clock.now < 5  # waited with growing pauses, not forever


def test_a_broker_down_past_patience_skips_the_job_and_goes_on() -> None:
    clock = FakeClock()
    down, after = FlakyActor("close_settlement_weeks", 10_000), FlakyActor("sweep_lending", 0)
    scheduler = PatientScheduler([], patience_s=30, sleep=clock.sleep, clock=clock)
    scheduler.send_actors([down, after], now="2026-12-07 00:20:00+00:00")
    assert down.sent == []
    assert after.sent == ["2026-12-07 00:20:00+00:00"]
    assert clock.now <= 30
