"""The rules of onboarding, in pure code: numbers, phones, dates and documents.

Nothing here touches the database, the disk or the web; the services call these functions
before they write anything, so bad input is refused while nothing has been written yet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from infra.errors import CommonErrorCode, Problems
from infra.text import unsafe_characters
from shop.vendors.errors import VendorErrorCode
from shop.vendors.models import DocumentKind
from shop.vendors.types import PRE_SOCIAL_SUPPORT_YEARS, District, EnterpriseType

# ---------------------------------------------------------------- 사업자등록번호

_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_BRN_SHAPE = re.compile(r"^\d{3}-?\d{2}-?\d{5}$")


def registration_number_checksum_ok(digits: str) -> bool:
    """The National Tax Service check digit of a 10-digit business registration number."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    numbers = [int(c) for c in digits]
    total = sum(n * w for n, w in zip(numbers[:9], _BRN_WEIGHTS, strict=True))
    total += (numbers[8] * 5) // 10
    return (10 - total % 10) % 10 == numbers[9]


def normalise_registration_number(raw: str) -> str | None:
    """``"123-45-67890"`` or ``"1234567890"`` → ten digits; ``None`` when it is not valid."""
    value = re.sub(r"\s", "", raw or "")
    if not value.isascii() or not _BRN_SHAPE.match(value):
        return None
    digits = value.replace("-", "")
    return digits if registration_number_checksum_ok(digits) else None


def format_registration_number(digits: str) -> str:
    """Ten digits → ``"123-45-67890"``, the way it is printed on the certificate."""
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 10 else digits


# ---------------------------------------------------------------- 전화번호

_MOBILE = re.compile(r"^(01[016789])(\d{3,4})(\d{4})$")
_SEOUL = re.compile(r"^(02)(\d{3,4})(\d{4})$")
_AREA = re.compile(r"^(0(?:3[1-3]|4[1-4]|5[1-5]|6[1-4]))(\d{3,4})(\d{4})$")
_INTERNET = re.compile(r"^(070)(\d{4})(\d{4})$")
_REPRESENTATIVE = re.compile(r"^(1[568]\d{2})(\d{4})$")  # 1588-0000, 1644-…, 1899-…


def normalise_phone(raw: str) -> str | None:
    """A Korean landline, mobile, 070 or 대표번호, hyphenated; ``None`` when it is not one."""
    value = re.sub(r"[\s\-().]", "", raw or "")
    if value.startswith("+82"):
        value = "0" + value[3:].lstrip("0")
    if not value.isascii() or not value.isdigit():
        return None
    for pattern in (_MOBILE, _SEOUL, _AREA, _INTERNET, _REPRESENTATIVE):
        match = pattern.match(value)
        if match:
            return "-".join(match.groups())
    return None


# ---------------------------------------------------------------- e-mail, dates

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(raw: str) -> str | None:
    value = (raw or "").strip().lower()
    return value if EMAIL_RE.match(value) and len(value) <= 254 else None


def parse_date(raw: str) -> dt.date | None:
    """``2024-03-01`` (what a date input sends) or ``2024.03.01`` (what certificates print)."""
    value = (raw or "").strip().rstrip(".")
    for sep in (".", "/"):
        value = value.replace(sep, "-")
    parts = [p.strip() for p in value.split("-")]
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def is_pre_social(enterprise_type: EnterpriseType) -> bool:
    return enterprise_type in (
        EnterpriseType.PRE_SOCIAL_REGIONAL,
        EnterpriseType.PRE_SOCIAL_MINISTRY,
    )


def pre_social_end(valid_from: dt.date) -> dt.date:
    """The last day a pre-certified enterprise is supported (three years from designation)."""
    return valid_from + relativedelta(years=PRE_SOCIAL_SUPPORT_YEARS) - dt.timedelta(days=1)


def certification_problem(
    enterprise_type: EnterpriseType, valid_from: dt.date, valid_to: dt.date | None
) -> str | None:
    """Why these certification dates cannot be right, or ``None`` when they can."""
    if valid_to is not None and valid_to < valid_from:
        return "인증 만료일은 인증 시작일보다 빠를 수 없습니다."
    if is_pre_social(enterprise_type):
        if valid_to is None:
            return "예비 사회적기업은 지정 기간의 만료일을 입력해 주세요."
        if valid_to > pre_social_end(valid_from):
            return (
                f"예비 사회적기업의 지정 기간은 최대 {PRE_SOCIAL_SUPPORT_YEARS}년입니다 "
                f"({pre_social_end(valid_from).isoformat()}까지)."
            )
    return None


