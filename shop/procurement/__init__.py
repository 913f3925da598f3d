"""Public procurement (공공구매): the priority purchase of social-economy goods by public bodies.

This package starts with the pure rules (no database, no web): which certificate a purchase
counts under, VAT and counted amounts, private-contract ceilings and approvals, inspection and
invoices, monthly disclosure versions, exception reasons and the OCDS export.
"""
