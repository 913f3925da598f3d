"""Snack boxes (다과꾸러미 '햇음'): refreshments for offices, events and receptions, assembled
only from social-economy products.

Organizers compose a box from approved vendors' published variants, in sizes per head count
(10인, 20인, 50인) each with a set price, a lead time and delivery-date slots with a capacity.
A shopper orders N boxes of a size for a slot through the ordinary checkout: the components
are reserved like loose items (summed per variant with them), the set price is split across
the components so each vendor is paid its share, and the slot's capacity is held with the
checkout (``ordering.py``).
"""
