"""Checkout: stock reservations now; payment, orders and refunds build on them later."""
