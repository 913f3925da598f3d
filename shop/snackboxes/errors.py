"""Snack-box error codes, so API clients (and the console forms) can act on them."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence

from infra.errors import InvalidInput


class SnackBoxErrorCode(enum.StrEnum):
    INVALID_NAME = "invalid_name"
    INVALID_DESCRIPTION = "invalid_description"
    INVALID_LEAD_DAYS = "invalid_lead_days"
    NO_SIZES = "no_sizes"
    TOO_MANY_SIZES = "too_many_sizes"
    INVALID_HEADCOUNT = "invalid_headcount"
    DUPLICATE_HEADCOUNT = "duplicate_headcount"
    INVALID_PRICE = "invalid_price"
    NO_COMPONENTS = "no_components"
    TOO_MANY_COMPONENTS = "too_many_components"
    INVALID_VARIANT = "invalid_variant"
    DUPLICATE_VARIANT = "duplicate_variant"
    VARIANT_NOT_ELIGIBLE = "variant_not_eligible"  # unknown, stopped, unpublished, not approved
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_DATE = "invalid_date"
    INVALID_WINDOW = "invalid_window"
    INVALID_CAPACITY = "invalid_capacity"
    DUPLICATE_SLOT = "duplicate_slot"
    CAPACITY_BELOW_BOOKED = "capacity_below_booked"
    BOX_NOT_FOUND = "snack_box_not_found"
    SLOT_NOT_FOUND = "slot_not_found"
    NOT_BOX_OWNER = "not_snack_box_owner"  # another organizer's box
    # Ordering
    NO_BOXES = "no_snack_boxes"
    TOO_MANY_BOXES = "too_many_snack_box_lines"
    UNKNOWN_SIZE = "unknown_size"
    UNKNOWN_SLOT = "unknown_slot"
    SLOT_OF_ANOTHER_BOX = "slot_of_another_box"
    SLOT_CLOSED = "slot_closed"
    SLOT_TOO_SOON = "slot_too_soon"
    SLOT_FULL = "slot_full"
    INVALID_IMAGE = "invalid_image"
    INVALID_CLOSED_DAYS = "invalid_closed_days"
    INVALID_ASSEMBLER = "invalid_assembler"  # not an approved vendor
    # A bought box, cancelled as one
    BOUGHT_BOX_NOT_FOUND = "bought_snack_box_not_found"
    BOX_PART_SHIPPED = "snack_box_part_shipped"
    BOX_ALREADY_CANCELLED = "snack_box_already_cancelled"


@dataclasses.dataclass(frozen=True)
class FieldError:
    """One wrong input: the field as the client named it (``sizes[0].price``) and why."""

    field: str
    code: SnackBoxErrorCode
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "code": self.code.value}


def invalid(errors: Sequence[FieldError]) -> InvalidInput:
    """A 400 naming every wrong field; its ``code`` and ``detail`` are the first error's."""
    first = errors[0]
    return InvalidInput(
        first.code, first.message, field=first.field,
        extra={"errors": [e.as_dict() for e in errors]},
    )
