"""Sign-up, sign-in and sign-out pages, the password-reset pages, and the signed-in person's
password and API-token pages (HTML forms with CSRF, no JavaScript needed).

Sign-in, sign-up and reset requests are counted per account and address (decision 55): past
a limit the form comes back with 429, ``Retry-After`` and the message beside it."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from infra.accounts import consents, limits, services
from infra.accounts.hooks import previous_session, run_after_login
from infra.accounts.models import User
from infra.auth import requires_user, signed_in_session
from infra.clock import utcnow
from infra.db import transaction
from infra.web.forms import Refusal, act_and_redirect, attempt
from infra.web.params import DbSession, FormData, SignedIn
from infra.web.rate_limits import TooManyAttempts
from infra.web.sessions import renew_session


def _safe_next(value: str | None) -> str:
    """Only same-site paths: an open redirect after sign-in would be a phishing tool."""
    if value and value.startswith("/") and not value.startswith("//"):
        return value
    return "/"


def _too_many(template: str, context: dict[str, Any], exc: TooManyAttempts,
              field: str) -> Template:
    """The form again, with the limit's message beside ``field``: 429 with Retry-After."""
    return Template(template, context={**context, "errors": {field: exc.detail}},
                    status_code=exc.status_code, headers=exc.headers)


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
        try:
            await limits.count(request, limits.sign_up_checks(request, data.get("email", "")))
        except TooManyAttempts as exc:
            return _too_many("accounts/signup.html",
                             {"form": data, "consents": consents.CONSENTS}, exc, "email")

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
        email = data.get("email", "")
        guesses = limits.sign_in_checks(request, email)
        try:
            await limits.count(request, guesses)
        except TooManyAttempts as exc:
            return _too_many("accounts/login.html",
                             {"form": {"email": email}, "next": _safe_next(data.get("next"))},
                             exc, "password")
        user = await services.authenticate(db_session, email, data.get("password", ""))
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
        await limits.give_back(request, guesses)
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

    @get("/password/forgot", name="accounts:forgot")
    async def forgot_form(self) -> Template:
        return Template("accounts/forgot.html", context={"form": {}, "errors": {}, "sent": False})

    @post("/password/forgot")
    async def forgot(
        self, request: Request[Any, Any, Any], db_session: DbSession, data: FormData
    ) -> Template:
        """The same page whether or not the address has an account (no one learns who has)."""
        email = data.get("email", "")
        try:
            await limits.count(request, limits.reset_checks(request, email))
        except TooManyAttempts as exc:
            return _too_many("accounts/forgot.html", {"form": data, "sent": False}, exc, "email")
        async with transaction(db_session):
            await services.request_password_reset(
                db_session, email, request.app.state.settings.secret_key)
        return Template("accounts/forgot.html",
                        context={"form": data, "errors": {}, "sent": True})

    @get("/password/reset", name="accounts:reset")
    async def reset_form(self, db_session: DbSession, token: FromQuery[str] = "") -> Template:
        valid = await services.valid_reset(db_session, token) is not None
        return Template("accounts/reset.html",
                        context={"token": token, "valid": valid, "errors": {}},
                        status_code=200 if valid else 400)

    @post("/password/reset")
    async def reset(
        self, request: Request[Any, Any, Any], db_session: DbSession, data: FormData
    ) -> Template | Redirect:
        token = data.get("token", "")

        async def reset() -> User:
            async with transaction(db_session):
                return await services.reset_password(
                    db_session, token, data.get("new_password", ""))

        outcome = await attempt(db_session, reset)
        if isinstance(outcome, Refusal):
            return Template("accounts/reset.html",
                            context={"token": token, "valid": True, "errors": outcome.errors},
                            status_code=outcome.status_code)
        # Whoever this browser was signed in as, it is no one now (a new id, only the message).
        renew_session(request, {"_messages": []})
        flash(request, "비밀번호를 바꾸었습니다. 새 비밀번호로 로그인해 주세요.",
              category="success")
        return Redirect("/login")


class AccountSettingsPages(Controller):
    """내 계정: the signed-in person's password and API tokens."""

    include_in_schema = False
    path = "/account"
    guards = [requires_user]

    @get("/password", name="accounts:password")
    async def password_form(self) -> Template:
        return Template("accounts/password.html", context={"errors": {}})

    @post("/password")
    async def change_password(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        data: FormData,
    ) -> Template | Redirect:
        checks = limits.sign_in_checks(request, user.email)
        try:
            await limits.count(request, checks)
        except TooManyAttempts as exc:
            return _too_many("accounts/password.html", {}, exc, "current_password")

        async def change() -> User:
            async with transaction(db_session):
                return await services.change_password(db_session, user,
                                               data.get("current_password", ""),
                                               data.get("new_password", ""))

        outcome = await attempt(db_session, change)
        if isinstance(outcome, Refusal):
            return Template("accounts/password.html", context={"errors": outcome.errors},
                            status_code=outcome.status_code)
        await limits.give_back(request, checks)
        # A new session id for this browser; every other session of the person ends.
        renew_session(request, {**request.session, **signed_in_session(outcome)})
        flash(request, "비밀번호를 바꾸었습니다. 다른 기기에서는 다시 로그인해야 합니다.",
              category="success")
        return Redirect("/account/password")

    @get("/tokens", name="accounts:tokens")
    async def tokens(self, db_session: DbSession, user: SignedIn) -> Template:
        return await self._tokens_page(db_session, user, {}, {})

    async def _tokens_page(self, db_session: DbSession, user: Any, form: dict[str, str],
                           errors: dict[str, str], new_token: str | None = None,
                           status_code: int = 200,
                           headers: dict[str, str] | None = None) -> Template:
        rows = await services.tokens_of(db_session, user)
        return Template("accounts/tokens.html", status_code=status_code, headers=headers,
                        context={
            "tokens": [(t, services.token_expiry(t)) for t in rows], "now": utcnow(),
            "form": form, "errors": errors, "new_token": new_token,
            "default_days": services.DEFAULT_TOKEN_DAYS, "max_days": services.MAX_TOKEN_DAYS,
        })

    @post("/tokens")
    async def issue(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        data: FormData,
    ) -> Template:
        """A new token, shown once on the page that answers (only its hash is kept)."""
        try:
            await limits.count(request, limits.token_checks(request, user.email))
        except TooManyAttempts as exc:
            return await self._tokens_page(db_session, user, data, {"name": exc.detail},
                                           status_code=exc.status_code,
                                           headers=dict(exc.headers or {}))

        async def issue() -> str:
            raw = data.get("expires_in_days", "").strip() or str(services.DEFAULT_TOKEN_DAYS)
            days = int(raw) if raw.isdigit() else 0
            async with transaction(db_session):
                return await services.issue_token(db_session, user, data.get("name", ""),
                                                  days=days)

        outcome = await attempt(db_session, issue)
        if isinstance(outcome, Refusal):
            return await self._tokens_page(db_session, user, data, outcome.errors,
                                           status_code=outcome.status_code)
        return await self._tokens_page(db_session, user, {}, {}, new_token=outcome)

    @post("/tokens/{token_id:int}/revoke")
    async def revoke(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        token_id: FromPath[int],
    ) -> Redirect:
        async def revoke() -> None:
            async with transaction(db_session):
                await services.revoke_token(db_session, user, token_id)

        return await act_and_redirect(request, db_session, revoke,
                                      done="토큰을 폐기했습니다.", to="/account/tokens")
