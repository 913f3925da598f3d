"""Composing snack boxes through the API: organizers only, approved vendors' published
variants only; bad input is a 400 problem detail naming the field, and nothing is saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.outbox import OutboxEvent
from tests.fixtures.images import picture
from tests.shop.snackboxes.conftest import (
    World,
    box_body,
    delivery_day,
    seoul_today,
    snack_rows,
)

Client = AsyncTestClient[Litestar]
PNG = picture("PNG")


async def _create(client: Client, world: World, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/snack-boxes", json=box_body(world, **overrides),
                                  headers=world.auth("organizer"))
    assert response.status_code == 201, response.text
    return response.json()


async def test_an_organizer_composes_a_box_with_sizes_prices_and_vendors(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    box = await _create(client, world)
    assert box["name"] == "햇음 다과꾸러미" and box["is_active"] and box["lead_days"] == 3
    sizes = {s["headcount"]: s for s in box["sizes"]}
    assert sizes[10]["price"] == 33_000 and sizes[10]["price_per_person"] == 3_300
    assert sizes[20]["price_per_person"] == 4_750 and sizes[20]["list_value"] == 100_000
    vendors = {c["vendor_name"] for c in sizes[20]["components"]}
    assert vendors == {"햇살협동조합", "과일마을기업", "떡공방자활기업"}
    assert box["earliest_delivery_date"] == (seoul_today() + dt.timedelta(days=3)).isoformat()
    async with session_factory() as session:
        names = (await session.scalars(select(OutboxEvent.name))).all()
    assert list(names) == ["snack_box.composed"]
    # Anyone reads it, in the list and by id.
    listed = (await client.get("/api/snack-boxes")).json()
    assert [b["id"] for b in listed] == [box["id"]]
    assert (await client.get(f"/api/snack-boxes/{box['id']}")).status_code == 200


def _bad_bodies(world: World) -> list[tuple[dict[str, Any], str, str]]:
    """(body changes, the field named, the error code)."""
    good = box_body(world)
    sizes = good["sizes"]

    def with_size(index: int, **changes: Any) -> list[dict[str, Any]]:
        return [dict(s, **changes) if i == index else s for i, s in enumerate(sizes)]

    def with_component(size: int, index: int, **changes: Any) -> list[dict[str, Any]]:
        components = [dict(c, **changes) if i == index else c
                      for i, c in enumerate(sizes[size]["components"])]
        return with_size(size, components=components)

    return [
        ({"name": " "}, "name", "invalid_name"),
        ({"lead_days": -1}, "lead_days", "invalid_lead_days"),
        ({"lead_days": 61}, "lead_days", "invalid_lead_days"),
        ({"sizes": []}, "sizes", "no_sizes"),
        ({"sizes": with_size(0, price=0)}, "sizes[0].price", "invalid_price"),
        ({"sizes": with_size(1, headcount=10)}, "sizes[1].headcount", "duplicate_headcount"),
        ({"sizes": with_size(1, components=[])}, "sizes[1].components", "no_components"),
        ({"sizes": with_component(1, 2, quantity=0)}, "sizes[1].components[2].quantity",
         "invalid_quantity"),
        ({"sizes": with_component(0, 1, variant_id=world.cookie.id)},
         "sizes[0].components[1].variant_id", "duplicate_variant"),
        ({"sizes": with_component(1, 0, variant_id=999_999)},
         "sizes[1].components[0].variant_id", "variant_not_eligible"),
        ({"sizes": with_component(0, 0, variant_id=world.pending.id)},
         "sizes[0].components[0].variant_id", "variant_not_eligible"),
    ]


async def test_bad_input_names_the_field_and_saves_nothing(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    before = await snack_rows(session_factory)
    for changes, field, code in _bad_bodies(world):
        response = await client.post("/api/snack-boxes", json=box_body(world, **changes),
                                     headers=world.auth("organizer"))
        assert response.status_code == 400, (changes, response.text)
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert problem["code"] == code, problem
        assert problem["errors"][0]["field"] == field, problem
        assert problem["errors"][0]["message"]
    assert await snack_rows(session_factory) == before


async def test_whole_won_only_a_float_price_is_a_400_naming_the_field(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    body = box_body(world)
    body["sizes"][0]["price"] = 33_000.0
    response = await client.post("/api/snack-boxes", json=body, headers=world.auth("organizer"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "sizes[0].price"
    assert (await snack_rows(session_factory))["boxes"] == 0


async def test_every_error_of_a_draft_is_listed_at_once(world: World, client: Client) -> None:
    body = box_body(world, name="", lead_days=100)
    body["sizes"][1]["price"] = -5
    response = await client.post("/api/snack-boxes", json=body, headers=world.auth("organizer"))
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["name", "lead_days", "sizes[1].price"]


@pytest.mark.parametrize("who, status", [(None, 401), ("shopper", 403)])
async def test_only_organizers_compose(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession],
    who: str | None, status: int,
) -> None:
    headers = world.auth(who) if who else {}
    response = await client.post("/api/snack-boxes", json=box_body(world), headers=headers)
    assert response.status_code == status
    assert (await snack_rows(session_factory))["boxes"] == 0


async def test_an_inactive_box_is_hidden_from_shoppers_but_not_from_organizers(
    world: World, client: Client
) -> None:
    box = await _create(client, world, is_active=False)
    assert (await client.get("/api/snack-boxes")).json() == []
    assert (await client.get(f"/api/snack-boxes/{box['id']}")).status_code == 404
    seen = await client.get(f"/api/snack-boxes/{box['id']}", headers=world.auth("organizer"))
    assert seen.status_code == 200 and seen.json()["is_active"] is False


async def test_recomposing_matches_sizes_by_head_count_and_drops_the_rest(
    world: World, client: Client
) -> None:
    box = await _create(client, world)
    ids = {s["headcount"]: s["id"] for s in box["sizes"]}
    body = box_body(world)
    body["sizes"] = [
        dict(body["sizes"][1], price=90_000),
        {"headcount": 50, "price": 210_000, "components": [
            {"variant_id": world.cookie.id, "quantity": 50},
            {"variant_id": world.juice.id, "quantity": 50},
        ]},
    ]
    response = await client.put(f"/api/snack-boxes/{box['id']}", json=body,
                                headers=world.auth("organizer"))
    assert response.status_code == 200, response.text
    sizes = {s["headcount"]: s for s in response.json()["sizes"]}
    assert set(sizes) == {20, 50}
    assert sizes[20]["id"] == ids[20] and sizes[20]["price"] == 90_000


async def test_a_picture_can_be_added(world: World, client: Client) -> None:
    box = await _create(client, world)
    response = await client.put(
        f"/api/snack-boxes/{box['id']}/image", files={"image": ("box.png", PNG, "image/png")},
        headers=world.auth("organizer"),
    )
    assert response.status_code == 200, response.text
    url = response.json()["image_url"]
    assert url.startswith(f"/media/snack-boxes/{box['id']}/") and url.endswith(".webp")
    bad = await client.put(
        f"/api/snack-boxes/{box['id']}/image", files={"image": ("x.txt", b"hello", "text/plain")},
        headers=world.auth("organizer"),
    )
    assert bad.status_code == 415 and bad.json()["errors"][0]["field"] == "image"


# -- slots --------------------------------------------------------------------------------


async def test_slots_are_opened_with_a_capacity_and_bad_ones_name_the_field(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    box = await _create(client, world)
    day = delivery_day(7).isoformat()
    url = f"/api/snack-boxes/{box['id']}/slots"
    opened = await client.post(url, json={"delivery_date": day, "capacity": 12,
                                          "window_label": "오전 10~12시"},
                               headers=world.auth("organizer"))
    assert opened.status_code == 201, opened.text
    slot = opened.json()
    assert (slot["capacity"], slot["available"], slot["held"]) == (12, 12, 0)
    assert slot["orderable"] and slot["label"].endswith("오전 10~12시")

    before = await snack_rows(session_factory)
    yesterday = (seoul_today() - dt.timedelta(days=1)).isoformat()
    for body, field, status in [
        ({"delivery_date": yesterday, "capacity": 5}, "delivery_date", 400),
        ({"delivery_date": "2025-13-01", "capacity": 5}, "delivery_date", 400),
        ({"delivery_date": day, "capacity": -1}, "capacity", 400),
        ({"delivery_date": day, "capacity": 5, "window_label": "오전 10~12시"},
         "delivery_date", 409),
    ]:
        response = await client.post(url, json=body, headers=world.auth("organizer"))
        assert response.status_code == status, (body, response.text)
        assert response.json()["errors"][0]["field"] == field
    assert await snack_rows(session_factory) == before

    # A slot before the lead time is shown, but not orderable.
    soon = (seoul_today() + dt.timedelta(days=1)).isoformat()
    early = await client.post(url, json={"delivery_date": soon, "capacity": 3},
                              headers=world.auth("organizer"))
    assert early.json()["orderable"] is False and "준비에 3일" in early.json()["problem"]


async def test_the_api_is_described_in_openapi(world: World, client: Client) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    assert {"/api/snack-boxes", "/api/snack-boxes/{box_id}",
            "/api/snack-boxes/{box_id}/slots"} <= set(paths)
    operations = {op["operationId"] for path in paths.values() for op in path.values()
                  if isinstance(op, dict) and "operationId" in op}
    assert {"listSnackBoxes", "getSnackBox", "createSnackBox", "composeSnackBox",
            "openSnackBoxSlot", "changeSnackBoxSlot", "placeOrder"} <= operations
    bodies = [c for c in schema["components"]["schemas"].values()
              if "snack_boxes" in c.get("properties", {})]
    assert bodies, "the checkout body documents snack_boxes"
