"""Wiring the domains together: every registration, made by one explicit call.

Features used to register themselves when their module was imported: a payment kind's
handler, the snack-box slot re-check on late payments. A process that happened not to import
such a module (a worker importing it "for the side effect" was the safeguard) failed at run
time with "no payment handler registered". Now the domain modules only *declare* —
``PAYMENT_HANDLER`` constants, ``check_paid``, the actors, the subscription table, the
periodic jobs, the after-login callbacks — and :func:`bootstrap` installs them. The app factory
(``infra.app.create_app``), the worker and scheduler (``workers.main``) and every CLI use case
(``infra.cli``) call it before anything runs; tests call it in ``tests/conftest.py``.

``bootstrap()`` is idempotent: a second call registers the same objects again, which changes
nothing. It returns a :class:`Registry`, the installed wiring read back from the places that
use it, so tests (``tests/infra/test_bootstrap.py``) and people can inspect it.

The dramatiq parts (event subscriptions, periodic jobs) are installed only with
``actors=True``, by the worker and scheduler processes: importing an actor binds it to the
global broker, which only those processes configure (``workers.setup.configure``) — the web
process must not make a broker of its own, nor connect to Redis as a queue.

This is a composition module, like ``infra.app``: it may import every domain. Plumbing
modules still import none, and nothing registers itself on import.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from infra.accounts.hooks import AfterLogin
from infra.web import ops
from markets.applications import events as application_events
from markets.assignment import events as assignment_events
from markets.booths import events as booth_events
from markets.days import events as day_events
from markets.days import fact_source as booth_fact_source
from markets.days import payments as booth_fee_payments
from markets.lending import events as lending_events
from shop.analytics import health as analytics_health
from shop.analytics import regenerate as fact_regeneration
from shop.cart import events as cart_events
from shop.cart import services as cart
from shop.catalog import events as catalog_events
from shop.checkout import events as stock_events
from shop.checkout import paid as paid_checkouts
from shop.orders import events as order_events
from shop.payments import events as payment_events
from shop.payments import handlers as payment_handlers
from shop.procurement import events as procurement_events
from shop.procurement import fact_source as procurement_fact_source
from shop.procurement import quotation_events
from shop.settlement import events as settlement_events
from shop.snackboxes import events as snack_box_events
from shop.snackboxes import ordering as snack_boxes
from shop.vendors import events as vendor_events

if TYPE_CHECKING:
    import dramatiq
    from sqlalchemy.ext.asyncio import AsyncSession

    from shop.checkout.models import Checkout
    from workers.routing import Subscription

    PaidCheck = Callable[[AsyncSession, Checkout], Awaitable[None]]

#: One handler per payment kind a feature can start (tests check none is missing).
PAYMENT_HANDLERS: tuple[payment_handlers.PaymentHandler, ...] = (
    paid_checkouts.PAYMENT_HANDLER,
    booth_fee_payments.PAYMENT_HANDLER,
)

#: Run in a checkout payment's transaction once its stock is confirmed (``paid._on_paid``).
PAID_CHECKS: tuple[PaidCheck, ...] = (snack_boxes.check_paid,)

#: Run by ``/metrics`` at every scrape (``infra.web.ops``): the last analytics check.
METRIC_PROBES: tuple[ops.ScrapeProbe, ...] = (analytics_health.export_metrics,)

#: Other domains' sales that ``jangteo analytics rebuild --facts`` reads again
#: (``shop.analytics.regenerate``): booth sales reports and paid institutional orders.
FACT_SOURCES: tuple[fact_regeneration.FactSource, ...] = (
    booth_fact_source.SOURCE, procurement_fact_source.SOURCE)

#: Run when someone signs in (``infra.accounts.hooks``): a guest's cart joins the shopper's.
AFTER_LOGIN: tuple[AfterLogin, ...] = (cart.merge_after_login,)


def _only_counted(reason: str, *events: type[Any]) -> dict[str, str]:
    return {event.name: reason for event in events}


#: Events that no actor but the catch-all analytics counter hears, each with the reason nothing
#: else has to happen. An event with neither a subscriber nor an entry here fails
#: ``tests/infra/test_bootstrap.py``: a new event is either consumed or explained.
ANALYTICS_ONLY: Mapping[str, str] = MappingProxyType({
    **_only_counted(
        "the review and membership state is in the vendor tables, which the admin and member "
        "pages read; it does not change what the mall shows",
        vendor_events.VendorApplied, vendor_events.VendorResubmitted,
        vendor_events.VendorMemberInvited, vendor_events.VendorMemberJoined,
    ),
    **_only_counted(
        "the search index holds no stock: availability is read live from the stock rows",
        catalog_events.StockChanged,
    ),
    **_only_counted(
        "a cart is the shopper's own working state, read by the cart pages",
        cart_events.CartItemAdded, cart_events.CartItemUpdated, cart_events.CartItemRemoved,
        cart_events.CartMerged,
    ),
    **_only_counted(
        "availability is computed from the reservation rows (expiry is lazy); the order that "
        "a confirmed reservation becomes has its own event",
        stock_events.StockReserved, stock_events.StockReservationConfirmed,
        stock_events.StockReservationReleased, stock_events.StockReservationExpired,
    ),
    **_only_counted(
        "boxes, slots and bookings are rows the snack-box pages read; a booked box reaches "
        "the shopper and vendors in the order.placed mails",
        snack_box_events.SnackBoxComposed, snack_box_events.SnackBoxSlotSaved,
        snack_box_events.SnackBoxBooked,
    ),
    **_only_counted(
        "a box cancelled whole is refunded part by part through the vendor orders, whose "
        "vendor_order.refunded events move the ledger, the sales facts and the mails",
        snack_box_events.SnackBoxCancelled,
    ),
    **_only_counted(
        "the shopper sees these on the order page; mails go out for shipped, cancelled and "
        "refunded only, and the ledger moves on placed and refunded only",
        order_events.VendorOrderAccepted, order_events.VendorOrderDelivered,
        order_events.VendorOrderCompleted,
    ),
    **_only_counted(
        "the feature paid for is told in the payment's own transaction by its PaymentHandler; "
        "what follows (an order, a paid fee) has its own event",
        payment_events.PaymentSucceeded, payment_events.PaymentFailed,
        payment_events.PaymentRefunded,
    ),
    **_only_counted(
        "statements and payouts are rows the settlement pages read; nobody is mailed",
        settlement_events.SettlementWeekClosed, settlement_events.PayoutPaid,
    ),
    **_only_counted(
        "an application's state is written in the same transaction and shown on the vendor's "
        "and organizer's market pages",
        application_events.ApplicationSubmitted, application_events.ApplicationAccepted,
        application_events.ApplicationWaitlisted, application_events.ApplicationRejected,
        application_events.ApplicationWithdrawn, application_events.ApplicationPriorityChanged,
        application_events.ApplicationStrikeChanged, application_events.JuryScored,
        application_events.NoShowPlaceReleased, application_events.NoShowPlaceRestored,
        application_events.WaitlistOffered, application_events.WaitlistOfferAccepted,
        application_events.WaitlistOfferDeclined, application_events.WaitlistOfferExpired,
    ),
    **_only_counted(
        "a draft is the organizer's own board; vendors are told on publication only",
        assignment_events.AssignmentDrafted, assignment_events.AssignmentReopened,
    ),
    **_only_counted(
        "the booth layout is read live by its pages and by the assignment solver",
        booth_events.BoothCreated, booth_events.BoothUpdated, booth_events.BoothDeactivated,
        booth_events.BoothReactivated,
    ),
    **_only_counted(
        "the day's state and fees are rows the market pages and calendars read; fee changes "
        "move the fees in the same transaction (check-ins, held days and booth sales reports "
        "go to analytics: attendance and sales facts)",
        day_events.MarketDayFeeChanged, day_events.MarketDaysGenerated,
    ),
    **_only_counted(
        "loans, units and strikes are rows the lending desk and the vendor's pages read; the "
        "periodic sweep (workers.periodic.sweep_lending) acts on time, not on events",
        lending_events.LoanRequested, lending_events.LoanReserved, lending_events.LoanCancelled,
        lending_events.LoanCheckedOut, lending_events.LoanReturned, lending_events.LoanOverdue,
        lending_events.LoanShortOfUnits, lending_events.UnitSentToMaintenance,
        lending_events.UnitBackInStock, lending_events.EquipmentAdded,
        lending_events.KitDefined, lending_events.LendingStrikeGiven,
    ),
    **_only_counted(
        "a purchase order's state, approvals, deliveries, inspection, invoice and payment are "
        "rows the buyer's pages, the disclosures and the OCDS export read (the payment, "
        "procurement.order_paid, is booked by analytics as an institutional sale and by the "
        "settlement ledger as the vendor's 공공구매 sale); no mail "
        "is sent yet",
        procurement_events.OrderSubmitted, procurement_events.OrderApproved,
        procurement_events.OrderDelivered, procurement_events.OrderInspected,
        procurement_events.OrderInvoiced, procurement_events.OrderCancelled,
    ),
    **_only_counted(
        "institutions, memberships, certificates, exception entries and published disclosures "
        "are rows the procurement pages and the public disclosure page read",
        procurement_events.InstitutionRegistered, procurement_events.MembershipGranted,
        procurement_events.CertificateRecorded, procurement_events.ExceptionRecorded,
        procurement_events.DisclosurePublished,
    ),
    **_only_counted(
        "purchases imported from outside the platform (and the withdrawal of a wrong import) "
        "are rows the yearly report, the dashboard and the monthly disclosures read (the "
        "rates' denominator); they are no sale of any vendor's",
        procurement_events.OutsidePurchasesImported, procurement_events.OutsidePurchasesWithdrawn,
    ),
    **_only_counted(
        "a correction of a counted amount is a row the yearly report and the next monthly "
        "disclosure version read; what was paid (the ledger, the sales facts) does not move",
        procurement_events.CountedAmountCorrected,
    ),
    **_only_counted(
        "yearly purchase plans are rows the plan pages, the yearly results report and the "
        "institution dashboard read; no mail is sent yet",
        procurement_events.PlanSubmitted, procurement_events.PlanPublished,
        procurement_events.PlanAmended,
    ),
    **_only_counted(
        "quotes and awards are rows the buyer's request page and the vendor's quote inbox read; "
        "an award's purchase order has its own events (procurement.quote_requested is mailed "
        "to the invited vendors)",
        quotation_events.QuoteReceived, quotation_events.QuoteAwarded,
    ),
})


@dataclasses.dataclass(frozen=True)
class Registry:
    """The wiring in force in this process, read back from where it is used."""

    #: ``shop.payments.services``: who completes a payment of each kind.
    payment_handlers: Mapping[str, payment_handlers.PaymentHandler]
    #: ``paid_checkouts.PAID_CHECKS``: checks in a checkout payment's transaction.
    paid_checks: tuple[PaidCheck, ...]
    #: What the app factory puts in ``app.state`` under ``infra.accounts.hooks.STATE_KEY``.
    after_login: tuple[AfterLogin, ...]
    #: ``workers.routing``: which actors the relay sends each event to (worker processes).
    subscriptions: tuple[Subscription, ...] = ()
    #: ``workers.periodic.JOBS``: what the scheduler enqueues (worker processes).
    periodic_jobs: tuple[dramatiq.Actor, ...] = ()
    #: ``infra.web.ops``: what ``/metrics`` reads from the database at every scrape.
    metric_probes: tuple[ops.ScrapeProbe, ...] = ()
    #: ``shop.analytics.regenerate``: where ``rebuild --facts`` reads sales again.
    fact_sources: tuple[str, ...] = ()
    #: Events only the analytics counter hears, with the reason.
    analytics_only: Mapping[str, str] = dataclasses.field(default_factory=lambda: ANALYTICS_ONLY)


_after_login: tuple[AfterLogin, ...] = ()
_periodic_jobs: tuple[dramatiq.Actor, ...] = ()
_actors_installed = False


def bootstrap(*, actors: bool = False) -> Registry:
    """Register every payment kind, paid-check and after-login callback; with ``actors``
    also install the event subscriptions and periodic jobs. Safe to call again."""
    global _after_login, _periodic_jobs, _actors_installed
    for handler in PAYMENT_HANDLERS:
        payment_handlers.register_handler(handler)
    for check in PAID_CHECKS:
        if check not in paid_checkouts.PAID_CHECKS:
            paid_checkouts.PAID_CHECKS.append(check)
    _after_login = AFTER_LOGIN
    for probe in METRIC_PROBES:
        ops.register_probe(probe)
    for source in FACT_SOURCES:
        fact_regeneration.register_source(source)
    if actors:
        # Imported here, not above: declaring actors needs the broker the caller configured.
        from workers import periodic, routing

        routing.install(routing.SUBSCRIPTIONS)
        _periodic_jobs = periodic.JOBS
        _actors_installed = True
    return registry()


def registry() -> Registry:
    """What is installed now (empty parts where :func:`bootstrap` has not run)."""
    subscriptions: tuple[Subscription, ...] = ()
    if _actors_installed:
        from workers import routing

        subscriptions = routing.installed()
    return Registry(
        payment_handlers=dict(payment_handlers.registered_handlers()),
        paid_checks=tuple(paid_checkouts.PAID_CHECKS),
        after_login=_after_login,
        subscriptions=subscriptions,
        periodic_jobs=_periodic_jobs,
        metric_probes=ops.probes(),
        fact_sources=tuple(source.name for source in fact_regeneration.sources()),
    )
