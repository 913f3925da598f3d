"""The wiring of the domains (``infra.bootstrap``): complete, idempotent, and only explicit.

A payment kind some feature starts without a handler, or a new event nobody consumes and
nobody explained, fails here rather than at run time in one process or another.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import json
import pkgutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dramatiq
import pytest
from litestar import Litestar

import markets
import shop
from infra.accounts.hooks import STATE_KEY as AFTER_LOGIN
from infra.bootstrap import ANALYTICS_ONLY, Registry, bootstrap, registry
from infra.events import DomainEvent
from infra.settings import Settings
from shop.checkout import paid as paid_checkouts
from shop.payments import handlers as payment_handlers
from tests.processes import ROOT, process_env

#: Where a payment kind is taken as given rather than chosen (the payment module forwards it).
PAYMENT_MODULE = ROOT / "shop" / "payments" / "services.py"
STARTS_A_PAYMENT = {"start_payment", "start_fresh_payment"}


def _project_modules() -> Iterator[str]:
    for package in (shop, markets):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            yield info.name


def _module_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _callee(call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else ""


def started_payment_kinds() -> dict[str, str]:
    """Every ``kind`` a feature passes to start a payment, with where it does (file:line)."""
    kinds: dict[str, str] = {}
    for top in ("shop", "markets", "infra", "workers"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if path == PAYMENT_MODULE or "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and _callee(node) in STARTS_A_PAYMENT):
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
                assert kind is not None, f"{where} starts a payment without kind="
                if isinstance(kind, ast.Constant):
                    value = kind.value
                else:  # a module constant such as KIND, or checkouts.KIND
                    namespace = vars(importlib.import_module(_module_of(path)))
                    value = eval(compile(ast.Expression(kind), where, "eval"), dict(namespace))
                assert isinstance(value, str), f"{where}: kind {value!r} is not a string"
                kinds.setdefault(value, where)
    return kinds


def declared_events() -> dict[str, type[DomainEvent]]:
    """Every concrete DomainEvent of shop and markets, by name (all modules imported)."""
    for name in _project_modules():
        importlib.import_module(name)

    def below(cls: type[DomainEvent]) -> Iterator[type[DomainEvent]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    events: dict[str, type[DomainEvent]] = {}
    for cls in below(DomainEvent):
        if not cls.__module__.startswith(("shop.", "markets.")) or "name" not in vars(cls):
            continue  # a test's own event, or a family's base class
        assert events.get(cls.name, cls) is cls, f"two events are called {cls.name!r}"
        events[cls.name] = cls
    return events


@pytest.fixture
def actor_wiring(settings: Settings) -> Registry:
    """The worker's wiring in this process: our broker first, then the actors on it."""
    from workers import setup

    setup.configure(settings)  # a no-op if an earlier test installed the broker
    return bootstrap(actors=True)


def test_every_payment_kind_a_feature_starts_has_a_handler() -> None:
    kinds = started_payment_kinds()
    assert {"checkout", "booth_fee"} <= set(kinds)  # the scan does find the known ones
    wired = bootstrap().payment_handlers
    missing = {kind: where for kind, where in kinds.items() if kind not in wired}
    assert not missing, f"payment kinds started without a handler in infra.bootstrap: {missing}"
    for kind in kinds:
        assert payment_handlers.handler_for(kind) is wired[kind]
        assert wired[kind].kind == kind


