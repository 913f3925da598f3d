"""The booth map as an SVG string, drawn on the server (no JavaScript, printable, cacheable).

One ``<rect class="booth">`` per booth, filled with its zone's colour and labelled with its
code; marks for power (⚡), corner (◣) and premium (★); and, when given, the name of the
vendor assigned to it, which is what visitors want from the public market-day page ("who is
selling where"). Every text goes through XML escaping: vendor names are user input. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

#: Pixels per metre; the SVG scales to its container through ``viewBox``.
SCALE = 24
MARGIN_M = 1.0
LEGEND_ROW_PX = 22
#: Light fills that stay readable behind dark text, one per zone in zone order.
ZONE_COLOURS = (
    "#cfe8ff", "#ffe0b2", "#d4f5cc", "#f2d3f5", "#fff2a6", "#d9dbfa", "#ffd5d5", "#c8efe9",
)
POWER_MARK, CORNER_MARK, PREMIUM_MARK = "⚡", "◣", "★"
MAX_NAME_CHARS = 9


@dataclass(frozen=True)
class MapBooth:
    code: str
    zone: str
    x: float
    y: float
    width: float
    height: float
    has_power: bool = False
    is_corner: bool = False
    is_premium: bool = False
    size_label: str = ""


def zone_colours(booths: Sequence[MapBooth]) -> dict[str, str]:
    zones = sorted({b.zone for b in booths})
    return {z: ZONE_COLOURS[i % len(ZONE_COLOURS)] for i, z in enumerate(zones)}


def _short(name: str) -> str:
    return name if len(name) <= MAX_NAME_CHARS else name[: MAX_NAME_CHARS - 1] + "…"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def render_map(
    booths: Sequence[MapBooth],
    *,
    vendor_names: Mapping[str, str] | None = None,
    title: str = "부스 배치도",
) -> str:
    """The map as a standalone SVG document string (also fine inline in HTML)."""
    names = vendor_names or {}
    colours = zone_colours(booths)
    if booths:
        min_x = min(b.x for b in booths) - MARGIN_M
        min_y = min(b.y for b in booths) - MARGIN_M
        max_x = max(b.x + b.width for b in booths) + MARGIN_M
        max_y = max(b.y + b.height for b in booths) + MARGIN_M
    else:
        min_x, min_y, max_x, max_y = 0.0, 0.0, 10.0, 4.0
    map_w = (max_x - min_x) * SCALE
    map_h = (max_y - min_y) * SCALE
    title_h = 30
    legend_h = LEGEND_ROW_PX * (len(colours) + 2) + 10
    width = max(map_w, 360)
    height = title_h + map_h + legend_h

    def px(value: float, origin: float) -> str:
        return _num((value - origin) * SCALE)

    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="booth-map" role="img" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="100%" '
        f'aria-label={quoteattr(title)} font-family="sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<text x="8" y="20" font-size="16" font-weight="bold">{escape(title)}</text>',
        f'<g class="booths" transform="translate(0 {title_h})">',
    ]
    for b in sorted(booths, key=lambda b: (b.y, b.x, b.code)):
        x, y = px(b.x, min_x), px(b.y, min_y)
        w, h = _num(b.width * SCALE), _num(b.height * SCALE)
        cx = _num((b.x + b.width / 2 - min_x) * SCALE)
        top = (b.y - min_y) * SCALE
        marks = "".join(
            mark
            for flag, mark in (
                (b.has_power, POWER_MARK), (b.is_corner, CORNER_MARK), (b.is_premium, PREMIUM_MARK)
            )
            if flag
        )
        vendor = names.get(b.code, "")
        details = [b.code, b.zone, b.size_label]
        details += ["전기" if b.has_power else "", "코너" if b.is_corner else ""]
        details += ["프리미엄" if b.is_premium else "", vendor]
        tooltip = " · ".join(d for d in details if d)
        stroke = "#b8860b" if b.is_premium else "#555"
        out.append(f'<g class="booth-group" data-code={quoteattr(b.code)}>')
        out.append(f"<title>{escape(tooltip)}</title>")
        out.append(
            f'<rect class="booth" x="{x}" y="{y}" width="{w}" height="{h}" rx="2" '
            f'fill="{colours[b.zone]}" stroke="{stroke}" '
            f'stroke-width="{2 if b.is_premium else 1}" data-code={quoteattr(b.code)} '
            f"data-zone={quoteattr(b.zone)}/>"
        )
        out.append(
            f'<text class="code" x="{cx}" y="{_num(top + 14)}" font-size="11" '
            f'text-anchor="middle" font-weight="bold">{escape(b.code)}</text>'
        )
        if marks:
            out.append(
                f'<text class="marks" x="{cx}" y="{_num(top + 27)}" font-size="10" '
                f'text-anchor="middle">{escape(marks)}</text>'
            )
        if vendor:
            out.append(
                f'<text class="vendor" x="{cx}" y="{_num(top + 40)}" font-size="10" '
                f'text-anchor="middle">{escape(_short(vendor))}</text>'
            )
        out.append("</g>")
    out.append("</g>")
    legend_y = title_h + map_h + 16
    out.append(f'<g class="legend" transform="translate(8 {_num(legend_y)})" font-size="12">')
    for i, (zone, colour) in enumerate(colours.items()):
        row = i * LEGEND_ROW_PX
        out.append(f'<circle cx="7" cy="{row}" r="7" fill="{colour}" stroke="#555"/>')
        out.append(f'<text x="20" y="{row + 4}">{escape(zone or "구역 없음")}</text>')
    row = len(colours) * LEGEND_ROW_PX
    out.append(
        f'<text x="0" y="{row + 4}">{POWER_MARK} 전기 {CORNER_MARK} 코너 '
        f"{PREMIUM_MARK} 프리미엄</text>"
    )
    out.append("</g></svg>")
    return "\n".join(out)
