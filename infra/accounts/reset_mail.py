"""비밀번호 재설정 메일: the worker side of ``account.password_reset_requested``.

The event names the reset row; the link's token is derived again here from the row's nonce
and the secret key (``services.reset_token``), so it is never stored nor carried by the
outbox. A link already used or expired when the worker gets to it is not mailed.
Sending is the worker's (:func:`infra.mail.send_once`): a redelivered event mails once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.events import PasswordResetRequested
from infra.accounts.models import PasswordReset, User
from infra.accounts.services import reset_token
from infra.clock import seoul_time, utcnow
from infra.mail import Mail

#: The events that send an account mail (the worker's subscription).
MAIL_EVENTS = frozenset({PasswordResetRequested.name})


async def mails_for_event(
    session: AsyncSession, name: str, payload: Mapping[str, Any], *, site_url: str = "",
    secret_key: str,
) -> list[Mail]:
    if name != PasswordResetRequested.name:
        return []
    reset = await session.get(PasswordReset, int(payload["id"]))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return []
    user = await session.get(User, reset.user_id)
    if user is None or not user.is_active:
        return []
    link = f"{site_url}/password/reset?token={quote(reset_token(reset.nonce, secret_key))}"
    text = (
        f"{user.display_name}님, 안녕하세요.\n\n"
        "장터 계정의 비밀번호 재설정을 요청하셨습니다. 아래 링크에서 새 비밀번호를 정해 주세요.\n\n"
        f"{link}\n\n"
        f"링크는 {seoul_time(reset.expires_at)}(서울)까지 한 번만 쓸 수 있습니다.\n"
        "요청하지 않으셨다면 이 메일을 무시하셔도 됩니다. 비밀번호는 바뀌지 않습니다.\n\n"
        "장터 사회적경제 플랫폼 드림\n"
    )
    return [Mail(to=user.email, to_name=user.display_name, subject="[장터] 비밀번호 재설정 안내",
                 text=text, kind="password_reset")]
