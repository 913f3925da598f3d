"""Short names for the request parameters every controller uses (Litestar's explicit markers),
the strict second reading of JSON bodies that carry money or stock, and the range of the
whole numbers in paths and queries."""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeAlias, TypeVar
from urllib.parse import parse_qsl

import msgspec
from litestar import Request
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.middleware import ASGIMiddleware
from litestar.params import Body, ParameterKwarg
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.errors import CommonErrorCode, NotFound

#: The request's database session (advanced-alchemy's plugin provides it as ``db_session``).
DbSession: TypeAlias = NamedDependency[AsyncSession]
#: The signed-in person (``infra.auth.provide_user``, registered on the app as ``user``).
SignedIn: TypeAlias = NamedDependency[User]
#: The signed-in person or ``None`` for a visitor (``infra.auth.provide_viewer``, ``viewer``).
Viewer: TypeAlias = NamedDependency[User | None]
#: An HTML form posted as application/x-www-form-urlencoded.
FormData: TypeAlias = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
#: A multipart form (file uploads); values are strings or ``UploadFile``.
MultipartData: TypeAlias = Annotated[
    dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)
]

B = TypeVar("B")
_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)


async def strict_body(request: Request[Any, Any, Any], body_type: type[B]) -> B:
    """The JSON body decoded a second time, strictly (decision 8).

    Litestar converts bodies leniently (a whole float or a numeric string passes as ``int``);
    won and stock must arrive as JSON integers, so ``12000.0`` or ``"12000"`` is refused here
    with the same 400 problem detail as any other validation error, naming the field.
    """
    try:
        return msgspec.json.decode(await request.body(), type=body_type, strict=True)
    except msgspec.ValidationError as exc:
        match = _AT.match(str(exc))
        message = match.group("message") if match else str(exc)
        path = (match.group("path") or "") if match else ""
        raise ValidationException(
            detail=f"Validation failed for {request.method} {request.url.path}",
            extra=[{"key": path.lstrip(".") or "body", "message": message, "source": "body"}],
        ) from exc


#: Every id is a signed 64-bit integer (``BigInteger``), and so is every other whole number
#: the databases compare: nothing beyond can exist.
ID_MAX = 2**63 - 1
#: Names Litestar gives a handler that are not request input.
NOT_PARAMETERS = frozenset({"request", "state", "scope", "headers", "cookies", "socket"})
_NOT_QUERY = NOT_PARAMETERS | {"query", "body", "data"}
_query_integers_of: dict[int, dict[str, str]] = {}


def _beyond_64_bits(raw: str) -> bool:
    digits = raw.strip().lstrip("+-")
    if not digits.isdigit():
        return False  # not a whole number: the handler's own validation answers
    return len(digits.lstrip("0")) > 19 or int(digits) > ID_MAX


def _query_integers(handler: Any, path_params: Any) -> dict[str, str]:
    """``{query name: parameter name}`` of a handler's whole-number query parameters."""
    known = _query_integers_of.get(id(handler))
    if known is None:
        dependencies = handler.resolve_dependencies()
        known = {}
        for name, field_definition in handler.parsed_fn_signature.parameters.items():
            if name in _NOT_QUERY or name in dependencies or name in path_params:
                continue
            kwarg = field_definition.kwarg_definition
            if isinstance(kwarg, ParameterKwarg) and (kwarg.header or kwarg.cookie):
                continue
            types = (field_definition.annotation, *(field_definition.args or ()))
            if int in types:
                query = kwarg.query if isinstance(kwarg, ParameterKwarg) else None
                known[query or name] = name
        _query_integers_of[id(handler)] = known
    return known


class WholeNumbersMiddleware(ASGIMiddleware):
    """A whole number beyond 64 bits in a path or query parameter names nothing that can
    exist, for every route at once: in a path 404, in a query 400, naming the parameter.

    The router and Litestar's parameter parsing accept an ``int`` of any size, and the
    databases cannot compare it (``OverflowError`` on SQLite, a data error on PostgreSQL):
    ``/api/vendors/99999999999999999999`` or ``?page=10**30`` answered 500.
    """

    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        path_params = scope.get("path_params") or {}
        for name, value in path_params.items():
            if isinstance(value, int) and not -ID_MAX <= value <= ID_MAX:
                raise NotFound(CommonErrorCode.OUT_OF_RANGE, f"{name}: 그런 번호는 없습니다.",
                               field=name)
        handler = scope.get("route_handler")
        query_string = scope.get("query_string") or b""
        if query_string and handler is not None:
            integers = _query_integers(handler, path_params)
            for key, raw in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
                if key in integers and _beyond_64_bits(raw):
                    raise ValidationException(
                        detail=f"Validation failed for {scope.get('method')} {scope['path']}",
                        extra=[{"key": key, "message": "수가 너무 큽니다.", "source": "query"}],
                    )
        await next_app(scope, receive, send)
