"""Whose idempotency key: a checkout key is only ever looked up among its owner's keys.

A key names "this attempt of mine to place an order"; sent again it returns the first
checkout, with its recipient, phone and address. Keys were global, so another shopper who
sent the same key got that checkout back. The stored key is now the caller's key bound to
its owner (decision 46):

- a signed-in shopper: their user id;
- a guest with a session (the cart pages): the guest cart's token, which only that browser's
  session holds;
- a guest without one (the API without a token, the snack-box order form): the contact
  details they send. The checkout such a key can return holds nothing the caller did not
  send themselves.

The owner's part and the caller's key are hashed together, so the stored key fits the column
whatever the caller's key length (up to :data:`shop.checkout.demand.MAX_KEY_LENGTH`).
"""

from __future__ import annotations

import hashlib

from infra.accounts.models import User
from shop.checkout.address import DeliveryAddress


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:48]


def owned_key(
    key: str,
    *,
    user: User | None,
    guest_token: str | None,
    email: str,
    address: DeliveryAddress,
) -> str:
    """The stored form of ``key`` for this owner (at most 70 characters)."""
    if user is not None:
        return f"u{user.id}:{_digest(key)}"
    if guest_token:
        return f"g:{_digest(guest_token, key)}"
    contact = (email, address.recipient, address.phone, address.postal_code,
               address.road_address, address.detail_address)
    return f"c:{_digest(*contact, key)}"
