"""A certificate number is shown as Korean documents write it, 제…호, and never doubled."""

from __future__ import annotations

from shop.procurement.certificates import numbered


def test_a_number_already_written_as_je_ho_is_not_wrapped_twice() -> None:
    assert numbered("2020-166") == "제2020-166호"
    assert numbered("제2020-166호") == "제2020-166호"
    assert numbered(" 제2020-166호 ") == "제2020-166호"
