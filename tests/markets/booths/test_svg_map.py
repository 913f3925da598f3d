"""The booth map is valid XML with one rect per booth, whatever the vendors are called."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markets.booths.demo_layout import gwanghwamun
from markets.booths.svg import CORNER_MARK, POWER_MARK, PREMIUM_MARK, MapBooth, render_map

NS = {"svg": "http://www.w3.org/2000/svg"}


def booths() -> list[MapBooth]:
    return [
        MapBooth(s.code, s.zone, s.x, s.y, s.width, s.height, s.has_power, s.is_corner,
                 s.is_premium, s.size.label)
        for s in gwanghwamun()
    ]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_one_rect_per_booth_each_labelled_with_its_code() -> None:
    layout = booths()
    root = parse(render_map(layout))
    rects = root.findall(".//svg:rect", NS)
    assert len(rects) == len(layout) == 72
    assert sorted(r.get("data-code") for r in rects) == sorted(b.code for b in layout)
    codes = {t.text for t in root.findall(".//svg:text", NS) if t.get("class") == "code"}
    assert codes == {b.code for b in layout}


def test_zones_get_distinct_colours_and_marks_show_power_corner_premium() -> None:
    layout = booths()
    root = parse(render_map(layout))
    fills = {r.get("data-zone"): r.get("fill") for r in root.findall(".//svg:rect", NS)}
    assert len(set(fills.values())) == len({b.zone for b in layout}) == 4
    marks = "".join(t.text or "" for t in root.findall(".//svg:text", NS)
                    if t.get("class") == "marks")
    assert POWER_MARK in marks and CORNER_MARK in marks and PREMIUM_MARK in marks


def test_vendor_names_are_drawn_and_escaped() -> None:
    layout = booths()[:3]
    names = {layout[0].code: '<script>alert("x")</script> & 협동조합', layout[1].code: "햇살"}
    svg = render_map(layout, vendor_names=names, title='배치도 "A" <b>')
    root = parse(svg)  # would raise on unescaped markup
    assert "<script>" not in svg
    vendors = [t.text for t in root.findall(".//svg:text", NS) if t.get("class") == "vendor"]
    assert sorted(vendors) == sorted(['<script>…', "햇살"])
    titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any('<script>alert("x")</script> & 협동조합' in t for t in titles)


def test_an_empty_map_is_still_a_valid_drawing() -> None:
    root = parse(render_map([]))
    assert root.findall(".//svg:rect", NS) == []
