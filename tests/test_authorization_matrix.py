"""Every route of the app against every role (issue 15, item 17): a route without a row here
fails, so a new route cannot ship without someone deciding who may reach it.

One app, one seeding, every ``(method, path)`` of ``app.routes`` asked by nine callers:
anonymous, a shopper and another shopper, a vendor member and another vendor's member, the
market's organizer and another organizer, a public buyer and an admin. Pages are asked with
the caller's session cookie (and the form's CSRF token), ``/api`` with the caller's bearer
token. Path ids name rows that do not exist, so what is checked here is the door (the guards
and the checks a handler makes before it looks anything up): the row's class says who gets
in (any answer but 401/403/sign-in redirect, and never a 5xx), who is sent to sign in and
who is refused with 403. Object-level checks with objects owned by someone else are the
domains' own tests (``tests/markets/test_organizer_reaches_everything.py``, the
cross-tenant tests of each domain); see the report of issue 15 for what is not yet here.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from typing import Any

import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from infra.accounts.models import Role
from infra.accounts.services import issue_token
from tests.fixtures.apps import METRICS_TOKEN, login
from tests.shop.factories import make_user

#: The callers, in the issue's order.
CALLERS = ("anonymous", "shopper", "other_shopper", "vendor", "other_vendor", "organizer",
           "other_organizer", "public_buyer", "admin")
ROLES: Mapping[str, tuple[Role, ...]] = {
    "shopper": (Role.SHOPPER,), "other_shopper": (Role.SHOPPER,),
    "vendor": (Role.SHOPPER, Role.VENDOR_MEMBER),
    "other_vendor": (Role.SHOPPER, Role.VENDOR_MEMBER),
    "organizer": (Role.SHOPPER, Role.ORGANIZER), "other_organizer": (Role.SHOPPER, Role.ORGANIZER),
    "public_buyer": (Role.PUBLIC_BUYER,), "admin": (Role.ADMIN,),
}

IN, LOGIN, DENIED = "in", "login", "denied"


def _who(*allowed: str) -> dict[str, str]:
    return {c: IN if c in allowed else LOGIN if c == "anonymous" else DENIED for c in CALLERS}


#: The expected outcome per caller, by the class of a route.
PUBLIC = {c: IN for c in CALLERS}
SIGNED_IN = _who(*CALLERS[1:])
ORGANIZER = _who("organizer", "other_organizer", "admin")
PUBLIC_BUYER = _who("public_buyer", "admin")
ADMIN = _who("admin")

#: Every route: "METHOD path" as Litestar spells the path, and who gets through its door.
MATRIX: Mapping[str, Mapping[str, str]] = {
    "GET /": PUBLIC,
    "GET /account/password": SIGNED_IN,
    "POST /account/password": SIGNED_IN,
    "GET /account/tokens": SIGNED_IN,
    "POST /account/tokens": SIGNED_IN,
    "POST /account/tokens/{token_id:int}/revoke": SIGNED_IN,
    "GET /admin/analytics": ADMIN,
    "GET /admin/analytics/export": ADMIN,
    "GET /admin/search/synonyms": ADMIN,
    "POST /admin/search/synonyms": ADMIN,
    "GET /admin/search/synonyms/versions/{version:int}": ADMIN,
    "GET /admin/search/unanswered": ADMIN,
    "GET /admin/settlement": ADMIN,
    "POST /admin/settlement/close-week": ADMIN,
    "GET /admin/settlement/commission": ADMIN,
    "POST /admin/settlement/commission/categories/{category:str}": ADMIN,
    "POST /admin/settlement/commission/vendors": ADMIN,
    "POST /admin/settlement/commission/vendors/{vendor_id:int}/delete": ADMIN,
    "GET /admin/settlement/payouts": ADMIN,
    "POST /admin/settlement/payouts": ADMIN,
    "GET /admin/settlement/payouts/{batch_id:int}": ADMIN,
    "POST /admin/settlement/payouts/{batch_id:int}/cancel": ADMIN,
    "GET /admin/settlement/payouts/{batch_id:int}/file": ADMIN,
    "POST /admin/settlement/payouts/{batch_id:int}/send": ADMIN,
    "GET /admin/settlement/statements/{statement_id:int}": ADMIN,
    "GET /admin/settlement/statements/{statement_id:int}/statement.csv": ADMIN,
    "GET /admin/vendors": ADMIN,
    "GET /admin/vendors/{vendor_id:int}": ADMIN,
    "POST /admin/vendors/{vendor_id:int}/decision": ADMIN,
    "GET /admin/vendors/{vendor_id:int}/documents/{document_id:int}": ADMIN,
    "GET /analytics/exports": SIGNED_IN,
    "POST /analytics/exports": SIGNED_IN,
    "GET /analytics/exports/{export_id:int}": SIGNED_IN,
    "GET /analytics/exports/{export_id:int}/file": SIGNED_IN,
    "POST /api/account/password": SIGNED_IN,
    "GET /api/account/tokens": SIGNED_IN,
    "DELETE /api/account/tokens/{token_id:int}": SIGNED_IN,
    "GET /api/admin/search/synonyms": ADMIN,
    "POST /api/admin/search/synonyms": ADMIN,
    "GET /api/admin/search/synonyms/versions": ADMIN,
    "GET /api/admin/search/synonyms/versions/{version:int}": ADMIN,
    "GET /api/admin/search/unanswered": ADMIN,
    "GET /api/admin/vendors": ADMIN,
    "GET /api/admin/vendors/{vendor_id:int}": ADMIN,
    "POST /api/admin/vendors/{vendor_id:int}/approve": ADMIN,
    "GET /api/admin/vendors/{vendor_id:int}/documents/{document_id:int}": ADMIN,
    "GET /api/admin/vendors/{vendor_id:int}/history": ADMIN,
    "POST /api/admin/vendors/{vendor_id:int}/reinstate": ADMIN,
    "POST /api/admin/vendors/{vendor_id:int}/reject": ADMIN,
    "POST /api/admin/vendors/{vendor_id:int}/suspend": ADMIN,
    "POST /api/analytics/exports": SIGNED_IN,
    "GET /api/analytics/exports/{export_id:int}": SIGNED_IN,
    "GET /api/analytics/exports/{export_id:int}/file": SIGNED_IN,
    "GET /api/analytics/platform": ADMIN,
    "GET /api/analytics/vendors/{vendor_id:int}/daily": SIGNED_IN,
    "GET /api/analytics/vendors/{vendor_id:int}/dashboard": SIGNED_IN,
    "POST /api/auth/password-reset": PUBLIC,
    "POST /api/auth/password-reset/confirm": PUBLIC,
    "POST /api/auth/token": PUBLIC,
    "GET /api/cart": SIGNED_IN,
    "POST /api/cart/items": SIGNED_IN,
    "DELETE /api/cart/items/{item_id:int}": SIGNED_IN,
    "PATCH /api/cart/items/{item_id:int}": SIGNED_IN,
    "POST /api/checkout": PUBLIC,
    "GET /api/checkout/{token:str}": PUBLIC,
    "POST /api/invitations/accept": SIGNED_IN,
    "POST /api/lending/maintenance": ORGANIZER,
    "POST /api/lending/maintenance/{maintenance_id:int}/resolve": ORGANIZER,
    "GET /api/lending/strikes": SIGNED_IN,
    "GET /api/loans": SIGNED_IN,
    "POST /api/loans": SIGNED_IN,
    "GET /api/loans/{loan_id:int}": SIGNED_IN,
    "POST /api/loans/{loan_id:int}/cancel": SIGNED_IN,
    "POST /api/loans/{loan_id:int}/check-in": ORGANIZER,
    "POST /api/loans/{loan_id:int}/check-out": ORGANIZER,
    "POST /api/loans/{loan_id:int}/confirm": ORGANIZER,
    "GET /api/markets": PUBLIC,
    "GET /api/markets/applications/{application_id:int}": SIGNED_IN,
    "GET /api/markets/applications/{application_id:int}/history": SIGNED_IN,
    "PUT /api/markets/applications/{application_id:int}/priority": ORGANIZER,
    "PUT /api/markets/applications/{application_id:int}/scores": ORGANIZER,
    "POST /api/markets/applications/{application_id:int}/withdraw": SIGNED_IN,
    "POST /api/markets/applications/{application_id:int}/{action:str}": ORGANIZER,
    "POST /api/markets/booth-fees/{fee_id:int}/pay": SIGNED_IN,
    "POST /api/markets/booth-fees/{fee_id:int}/{action:str}": ORGANIZER,
    "DELETE /api/markets/criteria/{criterion_id:int}": ORGANIZER,
    "GET /api/markets/days/{day_id:int}": PUBLIC,
    "PUT /api/markets/days/{day_id:int}/booth-fee": ORGANIZER,
    "GET /api/markets/days/{day_id:int}/booth-fees": ORGANIZER,
    "POST /api/markets/days/{day_id:int}/cancel": ORGANIZER,
    "GET /api/markets/days/{day_id:int}/check-ins": ORGANIZER,
    "PUT /api/markets/days/{day_id:int}/check-ins/{vendor_id:int}": ORGANIZER,
    "GET /api/markets/days/{day_id:int}/sales": ORGANIZER,
    "PUT /api/markets/days/{day_id:int}/sales/{vendor_id:int}": SIGNED_IN,
    "POST /api/markets/offers/{offer_id:int}/accept": SIGNED_IN,
    "POST /api/markets/offers/{offer_id:int}/decline": SIGNED_IN,
    "GET /api/markets/vendors/{vendor_id:int}/applications": SIGNED_IN,
    "GET /api/markets/vendors/{vendor_id:int}/booth-days": SIGNED_IN,
    "GET /api/markets/vendors/{vendor_id:int}/booth-fees": SIGNED_IN,
    "GET /api/markets/vendors/{vendor_id:int}/calendar": SIGNED_IN,
    "POST /api/markets/vendors/{vendor_id:int}/calendar/reset": SIGNED_IN,
    "GET /api/markets/vendors/{vendor_id:int}/notices": SIGNED_IN,
    "GET /api/markets/vendors/{vendor_id:int}/offers": SIGNED_IN,
    "GET /api/markets/{market_id:int}/applications": ORGANIZER,
    "POST /api/markets/{market_id:int}/applications": SIGNED_IN,
    "GET /api/markets/{market_id:int}/assignment/policy": ORGANIZER,
    "PUT /api/markets/{market_id:int}/assignment/policy": ORGANIZER,
    "GET /api/markets/{market_id:int}/booths": PUBLIC,
    "POST /api/markets/{market_id:int}/booths": ORGANIZER,
    "GET /api/markets/{market_id:int}/booths/map.svg": PUBLIC,
    "PATCH /api/markets/{market_id:int}/booths/{booth_id:int}": ORGANIZER,
    "POST /api/markets/{market_id:int}/booths/{booth_id:int}/activate": ORGANIZER,
    "POST /api/markets/{market_id:int}/booths/{booth_id:int}/deactivate": ORGANIZER,
    "GET /api/markets/{market_id:int}/criteria": PUBLIC,
    "POST /api/markets/{market_id:int}/criteria": ORGANIZER,
    "GET /api/markets/{market_id:int}/days": PUBLIC,
    "POST /api/markets/{market_id:int}/days/generate": ORGANIZER,
    "GET /api/markets/{market_id:int}/days/{day_id:int}/assignment": ORGANIZER,
    "POST /api/markets/{market_id:int}/days/{day_id:int}/assignment/moves": ORGANIZER,
    "POST /api/markets/{market_id:int}/days/{day_id:int}/assignment/publish": ORGANIZER,
    "POST /api/markets/{market_id:int}/days/{day_id:int}/assignment/reopen": ORGANIZER,
    "POST /api/markets/{market_id:int}/days/{day_id:int}/assignment/run": ORGANIZER,
    "POST /api/markets/{market_id:int}/days/{day_id:int}/assignment/what-if": ORGANIZER,
    "GET /api/markets/{market_id:int}/days/{day_id:int}/map": PUBLIC,
    "GET /api/markets/{market_id:int}/equipment": PUBLIC,
    "POST /api/markets/{market_id:int}/equipment": ORGANIZER,
    "PUT /api/markets/{market_id:int}/equipment/desk": ORGANIZER,
    "POST /api/markets/{market_id:int}/equipment/kits": ORGANIZER,
    "GET /api/markets/{market_id:int}/equipment/maintenance": ORGANIZER,
    "GET /api/markets/{market_id:int}/equipment/pickup-slots": PUBLIC,
    "POST /api/markets/{market_id:int}/equipment/{item_id:int}/units": ORGANIZER,
    "GET /api/markets/{market_id:int}/organizers": ORGANIZER,
    "POST /api/markets/{market_id:int}/organizers": ORGANIZER,
    "DELETE /api/markets/{market_id:int}/organizers/{user_id:int}": ORGANIZER,
    "PUT /api/markets/{market_id:int}/owner": ORGANIZER,
    "GET /api/markets/{market_id:int}/regulars": ORGANIZER,
    "PUT /api/markets/{market_id:int}/regulars": ORGANIZER,
    "DELETE /api/markets/{market_id:int}/regulars/{season:int}/{vendor_id:int}": ORGANIZER,
    "POST /api/markets/{market_id:int}/seasons/{season:int}/assignment/run": ORGANIZER,
    "PUT /api/markets/{market_id:int}/vendors/{vendor_id:int}/years": ORGANIZER,
    "GET /api/markets/{market_id:int}/waitlist": ORGANIZER,
    "GET /api/orders": SIGNED_IN,
    "GET /api/orders/{number:str}": SIGNED_IN,
    "POST /api/orders/{number:str}/snack-boxes/{box_id:int}/cancel": SIGNED_IN,
    "GET /api/payments/{token:str}": PUBLIC,
    "POST /api/payments/{token:str}/complete": PUBLIC,
    "POST /api/payments/{token:str}/test-card": PUBLIC,
    "GET /api/procurement/institutions": PUBLIC,
    "POST /api/procurement/institutions": ADMIN,
    "GET /api/procurement/institutions/{institution_id:int}/corrections": SIGNED_IN,
    "GET /api/procurement/institutions/{institution_id:int}/dashboard": SIGNED_IN,
    "POST /api/procurement/institutions/{institution_id:int}/departments": SIGNED_IN,
    "GET /api/procurement/institutions/{institution_id:int}/disclosures": PUBLIC,
    "POST /api/procurement/institutions/{institution_id:int}/disclosures": SIGNED_IN,
    "GET /api/procurement/institutions/{institution_id:int}/exceptions": PUBLIC,
    "POST /api/procurement/institutions/{institution_id:int}/exceptions": SIGNED_IN,
    "GET /api/procurement/institutions/{institution_id:int}/memberships": SIGNED_IN,
    "POST /api/procurement/institutions/{institution_id:int}/memberships": SIGNED_IN,
    "GET /api/procurement/institutions/{institution_id:int}/outside-purchases": SIGNED_IN,
    "POST /api/procurement/institutions/{institution_id:int}/outside-purchases": SIGNED_IN,
    "POST /api/procurement/institutions/{institution_id:int}/outside-purchases/"
    "{import_id:int}/withdrawal": SIGNED_IN,
    "GET /api/procurement/institutions/{institution_id:int}/overdue-inspections": SIGNED_IN,
    "GET /api/procurement/institutions/{institution_id:int}/plans": SIGNED_IN,
    "POST /api/procurement/institutions/{institution_id:int}/plans": SIGNED_IN,
    "GET /api/procurement/institutions/{institution_id:int}/reports/{year:int}": SIGNED_IN,
    "GET /api/procurement/institutions/{institution_id:int}/reports/{year:int}/csv": SIGNED_IN,
    "GET /api/procurement/institutions/{institution_id:int}/reports/{year:int}/xlsx": SIGNED_IN,
    "GET /api/procurement/ocds/release-package": PUBLIC,
    "POST /api/procurement/orders": SIGNED_IN,
    "GET /api/procurement/orders/{order_id:int}": SIGNED_IN,
    "POST /api/procurement/orders/{order_id:int}/approve": SIGNED_IN,
    "POST /api/procurement/orders/{order_id:int}/cancel": SIGNED_IN,
    "GET /api/procurement/orders/{order_id:int}/corrections": SIGNED_IN,
    "POST /api/procurement/orders/{order_id:int}/corrections": SIGNED_IN,
    "POST /api/procurement/orders/{order_id:int}/deliver": SIGNED_IN,
    "POST /api/procurement/orders/{order_id:int}/inspect": SIGNED_IN,
    "POST /api/procurement/orders/{order_id:int}/invoice": SIGNED_IN,
    "POST /api/procurement/orders/{order_id:int}/pay": SIGNED_IN,
    "POST /api/procurement/orders/{order_id:int}/submit": SIGNED_IN,
    "GET /api/procurement/plans/{plan_id:int}": SIGNED_IN,
    "POST /api/procurement/plans/{plan_id:int}/amend": SIGNED_IN,
    "POST /api/procurement/plans/{plan_id:int}/draft": SIGNED_IN,
    "POST /api/procurement/plans/{plan_id:int}/publish": SIGNED_IN,
    "POST /api/procurement/plans/{plan_id:int}/return": SIGNED_IN,
    "POST /api/procurement/plans/{plan_id:int}/submit": SIGNED_IN,
    "GET /api/procurement/quote-requests": SIGNED_IN,
    "POST /api/procurement/quote-requests": SIGNED_IN,
    "GET /api/procurement/quote-requests/{request_id:int}": SIGNED_IN,
    "POST /api/procurement/quote-requests/{request_id:int}/award": SIGNED_IN,
    "GET /api/procurement/vendors/{vendor_id:int}/certificates": PUBLIC,
    "POST /api/procurement/vendors/{vendor_id:int}/certificates": ADMIN,
    "POST /api/procurement/vendors/{vendor_id:int}/certificates/{certificate_id:int}/revocation": ADMIN,  # noqa: E501 - one route per line
    "GET /api/procurement/vendors/{vendor_id:int}/orders": SIGNED_IN,
    "GET /api/procurement/vendors/{vendor_id:int}/orders/{order_id:int}": SIGNED_IN,
    "GET /api/procurement/vendors/{vendor_id:int}/quote-requests": SIGNED_IN,
    "GET /api/procurement/vendors/{vendor_id:int}/quote-requests/{request_id:int}": SIGNED_IN,
    "POST /api/procurement/vendors/{vendor_id:int}/quote-requests/{request_id:int}/quote": SIGNED_IN,  # noqa: E501 - one route per line
    "GET /api/products/{product_id:int}": PUBLIC,
    "PATCH /api/products/{product_id:int}": SIGNED_IN,
    "POST /api/products/{product_id:int}/images": SIGNED_IN,
    "DELETE /api/products/{product_id:int}/images/{image_id:int}": SIGNED_IN,
    "POST /api/products/{product_id:int}/publish": SIGNED_IN,
    "POST /api/products/{product_id:int}/unpublish": SIGNED_IN,
    "PUT /api/products/{product_id:int}/variants/{sku:str}/stock": SIGNED_IN,
    "GET /api/search/products": PUBLIC,
    "GET /api/search/suggest": PUBLIC,
    "GET /api/settlement/banks": PUBLIC,
    "GET /api/settlement/commission-rates": ADMIN,
    "PUT /api/settlement/commission-rates/categories/{category:str}": ADMIN,
    "DELETE /api/settlement/commission-rates/vendors/{vendor_id:int}": ADMIN,
    "PUT /api/settlement/commission-rates/vendors/{vendor_id:int}": ADMIN,
    "GET /api/settlement/ledger/check": ADMIN,
    "GET /api/settlement/payout-batches": ADMIN,
    "POST /api/settlement/payout-batches": ADMIN,
    "GET /api/settlement/payout-batches/{batch_id:int}": ADMIN,
    "POST /api/settlement/payout-batches/{batch_id:int}/cancel": ADMIN,
    "GET /api/settlement/payout-batches/{batch_id:int}/file": ADMIN,
    "POST /api/settlement/payout-batches/{batch_id:int}/send": ADMIN,
    "GET /api/settlement/statements": ADMIN,
    "GET /api/settlement/statements/{statement_id:int}": SIGNED_IN,
    "GET /api/settlement/statements/{statement_id:int}/csv": SIGNED_IN,
    "GET /api/settlement/vendors/{vendor_id:int}/payout-account": SIGNED_IN,
    "PUT /api/settlement/vendors/{vendor_id:int}/payout-account": SIGNED_IN,
    "GET /api/settlement/vendors/{vendor_id:int}/statements": SIGNED_IN,
    "GET /api/settlement/weeks": ADMIN,
    "POST /api/settlement/weeks/close": ADMIN,
    "GET /api/snack-boxes": PUBLIC,
    "POST /api/snack-boxes": ORGANIZER,
    "GET /api/snack-boxes/eligible-variants": ORGANIZER,
    "GET /api/snack-boxes/{box_id:int}": PUBLIC,
    "PUT /api/snack-boxes/{box_id:int}": ORGANIZER,
    "PUT /api/snack-boxes/{box_id:int}/image": ORGANIZER,
    "POST /api/snack-boxes/{box_id:int}/slots": ORGANIZER,
    "PATCH /api/snack-boxes/{box_id:int}/slots/{slot_id:int}": ORGANIZER,
    "GET /api/vendor-orders/{vendor_order_id:int}": SIGNED_IN,
    "POST /api/vendor-orders/{vendor_order_id:int}/accept": SIGNED_IN,
    "POST /api/vendor-orders/{vendor_order_id:int}/cancel": SIGNED_IN,
    "POST /api/vendor-orders/{vendor_order_id:int}/complete": SIGNED_IN,
    "POST /api/vendor-orders/{vendor_order_id:int}/deliver": SIGNED_IN,
    "POST /api/vendor-orders/{vendor_order_id:int}/refunds": SIGNED_IN,
    "POST /api/vendor-orders/{vendor_order_id:int}/ship": SIGNED_IN,
    "GET /api/vendors": PUBLIC,
    "POST /api/vendors": SIGNED_IN,
    "GET /api/vendors/{vendor_id:int}": PUBLIC,
    "PATCH /api/vendors/{vendor_id:int}": SIGNED_IN,
    "POST /api/vendors/{vendor_id:int}/invitations": SIGNED_IN,
    "GET /api/vendors/{vendor_id:int}/orders": SIGNED_IN,
    "GET /api/vendors/{vendor_id:int}/products": SIGNED_IN,
    "POST /api/vendors/{vendor_id:int}/products": SIGNED_IN,
    "POST /api/vendors/{vendor_id:int}/resubmit": SIGNED_IN,
    "GET /calendars/{token:str}/booths.ics": PUBLIC,
    "GET /cart": PUBLIC,
    "POST /cart/items": PUBLIC,
    "POST /cart/items/{item_id:int}": PUBLIC,
    "POST /cart/items/{item_id:int}/delete": PUBLIC,
    "GET /categories/{category:str}": PUBLIC,
    "GET /checkout": PUBLIC,
    "POST /checkout": PUBLIC,
    "GET /checkout/done/{token:str}": PUBLIC,
    "GET /console": SIGNED_IN,
    "GET /console/institution-orders": SIGNED_IN,
    "GET /console/loans": SIGNED_IN,
    "POST /console/loans": SIGNED_IN,
    "GET /console/loans/{loan_id:int}": SIGNED_IN,
    "POST /console/loans/{loan_id:int}/cancel": SIGNED_IN,
    "GET /console/markets": SIGNED_IN,
    "GET /console/markets/applications/{application_id:int}/documents/{document_id:int}": SIGNED_IN,
    "POST /console/markets/applications/{application_id:int}/withdraw": SIGNED_IN,
    "GET /console/markets/apply": SIGNED_IN,
    "POST /console/markets/apply": SIGNED_IN,
    "POST /console/markets/calendar/reset": SIGNED_IN,
    "GET /console/markets/days/{day_id:int}/sales": SIGNED_IN,
    "POST /console/markets/days/{day_id:int}/sales": SIGNED_IN,
    "GET /console/markets/fees": SIGNED_IN,
    "GET /console/markets/fees/paid/{token:str}": SIGNED_IN,
    "POST /console/markets/fees/{fee_id:int}/pay": SIGNED_IN,
    "POST /console/markets/offers/{offer_id:int}": SIGNED_IN,
    "GET /console/orders": SIGNED_IN,
    "GET /console/orders/{vendor_order_id:int}": SIGNED_IN,
    "POST /console/orders/{vendor_order_id:int}/{action:str}": SIGNED_IN,
    "GET /console/products/{product_id:int}/edit": SIGNED_IN,
    "POST /console/products/{product_id:int}/edit": SIGNED_IN,
    "POST /console/products/{product_id:int}/images": SIGNED_IN,
    "POST /console/products/{product_id:int}/images/{image_id:int}/delete": SIGNED_IN,
    "POST /console/products/{product_id:int}/publish": SIGNED_IN,
    "POST /console/products/{product_id:int}/unpublish": SIGNED_IN,
    "GET /console/quotes": SIGNED_IN,
    "GET /console/vendors/{vendor_id:int}": SIGNED_IN,
    "GET /console/vendors/{vendor_id:int}/analytics": SIGNED_IN,
    "GET /console/vendors/{vendor_id:int}/analytics/export": SIGNED_IN,
    "GET /console/vendors/{vendor_id:int}/institution-orders/{order_id:int}": SIGNED_IN,
    "GET /console/vendors/{vendor_id:int}/members": SIGNED_IN,
    "POST /console/vendors/{vendor_id:int}/members": SIGNED_IN,
    "GET /console/vendors/{vendor_id:int}/products/new": SIGNED_IN,
    "POST /console/vendors/{vendor_id:int}/products/new": SIGNED_IN,
    "POST /console/vendors/{vendor_id:int}/profile": SIGNED_IN,
    "GET /console/vendors/{vendor_id:int}/quotes/{request_id:int}": SIGNED_IN,
    "POST /console/vendors/{vendor_id:int}/quotes/{request_id:int}": SIGNED_IN,
    "POST /console/vendors/{vendor_id:int}/resubmit": SIGNED_IN,
    "GET /console/vendors/{vendor_id:int}/settlement": SIGNED_IN,
    "POST /console/vendors/{vendor_id:int}/settlement/payout-account": SIGNED_IN,
    "GET /console/vendors/{vendor_id:int}/settlement/statements/{statement_id:int}": SIGNED_IN,
    "GET /console/vendors/{vendor_id:int}/settlement/statements/{statement_id:int}/statement.csv": SIGNED_IN,  # noqa: E501 - one route per line
    "GET /healthz": PUBLIC,
    "GET /invitations/{token:str}": PUBLIC,
    "POST /invitations/{token:str}": SIGNED_IN,
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "POST /logout": PUBLIC,
    "GET /markets": PUBLIC,
    "GET /markets/{market_id:int}": PUBLIC,
    "GET /markets/{market_id:int}/calendar.ics": PUBLIC,
    "GET /markets/{market_id:int}/days/{day_id:int}/map": PUBLIC,
    "GET /markets/{market_id:int}/days/{day_id:int}/map.svg": PUBLIC,
    "GET /media/{file_path:path}": PUBLIC,
    "GET /metrics": PUBLIC,
    "GET /orders": SIGNED_IN,
    "GET /orders/{number:str}": SIGNED_IN,
    "POST /orders/{number:str}/snack-boxes/{box_id:int}/cancel": SIGNED_IN,
    "POST /orders/{number:str}/snack-boxes/{box_id:int}/complete": SIGNED_IN,
    "POST /orders/{number:str}/vendor-orders/{vendor_order_id:int}/cancel": SIGNED_IN,
    "POST /orders/{number:str}/vendor-orders/{vendor_order_id:int}/complete": SIGNED_IN,
    "GET /organizer/analytics": ORGANIZER,
    "GET /organizer/analytics/data": ORGANIZER,
    "GET /organizer/analytics/export": ORGANIZER,
    "GET /organizer/lending": ORGANIZER,
    "GET /organizer/lending/loans/{loan_id:int}": ORGANIZER,
    "POST /organizer/lending/loans/{loan_id:int}/cancel": ORGANIZER,
    "POST /organizer/lending/loans/{loan_id:int}/check-in": ORGANIZER,
    "POST /organizer/lending/loans/{loan_id:int}/check-out": ORGANIZER,
    "POST /organizer/lending/loans/{loan_id:int}/confirm": ORGANIZER,
    "POST /organizer/lending/maintenance/{maintenance_id:int}/resolve": ORGANIZER,
    "POST /organizer/lending/markets/{market_id:int}/desk": ORGANIZER,
    "GET /organizer/lending/markets/{market_id:int}/equipment": ORGANIZER,
    "POST /organizer/lending/markets/{market_id:int}/items": ORGANIZER,
    "POST /organizer/lending/markets/{market_id:int}/kits": ORGANIZER,
    "POST /organizer/lending/markets/{market_id:int}/problems": ORGANIZER,
    "GET /organizer/markets": ORGANIZER,
    "GET /organizer/markets/applications/{application_id:int}": ORGANIZER,
    "POST /organizer/markets/applications/{application_id:int}/decision": ORGANIZER,
    "POST /organizer/markets/applications/{application_id:int}/priority": ORGANIZER,
    "POST /organizer/markets/applications/{application_id:int}/scores": ORGANIZER,
    "GET /organizer/markets/days/{day_id:int}": ORGANIZER,
    "POST /organizer/markets/days/{day_id:int}/booth-fee": ORGANIZER,
    "POST /organizer/markets/days/{day_id:int}/cancel": ORGANIZER,
    "POST /organizer/markets/days/{day_id:int}/check-in": ORGANIZER,
    "POST /organizer/markets/days/{day_id:int}/fees/{fee_id:int}": ORGANIZER,
    "GET /organizer/markets/{market_id:int}": ORGANIZER,
    "GET /organizer/markets/{market_id:int}/booths": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/booths": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/booths/{booth_id:int}/activate": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/booths/{booth_id:int}/deactivate": ORGANIZER,
    "GET /organizer/markets/{market_id:int}/booths/{booth_id:int}/edit": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/booths/{booth_id:int}/edit": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/criteria": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/days/generate": ORGANIZER,
    "GET /organizer/markets/{market_id:int}/days/{day_id:int}/assignment": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/days/{day_id:int}/assignment/move": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/days/{day_id:int}/assignment/policy": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/days/{day_id:int}/assignment/publish": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/days/{day_id:int}/assignment/regulars": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/days/{day_id:int}/assignment/regulars/end": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/days/{day_id:int}/assignment/reopen": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/days/{day_id:int}/assignment/run": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/days/{day_id:int}/assignment/run-season": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/days/{day_id:int}/assignment/swap": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/days/{day_id:int}/assignment/unassign": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/days/{day_id:int}/assignment/what-if": ORGANIZER,
    "POST /organizer/markets/{market_id:int}/days/{day_id:int}/assignment/years": ORGANIZER,
    "GET /organizer/snack-boxes": ORGANIZER,
    "GET /organizer/snack-boxes/new": ORGANIZER,
    "POST /organizer/snack-boxes/new": ORGANIZER,
    "GET /organizer/snack-boxes/{box_id:int}": ORGANIZER,
    "POST /organizer/snack-boxes/{box_id:int}": ORGANIZER,
    "POST /organizer/snack-boxes/{box_id:int}/image": ORGANIZER,
    "POST /organizer/snack-boxes/{box_id:int}/slots": ORGANIZER,
    "POST /organizer/snack-boxes/{box_id:int}/slots/{slot_id:int}": ORGANIZER,
    "GET /password/forgot": PUBLIC,
    "POST /password/forgot": PUBLIC,
    "GET /password/reset": PUBLIC,
    "POST /password/reset": PUBLIC,
    "GET /pay/{token:str}": PUBLIC,
    "POST /pay/{token:str}/restart": PUBLIC,
    "GET /pay/{token:str}/return": PUBLIC,
    "GET /pay/{token:str}/test-card": PUBLIC,
    "POST /pay/{token:str}/test-card": PUBLIC,
    "GET /procurement": PUBLIC_BUYER,
    "GET /procurement/corrections": PUBLIC_BUYER,
    "POST /procurement/corrections": PUBLIC_BUYER,
    "GET /procurement/dashboard": PUBLIC_BUYER,
    "GET /procurement/disclosures": PUBLIC,
    "GET /procurement/inbox": PUBLIC_BUYER,
    "GET /procurement/inspections/overdue": PUBLIC_BUYER,
    "GET /procurement/orders/new": PUBLIC_BUYER,
    "POST /procurement/orders/new": PUBLIC_BUYER,
    "GET /procurement/orders/{order_id:int}": PUBLIC_BUYER,
    "POST /procurement/orders/{order_id:int}/approve": PUBLIC_BUYER,
    "POST /procurement/orders/{order_id:int}/cancel": PUBLIC_BUYER,
    "POST /procurement/orders/{order_id:int}/deliver": PUBLIC_BUYER,
    "POST /procurement/orders/{order_id:int}/inspect": PUBLIC_BUYER,
    "POST /procurement/orders/{order_id:int}/invoice": PUBLIC_BUYER,
    "POST /procurement/orders/{order_id:int}/pay": PUBLIC_BUYER,
    "POST /procurement/orders/{order_id:int}/submit": PUBLIC_BUYER,
    "GET /procurement/outside-purchases": PUBLIC_BUYER,
    "POST /procurement/outside-purchases/import": PUBLIC_BUYER,
    "POST /procurement/outside-purchases/{import_id:int}/withdraw": PUBLIC_BUYER,
    "GET /procurement/outside-purchases/template.csv": PUBLIC_BUYER,
    "GET /procurement/outside-purchases/template.xlsx": PUBLIC_BUYER,
    "GET /procurement/plans": PUBLIC_BUYER,
    "POST /procurement/plans/new": PUBLIC_BUYER,
    "GET /procurement/plans/{plan_id:int}": PUBLIC_BUYER,
    "POST /procurement/plans/{plan_id:int}/amend": PUBLIC_BUYER,
    "POST /procurement/plans/{plan_id:int}/edit": PUBLIC_BUYER,
    "POST /procurement/plans/{plan_id:int}/publish": PUBLIC_BUYER,
    "POST /procurement/plans/{plan_id:int}/return": PUBLIC_BUYER,
    "POST /procurement/plans/{plan_id:int}/submit": PUBLIC_BUYER,
    "GET /procurement/quotes": PUBLIC_BUYER,
    "GET /procurement/quotes/new": PUBLIC_BUYER,
    "POST /procurement/quotes/new": PUBLIC_BUYER,
    "GET /procurement/quotes/{request_id:int}": PUBLIC_BUYER,
    "POST /procurement/quotes/{request_id:int}/award": PUBLIC_BUYER,
    "GET /procurement/reports": PUBLIC_BUYER,
    "GET /procurement/reports/{institution_id:int}/{year:int}/{kind:str}": PUBLIC_BUYER,
    "GET /products/{product_id:int}": PUBLIC,
    "GET /schema": PUBLIC,
    "GET /schema/oauth2-redirect.html": PUBLIC,
    "GET /schema/openapi.json": PUBLIC,
    "GET /schema/{path:str}": PUBLIC,
    "GET /search": PUBLIC,
    "GET /signup": PUBLIC,
    "POST /signup": PUBLIC,
    "GET /snack-boxes": PUBLIC,
    "GET /snack-boxes/{box_id:int}": PUBLIC,
    "GET /snack-boxes/{box_id:int}/order": PUBLIC,
    "POST /snack-boxes/{box_id:int}/order": PUBLIC,
    "GET /static/{file_path:path}": PUBLIC,
    "GET /vendors": PUBLIC,
    "GET /vendors/apply": SIGNED_IN,
    "POST /vendors/apply": SIGNED_IN,
    "GET /vendors/{vendor_id:int}": PUBLIC,
    "POST /webhooks/stripe": PUBLIC,
}

NO_ID = 2_147_483_000
SKIP_LAST = {"POST /logout"}  # ends the caller's session: asked after everything else


def _fill(path: str) -> str:
    def value(match: re.Match[str]) -> str:
        kind = match.group(2)
        return {"int": str(NO_ID), "path": "/nothing-here.png"}.get(kind, "nothing-here")

    return re.sub(r"\{(\w+):(\w+)\}", value, path).replace("//", "/")


def _outcome(response: httpx.Response) -> str:
    location = response.headers.get("location", "")
    if response.status_code == 401 or (response.is_redirect and location.startswith("/login")):
        return LOGIN
    if response.status_code == 403:
        return DENIED
    return IN


class _NoJar(httpx.Cookies):
    """A cookie jar that keeps nothing: concurrent callers never mix their cookies."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


