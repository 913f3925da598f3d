"""Token API: programs exchange an e-mail and password for a bearer token."""

from __future__ import annotations

import msgspec
from litestar import Controller, post
from litestar.params import JSONBody

from infra.accounts import services
from infra.errors import CommonErrorCode, DomainError
from infra.web.params import DbSession


class TokenRequest(msgspec.Struct):
    email: str
    password: str
    name: str = "api"


class TokenResponse(msgspec.Struct):
    token: str
    user_id: int
    roles: list[str]


class AuthApi(Controller):
    path = "/api/auth"
    tags = ["계정 (Accounts)"]

    @post("/token", operation_id="issueToken", summary="API 토큰 발급", status_code=201)
    async def issue(self, db_session: DbSession, data: JSONBody[TokenRequest]) -> TokenResponse:
        user = await services.authenticate(db_session, data.email, data.password)
        if user is None:
            raise DomainError(
                CommonErrorCode.BAD_CREDENTIALS,
                "이메일 또는 비밀번호가 맞지 않습니다.",
                field="password",
                status_code=401,
            )
        token = await services.issue_token(db_session, user, data.name)
        await db_session.commit()
        return TokenResponse(token=token, user_id=user.id, roles=user.roles)
