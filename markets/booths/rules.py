"""Booth input rules in pure code: what a booth may look like before it is saved.

The API sends typed JSON and the console sends form strings; both end up as a
:class:`BoothDraft` of loose values and come out of :func:`clean_booth` as a
:class:`CleanBooth` or as field errors, all of them at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from infra.errors import Problems
from markets.booths.errors import BoothErrorCode as Code
from markets.booths.models import BoothSize

CODE_RE = re.compile(r"^[0-9A-Za-z가-힣][0-9A-Za-z가-힣_-]{0,19}$")
MAX_ZONE = 40
#: A map is at most a kilometre across; a booth between 1 m and 30 m on a side.
MAX_POSITION_M = 1000.0
MIN_SIDE_M, MAX_SIDE_M = 1.0, 30.0
MAX_NEIGHBOURS = 12
MAX_REASON = 500
SIZE_OPTIONS = [(s.value, s.label) for s in BoothSize]


@dataclass(frozen=True)
class BoothDraft:
    """A booth as submitted: any of the values may be missing or wrong."""

    code: Any = ""
    zone: Any = ""
    size: Any = ""
    has_power: Any = False
    is_corner: Any = False
    is_premium: Any = False
    x: Any = None
    y: Any = None
    width: Any = 3
    height: Any = 3
    adjacent_codes: Any = ()
    position_order: Any = 0
    properties: Any = ()

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> BoothDraft:
        return cls(
            code=form.get("code", ""),
            zone=form.get("zone", ""),
            size=form.get("size", ""),
            has_power=bool(form.get("has_power")),
            is_corner=bool(form.get("is_corner")),
            is_premium=bool(form.get("is_premium")),
            x=form.get("x", ""),
            y=form.get("y", ""),
            width=form.get("width", ""),
            height=form.get("height", ""),
            adjacent_codes=form.get("adjacent_codes", ""),
            position_order=form.get("position_order", "") or 0,
            properties=form.get("properties", ""),
        )


@dataclass(frozen=True)
class CleanBooth:
    code: str
    zone: str
    size: BoothSize
    has_power: bool
    is_corner: bool
    is_premium: bool
    x: float
    y: float
    width: float
    height: float
    adjacent_codes: tuple[str, ...]
    position_order: int
    properties: tuple[str, ...] = ()


def _number(value: Any, field: str, low: float, high: float, problems: Problems) -> float:
    if isinstance(value, bool) or value is None or value == "":
        problems.add(Code.REQUIRED, field, "숫자(미터)를 입력해 주세요.")
        return 0.0
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        problems.add(Code.INVALID_NUMBER, field, "숫자(미터)로 입력해 주세요. 예: 3 또는 2.5")
        return 0.0
    if not math.isfinite(number) or not low <= number <= high:
        problems.add(
            Code.OUT_OF_RANGE, field, f"{low:g}m 이상 {high:g}m 이하로 입력해 주세요."
        )
        return 0.0
    return round(number, 2)


def _order(value: Any) -> int | None:
    """A whole number 0..100000 (a form string or a JSON integer), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip() or "0"
        return int(text) if text.isdigit() and int(text) <= 100_000 else None
    if isinstance(value, int) and 0 <= value <= 100_000:
        return value
    return None


def _codes(value: Any) -> list[str]:
    if isinstance(value, str):
        parts: Iterable[Any] = re.split(r"[,\s]+", value)
    elif isinstance(value, list | tuple):
        parts = value
    else:
        parts = [value]
    return [str(p).strip() for p in parts if str(p).strip()]


