"""Korean bank transfers, pure: the standard 3-digit bank codes, payout-account checks, and the
bulk-transfer (대량이체) upload file the admin hands to the platform's bank.

File layout (docs/decisions.md, "bank file"): CSV, CP949 (the encoding Korean banking portals
read), CRLF line ends, one header row, then one row per transfer, no trailer:

=====  ================  ==========================================================
col    header            value
=====  ================  ==========================================================
1      은행코드          3-digit bank code (004, 088, …), zero-padded
2      계좌번호          account number, digits only (no hyphens)
3      이체금액          whole won, digits only (no separators)
4      예금주            account holder as registered (checked by the bank's 예금주조회)
5      받는분통장표시    what the vendor's passbook shows: ``장터정산`` + statement id tail
6      보내는분통장표시  what our passbook shows: the vendor name, cut to 10 characters
7      메모              ``정산서 #<id> <week Monday>`` (ours, for reconciliation)
=====  ================  ==========================================================

Most portals ("파일 이체", "대량이체 파일 등록") take this order directly or let the column
order be mapped once and remembered; a portal that wants no header row has a "첫 행 제외"
option. Nothing in a field can contain a comma or a quote (names are checked on registration).
The file is a CSV someone may open in a spreadsheet first, so a text cell that would start a
formula (``= + - @``) is neutralised like every export (``infra.spreadsheets``), and a holder
name that starts that way is refused at registration.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence

from infra.spreadsheets import neutralise

#: 금융결제원 standard bank codes (3 digits) of the banks a vendor is likely to hold.
BANK_CODES: dict[str, str] = {
    "002": "KDB산업은행",
    "003": "IBK기업은행",
    "004": "KB국민은행",
    "007": "Sh수협은행",
    "011": "NH농협은행",
    "012": "지역농·축협",
    "020": "우리은행",
    "023": "SC제일은행",
    "027": "한국씨티은행",
    "031": "iM뱅크(대구)",
    "032": "부산은행",
    "034": "광주은행",
    "035": "제주은행",
    "037": "전북은행",
    "039": "경남은행",
    "045": "새마을금고",
    "048": "신협",
    "050": "저축은행",
    "064": "산림조합",
    "071": "우체국",
    "081": "하나은행",
    "088": "신한은행",
    "089": "케이뱅크",
    "090": "카카오뱅크",
    "092": "토스뱅크",
}

ENCODING = "cp949"
HEADER = (
    "은행코드", "계좌번호", "이체금액", "예금주", "받는분통장표시", "보내는분통장표시", "메모",
)
ACCOUNT_DIGITS = (8, 16)
HOLDER_MAX = 30
RECIPIENT_NOTE = "장터정산"
SENDER_NOTE_MAX = 10

_SEPARATORS = re.compile(r"[\s\-]")
_FORBIDDEN_IN_FIELD = re.compile(r"[,\"\r\n\t]")


def bank_label(code: str) -> str:
    return BANK_CODES.get(code, code)


def clean_account_number(raw: str) -> str:
    """Digits only: people paste ``110-123-456789``."""
    return _SEPARATORS.sub("", raw or "")


def account_number_problem(number: str) -> str | None:
    """Why an account number (already cleaned) cannot be used, or None."""
    low, high = ACCOUNT_DIGITS
    if not number:
        return "계좌번호를 입력해 주세요."
    if not number.isdigit():
        return "계좌번호는 숫자(와 -)로만 입력해 주세요."
    if not low <= len(number) <= high:
        return f"계좌번호는 숫자 {low}~{high}자리입니다."
    return None


def holder_problem(holder: str) -> str | None:
    if not holder:
        return "예금주를 입력해 주세요."
    if len(holder) > HOLDER_MAX:
        return f"예금주는 {HOLDER_MAX}자 이하로 입력해 주세요."
    if _FORBIDDEN_IN_FIELD.search(holder):
        return "예금주에는 쉼표, 따옴표, 줄바꿈을 쓸 수 없습니다."
    if neutralise(holder) != holder:
        return "예금주는 = + - @ 로 시작할 수 없습니다."
    try:
        holder.encode(ENCODING)
    except UnicodeEncodeError:
        return "예금주에 은행 파일에 쓸 수 없는 문자가 있습니다."
    return None


def mask_account(number: str) -> str:
    """``1101234567890`` → ``*********7890`` for people who need not see the whole number."""
    return "*" * max(0, len(number) - 4) + number[-4:]


@dataclasses.dataclass(frozen=True)
class Transfer:
    bank_code: str
    account_number: str
    amount: int
    holder: str
    vendor_name: str
    statement_id: int
    week_start: dt.date


def _field(value: str) -> str:
    """A text cell: no separators or quotes, and never read as a formula."""
    return str(neutralise(_FORBIDDEN_IN_FIELD.sub(" ", value).strip()))


def _encodable(value: str) -> str:
    return value.encode(ENCODING, errors="replace").decode(ENCODING)


def rows(transfers: Sequence[Transfer]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for t in transfers:
        if t.bank_code not in BANK_CODES or account_number_problem(t.account_number):
            raise ValueError(f"transfer for statement {t.statement_id} has a bad account")
        if isinstance(t.amount, bool) or t.amount <= 0:
            raise ValueError("a transfer is a positive whole number of won")
        out.append((
            t.bank_code,
            t.account_number,
            str(t.amount),
            _field(t.holder),
            f"{RECIPIENT_NOTE}{t.statement_id % 1000:03d}",
            _encodable(_field(t.vendor_name))[:SENDER_NOTE_MAX],
            f"정산서 #{t.statement_id} {t.week_start.isoformat()}",
        ))
    return out


def render(transfers: Sequence[Transfer]) -> bytes:
    """The upload file (see the module docstring for the layout)."""
    lines = [",".join(HEADER)] + [",".join(row) for row in rows(transfers)]
    return ("\r\n".join(lines) + "\r\n").encode(ENCODING, errors="replace")
