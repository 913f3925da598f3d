"""Pure onboarding rules: registration numbers, phones, certification dates, documents."""

from __future__ import annotations

import datetime as dt

import pytest

from infra.errors import InvalidInput, PayloadTooLarge, Problems, UnsupportedMediaType
from shop.vendors.errors import VendorErrorCode
from shop.vendors.models import DocumentKind
from shop.vendors.rules import (
    IncomingDocument,
    VendorApplication,
    certification_problem,
    check_documents,
    clean_application,
    format_registration_number,
    normalise_phone,
    normalise_registration_number,
    parse_date,
    pre_social_end,
    registration_number_checksum_ok,
    sniff_content_type,
)
from shop.vendors.types import EnterpriseType

from .conftest import EXE, PDF, PNG, application_fields, registration_doc


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("124-81-00998", "1248100998"),
        ("2208162517", "2208162517"),
        (" 104-81-37225 ", "1048137225"),
        ("104 81 37225", "1048137225"),
    ],
)
def test_valid_registration_numbers_normalise_to_ten_digits(raw: str, digits: str) -> None:
    assert normalise_registration_number(raw) == digits


@pytest.mark.parametrize(
    "raw",
    [
        "124-81-00997",  # wrong check digit
        "1234567890",
        "124-81-0099",  # nine digits
        "124-81-009981",  # eleven digits
        "12-481-00998",  # digits in the wrong groups
        "abc-de-fghij",
        "１２４-８１-００９９８",  # full-width digits are not accepted silently
        "",
    ],
)
def test_invalid_registration_numbers_are_refused(raw: str) -> None:
    assert normalise_registration_number(raw) is None


def test_checksum_includes_the_carry_of_the_ninth_digit_times_five() -> None:
    # 124-81-00998: the ninth digit 9 contributes 9*5=45 → (45)//10 = 4 to the sum.
    assert registration_number_checksum_ok("1248100998")
    assert not all(registration_number_checksum_ok(f"124810099{d}") for d in range(10))
    assert sum(registration_number_checksum_ok(f"124810099{d}") for d in range(10)) == 1


def test_registration_number_is_printed_in_three_groups() -> None:
    assert format_registration_number("1248100998") == "124-81-00998"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("010-1234-5678", "010-1234-5678"),
        ("01012345678", "010-1234-5678"),
        ("+82 10 1234 5678", "010-1234-5678"),
        ("02-123-4567", "02-123-4567"),
        ("(02) 3333-4567", "02-3333-4567"),
        ("031-123-4567", "031-123-4567"),
        ("064-7123-4567", "064-7123-4567"),
        ("070-1234-5678", "070-1234-5678"),
        ("1588-1234", "1588-1234"),
    ],
)
def test_korean_phone_numbers_are_accepted_and_hyphenated(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "12345", "010-123-456", "099-123-4567", "02-12-3456", "phone", "010-1234-56789"]
)
def test_malformed_phone_numbers_are_refused(raw: str) -> None:
    assert normalise_phone(raw) is None


def test_dates_accept_input_and_certificate_formats() -> None:
    assert parse_date("2024-03-01") == dt.date(2024, 3, 1)
    assert parse_date("2024.03.01.") == dt.date(2024, 3, 1)
    assert parse_date("2024-02-30") is None
    assert parse_date("next week") is None


def test_certification_cannot_end_before_it_starts() -> None:
    assert certification_problem(
        EnterpriseType.CERTIFIED_SOCIAL, dt.date(2024, 3, 1), dt.date(2024, 2, 28)
    )
    assert certification_problem(EnterpriseType.COOPERATIVE, dt.date(2024, 3, 1), None) is None


def test_pre_social_enterprises_are_designated_for_at_most_three_years() -> None:
    start = dt.date(2024, 3, 1)
    assert pre_social_end(start) == dt.date(2027, 2, 28)
    for kind in (EnterpriseType.PRE_SOCIAL_REGIONAL, EnterpriseType.PRE_SOCIAL_MINISTRY):
        assert certification_problem(kind, start, dt.date(2027, 2, 28)) is None
        assert certification_problem(kind, start, dt.date(2027, 3, 1)) is not None
        assert certification_problem(kind, start, None) is not None  # the end date is required
    assert pre_social_end(dt.date(2024, 2, 29)) == dt.date(2027, 2, 27)


def test_every_wrong_field_of_an_application_is_reported_at_once() -> None:
    problems = Problems()
    form = VendorApplication(
        **application_fields(
            name="", business_registration_number="123-45-67890", phone="123", district="부산진구"
        )
    )
    assert clean_application(form, problems) is None
    fields = {p.field: p.code for p in problems.items}
    assert fields == {
        "name": VendorErrorCode.REQUIRED,
        "business_registration_number": VendorErrorCode.INVALID_REGISTRATION_NUMBER,
        "district": VendorErrorCode.INVALID_DISTRICT,
        "phone": VendorErrorCode.INVALID_PHONE,
    }
    with pytest.raises(InvalidInput) as caught:
        problems.raise_if_any()
    body = caught.value.problem()
    assert body["status"] == 400
    assert {e["field"] for e in body["errors"]} == set(fields)


def test_a_clean_application_has_typed_values() -> None:
    problems = Problems()
    clean = clean_application(VendorApplication(**application_fields()), problems)
    assert not problems
    assert clean is not None
    assert clean.business_registration_number == "2208162517"
    assert clean.enterprise_type is EnterpriseType.COOPERATIVE
    assert clean.certified_to is None


def test_file_type_comes_from_the_magic_bytes() -> None:
    assert sniff_content_type(PDF) == "application/pdf"
    assert sniff_content_type(PNG) == "image/png"
    assert sniff_content_type(b"\xff\xd8\xff\xe0" + b"\x00" * 10) == "image/jpeg"
    assert sniff_content_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_content_type(EXE) is None


def test_an_executable_renamed_pdf_is_refused_as_415() -> None:
    problems = Problems()
    fake = registration_doc(EXE, "사업자등록증.pdf")
    assert check_documents([fake], 10_000, problems, require_registration=True) == []
    with pytest.raises(UnsupportedMediaType) as caught:
        problems.raise_if_any()
    assert caught.value.field == "business_registration_document"
    assert caught.value.code == "document_type_not_allowed"


def test_a_file_over_the_limit_is_refused_as_413() -> None:
    problems = Problems()
    check_documents([registration_doc(PDF + b"x" * 200)], 100, problems, require_registration=True)
    with pytest.raises(PayloadTooLarge):
        problems.raise_if_any()


def test_a_business_registration_document_is_required_and_five_files_at_most() -> None:
    problems = Problems()
    other = IncomingDocument(
        kind=DocumentKind.OTHER, filename="a.png", declared_type="image/png", data=PNG
    )
    check_documents([other] * 6, 10_000, problems, require_registration=True)
    codes = {p.code for p in problems.items}
    assert codes == {VendorErrorCode.TOO_MANY_DOCUMENTS, VendorErrorCode.DOCUMENT_REQUIRED}


def test_checked_documents_keep_a_safe_name_and_their_hash() -> None:
    problems = Problems()
    (doc,) = check_documents(
        [registration_doc(PDF, "../../etc/사업자등록증.pdf")], 10_000, problems,
        require_registration=True,
    )
    assert not problems
    assert doc.filename == "사업자등록증.pdf"
    assert doc.extension == "pdf"
    assert len(doc.sha256) == 64
