"""Errors a domain raises on purpose, and how they become RFC 9457 problem details.

Each domain has an error-code enumeration (``shop/vendors/errors.py`` …) so API clients can
act on the code; the message is Korean for people and the field says which input was wrong.
"""

from __future__ import annotations

import enum
from typing import Any


class DomainError(Exception):
    status_code = 400
    title = "요청을 처리할 수 없습니다"

    def __init__(
        self,
        code: enum.Enum | str,
        message: str,
        *,
        field: str | None = None,
        status_code: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code.value if isinstance(code, enum.Enum) else code
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
