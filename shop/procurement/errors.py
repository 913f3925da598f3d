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
    # requests for quotation, quotes and awards
    QUOTE_REQUEST_NOT_FOUND = "quote_request_not_found"
    QUOTE_REQUEST_INVALID_TRANSITION = "quote_request_invalid_transition"
    QUOTE_DEADLINE_PASSED = "quote_deadline_passed"
    QUOTE_DEADLINE_NOT_PASSED = "quote_deadline_not_passed"
    QUOTE_NOT_FOUND = "quote_not_found"
    QUOTE_EXPIRED = "quote_expired"
    NOT_INVITED = "quote_vendor_not_invited"
    NO_VENDORS_TO_INVITE = "quote_no_vendors_to_invite"
    INVALID_DATE = "invalid_date"
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
    # yearly purchase plans
    PLAN_NOT_FOUND = "purchase_plan_not_found"
    DUPLICATE_PLAN = "purchase_plan_duplicate"
    INVALID_PLAN = "purchase_plan_invalid"
    PLAN_INVALID_TRANSITION = "purchase_plan_invalid_transition"
    PLAN_NOT_EDITABLE = "purchase_plan_not_editable"
    AMENDMENT_REASON_REQUIRED = "purchase_plan_amendment_reason_required"
    AMENDMENT_IN_PROGRESS = "purchase_plan_amendment_in_progress"
    # priority-purchase exceptions
    INVALID_EXCEPTION_REASON = "invalid_exception_reason"
    EXCEPTION_EXPLANATION_REQUIRED = "exception_explanation_required"
    EXCEPTION_EXPLANATION_TOO_LONG = "exception_explanation_too_long"
    # OCDS export
    INVALID_EVENT_ORDER = "ocds_invalid_event_order"
    NAIVE_DATETIME = "ocds_naive_datetime"
    DUPLICATE_RELEASE_ID = "ocds_duplicate_release_id"
    REQUIRED = "required"
    NO_PUBLIC_ORDERS = "ocds_no_public_orders"
    # institutions, people and the database-backed use cases
    INSTITUTION_NOT_FOUND = "institution_not_found"
    DEPARTMENT_NOT_FOUND = "department_not_found"
    VENDOR_NOT_FOUND = "procurement_vendor_not_found"
    USER_NOT_FOUND = "procurement_user_not_found"
    ORDER_NOT_FOUND = "purchase_order_not_found"
    DUPLICATE_INSTITUTION = "institution_duplicate"
    DUPLICATE_DEPARTMENT = "department_duplicate"
    DUPLICATE_MEMBERSHIP = "membership_duplicate"
    DUPLICATE_INVOICE = "invoice_duplicate"
    NOT_A_MEMBER = "procurement_role_required"
    SELF_INSPECTION = "procurement_self_inspection"
    VENDOR_CANNOT_SELL = "procurement_vendor_cannot_sell"
    NO_LINES = "purchase_order_no_lines"
    NOT_INVOICED = "purchase_order_not_invoiced"
    PAYMENT_AMOUNT_MISMATCH = "payment_amount_mismatch"
    DELIVERY_EXCEEDS_ORDERED = "delivery_exceeds_ordered"
    NOTHING_TO_DISCLOSE = "disclosure_nothing_changed"
    # purchases made outside the platform (imports)
    OUTSIDE_FILE_UNREADABLE = "outside_purchases_file_unreadable"
    OUTSIDE_FILE_TOO_LARGE = "outside_purchases_file_too_large"
    OUTSIDE_COLUMN_MISSING = "outside_purchases_column_missing"
    OUTSIDE_NO_ROWS = "outside_purchases_no_rows"
    OUTSIDE_INVALID_CELL = "outside_purchases_invalid_cell"
    OUTSIDE_DUPLICATE_FILE = "outside_purchases_duplicate_file"
    OUTSIDE_IMPORT_NOT_FOUND = "outside_purchases_import_not_found"
    OUTSIDE_ALREADY_WITHDRAWN = "outside_purchases_already_withdrawn"
    OUTSIDE_WITHDRAWAL_REASON_REQUIRED = "outside_purchases_withdrawal_reason_required"
    # corrections of counted amounts
    CORRECTION_NOT_COUNTED = "correction_order_not_counted"
    CORRECTION_REASON_REQUIRED = "correction_reason_required"
    CORRECTION_ZERO = "correction_amount_zero"
    CORRECTION_BELOW_ZERO = "correction_below_zero"
