"""Public buying through the JSON API: three orders (single quote and paid, multiple quotes,
cancelled after approval) export as an OCDS release package with 0 schema errors from the
fixed path with no login; refusals are problem details; the disclosure page renders."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from litestar import Litestar
from litestar.testing import AsyncTestClient
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.services import issue_token
from infra.clock import utcnow
from tests.shop.procurement.world import World, make_world

SCHEMA_DIR = Path(__file__).parent / "ocds_schema"
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
PACKAGE = "/api/procurement/ocds/release-package"


def _validator() -> Draft4Validator:
    package_schema = json.loads((SCHEMA_DIR / "release-package-schema.json").read_text())
    release_schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
    registry: Registry = Registry().with_resource(
        RELEASE_SCHEMA_URL, Resource.from_contents(release_schema, default_specification=DRAFT4))
    return Draft4Validator(package_schema, registry=registry, format_checker=FormatChecker())


class Api:
    def __init__(self, client: AsyncTestClient[Litestar], tokens: dict[str, str]) -> None:
        self.client, self.tokens = client, tokens

    async def post(self, who: str, path: str, body: dict[str, Any] | None = None,
                   expect: int = 200) -> dict[str, Any]:
        response = await self.client.post(
            f"/api/procurement{path}", json=body or {},
            headers={"Authorization": f"Bearer {self.tokens[who]}"})
        assert response.status_code == expect, response.text
        result: dict[str, Any] = response.json()
        return result


async def _api(client: AsyncTestClient[Litestar], session: AsyncSession, world: World) -> Api:
    tokens = {key: await issue_token(session, getattr(world, key)) for key in (
        "admin", "requester", "approver", "second_approver", "inspector", "accountant",
        "discloser")}
    await session.commit()
    return Api(client, tokens)


def _order(world: World, price: int, **extra: Any) -> dict[str, Any]:
    return {"institution_id": world.institution.id, "department_id": world.department.id,
            "vendor_id": world.vendor.id, "title": "주민센터 행사 도시락",
            "method": "single_quote", "contract_date": "2025-03-05",
            "lines": [{"category": "food", "description": "친환경 도시락", "quantity": 400,
                       "unit_price": price}], **extra}


async def test_three_orders_export_as_a_valid_release_package_and_march_is_disclosed(
    client: AsyncTestClient[Litestar], db_session: AsyncSession,
) -> None:
    world = await make_world(db_session)
    api = await _api(client, db_session, world)

    empty = await client.get(PACKAGE)
    assert empty.status_code == 404
    assert empty.json()["code"] == "ocds_no_public_orders"

    # 1. single quote, through to payment: 400 × 11,000, 300 accepted.
    single = await api.post("requester", "/orders", _order(world, 11_000), expect=201)
    assert (single["supply_amount"], single["vat_amount"]) == (4_400_000, 440_000)
    await api.post("requester", f"/orders/{single['id']}/submit")
    await api.post("requester", f"/orders/{single['id']}/approve", expect=409)
    approved = await api.post("approver", f"/orders/{single['id']}/approve")
    assert approved["status"] == "approved"
    assert approved["counted_as"] == "certified_social"
    assert approved["counted_amount"] == 4_840_000
    await api.post("accountant", f"/orders/{single['id']}/invoice",
                   {"number": "A-1", "supply": 3_300_000, "vat": 330_000}, expect=409)
    await api.post("requester", f"/orders/{single['id']}/deliver",
                   {"delivered_on": "2025-03-10"})
    line = str(single["lines"][0]["id"])
    await api.post("inspector", f"/orders/{single['id']}/inspect",
                   {"accepted": {line: 300}, "inspected_on": "2025-03-12"})
    refused = await api.post("accountant", f"/orders/{single['id']}/invoice",
                             {"number": "A-1", "supply": 4_400_000, "vat": 440_000}, expect=409)
    assert refused["code"] == "invoice_exceeds_accepted"
    await api.post("accountant", f"/orders/{single['id']}/invoice",
                   {"number": "A-1", "supply": 3_300_000, "vat": 330_000})
    paid = await api.post("accountant", f"/orders/{single['id']}/pay",
                          {"amount": 3_630_000, "bank_reference": "KB-0320"})
    assert paid["status"] == "paid"

    # 2. two quotes: 60,000,000 is above every single-quote ceiling.
    over = await api.post("requester", "/orders", _order(world, 150_000), expect=409)
    assert over["code"] == "procurement_quotes_required"
    multi = await api.post("requester", "/orders",
                           _order(world, 150_000, method="multiple_quotes", quotes=3),
                           expect=201)
    assert multi["approvals_required"] == 2
    await api.post("requester", f"/orders/{multi['id']}/submit")
    await api.post("approver", f"/orders/{multi['id']}/approve")
    await api.post("second_approver", f"/orders/{multi['id']}/approve")

    # 3. approved, then cancelled before delivery.
    dropped = await api.post("requester", "/orders", _order(world, 1_000), expect=201)
    await api.post("requester", f"/orders/{dropped['id']}/submit")
    await api.post("approver", f"/orders/{dropped['id']}/approve")
    cancelled = await api.post("requester", f"/orders/{dropped['id']}/cancel",
                               {"reason": "행사 취소"})
    assert cancelled["status"] == "cancelled"

    # Bad input is a problem detail, never a 500.
    text_quantity = _order(world, 1_000)
    text_quantity["lines"][0]["quantity"] = "400"
    bad = await api.post("requester", "/orders", text_quantity, expect=400)
    assert "quantity" in json.dumps(bad)
    assert (await api.post("requester", "/orders", _order(world, 1_000, lines=[]),
                           expect=400))["code"] == "purchase_order_no_lines"

    response = await client.get(PACKAGE)  # no login
    assert response.status_code == 200
    package = response.json()
    errors = sorted(_validator().iter_errors(package), key=str)
    assert errors == [], [e.message for e in errors]
    ids = [(r["ocid"], r["id"]) for r in package["releases"]]
    assert len(ids) == len(set(ids))
    last = {r["ocid"]: r for r in package["releases"]}
    by_number = {ocid.removeprefix("ocds-jangteo-"): r for ocid, r in last.items()}
    assert by_number[dropped["number"]]["contracts"][0]["status"] == "cancelled"
    assert by_number[single["number"]]["tender"]["procurementMethod"] == "direct"
    assert by_number[multi["number"]]["tender"]["procurementMethod"] == "limited"
    assert by_number[single["number"]]["contracts"][0]["implementation"]["transactions"][0][
        "value"]["amount"] == 3_630_000

    # March is disclosed (today: every order was recorded today) and shown without login.
    published = await api.post("discloser", f"/institutions/{world.institution.id}/disclosures",
                               {"year": 2025, "month": 3}, expect=201)
    assert published["version"] == 1
    figures = {(r["enterprise_type"], r["kind"]): r["amount"] for r in published["rows"]}
    # single: 4,840,000 less 1,210,000 not accepted; multi: 66,000,000; the cancelled: 0.
    assert figures[("certified_social", "figure")] == 3_630_000 + 66_000_000
    again = await api.post("discloser", f"/institutions/{world.institution.id}/disclosures",
                           {"year": 2025, "month": 3}, expect=409)
    assert again["code"] == "disclosure_nothing_changed"

    page = await client.get("/procurement/disclosures")
    assert page.status_code == 200
    assert "성북구청" in page.text and "2025년 3월 · 제1판" in page.text
    assert "인증 사회적기업" in page.text and "69,630,000원" in page.text
    assert utcnow().astimezone(dt.timezone(dt.timedelta(hours=9))).date().isoformat() in page.text


async def test_the_api_is_described_with_operation_ids_and_korean_summaries(
    client: AsyncTestClient[Litestar],
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    operations = [op for path, item in schema["paths"].items()
                  if path.startswith("/api/procurement") for op in item.values()]
    assert len(operations) >= 19
    for op in operations:
        # 공공구매 (Procurement), 공공구매 계획·실적 (Procurement plans), 공공구매 견적 …
        assert len(op["tags"]) == 1 and op["tags"][0].startswith("공공구매")
        assert op["operationId"] and op["summary"]
    assert "/api/procurement/ocds/release-package" in schema["paths"]
