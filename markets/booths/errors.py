"""Booth-map error codes, and the collector that reports every wrong field of a form at once.

API clients act on ``code`` (``problem.code`` and each ``errors[].code``); people read the
Korean message beside the field it names.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from infra.accounts.models import Role, User
from infra.errors import DomainError, Forbidden, InvalidInput


class BoothErrorCode(enum.StrEnum):
    REQUIRED = "required"
    INVALID_CODE = "invalid_booth_code"
    CODE_TAKEN = "booth_code_taken"
    INVALID_ZONE = "invalid_zone"
    INVALID_SIZE = "invalid_booth_size"
    INVALID_NUMBER = "invalid_number"
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN_NEIGHBOUR = "unknown_neighbour"
    TOO_MANY_NEIGHBOURS = "too_many_neighbours"
    OVERLAPS = "booth_overlaps"
    TOO_LONG = "too_long"
    BOOTH_NOT_FOUND = "booth_not_found"
    MARKET_NOT_FOUND = "market_not_found"
    ALREADY_INACTIVE = "booth_already_inactive"
    ALREADY_ACTIVE = "booth_already_active"
    LOGIN_REQUIRED = "login_required"
    ORGANIZER_ONLY = "organizer_only"


@dataclass(frozen=True)
class FieldProblem:
    code: enum.Enum
    field: str
    message: str


@dataclass
class Problems:
    """Every field error of one submission, raised together as one 400 problem."""

    items: list[FieldProblem] = field(default_factory=list)

    def add(self, code: enum.Enum, field: str, message: str) -> None:
        if not any(p.field == field for p in self.items):  # the first message per field wins
            self.items.append(FieldProblem(code, field, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        first = self.items[0]
        raise InvalidInput(
            first.code,
            first.message,
            field=first.field,
            extra={
                "errors": [
                    {"field": p.field, "message": p.message, "code": str(p.code.value)}
                    for p in self.items
                ]
            },
        )


def field_errors(exc: DomainError) -> dict[str, str]:
    """``{field: message}`` of a domain error, for showing each message beside its field."""
    listed: Any = exc.extra.get("errors")
    if isinstance(listed, list) and listed:
        return {str(e["field"]): str(e["message"]) for e in listed if isinstance(e, dict)}
    return {exc.field or "_form": exc.message}


def require_organizer(actor: User | None) -> User:
    """Organizers (and platform admins) edit maps and assignments; others get a 403.

    Checked in the services as well as by the route guards, so a CLI or worker caller
    cannot skip it.
    """
    if actor is None:
        raise Forbidden(BoothErrorCode.LOGIN_REQUIRED, "로그인이 필요합니다.")
    if not actor.has_role(Role.ORGANIZER):
        raise Forbidden(BoothErrorCode.ORGANIZER_ONLY, "장터 운영자만 할 수 있습니다.")
    return actor
