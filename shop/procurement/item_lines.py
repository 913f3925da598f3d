"""The checks every item line of public buying shares (a purchase order's and a request for
quotation's): at least one line, a known item category, a description, a positive quantity.
Each caller adds what its lines have of their own (a unit price, a unit) and builds its rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from infra.errors import Problems
from shop.catalog.taxonomy import Category
from shop.procurement.errors import ProcurementErrorCode as Code


class ItemLine(Protocol):
    @property
    def category(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def quantity(self) -> int: ...


L = TypeVar("L", bound=ItemLine)


def checked(problems: Problems, lines: Sequence[L]) -> list[tuple[int, str, Category, L]]:
    """(position from 1, field prefix such as ``lines[0]``, category, line) for each line whose
    category is known; every problem found goes to ``problems`` under the line's field."""
    if not lines:
        problems.add(Code.NO_LINES, "lines", "품목을 한 줄 이상 넣어 주세요.")
    found = []
    for i, line in enumerate(lines):
        field = f"lines[{i}]"
        try:
            category = Category(line.category)
        except ValueError:
            problems.add(Code.REQUIRED, f"{field}.category", "품목 분류를 골라 주세요.")
            continue
        if not line.description.strip():
            problems.add(Code.REQUIRED, f"{field}.description", "품목 설명을 입력해 주세요.")
        if line.quantity <= 0:
            problems.add(Code.INVALID_QUANTITY, f"{field}.quantity", "수량은 1 이상이어야 합니다.")
        found.append((i + 1, field, category, line))
    return found
