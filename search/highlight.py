"""HTML-safe highlights: matched terms in ``<mark>``, everything else escaped.

Product names and descriptions are vendor input; a highlight goes into a page unescaped
(it already contains markup), so escaping happens here, once, for both engines.
"""

from __future__ import annotations

from html import escape
from typing import Final

from search.analysis import QueryTerm, match_spans, normalize

MARK_OPEN: Final = "<mark>"
MARK_CLOSE: Final = "</mark>"
ELLIPSIS: Final = "…"
#: Characters of context kept before the first match when a snippet has to be cut.
_LEAD: Final = 20


def _window(text: str, spans: list[tuple[int, int]], max_chars: int) -> tuple[int, int]:
    if len(text) <= max_chars:
        return 0, len(text)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - _LEAD, len(text) - max_chars))
    if start > 0:
        # Start on a word boundary when one is near, so the snippet does not open mid-word.
        space = text.find(" ", start, first)
        if space != -1 and space - start < _LEAD:
            start = space + 1
    return start, min(len(text), start + max_chars)


def render(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """Escape ``text[start:end]`` and wrap the (sorted, disjoint) ``spans`` in ``<mark>``."""
    stop = len(text) if end is None else end
    out: list[str] = []
    cursor = start
    for span_start, span_end in spans:
        lo, hi = max(span_start, start), min(span_end, stop)
        if lo >= hi:
            continue
        out.append(escape(text[cursor:lo]))
        out.append(MARK_OPEN + escape(text[lo:hi]) + MARK_CLOSE)
        cursor = hi
    out.append(escape(text[cursor:stop]))
    return "".join(out)


def highlight(text: str, query: list[QueryTerm], *, max_chars: int | None = None) -> str:
    """Highlight ``text`` for ``query``; cut to ``max_chars`` around the first match.

    The text shown is the NFKC form, the same one offsets were computed on.
    """
    shown = normalize(text)
    spans = match_spans(text, query)
    if max_chars is None:
        return render(shown, spans)
    start, end = _window(shown, spans, max_chars)
    html = render(shown, spans, start, end)
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(shown) else ""
    return prefix + html + suffix


def from_placeholders(text: str, pre: str, post: str) -> str:
    """Turn an engine's highlight made with placeholder tags into escaped HTML.

    Meilisearch inserts its tags into raw, unescaped text; asking it for private-use
    placeholders and escaping afterwards is the only way to get both marks and safety.
    """
    return escape(text).replace(escape(pre), MARK_OPEN).replace(escape(post), MARK_CLOSE)


def combine(name_html: str, snippet_html: str) -> str:
    """The single highlight string of a hit: name, then the description snippet."""
    return f"{name_html} — {snippet_html}" if snippet_html else name_html
