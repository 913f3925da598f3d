"""Input no handler can use is a 4xx naming its field, never a 500: the causes of the server
errors schema fuzzing found (issue 15, item 12; decision 57), each sent on purpose."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.services import issue_token
from tests.markets.market_world import vendor_with_owner
from tests.shop.factories import make_product

Client = AsyncTestClient[Litestar]


def _fields(response: object) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    return [e["field"] for e in response.json()["errors"]]  # type: ignore[attr-defined]


async def test_an_id_beyond_64_bits_is_not_found_and_named(client: Client) -> None:
    for path in ("/api/vendors/99999999999999999999", "/api/markets/days/-99999999999999999999",
                 f"/api/products/{2**64}"):
        response = await client.get(path)
        assert response.status_code == 404, (path, response.text)
        assert _fields(response) in (["vendor_id"], ["day_id"], ["product_id"]), response.text
    # The largest id there can be is an ordinary miss.
    assert (await client.get(f"/api/vendors/{2**63 - 1}")).status_code == 404


async def test_a_whole_number_beyond_64_bits_is_refused_naming_it(client: Client) -> None:
    response = await client.get("/api/orders", params={"page": str(10**30)})
    assert response.status_code == 400, response.text
    assert _fields(response) == ["page"]
    response = await client.post(
        "/api/checkout", json={"items": [{"quantity": 2**70}], "email": "a@example.kr"})
    assert response.status_code == 400, response.text
    assert _fields(response) == ["items[0].quantity"]


async def test_a_price_filter_beyond_any_price_is_refused_naming_it(client: Client) -> None:
    response = await client.get("/api/search/products", params={"price_min": str(10**21)})
    assert response.status_code == 400, response.text
    assert _fields(response) == ["price_min"]


async def test_json_nested_deeper_than_the_decoder_goes_is_a_bad_body(client: Client) -> None:
    deep = b"[" * 50_000 + b"]" * 50_000
    response = await client.post(
        "/api/checkout", content=b'{"unknown": ' + deep + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert _fields(response) == ["body"]


async def test_a_multipart_text_part_that_is_not_utf8_is_refused_naming_it(
    client: Client, db_session: AsyncSession,
) -> None:
    vendor, owner = await vendor_with_owner(db_session)
    product = await make_product(db_session, vendor, "들기름")
    token = await issue_token(db_session, owner)
    await db_session.commit()
    response = await client.post(
        f"/api/products/{product.id}/images", headers={"Authorization": f"Bearer {token}"},
        files={"image": ("a.png", b"\x89PNG\r\n\x1a\n", "image/png")},
        data={"alt": b"\xff\xfe\xfa"},
    )
    assert response.status_code == 400, response.text
    assert _fields(response) == ["alt"]
