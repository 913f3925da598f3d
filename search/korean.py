"""Hangul below the syllable: jamo, initial consonants (초성) and trailing particles.

Korean shoppers' slips are slips of one jamo (``녹챠`` for 녹차: ㅏ → ㅑ), they type only
initial consonants (``ㅌㅂㄹ``) on a phone, and they leave particles on words
(``텀블러를``). All three need a view of a syllable that the bigram analysis of
:mod:`search.analysis` does not have:

* :func:`jamo` spells syllables out in conjoining jamo (U+1100 …), so an edit distance
  over it counts jamo, the unit a typo changes. Initial and final consonants stay distinct
  code points, as they are in the syllable.
* :func:`chosung` keeps each syllable's initial consonant. NFKC turns the compatibility
  jamo a keyboard types (ㄱ, U+3131) into the same initial-consonant code points
  (U+1100), so a normalised query compares directly.
* :func:`keystrokes` spells syllables as the Latin keys of the 두벌식 keyboard that type
  them (``녹차`` -> ``shrck``), for an engine that counts typos in characters of words it
  segments itself (Meilisearch): plain lower-case Latin passes its normalisers unchanged,
  where jamo would be recomposed or split.
* :func:`strip_particle` removes one trailing particle (조사) or copula ending. The list is
  closed and short, and a particle whose form depends on the preceding sound (을/를,
  이/가, 은/는, 과/와, 으로/로, 이랑/랑) is only removed after a syllable it can follow:
  ``사과`` keeps its 과 (사 has no final consonant, so 과 cannot be a particle there),
  ``가방을`` loses its 을. Whether the remainder is a word the index knows is for the
  engine to check (it has the term dictionary). Why not a morphological analyser:
  decision 47 (kiwipiepy: 12 s to load, 530 MB resident, for what a list of ~50
  endings does at query time in microseconds).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Final

_SYLLABLE_FIRST: Final = 0xAC00
_SYLLABLE_LAST: Final = 0xD7A3
_CHOSEONG_FIRST: Final = 0x1100
_CHOSEONG_LAST: Final = 0x1112


def is_syllable(char: str) -> bool:
    return _SYLLABLE_FIRST <= ord(char) <= _SYLLABLE_LAST


def is_choseong(char: str) -> bool:
    """An initial consonant as NFKC leaves a typed ㄱ…ㅎ (U+1100…U+1112)."""
    return _CHOSEONG_FIRST <= ord(char) <= _CHOSEONG_LAST


def _split(char: str) -> tuple[int, int, int]:
    code = ord(char) - _SYLLABLE_FIRST
    return code // 588, (code % 588) // 28, code % 28


def _spelled(text: str, lead: Sequence[str], vowel: Sequence[str], tail: Sequence[str]) -> str:
    """Each syllable of ``text`` as its initial, vowel and final spelled by the tables
    (indexed in Unicode order; ``tail[0]`` for no final); other characters unchanged."""
    out: list[str] = []
    for char in text:
        if is_syllable(char):
            initial, medial, final = _split(char)
            out.append(lead[initial] + vowel[medial] + tail[final])
        else:
            out.append(char)
    return "".join(out)


_LEAD_JAMO: Final = tuple(chr(0x1100 + i) for i in range(19))
_VOWEL_JAMO: Final = tuple(chr(0x1161 + i) for i in range(21))
_TAIL_JAMO: Final = ("", *(chr(0x11A7 + i) for i in range(1, 28)))


def jamo(text: str) -> str:
    """Syllables spelled out as conjoining jamo; other characters unchanged."""
    return _spelled(text, _LEAD_JAMO, _VOWEL_JAMO, _TAIL_JAMO)


# 두벌식 keys for the initial consonants, vowels and final consonants in Unicode order; a
# tense consonant (shift on the keyboard) is its key twice, so case folding keeps it apart
# and it stays one edit from its plain consonant, as the embedded engine counts it.
def _keys(spaced: str) -> tuple[str, ...]:
    return tuple(spaced.split(" "))


_LEAD_KEYS: Final = _keys("r rr s e ee f a q qq t tt d w ww c z x v g")
_VOWEL_KEYS: Final = _keys("k o i oo j p u pp h hk ho hl y n nj np nl b m ml l")
_TAIL_KEYS: Final = (
    "", *_keys("r rr rt s sw sg e f fr fa fq ft fx fv fg a q qt t tt d w c z x v g")
)


def keystrokes(text: str) -> str:
    """The syllables of ``text`` as 두벌식 keystrokes in lower-case Latin; other characters
    unchanged. One slip of a jamo is then (mostly) one typo of a character."""
    return _spelled(text, _LEAD_KEYS, _VOWEL_KEYS, _TAIL_KEYS)


def chosung(text: str) -> str:
    """Each syllable's initial consonant; initial consonants kept; anything else dropped."""
    out: list[str] = []
    for char in text:
        if is_syllable(char):
            out.append(chr(_CHOSEONG_FIRST + _split(char)[0]))
        elif is_choseong(char):
            out.append(char)
    return "".join(out)


