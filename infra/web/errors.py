"""One place that turns errors into answers: problem details for programs, pages for people.

Pages that take form input catch :class:`DomainError` themselves to show the message beside
the field; what reaches these handlers is everything else.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any
from urllib.parse import quote

import redis
import sqlalchemy.exc
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    ServiceUnavailableException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from infra.errors import DomainError
from infra.logging import log

PROBLEM_JSON = "application/problem+json"


def wants_json(request: Request[Any, Any, Any]) -> bool:
    if request.url.path.startswith(("/api", "/webhooks", "/healthz")):
        return True
    accept = request.headers.get("accept", "")
    return "json" in accept and "html" not in accept


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(content=body, status_code=int(body["status"]), media_type=PROBLEM_JSON,
                    headers=headers)


def error_page(
    request: Request[Any, Any, Any], status: int, title: str, detail: str,
    headers: dict[str, str] | None = None,
) -> Template:
    return Template(
        template_name="error.html",
        context={"status": status, "title": title, "detail": detail},
        status_code=status,
        headers=headers,
    )


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if wants_json(request):
        return problem_response(exc.problem(instance=request.url.path))
    return error_page(request, exc.status_code, exc.title, exc.message)


def validation_error_handler(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[Any]:
    errors: list[dict[str, Any]] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            errors.append(
                {
                    "field": item.get("key") or item.get("source") or "body",
                    "message": item.get("message", ""),
                }
            )
    body = {
        "type": "https://jangteo.kr/problems/validation",
        "title": "입력값이 올바르지 않습니다",
        "status": 400,
        "detail": exc.detail,
        "code": "validation",
        "errors": errors,
        "instance": request.url.path,
    }
    if wants_json(request):
        return problem_response(body)
    return error_page(request, 400, "입력값이 올바르지 않습니다", exc.detail)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, NotAuthorizedException) and not wants_json(request):
        return Redirect(f"/login?next={quote(request.url.path)}")
    body = {
        "type": "about:blank",
        "title": exc.detail,
        "status": exc.status_code,
        "detail": exc.detail,
        "code": type(exc).__name__,
        "instance": request.url.path,
    }
    headers = dict(exc.headers or {})  # Retry-After on a 503, Allow on a 405
    if wants_json(request):
        return problem_response(body, headers)
    return error_page(request, exc.status_code, "요청을 처리할 수 없습니다", exc.detail, headers)


def store_down_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Redis unreachable where a request truly needs it: a 503 to retry, never a 500."""
    from infra.web.sessions import store_unavailable

    log.warning("redis_unavailable", path=request.url.path, error=f"{type(exc).__name__}: {exc}")
    return http_error_handler(request, store_unavailable())


#: Seconds a client is asked to wait when the database has no connection to spare.
DATABASE_RETRY_AFTER_S = 2


#: PostgreSQL's SQLSTATE ``too_many_connections``: ``max_connections`` reached, or a role's or
#: database's connection limit. Matched by code, not by message, which follows the server's
#: ``lc_messages`` (a Korean server says "너무 많은 클라이언트").
TOO_MANY_CONNECTIONS = "53300"


def _database_busy(exc: Exception) -> bool:
    """The pool waited its timeout for a free connection, or the server refused one more
    client: overload, which passes, not a bug."""
    if isinstance(exc, sqlalchemy.exc.TimeoutError):
        return True
    return (isinstance(exc, sqlalchemy.exc.DBAPIError)
            and getattr(exc.orig, "sqlstate", None) == TOO_MANY_CONNECTIONS)


def database_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A database with no connection to spare under a burst (the pool's wait ran out, or
    PostgreSQL's ``max_connections`` is reached): a 503 with ``Retry-After``, so clients and
    load balancers retry instead of reporting a server error. Any other database error is a
    bug and stays a 500."""
    if not _database_busy(exc):
        return internal_error_handler(request, exc)
    log.warning("database_busy", path=request.url.path, error=f"{type(exc).__name__}: {exc}")
    return http_error_handler(request, ServiceUnavailableException(
        detail="요청이 많아 잠시 처리할 수 없습니다. 잠시 후 다시 시도해 주세요.",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
    ))


#: Where Litestar reads a request body: an error raised inside one of these is the body's.
_BODY_READERS = frozenset({"parse_multipart_form", "parse_url_encoded_form_data"})


def _body_part(tb: TracebackType | None) -> tuple[bool, str]:
    """Whether a traceback passes through a body reader, and the part it was reading (the
    multipart field's name where the parser had one, else ``body``)."""
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name in _BODY_READERS and "litestar" in code.co_filename:
            segment = tb.tb_frame.f_locals.get("segment")
            name = getattr(segment, "name", None)
            return True, name if isinstance(name, str) and name else "body"
        tb = tb.tb_next
    return False, ""


def undecodable_body_handler(
    request: Request[Any, Any, Any], exc: UnicodeDecodeError
) -> Response[Any]:
    """A body the framework cannot read as text (a multipart text part with bytes that are
    not UTF-8): a 400 naming the part, never a 500. The same error raised anywhere else is a
    bug and stays a 500. (JSON nested too deep is refused earlier, ``infra.web.json_bodies``.)
    """
    is_body, part = _body_part(exc.__traceback__)
    if not is_body:
        return internal_error_handler(request, exc)
    message = "UTF-8 텍스트가 아닌 바이트가 있습니다."
    detail = f"Validation failed for {request.method} {request.url.path}"
    return validation_error_handler(
        request, ValidationException(detail=detail, extra=[{"key": part, "message": message}])
    )


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled_error", path=request.url.path)
    if wants_json(request):
        return problem_response(
            {
                "type": "about:blank",
                "title": "서버 오류",
                "status": 500,
                "detail": "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.",
                "code": "internal",
                "instance": request.url.path,
            }
        )
    return Response(  # plain text, so a broken template cannot hide the error page itself
        content="일시적인 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.",
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        media_type=MediaType.TEXT,
    )


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    redis.RedisError: store_down_handler,
    sqlalchemy.exc.TimeoutError: database_error_handler,
    sqlalchemy.exc.DBAPIError: database_error_handler,
    UnicodeDecodeError: undecodable_body_handler,
    Exception: internal_error_handler,
}