# ---------------------------------------------------------------- the application form

LIMITS = {
    "name": 120,
    "representative": 60,
    "certification_number": 60,
    "description": 5000,
}


@dataclass(frozen=True)
class VendorApplication:
    """What an applicant typed, as text: the same shape from the HTML form and the API."""

    name: str = ""
    enterprise_type: str = ""
    business_registration_number: str = ""
    representative: str = ""
    district: str = ""
    phone: str = ""
    email: str = ""
    description: str = ""
    certification_number: str = ""
    certified_from: str = ""
    certified_to: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> VendorApplication:
        values = {}
        for name in cls.__dataclass_fields__:
            value = data.get(name, "")
            values[name] = value if isinstance(value, str) else ""
        return cls(**values)


@dataclass(frozen=True)
class CleanApplication:
    name: str
    enterprise_type: EnterpriseType
    business_registration_number: str
    representative: str
    district: District
    phone: str
    email: str
    description: str
    certification_number: str
    certified_from: dt.date
    certified_to: dt.date | None


_REQUIRED_MESSAGES = {
    "name": "기업명을 입력해 주세요.",
    "representative": "대표자 이름을 입력해 주세요.",
    "certification_number": "인증(지정) 번호를 입력해 주세요.",
}


def _text(problems: Problems, form: VendorApplication, name: str, *, required: bool) -> str:
    value = getattr(form, name).strip()
    if required and not value:
        problems.add(VendorErrorCode.REQUIRED, name, _REQUIRED_MESSAGES[name])
    elif len(value) > LIMITS[name]:
        problems.add(VendorErrorCode.TOO_LONG, name, f"{LIMITS[name]}자 이내로 입력해 주세요.")
    elif (unsafe := unsafe_characters(value)) is not None:
        problems.add(CommonErrorCode.UNSAFE_CHARACTERS, name, unsafe)
    return value


def clean_application(form: VendorApplication, problems: Problems) -> CleanApplication | None:
    """Check every field, note every problem, and return typed values when all are right."""
    name = _text(problems, form, "name", required=True)
    representative = _text(problems, form, "representative", required=True)
    certification_number = _text(problems, form, "certification_number", required=True)
    description = _text(problems, form, "description", required=False)

    brn = normalise_registration_number(form.business_registration_number)
    if brn is None:
        problems.add(
            VendorErrorCode.INVALID_REGISTRATION_NUMBER,
            "business_registration_number",
            "올바른 사업자등록번호가 아닙니다. 숫자 10자리(예: 123-45-67890)를 확인해 주세요.",
        )
    enterprise_type = next((t for t in EnterpriseType if t.value == form.enterprise_type), None)
    if enterprise_type is None:
        problems.add(
            VendorErrorCode.INVALID_ENTERPRISE_TYPE, "enterprise_type", "기업 유형을 선택해 주세요."
        )
    district = next((d for d in District if d.value == form.district.strip()), None)
    if district is None:
        problems.add(
            VendorErrorCode.INVALID_DISTRICT, "district", "서울시 자치구를 선택해 주세요."
        )
    phone = normalise_phone(form.phone)
    if phone is None:
        problems.add(
            VendorErrorCode.INVALID_PHONE,
            "phone",
            "전화번호 형식이 올바르지 않습니다 (예: 02-123-4567, 010-1234-5678).",
        )
    email = normalise_email(form.email)
    if email is None:
        problems.add(VendorErrorCode.INVALID_EMAIL, "email", "올바른 이메일 주소를 입력해 주세요.")

    certified_from = parse_date(form.certified_from)
    if certified_from is None:
        problems.add(
            VendorErrorCode.INVALID_DATE,
            "certified_from",
            "인증 시작일을 입력해 주세요 (예: 2024-03-01).",
        )
    certified_to: dt.date | None = None
    if form.certified_to.strip():
        certified_to = parse_date(form.certified_to)
        if certified_to is None:
            problems.add(
                VendorErrorCode.INVALID_DATE,
                "certified_to",
                "인증 만료일 형식이 올바르지 않습니다.",
            )
    if enterprise_type is not None and certified_from is not None and "certified_to" not in {
        p.field for p in problems.items
    }:
        why = certification_problem(enterprise_type, certified_from, certified_to)
        if why:
            problems.add(VendorErrorCode.INVALID_CERTIFICATION_DATES, "certified_to", why)

    if (
        problems
        or brn is None
        or enterprise_type is None
        or district is None
        or phone is None
        or email is None
        or certified_from is None
    ):
        return None
    return CleanApplication(
        name=name,
        enterprise_type=enterprise_type,
        business_registration_number=brn,
        representative=representative,
        district=district,
        phone=phone,
        email=email,
        description=description,
        certification_number=certification_number,
        certified_from=certified_from,
        certified_to=certified_to,
    )