def compatibility_chosung(text: str) -> str:
    """:func:`chosung` in Hangul compatibility letters (ㅌㅂㄹ), the form people type and
    engines other than ours tokenise as letters."""
    return "".join(_CHOSEONG_COMPAT[ord(c) - _CHOSEONG_FIRST] for c in chosung(text))


def chosung_suffixes(text: str) -> str:
    """Every ending of at least two initials of each Hangul word (``스텐텀블러`` ->
    ㅅㅌㅌㅂㄹ ㅌㅌㅂㄹ ㅌㅂㄹ ㅂㄹ): with prefix matching, a 초성 query then matches
    anywhere inside a compound, for a search engine that only matches word starts."""
    endings: dict[str, None] = {}
    for word in unicodedata.normalize("NFKC", text).split():
        initials = compatibility_chosung(word)
        for start in range(len(initials) - 1):
            endings.setdefault(initials[start:], None)
    return " ".join(endings)


def chosung_query(text: str) -> str | None:
    """A query made only of initial consonants (``ㅌㅂㄹ``), in compatibility letters;
    None for anything else (a syllable, a Latin letter, a mixed ``텀ㅂ``)."""
    words = unicodedata.normalize("NFKC", text).split()
    if not words or not all(is_choseong(c) for word in words for c in word):
        return None
    return " ".join(compatibility_chosung(word) for word in words)


def compose(spelled: str) -> str:
    """Inverse of :func:`jamo`: conjoining jamo back into syllables (NFC does it)."""
    return unicodedata.normalize("NFC", spelled)


def object_particle(word: str) -> str:
    """을 after a final consonant, 를 otherwise: ``녹차를``, ``된장을``."""
    return "을" if word and has_final(word[-1]) else "를"


def has_final(char: str) -> bool:
    return is_syllable(char) and _split(char)[2] != 0


def _final_is_rieul(char: str) -> bool:
    return is_syllable(char) and _split(char)[2] == 8  # ㄹ


#: Particle -> what the syllable before it must end in: "C" a consonant, "V" a vowel,
#: "VL" a vowel or ㄹ (for 로), "" anything. Longest first, so 에서는 wins over 는.
_PARTICLES: Final[tuple[tuple[str, str], ...]] = tuple(
    sorted(
        {
            # case particles
            "이": "C",
            "가": "V",
            "을": "C",
            "를": "V",
            "은": "C",
            "는": "V",
            "과": "C",
            "와": "V",
            "으로": "C",
            "로": "VL",
            "이랑": "C",
            "랑": "V",
            "의": "",
            "에": "",
            "에서": "",
            "에게": "",
            "한테": "",
            "께": "",
            "도": "",
            "만": "",
            "까지": "",
            "부터": "",
            "처럼": "",
            "보다": "",
            "하고": "",
            "이나": "C",
            "나": "V",
            "이든": "C",
            "든": "V",
            "마다": "",
            "밖에": "",
            "만큼": "",
            # particles stacked as shoppers type them
            "에서는": "",
            "에서도": "",
            "으로는": "C",
            "로는": "VL",
            "에는": "",
            "에도": "",
            "이랑은": "C",
            "하고는": "",
            "까지는": "",
            "은요": "C",
            "는요": "V",
            # copula endings in a typed question ("텀블러예요?")
            "이에요": "C",
            "예요": "V",
            "입니다": "",
            "이요": "C",
            "요": "V",
        }.items(),
        key=lambda item: -len(item[0]),
    )
)


