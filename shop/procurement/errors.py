"""Procurement error codes: API clients act on the code, people read the Korean message."""

from __future__ import annotations

import enum


class ProcurementErrorCode(enum.StrEnum):
    # certificates
    INVALID_CERTIFICATE = "invalid_certificate"
    INVALID_CERTIFICATE_DATES = "invalid_certificate_dates"
    INVALID_VULNERABLE_SHARE = "invalid_vulnerable_employee_share"
    # amounts
    INVALID_AMOUNT = "invalid_amount"
    INVALID_QUANTITY = "invalid_quantity"
    # contracting and approval
    QUOTES_REQUIRED = "procurement_quotes_required"
    NO_QUOTE = "procurement_no_quote"
    SELF_APPROVAL = "procurement_self_approval"
    APPROVAL_INCOMPLETE = "procurement_approval_incomplete"
    PURCHASE_ORDER_INVALID_TRANSITION = "purchase_order_invalid_transition"
    # inspection and invoices
    INSPECTION_BEFORE_DELIVERY = "inspection_before_delivery"
    ACCEPTED_EXCEEDS_ORDERED = "accepted_exceeds_ordered"
    UNKNOWN_ORDER_LINE = "unknown_order_line"
    INVOICE_BEFORE_INSPECTION = "invoice_before_inspection"
    INVOICE_EXCEEDS_ACCEPTED = "invoice_exceeds_accepted"
    INVOICE_VAT_MISMATCH = "invoice_vat_mismatch"
    # disclosure
    MONTH_NOT_CLOSED = "disclosure_month_not_closed"
    DISCLOSURE_HISTORY_MISMATCH = "disclosure_history_mismatch"
    # priority-purchase exceptions
    INVALID_EXCEPTION_REASON = "invalid_exception_reason"
    EXCEPTION_EXPLANATION_REQUIRED = "exception_explanation_required"
    EXCEPTION_EXPLANATION_TOO_LONG = "exception_explanation_too_long"
    # OCDS export
    INVALID_EVENT_ORDER = "ocds_invalid_event_order"
    NAIVE_DATETIME = "ocds_naive_datetime"
    DUPLICATE_RELEASE_ID = "ocds_duplicate_release_id"
    REQUIRED = "required"
