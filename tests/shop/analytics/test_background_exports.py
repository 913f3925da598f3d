"""Background exports of the sales facts (decision 44): queued on a page or through the API,
written by the worker's actor (run here in-process), followed on a status page and its JSON,
downloaded for 7 days; one queued or running export per person and kind, also under a race."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from infra import spreadsheets
from infra.accounts.models import Role, User
from infra.accounts.services import create_user, issue_token
from infra.db import dialect_name
from infra.events import EventEnvelope
from infra.outbox import relay_batch
from infra.settings import Settings
from shop.analytics import exports, facts
from shop.analytics.events import ExportRequested
from shop.analytics.models import (
    AnalyticsExport,
    Channel,
    ExportKind,
    ExportStatus,
    FactKind,
)
from shop.vendors.models import MemberRole, VendorMember
from tests.fixtures.apps import PASSWORD, csrf_from, login
from tests.fixtures.outbox import seoul
from tests.fixtures.races import race
from tests.shop.analytics.conftest import AnalyticsWorld, Factory, Relay
from tests.shop.settlement.world import Line, place_order, refund

MAY = {"from": "2025-05-01", "to": "2025-05-31"}


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The app and the in-process worker share one var directory (the exports' files)."""
    return settings.with_(search_path=tmp_path / "search", var_dir=tmp_path / "var")


async def _owner_with_sales(world: AnalyticsWorld, factory: Factory, relay: Relay) -> User:
    vendor = world.vendors[0]
    async with factory() as session:
        owner = await create_user(session, email="owner@example.kr", password=PASSWORD,
                                  display_name="대표", roles=[Role.VENDOR_MEMBER])
        session.add(VendorMember(vendor_id=vendor.id, user_id=owner.id, role=MemberRole.OWNER))
        order = await place_order(
            session, [Line(vendor, world.variants[0], "food", 10_000, 1),
                      Line(vendor, world.second, "=cmd", 20_000, 1)],
            placed_at=seoul(dt.date(2025, 5, 1), 14))
        vendor_order = order.vendor_orders[0]
        await refund(session, vendor_order, at=seoul(dt.date(2025, 5, 2)),
                     lines=[(vendor_order.lines[0], 1)])
        other = await place_order(session, [Line(world.vendors[1], world.variants[1], "food",
                                                 10_000, 2)],
                                  placed_at=seoul(dt.date(2025, 5, 3), 10))
        assert other
        await session.commit()
    await relay.deliver()
    return owner


async def _bearer(factory: Factory, user: User) -> dict[str, str]:
    async with factory() as session:
        token = await issue_token(session, user)
        await session.commit()
    return {"Authorization": f"Bearer {token}"}


async def _run_queued_exports(factory: Factory) -> int:
    """What the relay and the worker do: every export event reaches the export actor."""
    from workers import actors, routing

    sent: list[dict[str, Any]] = []

    def publish(envelopes: Sequence[EventEnvelope]) -> None:
        for item in envelopes:
            if any(m(item.name) and a is actors.run_analytics_export
                   for m, a, _batch in routing.SUBSCRIPTIONS):
                sent.append(item.to_dict())

    async with factory() as session:
        while await relay_batch(session, publish):
            pass
    for message in sent * 2:  # a redelivery does nothing: the export is no longer queued
        await asyncio.to_thread(actors.run_analytics_export, message)
    return len(sent)


def test_the_export_event_is_heard_by_the_export_actor_and_purged_daily() -> None:
    from workers import actors, periodic, routing

    heard = [a for m, a, _batch in routing.SUBSCRIPTIONS if m(ExportRequested.name)]
    assert actors.run_analytics_export in heard
    assert periodic.purge_analytics_exports in periodic.JOBS


