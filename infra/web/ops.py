"""Health and metrics: what an operator (or a load balancer) asks of a running web process.

The worker runs in another process, so the figures that live there (actor failures) are
kept in Redis by the worker's middleware and read back here at scrape time; the outbox
backlog is read from the database at scrape time, so it is never stale.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import time
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Response
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Gauge, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from infra import outbox
from infra.broker import ACTOR_FAILURES_KEY

OUTBOX_BACKLOG = Gauge("jangteo_outbox_backlog", "Outbox events not yet relayed to the broker")
OUTBOX_OLDEST_AGE = Gauge(
    "jangteo_outbox_oldest_unsent_age_seconds", "Age of the oldest event not yet relayed"
)
ACTOR_FAILURES = Gauge(
    "jangteo_actor_failures_total", "Messages that failed in a worker actor", ["actor"]
)


#: Read at every scrape with a database session, to set gauges of figures that live in the
#: database (installed by ``infra.bootstrap``: infra imports no domain).
ScrapeProbe = Callable[[AsyncSession], Awaitable[None]]
_probes: list[ScrapeProbe] = []


def register_probe(probe: ScrapeProbe) -> None:
    """Add ``probe`` to what ``/metrics`` runs (idempotent)."""
    if probe not in _probes:
        _probes.append(probe)


def probes() -> tuple[ScrapeProbe, ...]:
    return tuple(_probes)


LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def may_scrape(request: Request[Any, Any, Any], token: str | None) -> bool:
    """``/metrics`` is for the operator's scraper, not the public: with a token set, only a
    request bearing it; without one, only a client on this machine. Anyone else gets the
    404 of a page that does not exist (decision 46)."""
    if token:
        sent = request.headers.get("authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    client = request.client
    return client is not None and client.host in LOOPBACK


async def _check(name: str, probe: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        detail = await asyncio.wait_for(probe(), timeout=3)
        return {
            "ok": True,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            **(detail or {}),
        }
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}


#: ``/healthz`` answers from checks at most this old (decision 61): a load balancer polling
#: every process often must not cost a database round trip, a Redis ping and an index stat
#: each time, and a second is still far fresher than any balancer's decision.
HEALTH_MAX_AGE_S = 1.0


@dataclasses.dataclass
class _HealthCache:
    checked_at: float = float("-inf")
    answer: tuple[dict[str, Any], bool] | None = None
    lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)


def _health_cache(app: Any) -> _HealthCache:
    """This app's cache, kept in its state (tests build many apps in one process)."""
    cache = app.state.get("health_cache")
    if cache is None:
        cache = app.state.health_cache = _HealthCache()
    return cache


class OpsController(Controller):
    include_in_schema = True
    tags = ["운영 (Operations)"]

    @get("/healthz", operation_id="health", summary="상태 점검: 데이터베이스, 브로커, 검색엔진")
    async def health(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        cache = _health_cache(request.app)
        if cache.answer is None or time.monotonic() - cache.checked_at > HEALTH_MAX_AGE_S:
            async with cache.lock:  # one request runs the checks; the others wait for them
                if cache.answer is None or \
                        time.monotonic() - cache.checked_at > HEALTH_MAX_AGE_S:
                    cache.answer = await self._run_checks(request)
                    cache.checked_at = time.monotonic()
        body, ok = cache.answer
        return Response(body, status_code=HTTP_200_OK if ok else HTTP_503_SERVICE_UNAVAILABLE)

    async def _run_checks(self, request: Request[Any, Any, Any]) -> tuple[dict[str, Any], bool]:
        state = request.app.state

        async def database() -> dict[str, Any]:
            async with state.session_factory() as session:
                await session.execute(text("SELECT 1"))
                return {"dialect": session.get_bind().dialect.name}

        async def broker() -> dict[str, Any]:
            await asyncio.to_thread(state.redis.ping)
            return {"url": state.redis_label}

        async def search() -> dict[str, Any]:
            health: dict[str, Any] = await asyncio.to_thread(state.search.health)
            if not health.get("ok", False):
                raise RuntimeError(str(health))
            return health

        checks = {
            "database": await _check("database", database),
            "broker": await _check("broker", broker),
            "search": await _check("search", search),
        }
        ok = all(c["ok"] for c in checks.values())
        return {"status": "ok" if ok else "degraded", "checks": checks}, ok

    @get("/metrics", operation_id="metrics", summary="Prometheus 지표", include_in_schema=False)
    async def metrics(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        state = request.app.state
        if not may_scrape(request, state.settings.metrics_token):
            raise NotFoundException()
        try:
            async with state.session_factory() as session:
                count, age = await outbox.backlog(session)
            OUTBOX_BACKLOG.set(count)
            OUTBOX_OLDEST_AGE.set(age)
        except Exception:  # noqa: S110 - a scrape must answer even when the DB is down
            pass
        for probe in _probes:
            try:
                async with state.session_factory() as session:
                    await probe(session)
            except Exception:  # noqa: S112 - one failing probe must not hide the others
                continue
        try:
            raw = await asyncio.to_thread(
                state.redis.hgetall, f"{state.settings.namespace}:{ACTOR_FAILURES_KEY}"
            )
            for actor, value in raw.items():
                ACTOR_FAILURES.labels(actor=actor.decode()).set(int(value))
        except Exception:  # noqa: S110
            pass
        return Response(generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})
