"""What a person agrees to at sign-up, as Korean law asks: 이용약관 and 개인정보 수집·이용
(both required, each asked on its own, never pre-ticked) and marketing messages (optional).
Each answer is recorded with the version of the text and the time, so the platform can show
what someone agreed to and when (decision 50)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import ConsentRecord, User
from infra.errors import CommonErrorCode, Problems


@dataclass(frozen=True)
class ConsentText:
    kind: str
    title: str
    version: str
    required: bool
    summary: str


CONSENTS: tuple[ConsentText, ...] = (
    ConsentText("terms", "이용약관 동의", "2026-12-01", True,
                "장터 서비스(온라인 몰, 다과꾸러미, 장터, 공공구매)를 이용하는 조건과 "
                "회원·플랫폼의 권리와 의무에 동의합니다."),
    ConsentText("privacy", "개인정보 수집·이용 동의", "2026-12-01", True,
                "수집 항목: 이름, 이메일, 비밀번호(암호화), 주문 시 배송지·연락처. 목적: 회원 "
                "관리, 주문·배송·환불, 고객 문의 응대. 보유 기간: 탈퇴 시까지 (전자상거래법에 "
                "따른 거래 기록은 5년). 동의하지 않을 수 있으나, 이 경우 가입할 수 없습니다."),
    ConsentText("marketing", "마케팅 정보 수신 동의 (선택)", "2026-12-01", False,
                "장터 일정, 새 상품, 할인 소식을 이메일로 받습니다. 동의하지 않아도 가입할 수 "
                "있으며 언제든 철회할 수 있습니다."),
)


def field_of(consent: ConsentText) -> str:
    return f"consent_{consent.kind}"


def check(answers: Mapping[str, str]) -> dict[str, bool]:
    """The form's answers by kind; a required consent left unticked is a field error."""
    problems = Problems()
    given = {c.kind: bool(answers.get(field_of(c))) for c in CONSENTS}
    for consent in CONSENTS:
        if consent.required and not given[consent.kind]:
            problems.add(CommonErrorCode.CONSENT_REQUIRED, field_of(consent),
                         f"{consent.title}는 필수입니다. 동의해야 가입할 수 있습니다.")
    problems.raise_if_any()
    return given


def record(session: AsyncSession, user: User, given: Mapping[str, bool], at: dt.datetime) -> None:
    """One row per consent text, in the sign-up's transaction."""
    for consent in CONSENTS:
        session.add(ConsentRecord(user_id=user.id, kind=consent.kind, version=consent.version,
                                  agreed=given[consent.kind], answered_at=at))
