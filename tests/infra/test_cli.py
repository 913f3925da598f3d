"""The operator's commands, run as an operator runs them: as processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role, User
from infra.accounts.passwords import verify_password
from infra.clock import utcnow
from infra.events import EventEnvelope
from infra.settings import Settings
from search.engine import make_engine
from search.query import SearchQuery
from shop.catalog.models import ProductStatus
from shop.search_tuning import services as search_tuning
from shop.search_tuning.events import SearchUnanswered
from tests.localstripe import free_port
from tests.processes import ROOT, WEB_START_S, process_env, start
from tests.shop.factories import make_product, make_user, make_vendor

pytestmark = pytest.mark.slow


def jangteo(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.cli", *args],
        cwd=ROOT, env=process_env(settings), capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL, check=False,
    )


async def test_create_admin_makes_an_admin_who_can_sign_in(
    settings: Settings, db_session: AsyncSession
) -> None:
    done = jangteo(settings, "users", "create-admin", "--email", "Boss@Example.kr",
                   "--password", "s3cret-pass", "--name", "운영자")
    assert done.returncode == 0, done.stderr
    assert "관리자 계정을 만들었습니다" in done.stdout
    user = await db_session.scalar(select(User).where(User.email == "boss@example.kr"))
    assert user is not None and user.is_admin
    assert verify_password(user.password_hash, "s3cret-pass")

    again = jangteo(settings, "users", "create-admin", "--email", "boss@example.kr",
                    "--password", "s3cret-pass")
    assert again.returncode != 0 and "이미 가입된 이메일" in again.stderr


async def test_revoke_tokens_ends_every_token_of_one_person(
    settings: Settings, db_session: AsyncSession
) -> None:
    from infra.accounts.models import ApiToken, Role
    from infra.accounts.services import issue_token
    from tests.shop.factories import make_user

    leaked, kept = await make_user(db_session, Role.SHOPPER), await make_user(db_session)
    for user in (leaked, leaked, kept):
        await issue_token(db_session, user)
    await db_session.commit()
    done = jangteo(settings, "users", "revoke-tokens", "--email", leaked.email.upper())
    assert done.returncode == 0, done.stderr
    assert "2개를 폐기했습니다" in done.stdout
    owners = (await db_session.scalars(select(ApiToken.user_id))).all()
    assert owners == [kept.id]
    unknown = jangteo(settings, "users", "revoke-tokens", "--email", "nobody@example.kr")
    assert unknown.returncode != 0 and "계정이 없습니다" in unknown.stderr


async def test_create_admin_without_password_prints_a_generated_one(
    settings: Settings, db_session: AsyncSession
) -> None:
    done = jangteo(settings, "users", "create-admin", "--email", "gen@example.kr")
    assert done.returncode == 0, done.stderr
    password = done.stdout.split("비밀번호: ", 1)[1].split()[0]
    user = await db_session.scalar(select(User).where(User.email == "gen@example.kr"))
    assert user is not None and verify_password(user.password_hash, password)


async def test_search_reindex_rebuilds_from_the_database(
    settings: Settings, db_session: AsyncSession, tmp_path: Path
) -> None:
    vendor = await make_vendor(db_session)
    await make_product(db_session, vendor, "마을기업전통한과")
    await make_product(db_session, vendor, "초안쿠키", status=ProductStatus.DRAFT)
    await db_session.commit()
    scoped = settings.with_(search_path=tmp_path / "search")
    done = jangteo(scoped, "search", "reindex")
    assert done.returncode == 0, done.stderr
    assert "문서 1건" in done.stdout
    engine = make_engine(meilisearch_url=None, meilisearch_key=None, data_dir=tmp_path / "search")
    try:
        hits = engine.search(SearchQuery(q="한과")).hits
        assert [h.name for h in hits] == ["마을기업전통한과"]
        assert engine.search(SearchQuery(q="쿠키")).total == 0
    finally:
        engine.close()



async def test_search_status_and_the_unanswered_report_for_operators(
    settings: Settings, db_session: AsyncSession, tmp_path: Path
) -> None:
    admin = await make_user(db_session, Role.ADMIN)
    await db_session.commit()
    base = search_tuning.seed_table().version
    await search_tuning.save_synonyms(db_session, "sencha => 작설차\n", admin, base_version=base)
    for event_id in ("a", "b"):
        await search_tuning.count_unanswered(db_session, EventEnvelope(
            event_id=event_id, name=SearchUnanswered.name, aggregate="search_query",
            aggregate_id="", payload={"query": "kombucha", "total": 0},
            occurred_at=utcnow().isoformat()))
    scoped = settings.with_(search_path=tmp_path / "search")

    status = jangteo(scoped, "search", "status")
    assert status.returncode == 0, status.stderr
    assert "엔진 tantivy, 문서 0건" in status.stdout
    assert f"저장된 최신은 버전 {base + 1}" in status.stdout  # saved, waiting for a reindex

    report = jangteo(scoped, "search", "unanswered", "--days", "7")
    assert report.returncode == 0, report.stderr
    assert "kombucha\t2\t0\t1\t" in report.stdout
    refused = jangteo(scoped, "search", "unanswered", "--days", "0")
    assert refused.returncode == 2 and "--days" in refused.stderr


async def test_run_serves_the_demo_and_ctrl_c_stops_everything(
    worker_settings: Settings, session_factory: object, tmp_path: Path
) -> None:
    port = free_port()
    settings = worker_settings.with_(var_dir=tmp_path / "var", port=port)
    log = tmp_path / "run.log"
    extra = {"JANGTEO_PORT": str(port), "JANGTEO_LOCALSTRIPE_PORT": str(free_port())}
    if not os.environ.get("JANGTEO_TEST_DATABASE_URL"):
        # The embedded default: a SQLite file of this test's own.
        extra["JANGTEO_DATABASE_URL"] = f"sqlite:///{tmp_path / 'run.db'}"
    process = start(["run"], settings, log, **extra)
    try:
        # Migrations, the demo data and every child: twice a web process's allowance.
        deadline = time.monotonic() + 2 * WEB_START_S
        healthy = False
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        healthy = True
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.3)
            assert healthy, log.read_text()[-3000:]
            body = (await client.get("/api/search/products", params={"q": "한과"})).json()
            assert any(h["name"] == "마을기업전통한과" for h in body["hits"])
            markets = (await client.get("/api/markets")).json()
            names = {m["name"] for m in markets}
            assert names >= {"광화문 사회적경제 장터", "늘장", "동진시장", "달시장"}
            # No Stripe configured: run started localstripe and registered our webhook.
            assert "localstripe" in log.read_text()
            home = await client.get("/")
            assert home.status_code == 200 and "가치를 사는 장터" in home.text
            # The procurement demo: a published month and a release package, no login.
            disclosed = await client.get("/procurement/disclosures")
            assert disclosed.status_code == 200 and "성북구청" in disclosed.text
            assert "제1판" in disclosed.text
            package = await client.get("/api/procurement/ocds/release-package")
            assert package.status_code == 200 and package.json()["releases"]
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        assert process.wait(40) == 0, log.read_text()[-3000:]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    with pytest.raises(httpx.TransportError):
        async with httpx.AsyncClient(timeout=2) as client:
            await client.get(f"http://127.0.0.1:{port}/healthz")
    assert "모두 멈췄습니다" in log.read_text()
