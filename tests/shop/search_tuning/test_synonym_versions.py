"""Admins edit the synonym table in versions (every version kept, who and when); the newest
takes effect with the next rebuild of the index, swapped in without a pause (decision 62)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.models import Role
from infra.accounts.services import issue_token
from infra.outbox import OutboxEvent
from search.query import SearchQuery
from shop.catalog.indexing import rebuild_index
from shop.search_tuning import services
from shop.search_tuning.events import SynonymsSaved
from tests.fixtures.apps import csrf_from, login
from tests.shop.factories import make_user, make_vendor
from tests.shop.shelf import stocked

SEED = services.seed_table().version


@pytest.fixture
async def admin(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    async with session_factory() as session:
        user = await make_user(session, Role.ADMIN, email="searchadmin@example.kr")
        shopper = await make_user(session, email="shopper@example.kr")
        vendor = await make_vendor(session, name="차마을기업")
        await stocked(session, vendor, stock=5, price=8_000, name="작설차")
        tokens = {"admin": await issue_token(session, user),
                  "shopper": await issue_token(session, shopper)}
        await session.commit()
    return {"user": user, "auth": {"Authorization": f"Bearer {tokens['admin']}"},
            "shopper": {"Authorization": f"Bearer {tokens['shopper']}"}}


async def test_versions_are_kept_with_who_and_when_and_a_stale_edit_is_refused(
    client: AsyncTestClient[Litestar], admin: dict[str, Any]
) -> None:
    auth = admin["auth"]
    seed = (await client.get("/api/admin/search/synonyms", headers=auth)).json()
    assert seed["source"] == "seed" and seed["version"] == SEED
    assert "텀블러, tumbler" in seed["text"]

    first = await client.post("/api/admin/search/synonyms", headers=auth, json={
        "text": seed["text"] + "녹차 => green tea, 그린티\n", "base_version": SEED,
        "note": "녹차 영어"})
    assert first.status_code == 201, first.text
    assert first.json()["version"] == SEED + 1
    assert first.json()["created_by"] == admin["user"].display_name
    second = await client.post("/api/admin/search/synonyms", headers=auth, json={
        "text": "텀블러, 보온병\n", "base_version": SEED + 1})
    assert second.status_code == 201, second.text

    # Someone who started from the first version has been overtaken: 409, nothing saved.
    stale = await client.post("/api/admin/search/synonyms", headers=auth, json={
        "text": "비누, soap\n", "base_version": SEED + 1})
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["field"] == "base_version"

    history = (await client.get("/api/admin/search/synonyms/versions", headers=auth)).json()
    assert [v["version"] for v in history["items"]] == [SEED + 2, SEED + 1]
    assert history["items"][1]["note"] == "녹차 영어"
    assert all(v["created_by"] and v["created_at"] for v in history["items"])
    old = (await client.get(f"/api/admin/search/synonyms/versions/{SEED + 1}", headers=auth)).json()
    assert {"source": "녹차", "targets": ["green tea", "그린티"]} in old["also"]
    current = (await client.get("/api/admin/search/synonyms", headers=auth)).json()
    assert current["version"] == SEED + 2 and current["same"] == [["텀블러", "보온병"]]


@pytest.mark.parametrize(("text", "message"), [
    ("텀블러, 보온병\n녹차\n", "2번째 줄"),
    ("tea => \n", "1번째 줄"),
    ("a => b => c\n", "1번째 줄"),
])
async def test_a_line_that_is_no_rule_is_refused_naming_the_field_and_line(
    client: AsyncTestClient[Litestar], admin: dict[str, Any], text: str, message: str
) -> None:
    refused = await client.post("/api/admin/search/synonyms", headers=admin["auth"],
                                json={"text": text, "base_version": SEED})
    assert refused.status_code == 400
    [error] = refused.json()["errors"]
    assert error["field"] == "rules" and message in error["message"]


async def test_only_admins_see_or_change_synonyms(
    client: AsyncTestClient[Litestar], admin: dict[str, Any]
) -> None:
    assert (await client.get("/api/admin/search/synonyms")).status_code == 401
    shopper = await client.get("/api/admin/search/synonyms", headers=admin["shopper"])
    assert shopper.status_code == 403
    refused = await client.post("/api/admin/search/synonyms", headers=admin["shopper"],
                                json={"text": "a, b", "base_version": SEED})
    assert refused.status_code == 403


async def test_a_saved_version_applies_with_the_next_rebuild_and_asks_for_one(
    app: Litestar, client: AsyncTestClient[Litestar], admin: dict[str, Any],
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    engine = app.state.search
    async with session_factory() as session:
        stats = await rebuild_index(session, engine)
    assert stats["synonyms_version"] is None  # nothing saved: the seed file answers
    assert engine.search(SearchQuery(q="sencha")).total == 0

    saved = await client.post("/api/admin/search/synonyms", headers=admin["auth"], json={
        "text": "sencha => 작설차\n", "base_version": SEED})
    assert saved.status_code == 201, saved.text
    async with session_factory() as session:
        [event] = (await session.scalars(
            select(OutboxEvent).where(OutboxEvent.name == SynonymsSaved.name))).all()
    assert event.payload == {"id": SEED + 1}
    # Saved, not yet applied: the live index keeps the table it was built with.
    assert engine.search(SearchQuery(q="sencha")).total == 0

    async with session_factory() as session:
        stats = await rebuild_index(session, engine)
    assert stats["synonyms_version"] == SEED + 1
    assert [h.name for h in engine.search(SearchQuery(q="sencha")).hits] == ["작설차"]
    assert engine.health()["details"]["synonyms_version"] == SEED + 1
    # The seed's own rules are gone with this version: it is the whole table.
    assert engine.synonyms_in_use().of("tumbler") == ()


async def test_admin_edits_synonyms_on_the_page_from_the_menu(
    client: AsyncTestClient[Litestar], admin: dict[str, Any]
) -> None:
    await login(client, "searchadmin@example.kr")
    home = await client.get("/")
    assert 'href="/admin/search/synonyms"' in home.text
    page = await client.get("/admin/search/synonyms")
    assert page.status_code == 200 and "검색 동의어" in page.text
    assert f'name="base_version" value="{SEED}"' in page.text

    refused = await client.post("/admin/search/synonyms", data={
        "_csrf_token": csrf_from(page.text), "rules": "텀블러\n", "base_version": str(SEED)})
    assert refused.status_code == 400
    assert "1번째 줄" in refused.text and "텀블러\n</textarea>" in refused.text

    saved = await client.post("/admin/search/synonyms", data={
        "_csrf_token": csrf_from(page.text), "rules": "텀블러, 보온병\n",
        "base_version": str(SEED), "note": "줄임"})
    assert saved.status_code == 200
    assert f"동의어 버전 {SEED + 1}을(를) 저장했습니다" in saved.text
    assert f'/admin/search/synonyms/versions/{SEED + 1}' in saved.text
    shown = await client.get(f"/admin/search/synonyms/versions/{SEED + 1}")
    assert "텀블러, 보온병" in shown.text and "줄임" in shown.text
    again = await client.get(f"/admin/search/synonyms?start={SEED + 1}&add=녹챠")
    assert "녹챠, \n텀블러, 보온병" in again.text


async def test_two_admins_saving_at_once_make_one_version(
    session_factory: async_sessionmaker[AsyncSession], admin: dict[str, Any]
) -> None:
    async def save(text: str) -> str:
        async with session_factory() as session:
            try:
                row = await services.save_synonyms(
                    session, text, admin["user"], base_version=SEED)
            except Exception as exc:  # the refusal is what is compared
                return type(exc).__name__
            return f"v{row.version}"

    outcomes = await asyncio.gather(save("가, 나\n"), save("다, 라\n"))
    assert sorted(outcomes) == ["Conflict", f"v{SEED + 1}"]
    async with session_factory() as session:
        assert [v.version for v in await services.versions(session)] == [SEED + 1]
