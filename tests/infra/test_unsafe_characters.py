"""NUL and bidirectional overrides in names are refused with a field error (issue 15, item 15):
one check (``infra.text``) behind every validator that takes a name."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from infra.errors import InvalidInput, Problems
from infra.text import unsafe_characters
from markets.lending.rules import clean_name
from shop.catalog import rules as catalog
from shop.checkout.address import clean_address
from shop.snackboxes import rules as boxes
from shop.vendors.rules import VendorApplication, clean_application
from tests.fixtures.apps import csrf_from

BAD = ["햇살\x00협동조합", "햇살\u202e합조동협", "a\u2066b\u2069", "x\u202ay", "bell\x07"]
GOOD = ["햇살협동조합", "Café 장터 (주)", "줄\n바꿈\t탭"]


def test_the_check() -> None:
    assert all(unsafe_characters(v) for v in BAD)
    assert not any(unsafe_characters(v) for v in GOOD)


@pytest.mark.parametrize("bad", BAD)
def test_every_name_validator_refuses_them(bad: str) -> None:
    problems = Problems()
    clean_application(VendorApplication(name=bad), problems)
    assert any(p.field == "name" and p.code.value == "unsafe_characters" for p in problems.items)

    problems = Problems()
    clean_name(bad, "borrower_name", problems)
    assert [p.field for p in problems.items] == ["borrower_name"]

    with pytest.raises(InvalidInput) as caught:
        catalog.validate_draft(catalog.ProductDraft(name=bad, category="food", variants=()))
    assert "name" in {e["field"] for e in caught.value.extra.get("errors", [])} | {
        caught.value.field}

    with pytest.raises(InvalidInput) as caught:
        boxes.clean_box(boxes.BoxDraft(name=bad, sizes=()))
    assert "name" in {e["field"] for e in caught.value.extra.get("errors", [])} | {
        caught.value.field}

    with pytest.raises(InvalidInput) as caught:
        clean_address({"recipient": bad, "phone": "010-1234-5678", "postal_code": "02841",
                       "road_address": "서울특별시 성북구 보문로 168"})
    assert caught.value.field == "address.recipient"


async def test_sign_up_with_a_bidi_override_names_the_field(
    client: AsyncTestClient[Litestar],
) -> None:
    page = await client.get("/signup")
    response = await client.post("/signup", data={
        "_csrf_token": csrf_from(page.text), "email": "rtl@example.kr",
        "password": "longenough1", "display_name": "관리자\u202e",
        "consent_terms": "yes", "consent_privacy": "yes"})
    assert response.status_code == 400
    assert "제어 문자" in response.text
