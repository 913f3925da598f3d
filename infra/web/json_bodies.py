"""JSON endpoints take JSON only: any other body gets 415 before the handler runs.

Litestar decodes a ``JSONBody`` whatever the ``Content-Type`` says, so JSON sent as
``text/plain`` (what a cross-site HTML form or a "simple" fetch can send without a CORS
preflight) reached the handlers. Refusing what is not declared JSON closes that door for
every endpoint at once (decision 46); form and multipart endpoints keep their own types.
"""

from __future__ import annotations

from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE
from litestar.types import ASGIApp, Receive, Scope, Send


def takes_json(scope: Scope) -> bool:
    """Whether the matched handler declares a JSON ``data`` body."""
    handler = scope.get("route_handler")
    signature = getattr(handler, "parsed_fn_signature", None)
    data = signature.parameters.get("data") if signature is not None else None
    if data is None:
        return False
    media_type = getattr(data.kwarg_definition, "media_type", None) or RequestEncodingType.JSON
    return media_type == RequestEncodingType.JSON


def is_json(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def has_body(headers: dict[bytes, bytes]) -> bool:
    length = headers.get(b"content-length", b"").strip()
    return b"transfer-encoding" in headers or (length not in (b"", b"0"))


class JsonOnlyMiddleware(ASGIMiddleware):
    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = dict(scope.get("headers") or [])
        if has_body(headers) and takes_json(scope):
            content_type = headers.get(b"content-type", b"").decode("latin-1")
            if not is_json(content_type):
                raise HTTPException(
                    status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                    detail="본문은 JSON이어야 합니다 (Content-Type: application/json).",
                )
        await next_app(scope, receive, send)
