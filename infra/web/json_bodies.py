"""JSON endpoints take JSON only: any other body gets 415 before the handler runs.

Litestar decodes a ``JSONBody`` whatever the ``Content-Type`` says, so JSON sent as
``text/plain`` (what a cross-site HTML form or a "simple" fetch can send without a CORS
preflight) reached the handlers. Refusing what is not declared JSON closes that door for
every endpoint at once (decision 46); form and multipart endpoints keep their own types.

A JSON body is also read once here before the handler, to refuse what no handler can take
(decision 57): nesting deeper than the decoder goes (msgspec raises ``RecursionError`` even
for an unknown key it would skip) and whole numbers beyond 64 bits, which every model
accepts and no database can store. Both are 400 problem details naming the place.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware import ASGIMiddleware
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from infra.web.params import ID_MAX


def takes_json(scope: Scope) -> bool:
    """Whether the matched handler declares a JSON ``data`` body."""
    return handler_takes_json(scope.get("route_handler"))


def handler_takes_json(handler: Any) -> bool:
    """Whether a route handler declares a JSON ``data`` body."""
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
            receive = await _checked_body(scope, receive)
        await next_app(scope, receive, send)


def _out_of_range(document: Any) -> str | None:
    """Where the first whole number beyond 64 bits is (``items[0].quantity``), if any."""
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, int) and not isinstance(value, bool):
            if not -ID_MAX <= value <= ID_MAX:
                return where or "body"
        elif isinstance(value, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(value))
    return None


def _refuse(scope: Scope, field: str, message: str) -> ValidationException:
    return ValidationException(
        detail=f"Validation failed for {scope.get('method')} {scope['path']}",
        extra=[{"key": field, "message": message, "source": "body"}],
    )


async def _checked_body(scope: Scope, receive: Receive) -> Receive:
    """Read the body, refuse it if no handler could take it, and hand it on unchanged.

    A body larger than the handler's limit is not read to the end here: Litestar refuses
    it (413) when the handler reads it.
    """
    resolve = getattr(scope.get("route_handler"), "resolve_request_max_body_size", None)
    limit = resolve() if resolve is not None else None
    messages: list[ReceiveMessage] = []
    body = bytearray()
    complete = False
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body.extend(message.get("body", b""))
        if not message.get("more_body", False):
            complete = True
            break
        if limit and len(body) > limit:
            break
    if complete:
        try:
            document = msgspec.json.decode(bytes(body))
        except RecursionError:
            raise _refuse(scope, "body", "JSON이 너무 깊게 중첩되어 있습니다.") from None
        except msgspec.DecodeError:
            document = None  # not JSON at all: the handler's own decoding says so
        field = _out_of_range(document)
        if field is not None:
            raise _refuse(scope, field, "수가 너무 큽니다.")

    async def replay() -> ReceiveMessage:
        return messages.pop(0) if messages else await receive()

    return replay

