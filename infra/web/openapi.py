"""The API document at ``/schema``: readable offline, honest about who must sign in.

The viewer is Swagger UI, vendored under ``/static/vendor/swagger-ui`` (no CDN reaches this
machine, CI or an office intranet; the default viewer loaded its script from one and was
blank without internet). Programs sign in with ``Authorization: Bearer jt_…`` tokens
(``POST /api/auth/tokens``); every API operation that needs a signed-in person declares the
``bearer`` security scheme, so the viewer's "Authorize" button and generated clients know it.
Public operations declare none.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

SWAGGER_UI = "/static/vendor/swagger-ui"
BEARER = "bearer"
_SECURITY: list[dict[str, list[str]]] = [{BEARER: []}]


def openapi_config() -> OpenAPIConfig:
    viewer = SwaggerRenderPlugin(
        version="5.18.2",
        js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
        css_url=f"{SWAGGER_UI}/swagger-ui.css",
        standalone_preset_js_url=f"{SWAGGER_UI}/swagger-ui-standalone-preset.js",
        favicon="",
        path="/",
    )
    return OpenAPIConfig(
        title="장터 Jangteo API",
        version="0.1.0",
        description=(
            "서울 사회적경제 기업의 온라인 몰·장터·공공구매 플랫폼 API. 프로그램은 "
            "`POST /api/auth/tokens`로 받은 토큰을 `Authorization: Bearer jt_…` 머리글로 보냅니다."
        ),
        path="/schema",
        render_plugins=[viewer],
        components=Components(security_schemes={
            BEARER: SecurityScheme(
                type="http", scheme="bearer", bearer_format="jt_…",
                description="API 토큰 (POST /api/auth/tokens)",
            ),
        }),
    )


def _needs_sign_in(handler: Any) -> bool:
    if "user" in handler.parsed_fn_signature.parameters:  # asks for ``user: SignedIn``
        return True
    # The raw guards of every layer (``resolve_guards`` returns wrapped callables).
    return any(
        getattr(guard, "needs_sign_in", False)
        for layer in handler.ownership_layers for guard in (layer.guards or ())
    )


def declare_sign_in(app: Litestar) -> None:
    """Mark every ``/api`` operation that needs a signed-in person with the bearer scheme.

    Read off the handlers themselves (their guards and whether they ask for ``user``), so a
    new endpoint is documented correctly without anyone remembering to say so.
    """
    for route in app.routes:
        if not route.path.startswith("/api"):
            continue
        for handler in getattr(route, "route_handlers", ()):
            if _needs_sign_in(handler):
                handler.security = _SECURITY
