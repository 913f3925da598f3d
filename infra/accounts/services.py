"""Sign-up, sign-in and tokens: each a short use case around one transaction."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import ApiToken, Role, User
from infra.accounts.passwords import hash_password, needs_rehash, verify_password
from infra.clock import utcnow
from infra.errors import CommonErrorCode, Conflict, InvalidInput
from infra.text import unsafe_characters

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    display_name: str,
    roles: list[Role] | None = None,
) -> User:
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        raise InvalidInput(
            CommonErrorCode.INVALID_EMAIL, "올바른 이메일 주소를 입력해 주세요.", field="email"
        )
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            CommonErrorCode.WEAK_PASSWORD,
            f"비밀번호는 {MIN_PASSWORD}자 이상이어야 합니다.",
            field="password",
        )
    display_name = display_name.strip()
    if not display_name:
        raise InvalidInput(
            CommonErrorCode.MISSING_NAME, "이름을 입력해 주세요.", field="display_name"
        )
    if (unsafe := unsafe_characters(display_name)) is not None:
        raise InvalidInput(CommonErrorCode.UNSAFE_CHARACTERS, unsafe, field="display_name")
    exists = await session.scalar(select(func.count(User.id)).where(User.email == email))
    if exists:
        raise Conflict(CommonErrorCode.EMAIL_TAKEN, "이미 가입된 이메일입니다.", field="email")
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        roles=sorted({r.value for r in (roles or [Role.SHOPPER])}),
    )
    session.add(user)
    await session.flush()
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(session: AsyncSession, user: User, name: str = "api") -> str:
    """Create a token and return it once; only its hash is kept."""
    token = "jt_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=_token_hash(token)))
    await session.flush()
    return token


async def user_for_token(session: AsyncSession, token: str) -> User | None:
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None:
        return None
    user = await session.get(User, row.user_id)
    return user if user and user.is_active else None


async def grant_role(session: AsyncSession, user: User, role: Role) -> None:
    if role.value not in user.roles:
        user.roles = sorted({*user.roles, role.value})