async def test_a_vendor_export_runs_in_the_background_and_downloads_as_csv(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay,
    client: AsyncTestClient[Any], worker: Settings,
) -> None:
    owner = await _owner_with_sales(world, session_factory, relay)
    headers = await _bearer(session_factory, owner)
    vendor_id = world.vendors[0].id
    asked = await client.post("/api/analytics/exports", headers=headers, json={
        "kind": "vendor_facts", "vendor_id": vendor_id, **MAY, "format": "csv"})
    assert asked.status_code == 202, asked.text
    export = asked.json()
    assert (export["status"], export["status_label"], export["open"]) == ("queued", "대기 중", True)

    again = await client.post("/api/analytics/exports", headers=headers, json={
        "kind": "vendor_facts", "vendor_id": vendor_id, "format": "xlsx"})
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "export_already_running"
    assert "종류마다 한 번에 하나씩" in again.json()["detail"]

    assert await _run_queued_exports(session_factory) == 1
    status = (await client.get(f"/api/analytics/exports/{export['id']}", headers=headers)).json()
    assert (status["status"], status["rows_done"], status["rows_total"]) == ("done", 3, 3)
    downloaded = await client.get(status["download_url"], headers=headers)
    assert downloaded.status_code == 200
    assert downloaded.content.startswith(spreadsheets.BOM.encode())
    rows = spreadsheets.read_rows("x.csv", downloaded.content)
    assert rows[0] == list(exports.HEADER)
    assert [(r[0], r[2], r[3], r[11]) for r in rows[1:]] == [
        ("2025-05-01", "판매", "온라인 몰", "10000"), ("2025-05-01", "판매", "온라인 몰", "20000"),
        ("2025-05-02", "환불", "온라인 몰", "-10000")]
    assert rows[1][1] == "2025-05-01 14:00:00"  # Seoul time
    assert "'=cmd" in {r[6] for r in rows[1:]}  # a formula-like category is neutralised

    # done frees the slot: a new export of the same kind may start
    third = await client.post("/api/analytics/exports", headers=headers, json={
        "kind": "vendor_facts", "vendor_id": vendor_id, **MAY, "format": "xlsx"})
    assert third.status_code == 202, third.text
    await _run_queued_exports(session_factory)
    status = (await client.get(f"/api/analytics/exports/{third.json()['id']}",
                               headers=headers)).json()
    workbook = await client.get(status["download_url"], headers=headers)
    sheet = spreadsheets.read_rows("x.xlsx", workbook.content)
    assert sheet[0][0] == "판매일(서울)" and len(sheet) == 4 and sheet[3][11] == -10_000


async def test_others_cannot_see_an_export_and_platform_exports_are_for_admins(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay,
    client: AsyncTestClient[Any],
) -> None:
    owner = await _owner_with_sales(world, session_factory, relay)
    async with session_factory() as session:
        outsider = await create_user(session, email="other@example.kr", password=PASSWORD,
                                     display_name="남", roles=[Role.VENDOR_MEMBER])
        await session.commit()
    mine = await client.post("/api/analytics/exports",
                             headers=await _bearer(session_factory, owner),
                             json={"kind": "vendor_facts", "vendor_id": world.vendors[0].id})
    theirs = await _bearer(session_factory, outsider)
    assert (await client.get(f"/api/analytics/exports/{mine.json()['id']}",
                             headers=theirs)).status_code == 404
    assert (await client.post("/api/analytics/exports", headers=theirs, json={
        "kind": "vendor_facts", "vendor_id": world.vendors[0].id})).status_code == 403
    assert (await client.post("/api/analytics/exports", headers=theirs, json={
        "kind": "platform_facts"})).status_code == 403
    wrong = await client.post("/api/analytics/exports", headers=theirs, json={
        "kind": "platform_facts", "format": "pdf"})
    assert wrong.status_code == 403  # who may comes before what


async def test_the_status_page_refreshes_while_it_runs_and_a_second_click_is_refused(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay,
    client: AsyncTestClient[Any], worker: Settings,
) -> None:
    await _owner_with_sales(world, session_factory, relay)
    await login(client, "owner@example.kr")
    dashboard = await client.get(f"/console/vendors/{world.vendors[0].id}/analytics/", params=MAY)
    assert "판매 내역 전체 내보내기" in dashboard.text
    form = {"_csrf_token": csrf_from(dashboard.text), "kind": "vendor_facts",
            "vendor_id": str(world.vendors[0].id), **MAY, "format": "csv"}
    asked = await client.post("/analytics/exports", data=form, follow_redirects=False)
    assert asked.status_code == 303, asked.text
    page = await client.get(asked.headers["location"])
    assert 'http-equiv="refresh"' in page.text and "대기 중" in page.text

    refused = await client.post("/analytics/exports", data=form)
    assert refused.status_code == 409
    assert "이미 대기 중이거나 만드는 중입니다" in refused.text

    await _run_queued_exports(session_factory)
    page = await client.get(asked.headers["location"])
    assert 'http-equiv="refresh"' not in page.text
    assert "완료" in page.text and "내려받기" in page.text and "UTC" not in page.text
    listing = await client.get("/analytics/exports")
    assert "입점기업 판매 내역 (CSV)" in listing.text and 'id="nav-exports"' in listing.text


