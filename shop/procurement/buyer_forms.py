"""Reading the buyer portal's forms into the use cases' inputs.

What was typed is checked only as far as turning text into numbers and dates; every rule
(amounts, ceilings, quantities) is the use case's. A number or date that cannot be read is
reported with the same :class:`~infra.errors.Problems` the use cases raise, under the form's
own field name, so the page shows it beside the field like any other refusal.
"""

from __future__ import annotations

import datetime as dt
import re

from infra.errors import Problems
from shop.procurement.errors import ProcurementErrorCode as Code
from shop.procurement.ordering import LineInput, OrderInput

#: Line rows the new-order form shows at least.
LINE_ROWS = 5
LINE_FIELDS = ("category", "description", "quantity", "unit_price")
_LINE_KEY = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
MAX_LINE_ROWS = 50


def read_int(problems: Problems, form: dict[str, str], name: str, message: str,
             *, required: bool = True) -> int | None:
    raw = (form.get(name) or "").strip().replace(",", "")
    if not raw:
        if required:
            problems.add(Code.REQUIRED, name, message)
        return None
    try:
        return int(raw)
    except ValueError:
        problems.add(Code.INVALID_AMOUNT, name, "숫자로 입력해 주세요.")
        return None


def read_date(problems: Problems, form: dict[str, str], name: str,
              *, required: bool = False) -> dt.date | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        if required:
            problems.add(Code.REQUIRED, name, "날짜를 입력해 주세요.")
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.add(Code.REQUIRED, name, "날짜는 2025-03-09처럼 입력해 주세요.")
        return None


def line_rows(form: dict[str, str]) -> int:
    """How many line rows the form shows (at least :data:`LINE_ROWS`, more if typed)."""
    rows = [int(m.group(1)) + 1 for key in form if (m := _LINE_KEY.match(key))]
    return min(max([LINE_ROWS, *rows]), MAX_LINE_ROWS)


def order_input(form: dict[str, str], institution_id: int) -> tuple[OrderInput, list[int]]:
    """The order a new-order form describes, and for each of its lines the form row it came
    from (empty rows are skipped). Raises the problems of unreadable fields."""
    problems = Problems()
    department_id = read_int(problems, form, "department_id", "부서를 골라 주세요.")
    vendor_id = read_int(problems, form, "vendor_id", "입점기업을 골라 주세요.")
    quotes = read_int(problems, form, "quotes", "", required=False)
    estimated = read_int(problems, form, "estimated_price", "", required=False)
    contract_date = read_date(problems, form, "contract_date", required=True)
    lines: list[LineInput] = []
    rows: list[int] = []
    for row in range(line_rows(form)):
        cells = {f: (form.get(f"lines[{row}].{f}") or "").strip() for f in LINE_FIELDS}
        if not any(cells[f] for f in ("description", "quantity", "unit_price")):
            continue
        quantity = read_int(problems, form, f"lines[{row}].quantity", "수량을 입력해 주세요.")
        price = read_int(problems, form, f"lines[{row}].unit_price", "단가를 입력해 주세요.")
        lines.append(LineInput(cells["category"], cells["description"], quantity or 0,
                               price or 0))
        rows.append(row)
    problems.raise_if_any()
    assert department_id is not None and vendor_id is not None
    return OrderInput(
        institution_id=institution_id, department_id=department_id, vendor_id=vendor_id,
        title=form.get("title", ""), method=form.get("method", ""), lines=tuple(lines),
        quotes=quotes if quotes is not None else 1, estimated_price=estimated,
        contract_date=contract_date,
    ), rows


def errors_for_form(errors: dict[str, str], rows: list[int]) -> dict[str, str]:
    """The use case's messages keyed by the form's field names (line index → form row)."""
    out: dict[str, str] = {}
    for name, message in errors.items():
        key = name
        if (match := _LINE_KEY.match(name)) and rows:
            index = int(match.group(1))
            key = f"lines[{rows[index] if index < len(rows) else index}].{match.group(2)}"
        out.setdefault(key, message)
    return out


def by_line(problems: Problems, form: dict[str, str], prefix: str, line_ids: list[int],
            *, required: bool) -> dict[int, int]:
    """``{line id: quantity}`` from fields named ``{prefix}.{line id}`` (blank: left out,
    or a problem when ``required``)."""
    values: dict[int, int] = {}
    for line_id in line_ids:
        value = read_int(problems, form, f"{prefix}.{line_id}", "수량을 입력해 주세요.",
                         required=required)
        if value is not None:
            values[line_id] = value
    return values


def prefixed(action: str, errors: dict[str, str], fields: set[str]) -> dict[str, str]:
    """Errors of one of the order page's forms keyed ``action:field``; a message about
    anything the form has no field for is shown at the top of that form (``action:_form``)."""
    out: dict[str, str] = {}
    elsewhere: list[str] = []
    for name, message in errors.items():
        if name.split(".")[0] in fields:
            out[f"{action}:{name}"] = message
        else:
            elsewhere.append(message)
    if elsewhere:
        out[f"{action}:_form"] = elsewhere[0]
    return out
