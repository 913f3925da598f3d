"""A snack box is its creator's (issue 15, item 11): another organizer may read it but not
change its composition, picture or delivery slots; an admin may change any box."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role
from infra.accounts.services import issue_token
from tests.fixtures.images import picture
from tests.shop.factories import make_user
from tests.shop.snackboxes.conftest import World, box_body, delivery_day

Client = AsyncTestClient[Litestar]
PNG = picture("PNG")


async def test_only_the_boxs_organizer_or_an_admin_changes_it(
    world: World, client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        other = {"Authorization": "Bearer " + await issue_token(
            session, await make_user(session, Role.ORGANIZER))}
        admin = {"Authorization": "Bearer " + await issue_token(
            session, await make_user(session, Role.ADMIN))}
        await session.commit()
    owner = world.auth("organizer")
    created = await client.post("/api/snack-boxes", json=box_body(world), headers=owner)
    assert created.status_code == 201, created.text
    box = created.json()["id"]
    url = f"/api/snack-boxes/{box}"
    slot_body = {"delivery_date": delivery_day(7).isoformat(), "capacity": 5}
    slot = await client.post(f"{url}/slots", json=slot_body, headers=owner)
    assert slot.status_code == 201, slot.text
    slot_url = f"{url}/slots/{slot.json()['id']}"

    assert (await client.get(url, headers=other)).status_code == 200
    refused = [
        await client.put(url, json=box_body(world, name="남의 꾸러미"), headers=other),
        await client.put(f"{url}/image", files={"image": ("b.png", PNG, "image/png")},
                         headers=other),
        await client.post(f"{url}/slots", json={**slot_body, "window_label": "오후"},
                          headers=other),
        await client.patch(slot_url, json={"capacity": 0}, headers=other),
    ]
    for response in refused:
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "not_snack_box_owner"
    assert (await client.get(url, headers=owner)).json()["name"] == box_body(world)["name"]

    assert (await client.patch(slot_url, json={"capacity": 9}, headers=admin)).status_code == 200
    renamed = await client.put(url, json=box_body(world, name="운영팀 꾸러미"), headers=admin)
    assert renamed.status_code == 200 and renamed.json()["name"] == "운영팀 꾸러미"
