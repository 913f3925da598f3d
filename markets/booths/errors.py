"""Booth-map error codes.

API clients act on ``code`` (``problem.code`` and each ``errors[].code``); people read the
Korean message beside the field it names. Every wrong field of a form is gathered by
``infra.errors.Problems``; who may edit maps at all is ``infra.auth.require_organizer``.
"""

from __future__ import annotations

import enum


class BoothErrorCode(enum.StrEnum):
    REQUIRED = "required"
    INVALID_CODE = "invalid_booth_code"
    CODE_TAKEN = "booth_code_taken"
    INVALID_ZONE = "invalid_zone"
    INVALID_SIZE = "invalid_booth_size"
    INVALID_PROPERTY = "invalid_booth_property"
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
