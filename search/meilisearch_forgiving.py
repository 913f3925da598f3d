"""The embedded engine's looser tiers, as Meilisearch requests (decision 65).

Meilisearch forgives typos itself, but it counts them in characters of the words its
Korean segmenter makes: ``녹챠`` is a two-character word one character from 녹차, and
Meilisearch allows no typo under five characters; ``텀블러를`` is one word that no name
contains. So, as the embedded engine does (``search/forgiving.py``), a search whose words
found less than a page (:data:`~search.forgiving.RELAX_BELOW`) asks again, looser:

1. **particles off**: each Korean word without its trailing particle
   (:func:`search.korean.strip_particle`; the shortest stem of two syllables or more, since
   Meilisearch cannot be asked which stems it knows, and the last word is matched as a
   prefix anyway);
2. **keystrokes**: the name's words, spelled as the 두벌식 keys that type them
   (:func:`search.korean.keystrokes`), are the attribute :data:`KEYS_ATTRIBUTE`; the
   query's Korean words, spelled the same way, are searched on it alone. One slipped jamo
   is then one typo of a lower-case Latin word, which Meilisearch's normalisers leave as it
   is. Each spelling starts with :data:`KEYS_MARK`, one letter more, so the typo budget
   (one from five characters) starts at four keys, as the embedded engine allows one edit
   from four jamo; every ending of a word is indexed, so a slip inside a compound
   (``녹챠`` in 유기농녹차티백) is a prefix with one typo.

Strict hits come first, then each tier's new hits in its own order: "rank relaxed hits
below strict ones" holds by construction, as in the embedded engine.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Final

from search.korean import is_syllable, keystrokes, strip_particle

KEYS_ATTRIBUTE: Final = "name_keys"
KEYS_MARK: Final = "z"
#: Hits fetched for each looser tier: it only runs when the strict one found less than a
#: page, and a looser answer deeper than this is not one a shopper pages to.
RELAXED_WINDOW: Final = 100


def _words(text: str) -> list[str]:
    return unicodedata.normalize("NFKC", text).lower().split()


def _korean(word: str) -> bool:
    return len(word) >= 2 and all(is_syllable(c) for c in word)


def keys_suffixes(name: str) -> str:
    """Every ending of at least two syllables of each Korean word of ``name``, as marked
    keystrokes (``텀블러`` -> ``zxjaqmffj zqmffj``)."""
    endings: dict[str, None] = {}
    for word in _words(name):
        run = "".join(c for c in word if is_syllable(c))
        for start in range(len(run) - 1):
            endings.setdefault(KEYS_MARK + keystrokes(run[start:]), None)
    return " ".join(endings)


def without_particles(q: str) -> str:
    """``q`` with one trailing particle off each Korean word that has one."""
    words = []
    for word in _words(q):
        # A one-syllable stem matched as a prefix would find too much (한과 -> 한).
        stems = [s for s in strip_particle(word) if len(s) >= 2] if _korean(word) else []
        words.append(stems[-1] if stems else word)
    return " ".join(words)


def looser_requests(q: str) -> list[dict[str, Any]]:
    """The ``q`` parts of the looser tiers for ``q``, loosest last; none that would ask
    the strict question again."""
    requests: list[dict[str, Any]] = []
    stripped = without_particles(q)
    if stripped and stripped != " ".join(_words(q)):
        requests.append({"q": stripped})
    korean = [w for w in stripped.split() if _korean(w)]
    if korean:
        requests.append({
            "q": " ".join(KEYS_MARK + keystrokes(w) for w in korean),
            "attributesToSearchOn": [KEYS_ATTRIBUTE],
        })
    return requests
