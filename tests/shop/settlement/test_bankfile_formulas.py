"""The bank transfer file is a CSV too (issue 15, item 13): a vendor or holder name that
would start a formula reaches it neutralised, and such a holder name is refused."""

from __future__ import annotations

import datetime as dt

from shop.settlement import bankfile


def _transfer(holder: str, vendor: str) -> bankfile.Transfer:
    return bankfile.Transfer(bank_code="004", account_number="1101234567890", amount=12_000,
                             holder=holder, vendor_name=vendor, statement_id=7,
                             week_start=dt.date(2026, 11, 30))


def test_formula_looking_names_are_neutralised_in_the_bank_file() -> None:
    text = bankfile.render([
        _transfer("=HYPERLINK(1)", "@SUM(1)"),
        _transfer("+82협동조합", "-cmd|' /C calc'!A0"),
    ]).decode(bankfile.ENCODING)
    cells = [line.split(",") for line in text.strip().split("\r\n")[1:]]
    for row in cells:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    assert cells[0][3] == "'=HYPERLINK(1)" and cells[0][5].startswith("'@SUM")


def test_a_holder_name_starting_a_formula_is_refused() -> None:
    for holder in ("=1+1", "+82", "-1", "@x"):
        assert bankfile.holder_problem(holder) is not None, holder
    assert bankfile.holder_problem("햇살협동조합") is None
