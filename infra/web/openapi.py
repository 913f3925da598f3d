"""The API document at ``/schema``: readable offline, honest about who must sign in.

The viewer is Swagger UI, vendored under ``/static/vendor/swagger-ui`` (no CDN reaches this
machine, CI or an office intranet; the default viewer loaded its script from one and was
blank without internet). Programs sign in with ``Authorization: Bearer jt_…`` tokens
(``POST /api/auth/tokens``); every API operation that needs a signed-in person declares the
``bearer`` security scheme, so the viewer's "Authorize" button and generated clients know it.
Public operations declare none.

The refusals are declared the same way, off the handlers, in :func:`declare_api`: every
operation in the document lists the problem details (``application/problem+json``, one
``Problem`` schema) it can answer with: 400 when it takes parameters or a body, 401 and
403 when it needs a person, 404 when its path, query or body names something (an id that
may not exist), 409 when it changes state, 415 when it takes a JSON body (decision 57).
A refusal particular to one operation (bad credentials, a rate limit, an empty feed) is
declared on its handler with :func:`problem_responses`; the schema-fuzzing test checks
every answer's status, content type and body against the document.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from infra.web.errors import PROBLEM_JSON
from infra.web.json_bodies import handler_takes_json
from infra.web.params import NOT_PARAMETERS

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


class FieldProblem(msgspec.Struct, omit_defaults=True):
    field: str
    message: str
    code: str | None = None


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, as ``infra.web.errors`` answers every refusal."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[FieldProblem] | None = None


_REFUSALS = {
    302: "로그인 페이지로 보냅니다 (화면용 주소: 쿠키로 로그인)",
    400: "입력값이 올바르지 않습니다 (errors에 항목별 이유)",
    401: "로그인이 필요합니다 (Bearer 토큰이 없거나 맞지 않음)",
    403: "권한이 없습니다",
    404: "찾을 수 없습니다",
    409: "현재 상태에서는 할 수 없는 요청입니다",
    415: "본문은 JSON이어야 합니다",
    429: "요청이 너무 많습니다 (Retry-After 초 뒤에 다시)",
}


def problem_responses(*statuses: int, **descriptions: str) -> dict[int, ResponseSpec]:
    """Refusals one handler declares itself (``responses=problem_responses(401, 429)``);
    ``descriptions`` (``s404="…"``) replace the usual wording. A 302 is the sign-in
    redirect of a route outside ``/api``."""
    specs = {}
    for status in statuses:
        description = descriptions.get(f"s{status}", _REFUSALS[status])
        specs[status] = (ResponseSpec(data_container=None, description=description)
                         if status == 302 else
                         ResponseSpec(data_container=Problem, media_type=PROBLEM_JSON,
                                      generate_examples=False, description=description))
    return specs


def _takes_input(handler: Any) -> bool:
    dependencies = handler.resolve_dependencies()
    return any(
        name not in NOT_PARAMETERS and name not in dependencies
        for name in handler.parsed_fn_signature.parameters
    )


def _is_reference(name: str) -> bool:
    return name.endswith("_id") or name in ("token", "number")


def _names_something(handler: Any) -> bool:
    """Whether a query parameter or a field of the JSON body names a row by id or token
    (which may not exist: a 404)."""
    dependencies = handler.resolve_dependencies()
    for name, parameter in handler.parsed_fn_signature.parameters.items():
        if name in NOT_PARAMETERS or name in dependencies:
            continue
        if _is_reference(name):
            return True
        fields = getattr(parameter.annotation, "__struct_fields__", ())
        if name == "data" and any(_is_reference(f) for f in fields):
            return True
    return False


def _refusals(handler: Any, path: str) -> dict[int, ResponseSpec]:
    statuses = set()
    if _takes_input(handler):
        statuses.add(400)
    if _needs_sign_in(handler):
        statuses |= {401, 403}
    if "{" in path or _names_something(handler):
        statuses.add(404)
    if handler.http_methods & {"POST", "PUT", "PATCH", "DELETE"}:
        statuses.add(409)
    if handler_takes_json(handler):
        statuses.add(415)
    return {
        status: ResponseSpec(data_container=Problem, media_type=PROBLEM_JSON,
                             generate_examples=False, description=_REFUSALS[status])
        for status in sorted(statuses)
    }


def declare_api(app: Litestar) -> None:
    """Mark every ``/api`` operation that needs a signed-in person with the bearer scheme,
    and declare the problem details each operation can answer with.

    Read off the handlers themselves (their guards, whether they ask for ``user``, their
    parameters, path and methods), so a new endpoint is documented correctly without anyone
    remembering to say so. A handler's own ``responses`` win over these.
    """
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if route.path.startswith("/api") and _needs_sign_in(handler):
                handler.security = _SECURITY
            handler.responses = {**_refusals(handler, route.path), **(handler.responses or {})}
