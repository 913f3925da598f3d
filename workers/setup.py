"""Install the broker before any actor module is imported (dramatiq binds actors on import)."""

from __future__ import annotations

import dramatiq

from infra.broker import install_broker
from infra.settings import Settings, get_settings

_installed: Settings | None = None


def configure(settings: Settings | None = None) -> dramatiq.Broker:
    global _installed
    if _installed is None:
        _installed = settings or get_settings()
        install_broker(_installed)
    return dramatiq.get_broker()


def installed_settings() -> Settings:
    if _installed is None:
        configure()
    assert _installed is not None
    return _installed
