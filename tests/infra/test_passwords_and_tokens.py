"""Password reset by mail (single use, expiring, hashed), password change (asks the current
one, moves the session, ends the others), API tokens that expire and that their owner lists
and revokes (decision 56)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from infra.accounts.events import PasswordResetRequested
from infra.accounts.models import ApiToken, PasswordReset, Role
from infra.accounts.services import issue_token
from infra.clock import utcnow
from infra.outbox import OutboxEvent
from infra.settings import Settings
from tests.fixtures.apps import PASSWORD, app_client, csrf_from, login, post_login
from tests.fixtures.mail import body, inbox
from tests.shop.factories import make_user


def _mailed_links(settings: Settings) -> list[str]:
    return [
        link
        for messages in inbox(settings).values()
        for message in messages
        for link in re.findall(r"https://\S+/password/reset\?token=\S+", body(message))
    ]


async def test_a_reset_link_works_once_before_it_expires_and_ends_the_tokens(
    client: AsyncTestClient, mail_worker: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    from workers import actors, routing

    async with session_factory() as session:
        user = await make_user(session, Role.SHOPPER)
        await issue_token(session, user)
        await session.commit()
    page = await client.get("/login")
    assert "/password/forgot" in page.text
    forgot = await client.get("/password/forgot")
    asked = await client.post("/password/forgot", data={
        "_csrf_token": csrf_from(forgot.text), "email": user.email.upper()})
    assert asked.status_code == 200 and "메일로 보냈습니다" in asked.text
    # An unknown address reads the same and leaves no row (nobody learns who has an account).
    unknown = await client.post("/password/forgot", data={
        "_csrf_token": csrf_from(forgot.text), "email": "nobody@example.kr"})
    assert unknown.status_code == 200 and "메일로 보냈습니다" in unknown.text

    async with session_factory() as session:
        resets = (await session.scalars(select(PasswordReset))).all()
        assert len(resets) == 1
        event = await session.scalar(
            select(OutboxEvent).where(OutboxEvent.name == PasswordResetRequested.name))
        assert event is not None
    assert actors.send_account_mails in [
        actor for matches, actor, _batch in routing.SUBSCRIPTIONS if matches(event.name)]
    envelope = event.envelope().to_dict()
    await asyncio.to_thread(actors.send_account_mails, envelope)
    await asyncio.to_thread(actors.send_account_mails, envelope)  # redelivered: one mail
    links = _mailed_links(mail_worker)
    assert len(links) == 1
    token = links[0].split("token=", 1)[1]
    # Only the token's hash is stored, and the outbox never carried it.
    assert token not in str(envelope) and resets[0].token_hash != token

    assert (await client.get(f"/password/reset?token={token}")).status_code == 200
    form = await client.get(f"/password/reset?token={token}")
    short = await client.post("/password/reset", data={
        "_csrf_token": csrf_from(form.text), "token": token, "new_password": "short"})
    assert short.status_code == 400 and "8자 이상" in short.text
    done = await client.post("/password/reset", data={
        "_csrf_token": csrf_from(form.text), "token": token, "new_password": "brand-new-pass"})
    assert done.status_code == 200 and "새 비밀번호로 로그인" in done.text
    again = await client.post("/password/reset", data={
        "_csrf_token": csrf_from(form.text), "token": token, "new_password": "another-pass1"})
    assert again.status_code == 400 and "이미 사용되었습니다" in again.text
    assert (await post_login(client, user.email, PASSWORD)).status_code == 400
    client.cookies.clear()
    await login(client, user.email, "brand-new-pass")
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ApiToken)) == 0

    # An expired link is refused (the API says which field).
    async with session_factory() as session:
        await session.execute(update(PasswordReset).values(used_at=None))
        await session.execute(update(PasswordReset).values(
            expires_at=utcnow() - dt.timedelta(seconds=1)))
        await session.commit()
    expired = await client.post("/api/auth/password-reset/confirm",
                                json={"token": token, "new_password": "third-password"},
                                headers={"X-CSRFToken": client.cookies.get("csrftoken", "")})
    assert expired.status_code == 400
    assert expired.json()["errors"][0]["field"] == "token" if "errors" in expired.json() \
        else expired.json()["field"] == "token"


async def test_changing_the_password_asks_the_current_one_and_ends_other_sessions(
    client: AsyncTestClient, app_settings: Settings, db_session: AsyncSession
) -> None:
    user = await make_user(db_session, Role.SHOPPER)
    await db_session.commit()
    async with app_client(app_settings) as elsewhere:  # another web process, another device
        await login(elsewhere, user.email)
        assert (await elsewhere.get("/orders")).url.path == "/orders"
        await login(client, user.email)
        before = client.cookies.get("session")
        form = await client.get("/account/password")
        assert form.status_code == 200 and "비밀번호 변경" in form.text
        assert 'href="/account/password"' in (await client.get("/")).text  # the account menu
        wrong = await client.post("/account/password", data={
            "_csrf_token": csrf_from(form.text), "current_password": "not-it",
            "new_password": "brand-new-pass"})
        assert wrong.status_code == 400 and "현재 비밀번호가 맞지 않습니다" in wrong.text
        changed = await client.post("/account/password", follow_redirects=False, data={
            "_csrf_token": csrf_from(form.text), "current_password": PASSWORD,
            "new_password": "brand-new-pass"})
        assert changed.status_code in (302, 303)
        assert client.cookies.get("session") not in (None, before)  # a new session id
        assert (await client.get("/orders")).url.path == "/orders"  # still signed in here
        assert (await elsewhere.get("/orders")).url.path == "/login"  # signed out there


async def test_tokens_expire_and_their_owner_lists_and_revokes_them(
    client: AsyncTestClient, db_session: AsyncSession
) -> None:
    owner = await make_user(db_session, Role.SHOPPER)
    stranger = await make_user(db_session, Role.SHOPPER)
    theirs = await issue_token(db_session, stranger, "theirs")
    await db_session.commit()
    issued = await client.post("/api/auth/token", json={
        "email": owner.email, "password": PASSWORD, "name": "정산 스크립트",
        "expires_in_days": 1})
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    expires = dt.datetime.fromisoformat(issued.json()["expires_at"])
    assert dt.timedelta(hours=23) < expires - utcnow() <= dt.timedelta(days=1)
    too_long = await client.post("/api/auth/token", json={
        "email": owner.email, "password": PASSWORD, "expires_in_days": 366})
    assert too_long.status_code == 400 and "expires_in_days" in too_long.text

    bearer = {"Authorization": f"Bearer {token}"}
    listed = await client.get("/api/account/tokens", headers=bearer)
    assert [t["name"] for t in listed.json()] == ["정산 스크립트"]
    mine = listed.json()[0]["id"]
    stranger_id = await db_session.scalar(select(ApiToken.id).where(ApiToken.name == "theirs"))
    # Someone else's token is not found, and stays.
    assert (await client.delete(f"/api/account/tokens/{stranger_id}",
                                headers=bearer)).status_code == 404
    assert (await client.get("/api/account/tokens",
                             headers={"Authorization": f"Bearer {theirs}"})).status_code == 200

    # Expired: refused like an unknown token.
    await db_session.execute(update(ApiToken).where(ApiToken.id == mine)
                             .values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    await db_session.commit()
    assert (await client.get("/api/account/tokens", headers=bearer)).status_code == 401

    # The page lists them (expired too) and revokes one.
    await login(client, owner.email)
    page = await client.get("/account/tokens")
    assert page.status_code == 200 and "정산 스크립트" in page.text and "만료됨" in page.text
    made = await client.post("/account/tokens", data={
        "_csrf_token": csrf_from(page.text), "name": "새 토큰", "expires_in_days": "30"})
    assert made.status_code == 200 and 'id="new-token"' in made.text
    new_token = re.search(r"<code>(jt_[^<]+)</code>", made.text)
    assert new_token is not None
    assert (await client.get("/api/account/tokens", headers={
        "Authorization": f"Bearer {new_token.group(1)}"})).status_code == 200
    revoked = await client.post(f"/account/tokens/{mine}/revoke",
                                data={"_csrf_token": csrf_from(page.text)})
    assert revoked.status_code == 200 and "토큰을 폐기했습니다" in revoked.text
    assert "정산 스크립트" not in revoked.text
    other = await client.post(f"/account/tokens/{stranger_id}/revoke",
                              data={"_csrf_token": csrf_from(page.text)})
    assert other.status_code == 404