def strip_particle(word: str) -> list[str]:
    """Remainders of ``word`` without one trailing particle, longest remainder first.

    Empty when ``word`` has no particle a Korean reader would see there. A remainder keeps
    at least one syllable, and a one-syllable remainder only for a particle that agrees
    with it in sound (``차를`` -> 차, but ``포도`` keeps its 도).
    """
    found: list[str] = []
    for particle, before in _PARTICLES:
        if not word.endswith(particle) or len(word) <= len(particle):
            continue
        stem = word[: -len(particle)]
        last = stem[-1]
        if not is_syllable(last):
            continue
        if before == "C" and not has_final(last):
            continue
        if before == "V" and has_final(last):
            continue
        if before == "VL" and has_final(last) and not _final_is_rieul(last):
            continue
        if len(stem) == 1 and not before:
            continue
        if stem not in found:
            found.append(stem)
    return sorted(found, key=len, reverse=True)


# -- likely slips: neighbouring keys on the 두벌식 keyboard, and sound-alike jamo ----------

_KEYBOARD: Final = ("ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔ", "ㅁㄴㅇㄹㅎㅗㅓㅏㅣ", "ㅋㅌㅊㅍㅠㅜㅡ")
_ROW_OFFSET: Final = (0.0, 0.25, 0.75)
#: Plain, aspirated and tense consonants, and vowels that sound alike, are confused by ear.
_SOUND_ALIKE: Final = (
    "ㄱㅋㄲ",
    "ㄷㅌㄸ",
    "ㅂㅍㅃ",
    "ㅈㅊㅉ",
    "ㅅㅆ",
    "ㅐㅔ",
    "ㅒㅖ",
    "ㅙㅞㅚ",
    "ㅕㅓ",
)
_CHOSEONG_COMPAT: Final = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWEL_COMPAT: Final = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
#: Final consonants in jongseong order (index 1…27); compound finals are left alone.
_JONGSEONG_COMPAT: Final = "ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"


def _neighbours() -> dict[str, set[str]]:
    position = {
        key: (col + _ROW_OFFSET[row], float(row))
        for row, keys in enumerate(_KEYBOARD)
        for col, key in enumerate(keys)
    }
    found: dict[str, set[str]] = {key: set() for key in position}
    for a, (ax, ay) in position.items():
        for b, (bx, by) in position.items():
            if a != b and (ax - bx) ** 2 + (ay - by) ** 2 <= 1.6:
                found[a].add(b)
    for group in _SOUND_ALIKE:
        for a in group:
            found.setdefault(a, set()).update(set(group) - {a})
    return found


_LIKELY: Final = _neighbours()


def _slot(char: str) -> tuple[str, str] | None:
    """(role, keyboard letter) of a conjoining jamo: role is L, V or T."""
    code = ord(char)
    if 0x1100 <= code <= 0x1112:
        return "L", _CHOSEONG_COMPAT[code - 0x1100]
    if 0x1161 <= code <= 0x1175:
        return "V", _VOWEL_COMPAT[code - 0x1161]
    if 0x11A8 <= code <= 0x11C2:
        return "T", _JONGSEONG_COMPAT[code - 0x11A8]
    return None


def _conjoin(role: str, letter: str) -> str | None:
    table = {
        "L": (_CHOSEONG_COMPAT, 0x1100),
        "V": (_VOWEL_COMPAT, 0x1161),
        "T": (_JONGSEONG_COMPAT, 0x11A8),
    }[role]
    index = table[0].find(letter)
    return chr(table[1] + index) if index >= 0 else None


def likely_slips(spelled: str) -> list[str]:
    """Spellings one likely slip away from ``spelled`` (jamo): a neighbouring key or a
    sound-alike jamo in one place, or a final consonant dropped or added by mistake.

    A typo-tolerant search ranks these corrections above any other one edit away, so
    ``비느`` finds 비누 (ㅜ is next to ㅡ) before 비스 (ㅅ is nowhere near ㄴ).
    """
    found: list[str] = []
    for i, char in enumerate(spelled):
        slot = _slot(char)
        if slot is None:
            continue
        role, letter = slot
        for other in sorted(_LIKELY.get(letter, ())):
            replacement = _conjoin(role, other)
            if replacement is not None:
                found.append(spelled[:i] + replacement + spelled[i + 1 :])
        if role == "T":
            found.append(spelled[:i] + spelled[i + 1 :])
    return list(dict.fromkeys(found))