def test_every_event_has_a_consumer_or_is_counted_only_for_a_stated_reason(
    actor_wiring: Registry,
) -> None:
    from workers.routing import CATCH_ALL

    events = declared_events()
    assert {"order.placed", "booth_fee.status_changed", "payment.stripe_event_received"} <= set(
        events)
    unheard, explained_but_heard = [], []
    for name in sorted(events):
        heard_by = [actor for matches, actor, _batch in actor_wiring.subscriptions if matches(name)]
        assert CATCH_ALL in heard_by, f"{name} is not counted for analytics"
        consumers = [actor.actor_name for actor in heard_by if actor is not CATCH_ALL]
        if not consumers and name not in ANALYTICS_ONLY:
            unheard.append(name)
        if consumers and name in ANALYTICS_ONLY:
            explained_but_heard.append(f"{name} -> {consumers}")
    assert not unheard, (
        "events no actor consumes: subscribe one in workers/routing.py or list the event in "
        f"infra.bootstrap.ANALYTICS_ONLY with the reason: {unheard}"
    )
    assert not explained_but_heard, f"ANALYTICS_ONLY lists consumed events: {explained_but_heard}"
    assert set(ANALYTICS_ONLY) <= set(events), set(ANALYTICS_ONLY) - set(events)
    assert all(reason.strip() for reason in ANALYTICS_ONLY.values())
    assert actor_wiring.analytics_only == ANALYTICS_ONLY


def test_the_scheduler_gets_every_periodic_job(actor_wiring: Registry) -> None:
    from workers import periodic

    declared = {
        value for value in vars(periodic).values()
        if isinstance(value, dramatiq.Actor) and "periodic" in value.options
    }
    assert declared, "no periodic job found"
    assert set(actor_wiring.periodic_jobs) == declared
    on_broker = {a for a in dramatiq.get_broker().actors.values() if "periodic" in a.options}
    assert declared <= on_broker


def test_bootstrap_is_idempotent(actor_wiring: Registry) -> None:
    again = bootstrap()
    and_again = bootstrap(actors=True)
    assert again == and_again == actor_wiring == registry()
    checks = paid_checkouts.PAID_CHECKS
    assert len(checks) == len(set(checks)) == len(again.paid_checks)
    assert again.paid_checks and again.after_login and again.payment_handlers


def test_a_second_handler_for_a_kind_is_refused() -> None:
    wired = bootstrap().payment_handlers["checkout"]
    other = dataclasses.replace(wired, result_path=lambda payment: "/elsewhere")
    with pytest.raises(ValueError, match="already has another handler"):
        payment_handlers.register_handler(other)
    assert payment_handlers.handler_for("checkout") is wired


async def test_the_app_signs_in_with_the_bootstrapped_callbacks(app: Litestar) -> None:
    assert app.state[AFTER_LOGIN] == list(registry().after_login)
    assert registry().after_login


#: Run in a fresh interpreter: import everything that used to register itself, look, then wire.
_IMPORT_ONLY = textwrap.dedent("""
    import json
    import infra.app, markets.days.payments, shop.checkout.paid, shop.snackboxes.ordering
    import workers.actors, workers.main, workers.periodic, workers.relay, workers.routing
    from infra import bootstrap
    from shop.payments import handlers

    def seen():
        wiring = bootstrap.registry()
        return {
            "handlers": sorted(handlers.registered_handlers()),
            "paid_checks": len(shop.checkout.paid.PAID_CHECKS),
            "subscriptions": len(workers.routing.installed()),
            "registry": [len(wiring.payment_handlers), len(wiring.paid_checks),
                         len(wiring.after_login), len(wiring.subscriptions),
                         len(wiring.periodic_jobs)],
        }

    imported = seen()
    try:
        workers.routing.publish([])
        refused = False
    except RuntimeError:
        refused = True
    bootstrap.bootstrap(actors=True)
    print(json.dumps({"imported": imported, "relay_refused": refused, "wired": seen()}))
""")


def test_importing_the_modules_registers_nothing(settings: Settings) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_ONLY], cwd=ROOT, env=process_env(settings),
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    seen: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["imported"] == {
        "handlers": [], "paid_checks": 0, "subscriptions": 0, "registry": [0, 0, 0, 0, 0],
    }
    assert seen["relay_refused"] is True  # an unwired relay leaves its events unsent
    wired = seen["wired"]
    assert wired["handlers"] == sorted(started_payment_kinds())
    assert wired["paid_checks"] == 1 and wired["subscriptions"] > 1
    assert all(wired["registry"])