def app_routes(app: Litestar) -> list[str]:
    return sorted(f"{method} {route.path}" for route in app.routes
                  if isinstance(route, HTTPRoute)
                  for method in route.methods - {"OPTIONS", "HEAD"})


async def test_every_route_has_a_row_and_every_role_meets_its_door(
    app: Litestar, client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    routes = app_routes(app)
    missing = [r for r in routes if r not in MATRIX]
    assert not missing, f"routes without a row in MATRIX (who may reach them?): {missing}"
    stale = [r for r in MATRIX if r not in routes]
    assert not stale, f"rows for routes that no longer exist: {stale}"

    bearer: dict[str, str] = {}
    users = {}
    for caller, roles in ROLES.items():
        users[caller] = await make_user(db_session, *roles)
        bearer[caller] = await issue_token(db_session, users[caller])
    await db_session.commit()
    jars: dict[str, dict[str, str]] = {}
    for caller in CALLERS:
        client.cookies.clear()
        if caller == "anonymous":
            await client.get("/login")
        else:
            await login(client, users[caller].email)
        jars[caller] = dict(client.cookies)
    # From here each request carries exactly its caller's cookies, and no answer changes them.
    client._cookies = _NoJar()

    async def ask(route: str, caller: str) -> tuple[str, str, int, str]:
        method, path = route.split(" ", 1)
        url = _fill(path)
        jar = jars[caller]
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
        kwargs: dict[str, Any] = {}
        if url.startswith("/api"):
            headers = {"Authorization": f"Bearer {bearer[caller]}"} if caller in bearer else {}
            if method != "GET":
                kwargs["json"] = {}
        elif method != "GET":
            kwargs["data"] = {"_csrf_token": jar.get("csrftoken", "")}
        if url == "/metrics":
            headers["Authorization"] = f"Bearer {METRICS_TOKEN}"
        response = await client.request(method, url, headers=headers, follow_redirects=False,
                                         **kwargs)
        return route, caller, response.status_code, _outcome(response)

    wrong: list[str] = []
    order = [r for r in routes if r not in SKIP_LAST] + [r for r in routes if r in SKIP_LAST]
    pending = [(r, c) for r in order for c in CALLERS]
    for start in range(0, len(pending), 24):
        for route, caller, status, got in await asyncio.gather(
                *(ask(r, c) for r, c in pending[start:start + 24])):
            expected = MATRIX[route][caller]
            if status >= 500 or got != expected:
                wrong.append(f"{route} as {caller}: {status} ({got}), expected {expected}")
    assert not wrong, "\n".join(wrong)
