"""Applying and the jury, through the API: only a vendor's members apply, bad input is a 4xx
naming the field and writes nothing, one application per vendor and season; jurors score
by the published criteria; the applicant sees its scores and the number of applicants."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from markets.applications.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    JuryScore,
)
from shop.vendors.models import VendorMember
from tests.markets.applications.conftest import SEASON, World
from tests.markets.market_world import Snapshot, event_names

Client = AsyncTestClient[Any]


def body(world: World, vendor: int = 0, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "vendor_id": world.vendors[vendor].id, "season": SEASON, "whole_season": True,
        "categories": ["food"], "needs_power": True, "tables_needed": 2, "needs_tent": True,
        "min_booth_size": "standard", "preferred_zones": ["A구역"], "note": "떡 시식 부스",
    }
    data.update(overrides)
    return data


async def test_a_member_applies_for_chosen_days_with_needs_and_preferences(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chosen = [world.days[0].id, world.days[2].id]
    response = await client.post(
        f"/api/markets/{world.market.id}/applications",
        json=body(world, whole_season=False, market_day_ids=chosen),
        headers=world.tokens["owner0"],
    )
    assert response.status_code == 201, response.text
    out = response.json()
    assert (out["status"], out["whole_season"], out["market_day_ids"]) == (
        "submitted", False, chosen
    )
    assert (out["needs_power"], out["tables_needed"], out["min_booth_size"]) == (
        True, 2, "standard"
    )
    async with session_factory() as session:
        audit = (await session.scalars(select(ApplicationStatusChange))).all()
        assert [(a.from_status, a.to_status) for a in audit] == [
            (None, ApplicationStatus.SUBMITTED)
        ]
        assert await event_names(session) == ["market_application.submitted"]
    again = await client.post(
        f"/api/markets/{world.market.id}/applications", json=body(world),
        headers=world.tokens["owner0"],
    )
    assert again.status_code == 409 and again.json()["code"] == "already_applied"


async def test_bad_applications_name_the_field_and_write_nothing(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session:
        before = await Snapshot.take(session, Application, ApplicationStatusChange)
    url = f"/api/markets/{world.market.id}/applications"
    cases = [
        (body(world, categories=[]), "categories", 400),
        (body(world, season=SEASON + 5), "season", 400),
        (body(world, whole_season=False, market_day_ids=[]), "market_day_ids", 400),
        (body(world, whole_season=False, market_day_ids=[999999]), "market_day_ids", 400),
        (body(world, tables_needed=9), "tables_needed", 400),
        (body(world, tables_needed="2"), "tables_needed", 400),  # strict JSON integers
        (body(world, min_booth_size="huge"), "min_booth_size", 400),
        (body(world, vendor=1), "vendor_id", 403),  # owner0 is not a member of vendor 1
    ]
    for payload, field, status in cases:
        response = await client.post(url, json=payload, headers=world.tokens["owner0"])
        assert response.status_code == status, (payload, response.text)
        problem = response.json()
        fields = {e.get("field") or e.get("key") for e in problem.get("errors", [])}
        assert field in fields or problem.get("field") == field, problem
    anonymous = await client.post(url, json=body(world))
    assert anonymous.status_code == 401
    async with session_factory() as session:
        assert await Snapshot.take(session, Application, ApplicationStatusChange) == before


async def test_jurors_score_and_the_applicant_sees_scores_and_applicant_count(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    url = f"/api/markets/{world.market.id}/applications"
    ids = []
    for n in range(3):
        response = await client.post(url, json=body(world, n), headers=world.tokens[f"owner{n}"])
        ids.append(response.json()["id"])
    social, product = world.criteria
    scores = {"scores": [
        {"criterion_id": social.id, "score": 8, "comment": "지역 고용이 돋보임"},
        {"criterion_id": product.id, "score": 6},
    ]}
    first = await client.put(f"/api/markets/applications/{ids[0]}/scores", json=scores,
                             headers=world.tokens["boss"])
    assert first.status_code == 200, first.text
    second = await client.put(
        f"/api/markets/applications/{ids[0]}/scores",
        json={"scores": [{"criterion_id": social.id, "score": 10}]},
        headers=world.tokens["juror"],
    )
    assert second.status_code == 200
    # Scoring again replaces the juror's own earlier score.
    await client.put(
        f"/api/markets/applications/{ids[0]}/scores",
        json={"scores": [{"criterion_id": product.id, "score": 4}]},
        headers=world.tokens["boss"],
    )
    mine = (await client.get(f"/api/markets/applications/{ids[0]}",
                             headers=world.tokens["owner0"])).json()
    assert mine["applicants"] == 3
    by_name = {s["name"]: s for s in mine["scores"]}
    assert (by_name["사회적 가치"]["mean"], by_name["사회적 가치"]["jurors"]) == (9.0, 2)
    assert by_name["사회적 가치"]["comments"] == ["지역 고용이 돋보임"]
    assert by_name["상품 완성도"]["mean"] == 4.0
    assert mine["jury_total"] == round((60 * 9 + 40 * 4) / 100, 2)
    assert "juror_user_id" not in str(mine)  # jurors stay anonymous to the applicant

    bad = await client.put(
        f"/api/markets/applications/{ids[1]}/scores",
        json={"scores": [{"criterion_id": social.id, "score": 11}]},
        headers=world.tokens["boss"],
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == f"scores.{social.id}"
    not_juror = await client.put(f"/api/markets/applications/{ids[1]}/scores", json=scores,
                                 headers=world.tokens["owner0"])
    assert not_juror.status_code == 403
    other = await client.get(f"/api/markets/applications/{ids[1]}",
                             headers=world.tokens["owner0"])
    assert other.status_code == 403
    async with session_factory() as session:
        assert len((await session.scalars(select(JuryScore))).all()) == 3


async def test_a_juror_never_scores_their_own_vendor(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    created = await client.post(f"/api/markets/{world.market.id}/applications",
                                json=body(world), headers=world.tokens["owner0"])
    async with session_factory() as session:
        session.add(VendorMember(vendor_id=world.vendors[0].id, user_id=world.juror.id,
                                 role="staff"))
        await session.commit()
    response = await client.put(
        f"/api/markets/applications/{created.json()['id']}/scores",
        json={"scores": [{"criterion_id": world.criteria[0].id, "score": 10}]},
        headers=world.tokens["juror"],
    )
    assert response.status_code == 403 and response.json()["code"] == "jury_own_application"


async def test_decisions_follow_the_state_machine_and_record_who_and_why(
    client: Client, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    url = f"/api/markets/{world.market.id}/applications"
    a = (await client.post(url, json=body(world, 0), headers=world.tokens["owner0"])).json()
    b = (await client.post(url, json=body(world, 1), headers=world.tokens["owner1"])).json()
    no_reason = await client.post(f"/api/markets/applications/{b['id']}/reject",
                                  headers=world.tokens["boss"])
    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["field"] == "reason"
    rejected = await client.post(f"/api/markets/applications/{b['id']}/reject",
                                 json={"reason": "품목 중복"}, headers=world.tokens["boss"])
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["status_reason"] == "품목 중복"
    refused = await client.post(f"/api/markets/applications/{b['id']}/accept",
                                headers=world.tokens["boss"])
    assert refused.status_code == 409 and refused.json()["code"] == "application_invalid_transition"
    by_vendor = await client.post(f"/api/markets/applications/{a['id']}/accept",
                                  headers=world.tokens["owner0"])
    assert by_vendor.status_code == 403
    accepted = await client.post(f"/api/markets/applications/{a['id']}/accept",
                                 headers=world.tokens["boss"])
    assert accepted.json()["status"] == "accepted"
    history = (await client.get(f"/api/markets/applications/{a['id']}/history",
                                headers=world.tokens["owner0"])).json()
    assert [(h["from_status"], h["to_status"], h["actor_user_id"]) for h in history] == [
        (None, "submitted", world.owners[0].id), ("submitted", "accepted", world.boss.id),
    ]
    async with session_factory() as session:
        names = await event_names(session)
    assert names.count("market_application.rejected") == 1
    assert names.count("market_application.accepted") == 1


async def test_a_stall_asks_for_several_booths_side_by_side(client: Client, world: World) -> None:
    url = f"/api/markets/{world.market.id}/applications"
    bad = await client.post(url, json=body(world, booths_min=3, booths_max=2),
                            headers=world.tokens["owner0"])
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "booths_max"
    too_many = await client.post(url, json=body(world, booths_min=5, booths_max=5),
                                 headers=world.tokens["owner0"])
    assert too_many.status_code == 400
    assert too_many.json()["errors"][0]["field"] == "booths_min"
    made = await client.post(url, json=body(world, booths_min=2, booths_max=3),
                             headers=world.tokens["owner0"])
    assert made.status_code == 201, made.text
    assert (made.json()["booths_min"], made.json()["booths_max"]) == (2, 3)
