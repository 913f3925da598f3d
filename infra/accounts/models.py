"""People who sign in, their roles and their API tokens."""

from __future__ import annotations

import datetime as dt
import enum

from advanced_alchemy.base import BigIntAuditBase
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column


class Role(enum.StrEnum):
    SHOPPER = "shopper"  # 구매자
    VENDOR_MEMBER = "vendor_member"  # 입점기업 구성원
    ORGANIZER = "organizer"  # 장터 운영자
    PUBLIC_BUYER = "public_buyer"  # 공공구매 담당자
    ADMIN = "admin"  # 플랫폼 관리자

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.SHOPPER: "구매자",
    Role.VENDOR_MEMBER: "입점기업 구성원",
    Role.ORGANIZER: "장터 운영자",
    Role.PUBLIC_BUYER: "공공구매 담당자",
    Role.ADMIN: "플랫폼 관리자",
}


class User(BigIntAuditBase):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    def has_role(self, *roles: Role) -> bool:
        return Role.ADMIN.value in self.roles or any(r.value in self.roles for r in roles)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN.value in self.roles


class ApiToken(BigIntAuditBase):
    """A personal token for programs; only its SHA-256 is stored. It works until
    ``expires_at`` (tokens issued before expiry existed have none: they end
    ``services.LEGACY_TOKEN_DAYS`` after they were made) or until its owner revokes it
    (the row is deleted)."""

    __tablename__ = "api_tokens"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class PasswordReset(BigIntAuditBase):
    """One password-reset link sent by mail: single use, expiring, stored hashed.

    The link's token is derived from ``nonce`` with the secret key
    (``services.reset_token``), so the worker can write it into the mail without the token
    ever being stored or sent through the outbox, and someone reading the database alone
    cannot make it; only its SHA-256 is kept to look the link up."""

    __tablename__ = "password_resets"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class ConsentRecord(BigIntAuditBase):
    """One answer to one consent text at sign-up (개인정보 보호법 제22조: each consent asked
    separately, and proof of what was agreed to, in which version, when). Append-only: a
    later change of mind is a new row."""

    __tablename__ = "account_consents"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))
    agreed: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
