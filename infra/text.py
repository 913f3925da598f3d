"""Text people type: characters no name or note may hold.

A NUL byte truncates the value in C libraries and some databases; the bidirectional
embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) make a name display as
something else than what it is ("Trojan Source": ``회사\u202e코드`` reads backwards), which lets
one vendor pass for another in lists, mail and exports. Other C0 controls (but tab and the
line breaks a description may hold) have no place in text either. Every validator that takes
a name or a free-text field asks :func:`unsafe_characters` and refuses the field with its
message (decision 46).
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

UNSAFE_MESSAGE = "보이지 않는 제어 문자(NUL, 글자 방향 바꿈 등)는 쓸 수 없습니다."


def unsafe_characters(value: object) -> str | None:
    """The message to show beside the field when ``value`` holds a forbidden character."""
    if isinstance(value, str) and _UNSAFE.search(value):
        return UNSAFE_MESSAGE
    return None
