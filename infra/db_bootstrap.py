"""Every table of every domain, gathered for migrations and test set-up (composition)."""

from __future__ import annotations

import importlib

from advanced_alchemy.base import orm_registry
from sqlalchemy import MetaData

#: The modules that declare tables. SQLAlchemy's declarative classes add their table to the
#: shared registry when the class statement runs, so the tables exist once these are imported.
TABLE_MODULES = (
    "infra.accounts.models",
    "infra.mail",
    "infra.outbox",
    "markets.applications.models",
    "markets.assignment.models",
    "markets.booths.models",
    "markets.days.models",
    "markets.lending.models",
    "markets.models",
    "shop.analytics.activity",
    "shop.analytics.models",
    "shop.cart.models",
    "shop.catalog.models",
    "shop.checkout.models",
    "shop.orders.models",
    "shop.payments.models",
    "shop.procurement.models",
    "shop.procurement.outside_models",
    "shop.procurement.plan_models",
    "shop.procurement.quotation_models",
    "shop.procurement.record_models",
    "shop.search_tuning.models",
    "shop.settlement.models",
    "shop.snackboxes.models",
    "shop.vendors.models",
)


def all_metadata() -> MetaData:
    for name in TABLE_MODULES:
        importlib.import_module(name)
    return orm_registry.metadata
