"""A vendor answers a request for quotation (견적 제출) from its quote inbox.

A member of an invited vendor gives a unit price (before VAT) for every line and the date the
quote stays valid to (Seoul), before the deadline only: at or after it the answer is a 409
(``quote_deadline_passed``), and so is an answer to a request already awarded or cancelled.
Answering again before the deadline replaces the vendor's prices (one quote per vendor,
``revision`` counting the answers). The request row is locked first, so an answer and an
award never interleave: an award counts exactly the quotes committed before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import SEOUL, as_utc, seoul_date, utcnow
from infra.db import transaction
from infra.errors import Conflict, Problems
from infra.outbox import record
from shop.procurement.amounts import amounts_of, line_supply
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.quotation_events import QuoteReceived
from shop.procurement.quotation_models import Quote, QuoteLine, QuoteRequestStatus
from shop.procurement.quotations import invited_request, lock_request
from shop.vendors.access import vendor_for_member


async def quote_of(session: AsyncSession, request_id: int, vendor_id: int) -> Quote | None:
    return await session.scalar(select(Quote).where(Quote.request_id == request_id,
                                                    Quote.vendor_id == vendor_id))


async def submit_quote(
    session: AsyncSession, user: User, vendor_id: int, request_id: int,
    prices: Mapping[int, int], valid_until: dt.date | None, *, now: dt.datetime | None = None,
) -> Quote:
    """Record (or replace) the vendor's quote. ``prices``: request line id → unit price.

    404 for a request not addressed to the vendor, 403 for someone not of the vendor, 400
    naming ``prices[<line id>]`` or ``valid_until``, 409 after the deadline.
    """
    now = now or utcnow()
    async with transaction(session):
        await vendor_for_member(session, user, vendor_id)
        await invited_request(session, vendor_id, request_id)
        request = await lock_request(session, request_id)
        if request.status is not QuoteRequestStatus.OPEN:
            raise Conflict(Code.QUOTE_REQUEST_INVALID_TRANSITION,
                           f"이 견적 요청은 이미 '{request.status.label}' 상태입니다.",
                           field="status")
        deadline = as_utc(request.deadline)
        if as_utc(now) >= deadline:
            raise Conflict(Code.QUOTE_DEADLINE_PASSED,
                           f"견적 마감({deadline.astimezone(SEOUL):%Y-%m-%d %H:%M})이 지났습니다.",
                           field="deadline",
                           extra={"deadline": deadline.isoformat()})
        problems = Problems()
        known = {line.id for line in request.lines}
        for line_id in prices:
            if line_id not in known:
                problems.add(Code.UNKNOWN_ORDER_LINE, f"prices[{line_id}]",
                             "이 견적 요청의 품목이 아닙니다.")
        for line in request.lines:
            price = prices.get(line.id)
            if price is None:
                problems.add(Code.REQUIRED, f"prices[{line.id}]",
                             f"{line.position}번 품목의 단가를 입력해 주세요.")
            elif price < 0:
                problems.add(Code.INVALID_AMOUNT, f"prices[{line.id}]",
                             "단가는 0 이상이어야 합니다.")
        if valid_until is None:
            problems.add(Code.REQUIRED, "valid_until", "견적 유효기한을 입력해 주세요.")
        elif valid_until < seoul_date(deadline):
            problems.add(Code.INVALID_DATE, "valid_until",
                         "견적 유효기한은 견적 마감일 이후여야 합니다.")
        problems.raise_if_any()
        assert valid_until is not None

        supply = sum(line_supply(line.quantity, prices[line.id]) for line in request.lines)
        amounts = amounts_of(supply)
        quote = await quote_of(session, request.id, vendor_id)
        if quote is None:
            quote = Quote(request_id=request.id, vendor_id=vendor_id, revision=1, lines=[])
            session.add(quote)
        else:
            quote.revision += 1
            quote.lines.clear()
            await session.flush()
        quote.submitted_by, quote.submitted_at, quote.valid_until = user.id, now, valid_until
        quote.supply_amount, quote.vat_amount = amounts.supply, amounts.vat
        quote.lines.extend(QuoteLine(request_line_id=line.id, unit_price=prices[line.id])
                           for line in request.lines)
        await session.flush()
        record(session, QuoteReceived(
            id=request.id, quote_id=quote.id, institution_id=request.institution_id,
            vendor_id=vendor_id, submitted_by=user.id, submitted_at=as_utc(now).isoformat(),
            valid_until=valid_until.isoformat(), supply_amount=amounts.supply,
            vat_amount=amounts.vat, total=amounts.supply + amounts.vat,
            revision=quote.revision))
    return quote