# ---------------------------------------------------------------- documents

MAX_DOCUMENTS = 5

#: Form field (and problem ``field``) for each kind of document.
DOCUMENT_FIELDS: dict[DocumentKind, str] = {
    DocumentKind.BUSINESS_REGISTRATION: "business_registration_document",
    DocumentKind.CERTIFICATE: "certificate_document",
    DocumentKind.OTHER: "other_documents",
}
DOCUMENTS_FIELD = "documents"

#: Allowed types and the extension a stored file gets.
ALLOWED_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
}
ALLOWED_LABEL = "PDF, PNG, JPEG, WEBP"


def sniff_content_type(head: bytes) -> str | None:
    """What the first bytes say the file is (its magic number), among the allowed types."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(frozen=True)
class IncomingDocument:
    """A file as it arrived: ``data`` holds at most ``limit + 1`` bytes of it."""

    kind: DocumentKind
    filename: str
    declared_type: str
    data: bytes

    @property
    def field(self) -> str:
        return DOCUMENT_FIELDS[self.kind]


@dataclass(frozen=True)
class CheckedDocument:
    kind: DocumentKind
    filename: str
    content_type: str
    extension: str
    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def size_label(size: int) -> str:
    """``10485760`` → ``"10MB"``; small sizes in KB or bytes."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g}MB"
    if size >= 1024:
        return f"{size / 1024:.3g}KB"
    return f"{size}바이트"


def safe_filename(name: str) -> str:
    """The base name only, without control characters, at most 200 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return (base or "document")[-200:]


def check_documents(
    documents: Sequence[IncomingDocument],
    max_bytes: int,
    problems: Problems,
    *,
    require_registration: bool,
) -> list[CheckedDocument]:
    """Check each file by its size and its magic bytes (never only the declared type)."""
    if len(documents) > MAX_DOCUMENTS:
        problems.add(
            VendorErrorCode.TOO_MANY_DOCUMENTS,
            DOCUMENTS_FIELD,
            f"서류는 한 번에 {MAX_DOCUMENTS}개까지 올릴 수 있습니다.",
        )
    if require_registration and not any(
        d.kind is DocumentKind.BUSINESS_REGISTRATION for d in documents
    ):
        problems.add(
            VendorErrorCode.DOCUMENT_REQUIRED,
            DOCUMENT_FIELDS[DocumentKind.BUSINESS_REGISTRATION],
            "사업자등록증 사본을 첨부해 주세요.",
        )
    checked: list[CheckedDocument] = []
    for doc in documents:
        if len(doc.data) > max_bytes:
            problems.add(
                VendorErrorCode.DOCUMENT_TOO_LARGE,
                doc.field,
                f"파일이 너무 큽니다 ({safe_filename(doc.filename)}). "
                f"{size_label(max_bytes)} 이하로 올려 주세요.",
                status=413,
            )
            continue
        if not doc.data:
            problems.add(
                VendorErrorCode.DOCUMENT_EMPTY, doc.field,
                f"빈 파일입니다 ({safe_filename(doc.filename)}).",
            )
            continue
        content_type = sniff_content_type(doc.data[:16])
        if content_type is None:
            problems.add(
                VendorErrorCode.DOCUMENT_TYPE_NOT_ALLOWED,
                doc.field,
                f"올릴 수 없는 파일 형식입니다 ({safe_filename(doc.filename)}). "
                f"{ALLOWED_LABEL} 파일만 올릴 수 있습니다.",
                status=415,
            )
            continue
        checked.append(
            CheckedDocument(
                kind=doc.kind,
                filename=safe_filename(doc.filename),
                content_type=content_type,
                extension=ALLOWED_TYPES[content_type],
                data=doc.data,
                sha256=hashlib.sha256(doc.data).hexdigest(),
            )
        )
    return checked


# ---------------------------------------------------------------- decisions


def clean_reason(reason: str | None) -> str:
    return (reason or "").strip()[:2000]
