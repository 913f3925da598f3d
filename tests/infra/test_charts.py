"""Chart options travel as JSON inside a script tag: nothing in a label may end that tag."""

from __future__ import annotations

import json

from infra.web import charts


def test_a_label_cannot_close_the_script_tag() -> None:
    option = charts.over_time("매출 </script><b>", ["12-01", "12-02"],
                              [charts.Series("온라인", [10_000, None], kind="bar")])
    text = str(charts.option_json(option))
    assert "</script>" not in text and "<b>" not in text
    assert json.loads(text)["title"]["text"] == "매출 </script><b>"


def test_over_time_keeps_each_series_values_and_the_won_flag() -> None:
    option = charts.over_time("일별 매출", ["1일", "2일"], [
        charts.Series("이번 기간", [30_000, -10_000]),
        charts.Series("이전 기간", [20_000, 0], stack="a"),
    ])
    assert option["xAxis"]["data"] == ["1일", "2일"]
    assert [s["data"] for s in option["series"]] == [[30_000, -10_000], [20_000, 0]]
    assert option["series"][1]["stack"] == "a" and "stack" not in option["series"][0]
    assert option["jangteo"] == {"won": True}


def test_shares_are_named_parts() -> None:
    option = charts.shares("채널별", [("온라인", 3), ("장터", 1)], won=False)
    assert option["series"][0]["data"] == [{"name": "온라인", "value": 3},
                                           {"name": "장터", "value": 1}]
    assert option["jangteo"] == {"won": False}
