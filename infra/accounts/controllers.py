"""Account API: programs exchange an e-mail and password for a bearer token (limited per
account and address, decision 55); people list and revoke their tokens, change their
password and ask for a reset link (decision 56)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from infra.accounts import limits, services
from infra.auth import requires_user, signed_in_session
from infra.clock import utcnow
from infra.db import transaction
from infra.errors import CommonErrorCode, DomainError
from infra.web.openapi import problem_responses
from infra.web.params import DbSession, SignedIn
from infra.web.sessions import renew_session


class TokenRequest(msgspec.Struct):
    email: str
    password: str
    name: str = "api"
    #: Days the token works (1–365).
    expires_in_days: int = services.DEFAULT_TOKEN_DAYS


class TokenResponse(msgspec.Struct):
    token: str
    user_id: int
    roles: list[str]
    expires_at: dt.datetime


class TokenInfo(msgspec.Struct):
    id: int
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime
    expired: bool


class PasswordChange(msgspec.Struct):
    current_password: str
    new_password: str


class ResetRequest(msgspec.Struct):
    email: str


class ResetConfirm(msgspec.Struct):
    token: str
    new_password: str


def bad_credentials() -> DomainError:
    return DomainError(CommonErrorCode.BAD_CREDENTIALS, "이메일 또는 비밀번호가 맞지 않습니다.",
                       field="password", status_code=401)


class AuthApi(Controller):
    path = "/api/auth"
    tags = ["계정 (Accounts)"]

    @post("/token", operation_id="issueToken", summary="API 토큰 발급", status_code=201,
          responses=problem_responses(401, 429, s401="이메일 또는 비밀번호가 맞지 않습니다"))
    async def issue(
        self, request: Request[Any, Any, Any], db_session: DbSession,
        data: JSONBody[TokenRequest],
    ) -> TokenResponse:
        guesses = limits.sign_in_checks(request, data.email)
        await limits.count(request, [*guesses, *limits.token_checks(request, data.email)])
        user = await services.authenticate(db_session, data.email, data.password)
        if user is None:
            raise bad_credentials()
        await limits.give_back(request, guesses)
        async with transaction(db_session):
            token = await services.issue_token(db_session, user, data.name,
                                               days=data.expires_in_days)
        row = (await services.tokens_of(db_session, user))[0]
        return TokenResponse(token=token, user_id=user.id, roles=user.roles,
                             expires_at=services.token_expiry(row))

    @post("/password-reset", operation_id="requestPasswordReset",
          summary="비밀번호 재설정 메일 요청", status_code=HTTP_202_ACCEPTED,
          responses=problem_responses(429))
    async def request_reset(
        self, request: Request[Any, Any, Any], db_session: DbSession,
        data: JSONBody[ResetRequest],
    ) -> None:
        """The same answer whether or not the address has an account; the mail says the rest."""
        await limits.count(request, limits.reset_checks(request, data.email))
        async with transaction(db_session):
            await services.request_password_reset(
                db_session, data.email, request.app.state.settings.secret_key)

    @post("/password-reset/confirm", operation_id="confirmPasswordReset",
          summary="메일의 재설정 토큰으로 새 비밀번호 설정", status_code=HTTP_204_NO_CONTENT)
    async def confirm_reset(self, db_session: DbSession, data: JSONBody[ResetConfirm]) -> None:
        async with transaction(db_session):
            await services.reset_password(db_session, data.token, data.new_password)


class TokenApi(Controller):
    """The signed-in person's own tokens and password."""

    path = "/api/account"
    tags = ["계정 (Accounts)"]
    guards = [requires_user]

    @get("/tokens", operation_id="listMyTokens", summary="내 API 토큰 목록")
    async def list_tokens(self, db_session: DbSession, user: SignedIn) -> list[TokenInfo]:
        now = utcnow()
        return [TokenInfo(id=t.id, name=t.name, created_at=t.created_at,
                          expires_at=services.token_expiry(t),
                          expired=services.token_expiry(t) <= now)
                for t in await services.tokens_of(db_session, user)]

    @delete("/tokens/{token_id:int}", operation_id="revokeMyToken", summary="API 토큰 폐기",
            status_code=HTTP_204_NO_CONTENT)
    async def revoke(self, db_session: DbSession, user: SignedIn,
                     token_id: FromPath[int]) -> None:
        async with transaction(db_session):
            await services.revoke_token(db_session, user, token_id)

    @post("/password", operation_id="changeMyPassword", summary="비밀번호 변경",
          status_code=HTTP_204_NO_CONTENT, responses=problem_responses(429))
    async def change_password(
        self, request: Request[Any, Any, Any], db_session: DbSession, user: SignedIn,
        data: JSONBody[PasswordChange],
    ) -> None:
        """Asks the current password (a guess counts like a sign-in's); a cookie session
        moves to a new id, and every other session of the person ends."""
        checks = limits.sign_in_checks(request, user.email)
        await limits.count(request, checks)
        async with transaction(db_session):
            changed = await services.change_password(db_session, user, data.current_password,
                                                     data.new_password)
        await limits.give_back(request, checks)
        if request.scope.get("session"):
            renew_session(request, {**request.session, **signed_in_session(changed)})