def clean_booth(draft: BoothDraft, problems: Problems) -> CleanBooth | None:
    """The booth's values checked and normalised; every wrong field goes into ``problems``."""
    code = str(draft.code or "").strip()
    if not code:
        problems.add(Code.REQUIRED, "code", "부스 번호를 입력해 주세요. 예: A-01")
    elif not CODE_RE.match(code):
        problems.add(
            Code.INVALID_CODE, "code",
            "부스 번호는 한글·영문·숫자·-·_ 20자 이내로, 글자나 숫자로 시작해야 합니다.",
        )
    zone = str(draft.zone or "").strip()
    if len(zone) > MAX_ZONE:
        problems.add(Code.INVALID_ZONE, "zone", f"구역 이름은 {MAX_ZONE}자 이내로 입력해 주세요.")
    size = next((s for s in BoothSize if s.value == str(draft.size or "").strip()), None)
    if size is None:
        problems.add(
            Code.INVALID_SIZE, "size",
            "부스 크기를 고르세요: " + ", ".join(f"{v} ({label})" for v, label in SIZE_OPTIONS),
        )
    flags = {}
    for name in ("has_power", "is_corner", "is_premium"):
        value = getattr(draft, name)
        if not isinstance(value, bool):
            problems.add(Code.INVALID_NUMBER, name, "참(true) 또는 거짓(false)이어야 합니다.")
        flags[name] = bool(value)
    x = _number(draft.x, "x", 0.0, MAX_POSITION_M, problems)
    y = _number(draft.y, "y", 0.0, MAX_POSITION_M, problems)
    width = _number(draft.width, "width", MIN_SIDE_M, MAX_SIDE_M, problems)
    height = _number(draft.height, "height", MIN_SIDE_M, MAX_SIDE_M, problems)
    neighbours = list(dict.fromkeys(_codes(draft.adjacent_codes)))
    if len(neighbours) > MAX_NEIGHBOURS:
        problems.add(
            Code.TOO_MANY_NEIGHBOURS, "adjacent_codes",
            f"이웃 부스는 {MAX_NEIGHBOURS}개까지 적을 수 있습니다.",
        )
    elif code and code in neighbours:
        problems.add(
            Code.UNKNOWN_NEIGHBOUR, "adjacent_codes", "자기 자신을 이웃으로 적을 수 없습니다."
        )
    properties = clean_properties(draft.properties, "properties", problems)
    order = _order(draft.position_order)
    if order is None:
        problems.add(Code.INVALID_NUMBER, "position_order", "0 이상의 정수로 입력해 주세요.")
    if problems or size is None or order is None:
        return None
    return CleanBooth(
        code=code, zone=zone, size=size, x=x, y=y, width=width, height=height,
        adjacent_codes=tuple(neighbours), position_order=order, properties=properties,
        **flags,
    )


MAX_PROPERTIES = 10
PROPERTY_PATTERN = re.compile(r"^[a-z0-9_-]{1,30}$")
#: Labels of the common properties; organizers may use other codes too.
PROPERTY_LABELS = {
    "cooking": "조리·화기 사용", "accessible": "휠체어 접근", "large": "대형",
    "water": "급수", "shade": "그늘",
}


def clean_properties(value: Any, field: str, problems: Problems) -> tuple[str, ...]:
    """Property codes: lower-case letters, digits, '-' or '_', at most ten, no repeats."""
    codes = list(dict.fromkeys(c.lower() for c in _codes(value or ())))
    if len(codes) > MAX_PROPERTIES:
        problems.add(
            Code.INVALID_PROPERTY, field, f"속성은 {MAX_PROPERTIES}개까지 적을 수 있습니다."
        )
    elif any(not PROPERTY_PATTERN.match(c) for c in codes):
        problems.add(
            Code.INVALID_PROPERTY, field,
            "속성은 영문 소문자·숫자·-·_로 적어 주세요. 예: cooking, accessible",
        )
    return tuple(sorted(codes))


def unknown_neighbours(clean: CleanBooth, known_codes: Sequence[str]) -> list[str]:
    known = set(known_codes)
    return [c for c in clean.adjacent_codes if c not in known]


def clean_reason(value: Any, problems: Problems, *, required: bool, field: str = "reason") -> str:
    text = str(value or "").strip()
    if required and not text:
        problems.add(Code.REQUIRED, field, "사유를 입력해 주세요.")
    elif len(text) > MAX_REASON:
        problems.add(Code.TOO_LONG, field, f"사유는 {MAX_REASON}자 이내로 입력해 주세요.")
    return text
