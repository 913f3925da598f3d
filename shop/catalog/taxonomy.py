"""The mall's fixed taxonomy: 함께누리 categories and the strategic public-market items."""

from __future__ import annotations

import enum


class Category(enum.StrEnum):
    """함께누리 몰 카테고리."""

    FOOD = "food"  # 식품
    HOUSEHOLD = "household"  # 생활용품
    FASHION_BEAUTY = "fashion_beauty"  # 패션·뷰티
    OFFICE_IT = "office_it"  # 사무·전산
    TRAVEL_LEISURE = "travel_leisure"  # 여행·레저
    BOOKS_EDUCATION = "books_education"  # 도서·교육

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.FOOD: "식품",
    Category.HOUSEHOLD: "생활용품",
    Category.FASHION_BEAUTY: "패션·뷰티",
    Category.OFFICE_IT: "사무·전산",
    Category.TRAVEL_LEISURE: "여행·레저",
    Category.BOOKS_EDUCATION: "도서·교육",
}


class StrategicItem(enum.StrEnum):
    """친환경 5대 분야: strategic items of the public social-economy market."""

    GREEN_CYCLE = "green_cycle"  # 그린사이클
    GREEN_REMODELING = "green_remodeling"  # 그린리모델링
    GREEN_ENERGY = "green_energy"  # 그린에너지
    GREEN_AGRICULTURE = "green_agriculture"  # 그린농업
    GREEN_FOREST = "green_forest"  # 그린숲

    @property
    def label(self) -> str:
        return STRATEGIC_ITEM_LABELS[self]


STRATEGIC_ITEM_LABELS: dict[StrategicItem, str] = {
    StrategicItem.GREEN_CYCLE: "그린사이클",
    StrategicItem.GREEN_REMODELING: "그린리모델링",
    StrategicItem.GREEN_ENERGY: "그린에너지",
    StrategicItem.GREEN_AGRICULTURE: "그린농업",
    StrategicItem.GREEN_FOREST: "그린숲",
}
