"""Every table of every domain, gathered for migrations and test set-up (composition)."""

from __future__ import annotations

from advanced_alchemy.base import orm_registry
from sqlalchemy import MetaData


def all_metadata() -> MetaData:
    # Imported for their side effect: each module registers its tables on the shared registry.
    import infra.accounts.models
    import infra.mail
    import infra.outbox  # noqa: F401
    import markets.applications.models
    import markets.assignment.models
    import markets.booths.models
    import markets.days.models
    import markets.lending.models
    import markets.models  # noqa: F401
    import shop.analytics
    import shop.cart.models
    import shop.catalog.models
    import shop.checkout.models
    import shop.orders.models
    import shop.payments.models
    import shop.settlement.models
    import shop.snackboxes.models
    import shop.vendors.models  # noqa: F401

    return orm_registry.metadata
