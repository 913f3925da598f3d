"""Catalog error codes, so API clients can act on them, and the field-level error they carry."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence

from infra.errors import InvalidInput


class CatalogErrorCode(enum.StrEnum):
    INVALID_NAME = "invalid_name"
    INVALID_DESCRIPTION = "invalid_description"
    UNKNOWN_CATEGORY = "unknown_category"
    UNKNOWN_STRATEGIC_ITEM = "unknown_strategic_item"
    NO_VARIANTS = "no_variants"
    TOO_MANY_VARIANTS = "too_many_variants"
    INVALID_SKU = "invalid_sku"
    INVALID_OPTION_LABEL = "invalid_option_label"
    INVALID_PRICE = "invalid_price"  # negative, zero, above the ceiling, or not whole won
    INVALID_STOCK = "invalid_stock"
    STOCK_BELOW_SOLD = "stock_below_sold"
    DUPLICATE_SKU = "duplicate_sku"
    INVALID_REASON = "invalid_reason"
    VENDOR_NOT_APPROVED = "vendor_not_approved"
    PRODUCT_NOT_FOUND = "product_not_found"
    VARIANT_NOT_FOUND = "variant_not_found"
    IMAGE_MISSING = "image_missing"
    IMAGE_TOO_LARGE = "image_too_large"
    IMAGE_TYPE_NOT_ALLOWED = "image_type_not_allowed"  # not a PNG, JPEG or WebP Pillow decodes
    IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels"  # decompression bombs included
    TOO_MANY_IMAGES = "too_many_images"
    DUPLICATE_IMAGE = "duplicate_image"
    IMAGE_NOT_FOUND = "image_not_found"
    INVALID_ALT = "invalid_alt"
    INVALID_TRANSITION = "product_invalid_transition"


@dataclasses.dataclass(frozen=True)
class FieldError:
    """One wrong input: the field as the client named it (``variants[0].price``) and why."""

    field: str
    code: CatalogErrorCode
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "code": self.code.value}


def invalid(errors: Sequence[FieldError]) -> InvalidInput:
    """A 400 naming every wrong field; its ``code`` and ``detail`` are the first error's."""
    first = errors[0]
    return InvalidInput(
        first.code,
        first.message,
        field=first.field,
        extra={"errors": [e.as_dict() for e in errors]},
    )

