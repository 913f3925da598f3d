"""The web application: one factory that composes the domains with the plumbing.

This is a composition module: it may import every domain. Nothing imports it but the CLI,
the ASGI entry point and the tests. The wiring between domains (payment handlers and the
like) is ``infra.bootstrap``'s, which :func:`create_app` calls first.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.plugins.prometheus import PrometheusConfig
from litestar.static_files import create_static_files_router
from litestar.stores.redis import RedisStore
from litestar.template.config import TemplateConfig

import markets.applications.controllers
import markets.applications.pages
import markets.assignment.controllers
import markets.assignment.pages
import markets.booths.controllers
import markets.booths.pages
import markets.controllers
import markets.days.analytics_pages
import markets.days.controllers
import markets.days.pages
import markets.lending.controllers
import markets.lending.pages
import shop.analytics.controllers
import shop.analytics.export_pages
import shop.cart.controllers
import shop.cart.pages
import shop.catalog.controllers
import shop.catalog.pages
import shop.checkout.controllers
import shop.checkout.pages
import shop.mall.controllers
import shop.mall.pages
import shop.orders.controllers
import shop.orders.pages
import shop.payments.pages
import shop.payments.webhooks
import shop.procurement.controllers
import shop.procurement.correction_pages
import shop.procurement.outside_pages
import shop.procurement.overdue_pages
import shop.procurement.pages
import shop.procurement.plan_controllers
import shop.procurement.plan_pages
import shop.procurement.quote_api
import shop.procurement.quote_pages
import shop.search_tuning.controllers
import shop.search_tuning.pages
import shop.settlement.controllers
import shop.settlement.pages
import shop.snackboxes.controllers
import shop.snackboxes.pages
import shop.vendors.controllers
import shop.vendors.pages
from infra.accounts.controllers import AuthApi, TokenApi
from infra.accounts.hooks import STATE_KEY as AFTER_LOGIN
from infra.accounts.limits import STATE_KEY as RATE_LIMITER
from infra.accounts.models import Role
from infra.accounts.pages import AccountPages, AccountSettingsPages
from infra.auth import AuthMiddleware, provide_user, provide_viewer
from infra.bootstrap import bootstrap
from infra.clock import seoul_time
from infra.db import make_engine, make_read_engine, make_session_factory
from infra.logging import configure_logging
from infra.payments import StripeGateway
from infra.redis import (
    CONNECT_TIMEOUT_S,
    SOCKET_TIMEOUT_S,
    describe,
    redis_client,
    redis_url,
)
from infra.settings import ROOT, Settings, get_settings
from infra.web import charts
from infra.web.errors import EXCEPTION_HANDLERS
from infra.web.json_bodies import JsonOnlyMiddleware
from infra.web.openapi import declare_api, openapi_config
from infra.web.ops import OpsController
from infra.web.params import WholeNumbersMiddleware
from infra.web.rate_limits import RateLimiter
from infra.web.request_id import RequestIdMiddleware
from infra.web.security_headers import csp_nonce, is_https, security_headers_hook
from infra.web.sessions import SESSIONLESS_PATHS, SessionConfig
from search.engine import make_engine as make_search_engine
from shop.analytics.cache import STATE_KEY as ANALYTICS_FIGURES
from shop.analytics.cache import FiguresCache
from shop.catalog.taxonomy import Category, StrategicItem
from shop.mall.listing_cache import ListingCache
from shop.mall.product_page import FreshReads
from shop.vendors.types import District, EnterpriseType

TEMPLATE_DIRS = [
    ROOT / "infra" / "web" / "templates",
    ROOT / "infra" / "accounts" / "templates",
    ROOT / "shop" / "vendors" / "templates",
    ROOT / "shop" / "catalog" / "templates",
    ROOT / "shop" / "mall" / "templates",
    ROOT / "shop" / "cart" / "templates",
    ROOT / "shop" / "checkout" / "templates",
    ROOT / "shop" / "payments" / "templates",
    ROOT / "shop" / "orders" / "templates",
    ROOT / "shop" / "settlement" / "templates",
    ROOT / "shop" / "snackboxes" / "templates",
    ROOT / "shop" / "procurement" / "templates",
    ROOT / "shop" / "analytics" / "templates",
    ROOT / "shop" / "search_tuning" / "templates",
    ROOT / "markets" / "templates",
    ROOT / "markets" / "days" / "templates",
    ROOT / "markets" / "lending" / "templates",
    ROOT / "markets" / "applications" / "templates",
    ROOT / "markets" / "booths" / "templates",
    ROOT / "markets" / "assignment" / "templates",
]

ROUTE_HANDLERS: list[Any] = [
    OpsController,
    AuthApi,
    TokenApi,
    AccountPages,
    AccountSettingsPages,
    *shop.vendors.controllers.ROUTES,
    *shop.vendors.pages.ROUTES,
    *shop.catalog.controllers.ROUTES,
    *shop.catalog.pages.ROUTES,
    *shop.mall.controllers.ROUTES,
    *shop.mall.pages.ROUTES,
    *shop.payments.webhooks.ROUTES,
    *shop.cart.controllers.ROUTES,
    *shop.cart.pages.ROUTES,
    *shop.checkout.controllers.ROUTES,
    *shop.checkout.pages.ROUTES,
    *shop.payments.pages.ROUTES,
    *shop.orders.controllers.ROUTES,
    *shop.orders.pages.ROUTES,
    *shop.settlement.controllers.ROUTES,
    *shop.settlement.pages.ROUTES,
    *shop.snackboxes.controllers.ROUTES,
    *shop.snackboxes.pages.ROUTES,
    *shop.procurement.controllers.ROUTES,
    *shop.procurement.pages.ROUTES,
    *shop.procurement.plan_controllers.ROUTES,
    *shop.procurement.plan_pages.ROUTES,
    *shop.procurement.outside_pages.ROUTES,
    *shop.procurement.correction_pages.ROUTES,
    *shop.procurement.overdue_pages.ROUTES,
    *shop.procurement.quote_api.ROUTES,
    *shop.procurement.quote_pages.ROUTES,
    *shop.analytics.controllers.ROUTES,
    *shop.analytics.export_pages.ROUTES,
    *shop.search_tuning.controllers.ROUTES,
    *shop.search_tuning.pages.ROUTES,
    *markets.controllers.ROUTES,
    *markets.days.controllers.ROUTES,
    *markets.days.analytics_pages.ROUTES,
    *markets.lending.controllers.ROUTES,
    *markets.lending.pages.ROUTES,
    *markets.applications.controllers.ROUTES,
    *markets.days.pages.ROUTES,
    *markets.applications.pages.ROUTES,
    *markets.booths.controllers.ROUTES,
    *markets.booths.pages.ROUTES,
    *markets.assignment.controllers.ROUTES,
    *markets.assignment.pages.ROUTES,
]


def _template_engine_callback(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.globals.update(
        categories=list(Category),
        enterprise_types=list(EnterpriseType),
        districts=list(District),
        strategic_items=list(StrategicItem),
        roles=Role,
        chart_option_json=charts.option_json,
        # A form's idempotency key: unguessable (``secrets``), not Jinja's ``random``.
        new_form_key=lambda: secrets.token_urlsafe(24),
        csp_nonce=csp_nonce,
    )
    env.filters["won"] = lambda amount: f"{int(amount):,}원"
    env.filters["seoul"] = seoul_time


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    configure_logging(json=settings.log_json)
    # Payment kinds, paid-checks, after-login callbacks: wired before any request is served.
    wiring = bootstrap()
    for directory in (settings.var_dir, settings.upload_dir, settings.search_dir):
        directory.mkdir(parents=True, exist_ok=True)

    engine = make_engine(settings)
    session_factory = make_session_factory(engine)
    read_engine = make_read_engine(settings, engine)
    broker_url = redis_url(settings)
    redis = redis_client(settings)
    # One asyncio client for the session store and the sign-in limits (decision 55).
    async_redis = _async_redis(broker_url)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.search = make_search_engine(
            meilisearch_url=settings.meilisearch_url,
            meilisearch_key=settings.meilisearch_key,
            data_dir=settings.search_dir,
        )
        try:
            yield
        finally:
            app.state.search.close()
            redis.close()
            if read_engine is not engine:
                await read_engine.dispose()

    db_config = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        # Nothing here uses advanced-alchemy's cache, and its after-commit listener asks
        # ``engine.execution_options()`` (a new engine object) at every commit to learn so.
        session_config=AsyncSessionConfig(
            expire_on_commit=False, info={"enable_cache_listener": False}
        ),
        session_dependency_key="db_session",
        create_all=False,
        # No model stores advanced-alchemy FileObjects (uploads live in infra storage), and
        # its listener inspects every object on every flush: measurable on checkout.
        enable_file_object_listener=False,
    )
    template_config = TemplateConfig(
        directory=[Path(p) for p in TEMPLATE_DIRS],
        engine=JinjaTemplateEngine,
        engine_callback=_template_engine_callback,
    )
    session_config = SessionConfig(
        store="sessions", max_age=14 * 24 * 3600, samesite="lax", httponly=True,
        exclude=SESSIONLESS_PATHS, secure=is_https(settings),
    )
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_secure=is_https(settings),
        exclude=["/api", "/webhooks", "/healthz", "/metrics", "/schema"],
    )
    prometheus = PrometheusConfig(app_name="jangteo", prefix="jangteo", group_path=True)

    app = Litestar(
        route_handlers=[
            *ROUTE_HANDLERS,
            create_static_files_router(
                path="/static",
                directories=[ROOT / "infra" / "web" / "static"],
                include_in_schema=False,
            ),
            create_static_files_router(
                path="/media",
                directories=[settings.upload_dir / "public"],
                include_in_schema=False,
            ),
        ],
        plugins=[SQLAlchemyPlugin(config=db_config), FlashPlugin(FlashConfig(template_config))],
        template_config=template_config,
        middleware=[
            RequestIdMiddleware(),
            prometheus.middleware,
            session_config.middleware,
            AuthMiddleware(),
            JsonOnlyMiddleware(),
            WholeNumbersMiddleware(),
        ],
        csrf_config=csrf_config,
        stores={
            "sessions": RedisStore(
                redis=async_redis, namespace=f"{settings.namespace}:sessions"
            )
        },
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[security_headers_hook(settings)],
        dependencies={
            "user": Provide(provide_user, sync_to_thread=False),
            "viewer": Provide(provide_viewer, sync_to_thread=False),
        },
        lifespan=[lifespan],
        state=State(
            {
                "settings": settings,
                "session_factory": session_factory,
                # Reads outside any transaction (decision 83): ``infra.db.make_read_engine``.
                "read_engine": read_engine,
                "redis": redis,
                "redis_label": describe(broker_url),
                "payments": StripeGateway(settings),
                "listing_cache": ListingCache(),
                ANALYTICS_FIGURES: FiguresCache(),
                "product_reads": FreshReads(),
                AFTER_LOGIN: list(wiring.after_login),
                RATE_LIMITER: RateLimiter(async_redis, f"{settings.namespace}:ratelimit",
                                          factor=settings.rate_limit_factor),
            }
        ),
        openapi_config=openapi_config(),
        # Room for the largest form: five documents at the per-file limit, plus the fields.
        request_max_body_size=settings.max_upload_bytes * 6,
        debug=settings.debug,
    )
    declare_api(app)
    return app


def _async_redis(url: str) -> Any:
    from redis.asyncio import Redis

    return Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT_S,
                          socket_connect_timeout=CONNECT_TIMEOUT_S)
