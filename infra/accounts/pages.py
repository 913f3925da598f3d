"""Sign-up, sign-in and sign-out pages (HTML forms with CSRF, no JavaScript needed)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from infra.accounts import consents, services
from infra.accounts.hooks import previous_session, run_after_login
from infra.accounts.models import User
from infra.auth import signed_in_session
from infra.clock import utcnow
from infra.db import transaction
from infra.web.forms import Refusal, attempt
from infra.web.params import DbSession, FormData
from infra.web.sessions import renew_session


def _safe_next(value: str | None) -> str:
    """Only same-site paths: an open redirect after sign-in would be a phishing tool."""
    if value and value.startswith("/") and not value.startswith("//"):
        return value
    return "/"


class AccountPages(Controller):
    include_in_schema = False

    @get("/signup", name="accounts:signup")
    async def signup_form(self) -> Template:
        return Template("accounts/signup.html",
                        context={"form": {}, "errors": {}, "consents": consents.CONSENTS})

    @post("/signup")
    async def signup(
        self, request: Request[Any, Any, Any], db_session: DbSession, data: FormData
    ) -> Template | Redirect:
        async def sign_up() -> User:
            given = consents.check(data)
            async with transaction(db_session):
                user = await services.create_user(
                    db_session,
                    email=data.get("email", ""),
                    password=data.get("password", ""),
                    display_name=data.get("display_name", ""),
                )
                consents.record(db_session, user, given, utcnow())
            return user

        outcome = await attempt(db_session, sign_up)
        if isinstance(outcome, Refusal):
            return Template(
                "accounts/signup.html",
                context={"form": data, "errors": outcome.errors, "consents": consents.CONSENTS},
                status_code=outcome.status_code,
            )
        user = outcome
        before = previous_session(request)
        renew_session(request, signed_in_session(user))
        flash(
            request,
            f"{user.display_name}님, 환영합니다. 가입이 완료되었습니다.",
            category="success",
        )
        for message in await run_after_login(request, db_session, user, before):
            flash(request, message, category="info")
        return Redirect("/")

    @get("/login", name="accounts:login")
    async def login_form(self, next: FromQuery[str | None] = None) -> Template:
        return Template(
            "accounts/login.html", context={"form": {}, "errors": {}, "next": _safe_next(next)}
        )

    @post("/login")
    async def login(
        self, request: Request[Any, Any, Any], db_session: DbSession, data: FormData
    ) -> Template | Redirect:
        user = await services.authenticate(
            db_session, data.get("email", ""), data.get("password", "")
        )
        if user is None:
            return Template(
                "accounts/login.html",
                context={
                    "form": {"email": data.get("email", "")},
                    "errors": {"password": "이메일 또는 비밀번호가 맞지 않습니다."},
                    "next": _safe_next(data.get("next")),
                },
                status_code=400,
            )
        await db_session.commit()
        before = previous_session(request)
        renew_session(request, signed_in_session(user))
        flash(request, "로그인했습니다.", category="success")
        for message in await run_after_login(request, db_session, user, before):
            flash(request, message, category="info")
        return Redirect(_safe_next(data.get("next")))

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        renew_session(request, {})
        return Redirect("/")
