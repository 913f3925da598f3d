"""CSV and XLSX as Korean offices open them: BOM, no formulas smuggled in, numbers kept."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from infra import spreadsheets
from infra.clock import SEOUL


def test_csv_starts_with_a_bom_and_neutralises_formulas() -> None:
    content = spreadsheets.csv_bytes([
        ("상품", "금액"),
        ("=HYPERLINK(\"http://evil\")", -4400),
        ("+82 10", 1),
        ("@SUM(A1)", 2),
        ("-녹차", 3),
        ("녹차", 4),
    ])
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "상품,금액"
    assert lines[1] == "'=HYPERLINK(\"http://evil\"),-4400" or lines[1].startswith("\"'=HYPERLINK")
    assert lines[2] == "'+82 10,1"
    assert lines[3] == "'@SUM(A1),2"
    assert lines[4] == "'-녹차,3"
    assert lines[5] == "녹차,4"


def test_long_csv_streams_in_chunks_that_join_to_the_whole() -> None:
    rows = [("이름", "값")] + [(f"상품 {n}", n) for n in range(2500)]
    chunks = list(spreadsheets.iter_csv(rows))
    assert len(chunks) > 1
    assert b"".join(chunks) == spreadsheets.csv_bytes(rows)
    assert b"".join(chunks).decode("utf-8-sig").count("\r\n") == 2501


def test_xlsx_round_trips_numbers_text_and_seoul_times() -> None:
    moment = dt.datetime(2026, 12, 6, 23, 30, tzinfo=SEOUL)
    content = spreadsheets.xlsx_bytes([
        ("연간 실적", [("항목", "금액", "일시"), ("=1+1", 7_540_000_000, moment)]),
    ])
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.title == "연간 실적"
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["항목", "금액", "일시"]
    assert values[1] == ["'=1+1", 7_540_000_000, dt.datetime(2026, 12, 6, 23, 30)]


def test_uploaded_rows_are_read_from_csv_in_either_encoding_and_from_xlsx() -> None:
    rows = [("구분", "금액"), ("나라장터", 1_000_000)]
    assert spreadsheets.read_rows("a.csv", spreadsheets.csv_bytes(rows)) == [
        ["구분", "금액"], ["나라장터", "1000000"]]
    cp949 = "구분,금액\r\n카드,5000\r\n\r\n".encode("cp949")
    assert spreadsheets.read_rows("b.CSV", cp949) == [["구분", "금액"], ["카드", "5000"]]
    xlsx = spreadsheets.xlsx_bytes([("s", rows)])
    assert spreadsheets.read_rows("c.xlsx", xlsx) == [["구분", "금액"], ["나라장터", 1_000_000]]


def test_a_korean_file_name_survives_the_download_header() -> None:
    response = spreadsheets.attachment("연간실적-2026.csv", b"x", spreadsheets.CSV_MEDIA_TYPE)
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''%EC%97%B0" in disposition
    assert 'filename="' in disposition and "연" not in disposition.split(";")[1]