async def test_progress_is_recorded_batch_by_batch(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner = await _owner_with_sales(world, session_factory, relay)
    monkeypatch.setattr(exports, "BATCH", 1)
    seen: list[int] = []
    async with session_factory() as session:
        export = await exports.request_export(session, owner.id, exports.ExportOrder(
            ExportKind.PLATFORM_FACTS, dt.date(2025, 5, 1), dt.date(2025, 5, 31), "csv"))
        copied = dialect_name(session) == "postgresql"

    real_progress = exports._progress

    async def progress_and_look(sessions: Factory, export_id: int, done: int) -> None:
        seen.append(done)
        await real_progress(sessions, export_id, done)

    monkeypatch.setattr(exports, "_progress", progress_and_look)
    status = await exports.run_export(session_factory, export.id, tmp_path)
    assert status is ExportStatus.DONE
    # Row by row when Python writes the file; as PostgreSQL's COPY hands over its chunks
    # there (decision 101): rising, up to every row.
    assert seen == [1, 2, 3, 4] if not copied else seen == sorted(seen) and seen[-1] == 4
    async with session_factory() as session:
        done = await session.get(AnalyticsExport, export.id)
        assert done is not None and (done.rows_done, done.rows_total) == (4, 4)
    assert await exports.run_export(session_factory, export.id, tmp_path) is None


async def test_postgresql_copy_writes_what_the_generic_path_writes(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay, tmp_path: Path,
) -> None:
    """The CSV PostgreSQL writes by COPY (decision 101) is byte for byte the file the
    generic path writes: BOM, CRLF, labels, Seoul time, neutralised cells, empty cells,
    quoting."""
    owner = await _owner_with_sales(world, session_factory, relay)
    async with session_factory() as session:
        if dialect_name(session) != "postgresql":
            pytest.skip("COPY is PostgreSQL's; SQLite always takes the generic path")
        vendor = (world.vendors[0].id, "+type", "")
        session.add_all([
            facts._fact(source="booth_report", source_id="-7", kind=FactKind.BOOTH_REPORT,
                        channel=Channel.BOOTH_MARKET, event_id="e1",
                        occurred_at=dt.datetime(2025, 5, 9, 15, 0, tzinfo=dt.UTC),
                        vendor=vendor, net_amount=150_000, receipts=10, order_ref='a,"b"',
                        category="@sum", revision=2),
            facts._fact(source="procurement_line", source_id="\tx", kind=FactKind.INSTITUTIONAL,
                        channel=Channel.INSTITUTIONAL, event_id="e2",
                        occurred_at=dt.datetime(2025, 5, 10, 14, 59, 59, tzinfo=dt.UTC),
                        vendor=vendor, net_amount=-5, product_id=None, order_ref="="),
        ])
        await session.commit()
        export = await exports.request_export(session, owner.id, exports.ExportOrder(
            ExportKind.PLATFORM_FACTS, dt.date(2025, 5, 1), dt.date(2025, 5, 31), "csv"))
    copied, streamed = tmp_path / "copied.csv", tmp_path / "streamed.csv"
    assert await exports._copy_csv(session_factory, export, copied) == 6
    assert await exports._stream(session_factory, export, streamed) == 6
    assert copied.read_bytes() == streamed.read_bytes()
    rows = spreadsheets.read_rows("x.csv", copied.read_bytes())
    assert rows[-2][1:3] == ["2025-05-10 00:00:00", "부스 매출 보고"]
    assert (rows[-2][6], rows[-2][7], rows[-2][8], rows[-2][12]) == ("'@sum", "'+type", "",
                                                                      'a,"b"')
    assert (rows[-1][0], rows[-1][5], rows[-1][11], rows[-1][12], rows[-1][14]) == (
        "2025-05-10", "", "-5", "'=", "'\tx")


async def test_files_are_kept_seven_days_and_dead_exports_are_failed(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay, tmp_path: Path,
) -> None:
    owner = await _owner_with_sales(world, session_factory, relay)
    at = dt.datetime(2025, 6, 1, 3, tzinfo=dt.UTC)
    order = exports.ExportOrder(ExportKind.VENDOR_FACTS, dt.date(2025, 5, 1),
                                dt.date(2025, 5, 31), "csv", vendor_id=world.vendors[0].id)
    async with session_factory() as session:
        first = await exports.request_export(session, owner.id, order, now=at)
    await exports.run_export(session_factory, first.id, tmp_path, now=at)
    async with session_factory() as session:
        stuck = await exports.request_export(session, owner.id, order, now=at)
        done = await session.get(AnalyticsExport, first.id)
        assert done is not None
        path = tmp_path / done.path
        assert path.is_file()
        assert await exports.purge_exports(session, tmp_path,
                                           now=at + dt.timedelta(days=6)) == (0, 1)
        assert path.is_file()
        assert await exports.purge_exports(session, tmp_path,
                                           now=at + dt.timedelta(days=7)) == (1, 0)
    assert not path.exists()
    async with session_factory() as session:
        rows = (await session.scalars(select(AnalyticsExport))).all()
        assert [(r.id, r.status) for r in rows] == [(stuck.id, ExportStatus.FAILED)]


async def test_racing_requests_start_one_export_per_person_and_kind(
    world: AnalyticsWorld, session_factory: Factory, relay: Relay,
    racing_sessions: Factory,
) -> None:
    owner = await _owner_with_sales(world, session_factory, relay)
    order = exports.ExportOrder(ExportKind.PLATFORM_FACTS, dt.date(2025, 5, 1),
                                dt.date(2025, 5, 31), "csv")
    outcomes = await race(racing_sessions, [
        lambda s: exports.request_export(s, owner.id, order) for _ in range(8)])
    assert sorted(outcomes) == ["export_already_running"] * 7 + ["ok"]
    async with session_factory() as session:
        assert len((await session.scalars(select(AnalyticsExport))).all()) == 1
