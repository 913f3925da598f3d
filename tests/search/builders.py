"""Product documents for search tests, with the project's real codes and labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from search.documents import ProductDocument

CATEGORY_LABELS = {"food": "식품", "household": "생활용품", "fashion_beauty": "패션·뷰티"}
ENTERPRISE_LABELS = {
    "village": "마을기업",
    "cooperative": "협동조합",
    "certified_social": "인증 사회적기업",
    "self_sufficiency": "자활기업",
}
EPOCH = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def product(product_id: int, name: str, **overrides: Any) -> ProductDocument:
    """A believable product; every field can be overridden by keyword."""
    category = overrides.pop("category", "food")
    enterprise_type = overrides.pop("enterprise_type", "village")
    price = overrides.pop("price", 10_000)
    fields: dict[str, Any] = {
        "id": product_id,
        "name": name,
        "description": f"{name}: 사회적경제기업이 정성껏 만든 제품입니다.",
        "category": category,
        "category_label": CATEGORY_LABELS[category],
        "enterprise_type": enterprise_type,
        "enterprise_type_label": ENTERPRISE_LABELS[enterprise_type],
        "vendor_id": 100 + product_id,
        "vendor_name": "두레공방",
        "district": "성북구",
        "strategic_items": [],
        "eco_friendly": False,
        "price_min": price,
        "price_max": price,
        "image_url": f"/media/{product_id}.jpg",
        "published_at": EPOCH + timedelta(days=product_id),
        "url": f"/products/{product_id}",
    }
    fields.update(overrides)
    return ProductDocument(**fields)
