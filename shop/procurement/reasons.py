"""A reason people must give (a counted-amount correction, a plan amendment, an import's
withdrawal): trimmed, required, within a length, and without the characters that hide or
reorder text (decision 46). The refusal names the ``reason`` field."""

from __future__ import annotations

from infra.errors import InvalidInput
from infra.text import unsafe_characters
from shop.procurement.errors import ProcurementErrorCode


def required_reason(text: str, *, code: ProcurementErrorCode, what: str, limit: int = 500
                    ) -> str:
    """``text`` trimmed, or 400 naming ``reason``; ``what`` is the Korean name of the reason
    (정정 사유, 변경 사유 …)."""
    reason = text.strip()
    if not reason:
        raise InvalidInput(code, f"{what}를 적어 주세요.", field="reason")
    if len(reason) > limit:
        raise InvalidInput(code, f"{what}는 {limit:,}자까지 적을 수 있습니다.", field="reason")
    unsafe = unsafe_characters(reason)
    if unsafe is not None:
        raise InvalidInput(code, unsafe, field="reason")
    return reason
