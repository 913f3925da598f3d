"""A Korean delivery address (배송지) and its checks, in pure code.

우편번호 is the 5-digit 국가기초구역번호 used since 2015; 도로명주소 is the street address a
postcode search returns; 상세주소 is what the shopper adds (동·호수). Phone numbers are
Korean numbers (010-1234-5678, 02-123-4567), kept with hyphens in the usual grouping.
Every wrong field is reported at once, each under ``<prefix>.<field>``.
"""

from __future__ import annotations

import dataclasses
import re

from infra.errors import InvalidInput
from infra.text import unsafe_characters
from shop.checkout.errors import CheckoutErrorCode as Code

POSTAL_CODE = re.compile(r"^\d{5}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: Mobile (010…), Seoul (02), other areas (031…), internet phones (070), national (15xx).
PHONE = re.compile(r"^(?:01[016789]\d{7,8}|02\d{7,8}|0[3-6][1-5]\d{7,8}|070\d{8}|1[5-8]\d{6})$")


@dataclasses.dataclass(frozen=True)
class DeliveryAddress:
    recipient: str
    phone: str
    postal_code: str
    road_address: str
    detail_address: str = ""
    delivery_note: str = ""


def format_phone(digits: str) -> str:
    """010-1234-5678, 02-123-4567, 031-123-4567, 1588-1234."""
    if digits.startswith("02"):
        return f"02-{digits[2:-4]}-{digits[-4:]}"
    if len(digits) == 8:
        return f"{digits[:4]}-{digits[4:]}"
    return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def clean_address(raw: dict[str, object], prefix: str = "address") -> DeliveryAddress:
    """Check every field and return the cleaned address, or raise one 400 listing all faults."""
    errors: list[dict[str, str]] = []

    def fault(field: str, message: str) -> None:
        errors.append({"field": f"{prefix}.{field}", "message": message})

    recipient = _text(raw.get("recipient"))
    if not recipient:
        fault("recipient", "받는 분 이름을 적어 주세요.")
    elif len(recipient) > 60:
        fault("recipient", "받는 분 이름은 60자 이내로 적어 주세요.")
    phone_digits = re.sub(r"[\s-]", "", _text(raw.get("phone")))
    if not PHONE.match(phone_digits):
        fault("phone", "연락처를 010-1234-5678 형식으로 적어 주세요.")
    postal_code = _text(raw.get("postal_code"))
    if not POSTAL_CODE.match(postal_code):
        fault("postal_code", "우편번호는 숫자 5자리입니다.")
    road_address = _text(raw.get("road_address"))
    if not road_address:
        fault("road_address", "도로명주소를 적어 주세요.")
    elif len(road_address) > 200:
        fault("road_address", "도로명주소는 200자 이내로 적어 주세요.")
    detail = _text(raw.get("detail_address"))
    if len(detail) > 200:
        fault("detail_address", "상세주소는 200자 이내로 적어 주세요.")
    note = _text(raw.get("delivery_note"))
    if len(note) > 200:
        fault("delivery_note", "배송 요청사항은 200자 이내로 적어 주세요.")
    for field, value in (("recipient", recipient), ("road_address", road_address),
                         ("detail_address", detail), ("delivery_note", note)):
        if (unsafe := unsafe_characters(value)) is not None:
            fault(field, unsafe)
    if errors:
        raise InvalidInput(
            Code.INVALID_ADDRESS, errors[0]["message"], field=errors[0]["field"],
            extra={"errors": errors},
        )
    return DeliveryAddress(
        recipient=recipient, phone=format_phone(phone_digits), postal_code=postal_code,
        road_address=road_address, detail_address=detail, delivery_note=note,
    )


def clean_email(value: object, field: str = "email") -> str:
    email = _text(value)
    if not EMAIL.match(email) or len(email) > 254:
        raise InvalidInput(Code.INVALID_EMAIL, "주문 확인 메일을 받을 이메일 주소를 적어 주세요.",
                           field=field)
    return email
