"""Errors a domain raises on purpose, and how they become RFC 9457 problem details.

Each domain has an error-code enumeration (``shop/vendors/errors.py`` …) so API clients can
act on the code; the message is Korean for people and the field says which input was wrong.
:class:`DomainError` takes a member of such an enumeration, never a bare string, so every
code a client can see is listed in one place per domain.

:class:`Problems` gathers every wrong field of one submission so that a form (or an API
client) learns them all at once; :func:`field_errors` turns any domain error back into
``{field: message}`` for a page to show beside its inputs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class AccessErrorCode(enum.StrEnum):
    """Codes shared by every domain: who may act at all."""

    LOGIN_REQUIRED = "login_required"
    ORGANIZER_ONLY = "organizer_only"
    ADMIN_ONLY = "admin_only"


class CommonErrorCode(enum.StrEnum):
    """Codes of the plumbing itself: accounts and every state machine."""

    INVALID_TRANSITION = "invalid_transition"
    INVALID_EMAIL = "invalid_email"
    WEAK_PASSWORD = "weak_password"  # noqa: S105 - an error code, not a password
    MISSING_NAME = "missing_name"
    UNSAFE_CHARACTERS = "unsafe_characters"  # NUL, bidi overrides (infra.text)
    EMAIL_TAKEN = "email_taken"
    BAD_CREDENTIALS = "bad_credentials"
    CONSENT_REQUIRED = "consent_required"
    INVALID_TOKEN_NAME = "invalid_token_name"  # noqa: S105 - an error code
    INVALID_TOKEN_LIFETIME = "invalid_token_lifetime"  # noqa: S105 - an error code
    TOKEN_NOT_FOUND = "token_not_found"  # noqa: S105 - an error code
    INVALID_RESET_LINK = "invalid_reset_link"
    OUT_OF_RANGE = "out_of_range"  # a number no row or rule can have (ids beyond 64 bits)


class DomainError(Exception):
    status_code = 400
    title = "요청을 처리할 수 없습니다"

    def __init__(
        self,
        code: enum.Enum,
        message: str,
        *,
        field: str | None = None,
        status_code: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        if not isinstance(code, enum.Enum):
            raise TypeError(f"a domain error code is a member of the domain's enum, not {code!r}")
        self.code = str(code.value)
        self.message = message
        self.field = field
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://jangteo.kr/problems/{self.code}",
            "title": self.title,
            "status": self.status_code,
            "detail": self.message,
            "code": self.code,
        }
        if instance:
            body["instance"] = instance
        if self.field:
            body["errors"] = [{"field": self.field, "message": self.message}]
        body.update(self.extra)
        return body


class InvalidInput(DomainError):
    status_code = 400
    title = "입력값이 올바르지 않습니다"


class NotFound(DomainError):
    status_code = 404
    title = "찾을 수 없습니다"


class Forbidden(DomainError):
    status_code = 403
    title = "권한이 없습니다"


class Conflict(DomainError):
    """A refused state transition or a clash with current state (409)."""

    status_code = 409
    title = "현재 상태에서는 할 수 없는 요청입니다"


class PayloadTooLarge(DomainError):
    status_code = 413
    title = "파일이 너무 큽니다"


class UnsupportedMediaType(DomainError):
    status_code = 415
    title = "지원하지 않는 파일 형식입니다"


#: The error class a status stands for, so a collected 413 is still a PayloadTooLarge.
_ERROR_CLASS: dict[int, type[DomainError]] = {
    400: InvalidInput,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
}


@dataclass(frozen=True)
class FieldProblem:
    code: enum.Enum
    field: str
    message: str
    status: int = 400


@dataclass
class Problems:
    """Every field error of one submission, raised together as one problem.

    The first message per field wins (the most basic check runs first). The status rule:
    when every problem has the same status it is kept (a too-large file stays a 413);
    a mixture of kinds is plain bad input, 400.
    """

    items: list[FieldProblem] = field(default_factory=list)

    def add(self, code: enum.Enum, field: str, message: str, status: int = 400) -> None:
        if not self.has(field):
            self.items.append(FieldProblem(code, field, message, status))

    def has(self, field: str) -> bool:
        return any(p.field == field for p in self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        first = self.items[0]
        statuses = {p.status for p in self.items}
        status = statuses.pop() if len(statuses) == 1 else 400
        raise _ERROR_CLASS.get(status, InvalidInput)(
            first.code,
            first.message,
            field=first.field,
            status_code=status,
            extra={
                "errors": [
                    {"field": p.field, "message": p.message, "code": str(p.code.value)}
                    for p in self.items
                ]
            },
        )


def field_errors(exc: DomainError) -> dict[str, str]:
    """``{field: message}`` of a domain error, for showing each message beside its field;
    an error about no field in particular is keyed ``_form``."""
    listed: Any = exc.extra.get("errors")
    if isinstance(listed, list) and listed:
        return {str(e["field"]): str(e["message"]) for e in listed if isinstance(e, dict)}
    return {exc.field or "_form": exc.message}
