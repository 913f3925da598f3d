"""Process entry points: the worker (actors + outbox relay) and the periodic scheduler.

Both install the broker first (``workers.setup.configure``), then wire the domains and the
actors with ``infra.bootstrap.bootstrap(actors=True)``: no module is imported for its side
effect.
"""

from __future__ import annotations

import signal
import threading

import dramatiq
import structlog

from infra.settings import Settings
from workers.setup import configure

log = structlog.get_logger("jangteo.worker")

#: Every queue our actors use; a worker listens on all of them unless told otherwise.
#: ``sales_facts`` has a queue of its own: its one message per relay batch must not wait
#: behind the per-event messages of the other analytics actors (decision 53).
QUEUES = ("search", "analytics", "sales_facts", "maintenance", "default", "payments", "exports")


def run_worker(
    settings: Settings, *, threads: int = 4, relay: bool = True, queues: tuple[str, ...] = QUEUES
) -> None:
    """Consume until SIGINT/SIGTERM, then finish in-flight messages and stop."""
    broker = configure(settings)
    from infra.bootstrap import bootstrap
    from workers import resources
    from workers.relay import RelayThread

    # After configure(): declaring the actors binds them to the broker just installed.
    wiring = bootstrap(actors=True)

    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        log.info("worker_stopping", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)

    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=100, queues=set(queues))
    worker.start()
    relay_thread = RelayThread(settings) if relay else None
    if relay_thread:
        relay_thread.start()
    log.info("worker_started", threads=threads, relay=relay, queues=list(queues),
             subscriptions=len(wiring.subscriptions), periodic_jobs=len(wiring.periodic_jobs))
    try:
        stop.wait()
    finally:
        if relay_thread:
            relay_thread.stop()
        worker.stop(timeout=10_000)
        resources.close()
        log.info("worker_stopped")


def run_scheduler(settings: Settings) -> None:
    """periodiq's scheduler: enqueues the periodic actors at their cron times (SIGALRM-driven)."""
    configure(settings)
    from periodiq import print_periodic_actors

    from infra.bootstrap import bootstrap
    from workers.scheduling import PatientScheduler

    periodic = list(bootstrap(actors=True).periodic_jobs)
    print_periodic_actors(periodic)
    scheduler = PatientScheduler(actors=periodic)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        scheduler.schedule()
        scheduler.loop()
    except KeyboardInterrupt:
        log.info("scheduler_stopped")
