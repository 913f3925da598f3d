"""Vendor error codes: API clients act on the code (``problem.code`` and each
``errors[].code``); people read the Korean message beside the field it names. Every wrong
field of a form is gathered with ``infra.errors.Problems`` and reported at once.
"""

from __future__ import annotations

import enum


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
    NOT_A_MEMBER = "not_a_member"
    UNKNOWN_ACTION = "unknown_action"
    INVALID_TRANSITION = "vendor_invalid_transition"

