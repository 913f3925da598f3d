"""Tables as files for Korean offices: CSV that Excel opens right, XLSX, and the download.

Every export of the platform (settlement statements, procurement reports, analytics tables)
goes through here, so that three things hold everywhere:

- CSV is UTF-8 with a byte-order mark and CRLF line ends: Excel in Korea otherwise guesses
  CP949 and shows mojibake for the Korean headers.
- A text cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) is neutralised with a leading apostrophe: a vendor's
  product name must never become a formula on an official's machine (CSV injection).
  Numbers stay numbers, negative amounts included.
- XLSX is written in openpyxl's write-only mode, row by row, so a million-row export keeps
  its memory flat.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from litestar import Response

BOM = "\ufeff"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: What a formula-like text cell starts with (also checked in SQL by exports PostgreSQL writes).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = Sequence[Any]


def neutralise(value: Any) -> Any:
    """The cell as a spreadsheet should show it: text that looks like a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cells(row: Row) -> list[Any]:
    return [neutralise(value) for value in row]


def iter_csv(rows: Iterable[Row]) -> Iterator[bytes]:
    """The CSV in chunks (BOM first), for streaming a long export or writing it to a file.
    The header is the first row; an empty row is a blank line between blocks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    for count, row in enumerate(rows, start=1):
        writer.writerow(_cells(row))
        if count % 1000 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_bytes(rows: Iterable[Row]) -> bytes:
    return b"".join(iter_csv(rows))


def write_xlsx(
    target: str | Path | IO[bytes], sheets: Iterable[tuple[str, Iterable[Row]]]
) -> None:
    """Write sheets of (title, rows; the header first) as one workbook, streaming rows."""
    from openpyxl import Workbook  # imported here: only exports pay for it

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])  # Excel's limit for a sheet name
        for row in rows:
            sheet.append([_xlsx_value(value) for value in _cells(row)])
    workbook.save(target)


def _xlsx_value(value: Any) -> Any:
    # Excel has no time zones: an aware time is written as the wall time it already shows.
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[Row]]]) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, sheets)
    return out.getvalue()


def read_rows(filename: str, content: bytes) -> list[list[Any]]:
    """The rows of an uploaded CSV (UTF-8, with or without BOM, or CP949) or XLSX (first sheet),
    header included, empty rows skipped."""
    return [row for _, row in read_numbered_rows(filename, content)]


def read_numbered_rows(filename: str, content: bytes) -> list[tuple[int, list[Any]]]:
    """As :func:`read_rows`, each row with its row number in the file (the first is 1), so
    an error can name the row a person sees in the spreadsheet, empty rows notwithstanding."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp949")
        rows = [list(row) for row in csv.reader(io.StringIO(text))]
    return [(n, row) for n, row in enumerate(rows, start=1)
            if any(cell not in (None, "") for cell in row)]


def attachment(filename: str, content: bytes, media_type: str) -> Response[bytes]:
    """A download with a Korean file name that every browser keeps (RFC 6266 ``filename*``)."""
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return Response(
        content=content, media_type=media_type,
        headers={"Content-Disposition":
                 f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"},
    )
