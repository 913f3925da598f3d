"""Checkout (주문하기): the shopper's priced lines and address become a checkout whose payment
turns into one order (``services.py``), on top of the stock reservations that hold the units
meanwhile (``stock.py``, with the rules of summing demand in ``demand.py``)."""
