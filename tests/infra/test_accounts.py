"""Accounts: sign-up, sign-in with CSRF-protected forms, and bearer tokens for the API."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import ConsentRecord, Role, User
from infra.accounts.services import create_user
from tests.fixtures.apps import csrf_from

REQUIRED_CONSENTS = {"consent_terms": "yes", "consent_privacy": "yes"}


async def test_signup_then_login_keeps_the_person_signed_in(client: AsyncTestClient) -> None:
    page = await client.get("/signup")
    assert page.status_code == 200
    token = csrf_from(page.text)
    response = await client.post(
        "/signup",
        data={
            "_csrf_token": token,
            "email": "Kim@Example.kr",
            "password": "longenough1",
            "display_name": "김장터",
            **REQUIRED_CONSENTS,
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "김장터님" in response.text


async def test_form_post_without_csrf_token_is_refused(client: AsyncTestClient) -> None:
    await client.get("/signup")
    response = await client.post(
        "/signup", data={"email": "a@b.kr", "password": "longenough1", "display_name": "x"}
    )
    assert response.status_code == 403


async def test_wrong_password_shows_message_beside_the_field(client, db_session) -> None:  # type: ignore[no-untyped-def]
    await create_user(db_session, email="lee@example.kr", password="rightpass1", display_name="이")
    await db_session.commit()
    page = await client.get("/login")
    response = await client.post(
        "/login",
        data={"_csrf_token": csrf_from(page.text), "email": "lee@example.kr", "password": "nope"},
    )
    assert response.status_code == 400
    assert "이메일 또는 비밀번호가 맞지 않습니다" in response.text


async def test_token_api_gives_a_bearer_token_only_for_right_password(client, db_session) -> None:  # type: ignore[no-untyped-def]
    await create_user(
        db_session,
        email="park@example.kr",
        password="rightpass1",
        display_name="박",
        roles=[Role.ADMIN],
    )
    await db_session.commit()
    bad = await client.post("/api/auth/token", json={"email": "park@example.kr", "password": "x"})
    assert bad.status_code == 401
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["errors"][0]["field"] == "password"
    good = await client.post(
        "/api/auth/token", json={"email": "park@example.kr", "password": "rightpass1"}
    )
    assert good.status_code == 201
    assert good.json()["token"].startswith("jt_")
    assert "admin" in good.json()["roles"]


async def test_signup_with_taken_email_is_a_conflict(client, db_session) -> None:  # type: ignore[no-untyped-def]
    await create_user(
        db_session, email="dup@example.kr", password="rightpass1", display_name="중복"
    )
    await db_session.commit()
    page = await client.get("/signup")
    response = await client.post(
        "/signup",
        data={
            "_csrf_token": csrf_from(page.text),
            "email": "dup@example.kr",
            "password": "longenough1",
            "display_name": "둘째",
            **REQUIRED_CONSENTS,
        },
    )
    assert response.status_code == 409
    assert "이미 가입된 이메일" in response.text


async def test_signup_is_refused_without_the_required_consents_and_records_each_answer(
    client: AsyncTestClient, db_session: AsyncSession
) -> None:
    page = await client.get("/signup")
    assert "이용약관 동의" in page.text and "개인정보 수집·이용 동의" in page.text
    assert "checked" not in page.text  # nothing ticked for the person
    refused = await client.post("/signup", data={
        "_csrf_token": csrf_from(page.text), "email": "c@example.kr",
        "password": "longenough1", "display_name": "동의", "consent_terms": "yes",
    })
    assert refused.status_code == 400
    assert "개인정보 수집·이용 동의는 필수입니다" in refused.text
    assert await db_session.scalar(select(func.count(User.id))) == 0  # nothing written

    done = await client.post("/signup", data={
        "_csrf_token": csrf_from(page.text), "email": "c@example.kr",
        "password": "longenough1", "display_name": "동의", **REQUIRED_CONSENTS,
    })
    assert done.status_code == 200 and "동의님, 환영합니다" in done.text
    rows = (await db_session.execute(
        select(ConsentRecord.kind, ConsentRecord.version, ConsentRecord.agreed)
        .order_by(ConsentRecord.kind))).all()
    assert [tuple(r) for r in rows] == [
        ("marketing", "2026-12-01", False), ("privacy", "2026-12-01", True),
        ("terms", "2026-12-01", True)]
