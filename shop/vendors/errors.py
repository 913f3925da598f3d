"""Vendor error codes, and the collector that reports every wrong field of a form at once.

API clients act on the code (``problem.code`` and each ``errors[].code``); people read the
Korean message beside the field it names.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from infra.errors import Conflict, DomainError, InvalidInput, PayloadTooLarge, UnsupportedMediaType


class VendorErrorCode(enum.StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    INVALID_REGISTRATION_NUMBER = "invalid_registration_number"
    REGISTRATION_NUMBER_TAKEN = "registration_number_taken"
    INVALID_PHONE = "invalid_phone"
    INVALID_EMAIL = "invalid_email"
    INVALID_ENTERPRISE_TYPE = "invalid_enterprise_type"
    INVALID_DISTRICT = "invalid_district"
    INVALID_DATE = "invalid_date"
    INVALID_CERTIFICATION_DATES = "invalid_certification_dates"
    INVALID_AMOUNT = "invalid_amount"
    DOCUMENT_TOO_LARGE = "document_too_large"
    DOCUMENT_TYPE_NOT_ALLOWED = "document_type_not_allowed"
    DOCUMENT_EMPTY = "document_empty"
    DOCUMENT_REQUIRED = "document_required"
    TOO_MANY_DOCUMENTS = "too_many_documents"
    MULTIPART_REQUIRED = "multipart_required"
    REASON_REQUIRED = "reason_required"
    WRONG_STATE_FOR_ACTION = "vendor_wrong_state_for_action"
    VENDOR_NOT_FOUND = "vendor_not_found"
    DOCUMENT_NOT_FOUND = "document_not_found"
    ADMIN_ONLY = "admin_only"
    OWNER_ONLY = "owner_only"
    INVALID_ROLE = "invalid_member_role"
    ALREADY_MEMBER = "already_member"
    INVITATION_NOT_FOUND = "invitation_not_found"
    INVITATION_EXPIRED = "invitation_expired"
    INVITATION_USED = "invitation_used"
    INVITATION_EMAIL_MISMATCH = "invitation_email_mismatch"


_ERROR_CLASS: dict[int, type[DomainError]] = {
    400: InvalidInput,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
}


@dataclass(frozen=True)
class FieldProblem:
    code: VendorErrorCode
    field: str
    message: str
    status: int = 400


@dataclass
class Problems:
    """Gathers every field error of one submission, then raises them as one problem."""

    items: list[FieldProblem] = field(default_factory=list)

    def add(self, code: VendorErrorCode, field: str, message: str, status: int = 400) -> None:
        if not any(p.field == field for p in self.items):  # the first message per field wins
            self.items.append(FieldProblem(code, field, message, status))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        first = self.items[0]
        statuses = {p.status for p in self.items}
        # One kind of problem keeps its own status (413, 415…); a mixture is plain bad input.
        status = statuses.pop() if len(statuses) == 1 else 400
        error_cls = _ERROR_CLASS.get(status, InvalidInput)
        raise error_cls(
            first.code,
            first.message,
            field=first.field,
            status_code=status,
            extra={
                "errors": [
                    {"field": p.field, "message": p.message, "code": p.code.value}
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
