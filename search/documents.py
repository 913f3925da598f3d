"""The one shape a product takes in every search index.

The domains translate their models into ``ProductDocument`` and hand it over; the engines
never see an ORM object. Labels travel with the codes so that a result card and a text
search in Korean (``마을기업``, ``식품``) need no look-up back into the catalogue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

import msgspec

#: Facet fields, in the order a filter sidebar shows them.
FACETS: Final = ("category", "enterprise_type", "district", "strategic_items")


class ProductDocument(msgspec.Struct, frozen=True, kw_only=True):
    """A product as search sees it: flat, denormalised, with prices in integer won.

    ``price_min``/``price_max`` span the product's variants, so a price filter can ask
    whether any variant falls in the range a shopper chose.
    """

    id: int
    name: str
    description: str
    category: str
    category_label: str
    enterprise_type: str
    enterprise_type_label: str
    vendor_id: int
    vendor_name: str
    district: str
    strategic_items: list[str] = msgspec.field(default_factory=list)
    eco_friendly: bool = False
    price_min: int
    price_max: int
    image_url: str | None = None  # the first picture's 400 × 400 card (decision 58)
    published_at: datetime
    url: str

    def __post_init__(self) -> None:
        # A naive datetime would be read as the server's local time and shift "newest" by
        # nine hours in Seoul; a reversed price range would never match a price filter.
        if self.published_at.utcoffset() is None:
            raise ValueError("published_at must be timezone-aware (UTC)")
        if not 0 <= self.price_min <= self.price_max:
            raise ValueError("prices must satisfy 0 <= price_min <= price_max")


_ENCODER: Final = msgspec.json.Encoder()
_DECODER: Final = msgspec.json.Decoder(ProductDocument)


def encode_document(doc: ProductDocument) -> bytes:
    """Serialise for an engine's stored field; msgspec is the fastest path both ways."""
    return _ENCODER.encode(doc)


def decode_document(raw: bytes) -> ProductDocument:
    """Inverse of :func:`encode_document`."""
    return _DECODER.decode(raw)
