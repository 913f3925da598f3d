"""Sign-up, sign-in, passwords and tokens: each a short use case around one transaction."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.events import PasswordResetRequested
from infra.accounts.models import ApiToken, PasswordReset, Role, User
from infra.accounts.passwords import hash_password, needs_rehash, verify_password
from infra.clock import utcnow
from infra.errors import CommonErrorCode, Conflict, InvalidInput, NotFound
from infra.outbox import record
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
    check_password_strength(password)
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


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            CommonErrorCode.WEAK_PASSWORD,
            f"비밀번호는 {MIN_PASSWORD}자 이상이어야 합니다.",
            field=field,
        )


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))
    # argon2 takes tens of milliseconds of CPU on purpose: not on the event loop.
    if not await asyncio.to_thread(verify_password, user.password_hash if user else None,
                                   password):
        return None
    if user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: A token's life when its owner does not choose one, and the longest one may choose.
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365
#: Tokens issued before tokens expired end this long after they were made.
LEGACY_TOKEN_DAYS = DEFAULT_TOKEN_DAYS
MAX_TOKEN_NAME = 100


def token_expiry(row: ApiToken) -> dt.datetime:
    return row.expires_at or row.created_at + dt.timedelta(days=LEGACY_TOKEN_DAYS)


async def issue_token(
    session: AsyncSession, user: User, name: str = "api", *, days: int = DEFAULT_TOKEN_DAYS
) -> str:
    """Create a token valid for ``days`` and return it once; only its hash is kept."""
    name = name.strip() or "api"
    if len(name) > MAX_TOKEN_NAME:
        raise InvalidInput(CommonErrorCode.INVALID_TOKEN_NAME,
                           f"토큰 이름은 {MAX_TOKEN_NAME}자까지입니다.", field="name")
    if (unsafe := unsafe_characters(name)) is not None:
        raise InvalidInput(CommonErrorCode.INVALID_TOKEN_NAME, unsafe, field="name")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput(CommonErrorCode.INVALID_TOKEN_LIFETIME,
                           f"유효 기간은 1일부터 {MAX_TOKEN_DAYS}일까지입니다.",
                           field="expires_in_days")
    token = "jt_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=_token_hash(token),
                         expires_at=utcnow() + dt.timedelta(days=days)))
    await session.flush()
    return token


async def user_for_token(session: AsyncSession, token: str) -> User | None:
    """The active owner of an unexpired, unrevoked token."""
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or token_expiry(row) <= utcnow():
        return None
    user = await session.get(User, row.user_id)
    return user if user and user.is_active else None


async def tokens_of(session: AsyncSession, user: User) -> list[ApiToken]:
    """The person's tokens, newest first (expired ones too, until revoked)."""
    return list(await session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


async def revoke_token(session: AsyncSession, user: User, token_id: int) -> None:
    """Delete one of the person's own tokens; someone else's is a 404, as a missing one."""
    deleted = await session.execute(
        delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if not deleted.rowcount:  # type: ignore[attr-defined]
        raise NotFound(CommonErrorCode.TOKEN_NOT_FOUND, "토큰을 찾을 수 없습니다.")


def password_stamp(user: User) -> str:
    """Changes whenever the password does: a session made before the change is worthless."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


async def change_password(
    session: AsyncSession, who: User, current: str, new: str
) -> User:
    """The signed-in person sets a new password after giving the current one; returns the
    person as this session now has them (``who`` may come from another session)."""
    user = await session.get(User, who.id, with_for_update=True)
    if user is None:
        raise NotFound(CommonErrorCode.BAD_CREDENTIALS, "계정을 찾을 수 없습니다.")
    if not await asyncio.to_thread(verify_password, user.password_hash, current):
        raise InvalidInput(CommonErrorCode.BAD_CREDENTIALS, "현재 비밀번호가 맞지 않습니다.",
                           field="current_password")
    check_password_strength(new, field="new_password")
    if verify_password(user.password_hash, new):
        raise InvalidInput(CommonErrorCode.WEAK_PASSWORD,
                           "지금과 다른 비밀번호를 입력해 주세요.", field="new_password")
    user.password_hash = hash_password(new)
    await session.flush()
    return user


#: How long a reset link works.
RESET_VALID = dt.timedelta(minutes=30)


def reset_token(nonce: str, secret_key: str) -> str:
    """The token of a reset link: derived from the row's nonce with the secret key."""
    digest = hmac.new(secret_key.encode(), f"password-reset:{nonce}".encode(), "sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def request_password_reset(
    session: AsyncSession, email: str, secret_key: str
) -> PasswordReset | None:
    """A reset link for the account of ``email``, mailed by the worker; nothing (and the
    same answer to the caller) when no active account has that address."""
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active:
        return None
    nonce = secrets.token_urlsafe(32)
    reset = PasswordReset(user_id=user.id, nonce=nonce,
                          token_hash=_token_hash(reset_token(nonce, secret_key)),
                          expires_at=utcnow() + RESET_VALID)
    session.add(reset)
    await session.flush()
    record(session, PasswordResetRequested(id=reset.id, user_id=user.id))
    return reset


async def valid_reset(session: AsyncSession, token: str) -> PasswordReset | None:
    reset = await session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == _token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


async def reset_password(session: AsyncSession, token: str, new: str) -> User:
    """Set a new password with a reset link's token: once, before it expires. The person's
    other links and every API token end with it (whoever needed a reset may have lost
    control of the account)."""
    check_password_strength(new, field="new_password")
    now = utcnow()
    reset = await valid_reset(session, token)
    # Claiming the row in one conditional UPDATE: two racing uses, one wins.
    claimed = reset is not None and (await session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now))).rowcount == 1  # type: ignore[attr-defined]
    if reset is None or not claimed:
        raise InvalidInput(CommonErrorCode.INVALID_RESET_LINK,
                           "재설정 링크가 만료되었거나 이미 사용되었습니다. 다시 요청해 주세요.",
                           field="token")
    user = await session.get(User, reset.user_id)
    if user is None or not user.is_active:
        raise InvalidInput(CommonErrorCode.INVALID_RESET_LINK,
                           "재설정 링크가 만료되었거나 이미 사용되었습니다. 다시 요청해 주세요.",
                           field="token")
    user.password_hash = hash_password(new)
    await session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now))
    await session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    await session.flush()
    return user


async def grant_role(session: AsyncSession, user: User, role: Role) -> None:
    if role.value not in user.roles:
        user.roles = sorted({*user.roles, role.value})
