"""Awarding one quote (낙찰): the requester's side picks a quote and it becomes a purchase
order, sent for approval in the same transaction.

- *When.* After the deadline, or earlier once every invited vendor has answered (nobody is left
  to wait for); before that a 409 (``quote_deadline_not_passed``).
- *Which quotes count.* The quotes still valid on the award day (Seoul); the chosen one must be
  among them (409 ``quote_expired``). One quote per vendor, so the count is of vendors.
- *The ceiling.* ``contracting.contracting_method`` on the request's estimated price before
  VAT, the count of valid quotes and the vulnerable-employee share of the awarded vendor's
  certificate on the award day: one quote is enough up to 20,000,000 won (50,000,000 won for a
  share of 30 % or more); above it a single quote is refused with the 409 naming the rule
  (``procurement_quotes_required``, ``rule: single_quote_ceiling``). The check runs inside
  ``ordering.draft_order``, the same one a hand-made order passes.
- *The order.* Method ``single_quote`` for one quote (OCDS ``direct``), ``multiple_quotes``
  for two or more (OCDS ``limited``); lines are the request's lines at the quote's prices;
  contract date is the award day; the awarding requester is its requester, so the
  self-approval rule keeps them from approving it.
- *Concurrency.* The request row is locked first (:func:`quotations.lock_request`): of two
  awards racing for one request, the second sees it awarded and gets the state machine's 409.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import User
from infra.clock import SEOUL, as_utc, seoul_date, utcnow
from infra.db import transaction
from infra.errors import Conflict, NotFound
from infra.outbox import record
from shop.procurement.access import require_role
from shop.procurement.contracting import DEFAULT_SETTINGS, ContractingSettings
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.models import ProcurementRole, PurchaseMethod, PurchaseOrder
from shop.procurement.ordering import LineInput, OrderInput, draft_order, send_for_approval
from shop.procurement.quotation_events import QuoteAwarded
from shop.procurement.quotation_models import (
    QUOTE_REQUEST_TRANSITIONS,
    Quote,
    QuoteRequest,
    QuoteRequestStatus,
)
from shop.procurement.quotations import lock_request


async def quotes_of(session: AsyncSession, request_id: int) -> list[Quote]:
    rows = await session.scalars(select(Quote).where(Quote.request_id == request_id)
                                 .order_by(Quote.supply_amount, Quote.id))
    return list(rows.all())


def valid_quotes(quotes: list[Quote], on: dt.date) -> list[Quote]:
    """The quotes a buyer may still accept on ``on`` (their validity date inclusive)."""
    return [q for q in quotes if q.valid_until >= on]


def may_award_before_deadline(request: QuoteRequest, quotes: list[Quote]) -> bool:
    return {q.vendor_id for q in quotes} >= set(request.vendor_ids)


async def award(
    session: AsyncSession, user: User, request_id: int, quote_id: int,
    *, now: dt.datetime | None = None, settings: ContractingSettings = DEFAULT_SETTINGS,
) -> PurchaseOrder:
    """Award ``quote_id`` and return the purchase order it became (pending approval)."""
    now = now or utcnow()
    async with transaction(session):
        request = await lock_request(session, request_id)
        await require_role(session, user, request.institution_id, ProcurementRole.REQUESTER)
        QUOTE_REQUEST_TRANSITIONS.check(request.status, QuoteRequestStatus.AWARDED)
        quotes = await quotes_of(session, request.id)
        chosen = next((q for q in quotes if q.id == quote_id), None)
        if chosen is None:
            raise NotFound(Code.QUOTE_NOT_FOUND, "이 견적 요청에 들어온 견적이 아닙니다.",
                           field="quote_id")
        deadline = as_utc(request.deadline)
        if as_utc(now) < deadline and not may_award_before_deadline(request, quotes):
            raise Conflict(
                Code.QUOTE_DEADLINE_NOT_PASSED,
                f"견적 마감({deadline.astimezone(SEOUL):%Y-%m-%d %H:%M}) 전에는 요청한 모든 "
                "기업이 견적을 낸 뒤에만 낙찰할 수 있습니다.", field="deadline")
        award_day = seoul_date(now)
        counted = valid_quotes(quotes, award_day)
        if chosen not in counted:
            raise Conflict(Code.QUOTE_EXPIRED,
                           f"이 견적은 유효기한({chosen.valid_until.isoformat()})이 지났습니다.",
                           field="quote_id")
        method = (PurchaseMethod.MULTIPLE_QUOTES if len(counted) >= 2
                  else PurchaseMethod.SINGLE_QUOTE)
        order = await draft_order(session, user, OrderInput(
            institution_id=request.institution_id, department_id=request.department_id,
            vendor_id=chosen.vendor_id, title=request.title, method=method.value,
            quotes=len(counted), estimated_price=request.estimated_price,
            contract_date=award_day,
            lines=tuple(LineInput(line.category.value,
                                  f"{line.description} (단위: {line.unit})"[:200],
                                  line.quantity, chosen.price_of(line.id) or 0)
                        for line in request.lines)), settings)
        await send_for_approval(session, user, order,
                                reason=f"견적 요청 {request.number} 낙찰 후 결재 상신")
        request.status = QuoteRequestStatus.AWARDED
        request.awarded_quote_id, request.order_id = chosen.id, order.id
        request.awarded_at, request.awarded_by = now, user.id
        record(session, QuoteAwarded(
            id=request.id, quote_id=chosen.id, institution_id=request.institution_id,
            vendor_id=chosen.vendor_id, order_id=order.id, order_number=order.number,
            method=method.value, quotes=len(counted), estimated_price=request.estimated_price,
            awarded_by=user.id))
    return order

