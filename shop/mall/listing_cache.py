"""What a listing page keeps between requests: rendered cards and, for under a second, which
cards say 품절.

A card is drawn from a search hit alone (name, picture, prices, labels: what the catalog's
events put in the index) plus one bit, sold out or not. Its HTML is kept under exactly those
inputs, so a card can never show anything the index no longer says: when an event changes a
product, the next search returns a different hit, that is a different key, and the card is
drawn again (decision 83).

Stock is not in the index (decision 77): which listed products are sold out is read from the
database, in one statement per page of cards, and that answer is reused for at most
``SOLD_OUT_MAX_AGE_S`` for the same cards. So a sold-out variant shows on every listing
within half a second, inside search's freshness bound of one second, while a busy listing
asks the database twice a second instead of on every request.

A visitor without a session (no account, no cart, no message waiting) sees the same page for
the same address, results and sold-out answer; such a page is drawn once and kept under
exactly those inputs.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

import msgspec
from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from infra.clock import utcnow
from search.query import SearchHit
from shop.checkout import availability

#: How long one answer to "which of these cards are sold out" is reused.
SOLD_OUT_MAX_AGE_S = 0.5
#: Entries kept per cache (the least recently used leave first).
CARDS_KEPT = 4096
PAGES_KEPT = 1024

CARD_TEMPLATE = "mall/_card.html"


K = TypeVar("K")
V = TypeVar("V")


class _Bounded(OrderedDict[K, V], Generic[K, V]):
    """A dict that forgets its least recently used entry beyond ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def find(self, key: K) -> V | None:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def keep(self, key: K, value: V) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


class ListingCache:
    """One per application (``app.state.listing_cache``): the cards it drew and the sold-out
    answers it read. ``clock`` is a monotonic clock, injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._cards: _Bounded[tuple[bytes, bool], Markup] = _Bounded(CARDS_KEPT)
        self._sold_out: _Bounded[tuple[int, ...], tuple[float, frozenset[int]]] = _Bounded(
            PAGES_KEPT
        )
        self._pages: _Bounded[tuple[Any, ...], str] = _Bounded(PAGES_KEPT)
        self._reading: dict[tuple[int, ...], asyncio.Future[frozenset[int]]] = {}

    async def sold_out(
        self, read_engine: AsyncEngine, product_ids: Iterable[int]
    ) -> frozenset[int]:
        """The products among ``product_ids`` with no unit left, read at most
        ``SOLD_OUT_MAX_AGE_S`` ago; requests that find the answer too old at the same
        moment wait for one read (on ``read_engine``, outside any transaction)."""
        key = tuple(sorted(set(product_ids)))
        if not key:
            return frozenset()
        kept = self._sold_out.find(key)
        if kept is not None and self.clock() - kept[0] <= SOLD_OUT_MAX_AGE_S:
            return kept[1]
        reading = self._reading.get(key)
        if reading is None:
            reading = asyncio.ensure_future(self._read(read_engine, key))
            self._reading[key] = reading
            reading.add_done_callback(lambda _done: self._reading.pop(key, None))
        return await asyncio.shield(reading)

    async def _read(self, read_engine: AsyncEngine, key: tuple[int, ...]) -> frozenset[int]:
        read_at = self.clock()  # the answer is as old as the moment it was asked for
        async with AsyncSession(read_engine) as session:
            answer = frozenset(await availability.sold_out(session, key, utcnow()))
        self._sold_out.keep(key, (read_at, answer))
        return answer

    def page(self, key: tuple[Any, ...], render: Callable[[], str]) -> str:
        """A whole page for a visitor without a session, drawn once per ``key``, which must
        hold everything the page is drawn from (the search results as encoded, the sold-out
        answer, the address)."""
        page = self._pages.find(key)
        if page is None:
            page = render()
            self._pages.keep(key, page)
        return page

    def cards(
        self, env: Environment, hits: Sequence[SearchHit], sold_out: frozenset[int]
    ) -> list[Markup]:
        """Each hit's card, drawn once per distinct hit and sold-out bit."""
        drawn = []
        for hit in hits:
            key = (msgspec.json.encode(hit), hit.id in sold_out)
            card = self._cards.find(key)
            if card is None:
                html = env.get_template(CARD_TEMPLATE).render(hit=hit, sold_out=sold_out)
                card = Markup(html)  # noqa: S704 - the template escaped what it put in
                self._cards.keep(key, card)
            drawn.append(card)
        return drawn
