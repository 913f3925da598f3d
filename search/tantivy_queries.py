"""The tantivy side of one search: the schema, the query a search becomes, facet counts as
terms aggregations, and a stored document turned back into a hit.

Pure functions of a schema, a searcher and a :class:`~search.query.SearchQuery`, so that
``search/embedded.py`` keeps only the order of a search (tiers, caches) and
``search/generations.py`` what is hard: several processes sharing one index directory
(locks, generations, journals, reloads). See that module's docstring for why the fields
look as they do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

import tantivy

from search.analysis import QueryTerm, QueryTermKind, analyze_query
from search.documents import FACETS, decode_document
from search.engine import SearchEngineError
from search.forgiving import Concept, Form
from search.highlight import combine, highlight
from search.korean import has_final, is_syllable
from search.query import SearchHit, SearchQuery, order_facet_counts

#: Text fields and their weight: a match in the name says more than one in a description.
TEXT_FIELDS: Final[dict[str, float]] = {
    "name": 3.0,
    "vendor_name": 2.0,
    "labels": 1.5,
    "description": 1.0,
}
#: A prefix or one-syllable match is weaker evidence than a whole term.
_LOOSE_MATCH_WEIGHT: Final = 0.5
_TIE_BREAKER: Final = 0.2
SNIPPET_CHARS: Final = 120
#: Facet values per facet; the largest facet (districts) has 25.
_FACET_SIZE: Final = 1_000

Query = tantivy.Query
Occur = tantivy.Occur

_REGEX_META: Final = re.compile(r"([\\.+*?()|\[\]{}^$#&\-~])")


def build_schema() -> tantivy.Schema:
    """The tantivy schema; see the module docstring for why each field looks as it does."""
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    # The forgiving views of the name (search/forgiving.py): jamo n-grams for typos,
    # initial-consonant bigrams for 초성.
    builder.add_text_field("name_jamo", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("name_chosung", tokenizer_name="whitespace", index_option="position")
    for facet in FACETS:
        builder.add_text_field(facet, tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_boolean_field("eco_friendly", indexed=True, fast=True)
    builder.add_integer_field("price_min", indexed=True, fast=True)
    builder.add_integer_field("price_max", indexed=True, fast=True)
    builder.add_integer_field("published_ts", fast=True)
    builder.add_bytes_field("doc", stored=True)
    return builder.build()


def _regex_escape(text: str) -> str:
    return _REGEX_META.sub(r"\\\1", text)


def term_query(schema: tantivy.Schema, field: str, term: QueryTerm) -> tantivy.Query:
    if term.kind is QueryTermKind.PHRASE:
        if len(term.terms) == 1:
            return Query.term_query(schema, field, term.terms[0])
        return Query.phrase_query(schema, field, list(term.terms))
    if term.kind is QueryTermKind.SYLLABLE:
        char = _regex_escape(term.terms[0])
        loose = Query.regex_query(schema, field, f"{char}.?|.{char}")
        return Query.boost_query(loose, _LOOSE_MATCH_WEIGHT)
    exact = Query.term_query(schema, field, term.terms[0])
    if not term.prefix:
        return exact
    prefix = Query.regex_query(schema, field, f"{_regex_escape(term.terms[0])}.+")
    return Query.disjunction_max_query([exact, Query.boost_query(prefix, _LOOSE_MATCH_WEIGHT)])

#: Autocomplete offers names, so it searches names only (and saves three term scans).
NAME_ONLY: Final[dict[str, float]] = {"name": 3.0}


def fields_query(
    schema: tantivy.Schema, term: QueryTerm, fields: dict[str, float] = TEXT_FIELDS
) -> tantivy.Query:
    """``term`` in any of ``fields``; the best field decides its score."""
    if len(fields) == 1:
        [(field, weight)] = fields.items()
        return Query.boost_query(term_query(schema, field, term), weight)
    return Query.disjunction_max_query(
        [
            Query.boost_query(term_query(schema, field, term), weight)
            for field, weight in fields.items()
        ],
        tie_breaker=_TIE_BREAKER,
    )


def text_query(schema: tantivy.Schema, terms: list[QueryTerm]) -> tantivy.Query | None:
    """Every query term must match in some field; the best field decides its score."""
    if not terms:
        return None
    return Query.boolean_query([(Occur.Must, fields_query(schema, term)) for term in terms])


# -- forgiving search: tiers of a query plan (search/forgiving.py) --------------------------

#: Constant scores added per tier, far above any BM25 sum, so the tiers never interleave:
#: see :func:`relaxed_text_query`.
TIER_EXACT: Final = 100_000.0
TIER_CORRECTED: Final = 10_000.0
TIER_PIECES: Final = 1_000.0
_FUZZY_WEIGHT: Final = 1.5
_SLIP_WEIGHT: Final = 3.0
_HEAD_WEIGHT: Final = 2.5
_SUBWORD_WEIGHT: Final = 0.4
_CHOSUNG_WEIGHT: Final = 2.0


def _form_query(
    schema: tantivy.Schema, form: Form, fields: dict[str, float] = TEXT_FIELDS
) -> tantivy.Query:
    if len(form.terms) == 1:
        query = fields_query(schema, form.terms[0], fields)
    else:
        query = Query.boolean_query(
            [(Occur.Must, fields_query(schema, t, fields)) for t in form.terms]
        )
    return query if form.weight == 1.0 else Query.boost_query(query, form.weight)


def _chosung_query(schema: tantivy.Schema, concept: Concept) -> tantivy.Query:
    grams: list[str | tuple[int, str]] = list(concept.chosung)
    if len(concept.chosung) == 1 and len(concept.chosung[0]) == 1:
        # One consonant: names with a syllable starting with it, weakly.
        char = _regex_escape(concept.chosung[0])
        query = Query.boost_query(
            Query.regex_query(schema, "name_chosung", f"{char}.?|.{char}"), _LOOSE_MATCH_WEIGHT
        )
    elif len(grams) == 1:
        query = Query.term_query(schema, "name_chosung", concept.chosung[0])
    else:
        query = Query.phrase_query(schema, "name_chosung", grams)
    query = Query.boost_query(query, _CHOSUNG_WEIGHT)
    if concept.expansions:
        # Names spelling the most common reading of the consonants first (ㅈㅈㄱ: 자전거).
        readings = [
            (Occur.Should, Query.boost_query(fields_query(schema, term, NAME_ONLY), 10.0))
            for word in concept.expansions
            for term in analyze_query(word)
        ]
        query = Query.boolean_query([(Occur.Must, query), *readings])
    if concept.chosung_prefix is None:
        return query
    prefix = term_query(schema, "name", concept.chosung_prefix)
    return Query.boolean_query([(Occur.Must, query), (Occur.Must, prefix)])


def exact_query(
    schema: tantivy.Schema,
    concept: Concept,
    *,
    synonyms: bool,
    fields: dict[str, float] = TEXT_FIELDS,
) -> tantivy.Query | None:
    """The concept as typed (particles off, 초성 as 초성), with or without its synonyms."""
    parts = [
        _form_query(schema, form, fields) for form in concept.exact_forms(synonyms=synonyms)
    ]
    if concept.chosung:
        parts.append(_chosung_query(schema, concept))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Query.disjunction_max_query(parts)


_SUBWORD_FIELDS: Final = {"name": 3.0, "vendor_name": 2.0}


def _subword_query(schema: tantivy.Schema, term: QueryTerm) -> tantivy.Query:
    """A piece in the name or the seller's name (쌀빵: a rice baguette from a bakery)."""
    return Query.disjunction_max_query(
        [
            Query.boost_query(term_query(schema, field, term), weight)
            for field, weight in _SUBWORD_FIELDS.items()
        ]
    )


def loose_query(
    schema: tantivy.Schema,
    concept: Concept,
    *,
    subwords: bool,
    fields: dict[str, float] = TEXT_FIELDS,
) -> tantivy.Query | None:
    """The concept as typed, by a synonym, or corrected (one likely slip ranks above any
    other edit); with ``subwords``, also by its pieces.

    A two-syllable word's pieces must both be there (쌀 and 빵); a longer word's pieces
    add up (수제잼: 수제, 잼), its head noun's synonyms included.
    """
    parts: list[tantivy.Query] = []
    exact = exact_query(schema, concept, synonyms=True, fields=fields)
    if exact is not None:
        parts.append(exact)
    if concept.slips:
        slips = Query.term_set_query(schema, "name_jamo", list(concept.slips))
        parts.append(Query.const_score_query(slips, _SLIP_WEIGHT))
    if concept.fuzzy:
        pieces = [
            Query.fuzzy_term_query(schema, f.field, f.text, distance=f.distance)
            for f in concept.fuzzy
        ]
        fuzzy = (
            pieces[0]
            if len(pieces) == 1
            else Query.boolean_query([(Occur.Must, p) for p in pieces])
        )
        parts.append(Query.boost_query(fuzzy, _FUZZY_WEIGHT))
    if subwords and concept.subwords:
        occur = Occur.Must if concept.subwords_all else Occur.Should
        query = Query.boolean_query(
            [
                (occur, Query.boost_query(_subword_query(schema, term), weight))
                for term, weight in concept.subwords
            ]
        )
        parts.append(Query.boost_query(query, _SUBWORD_WEIGHT))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Query.disjunction_max_query(parts)


def _all(queries: list[tantivy.Query | None]) -> tantivy.Query | None:
    if not queries or any(q is None for q in queries):
        return None
    present = [q for q in queries if q is not None]
    return present[0] if len(present) == 1 else Query.boolean_query(
        [(Occur.Must, q) for q in present]
    )


def _tiered(clauses: list[tuple[tantivy.Query | None, float]]) -> tantivy.Query | None:
    present = [
        (Occur.Should, Query.const_score_query(q, score) if score else q)
        for q, score in clauses
        if q is not None
    ]
    if not present:
        return None
    return Query.boolean_query(present)


def strict_text_query(
    schema: tantivy.Schema, concepts: list[Concept], fields: dict[str, float] = TEXT_FIELDS
) -> tantivy.Query | None:
    """Every concept as typed (particles off, 초성 as 초성): the first, cheapest try.

    Synonyms wait for the relaxed query: they rank below every typed match anyway, so
    while the typed words fill a page they would change only the total.
    """
    return _all([exact_query(schema, c, synonyms=False, fields=fields) for c in concepts])


def synonym_text_query(schema: tantivy.Schema, concepts: list[Concept]) -> tantivy.Query | None:
    """Every concept as typed or by a synonym; the second try, when synonyms exist."""
    return _all([exact_query(schema, c, synonyms=True) for c in concepts])


def typing_query(schema: tantivy.Schema, word: str) -> tantivy.Query | None:
    """``word`` as it looks half-typed: its last syllable may still get a final consonant
    (``텀브`` on the way to 텀블러), so that syllable matches any with the same initial and
    vowel, a range of 28 code points. For autocomplete."""
    if len(word) < 2 or not all(is_syllable(c) for c in word) or has_final(word[-1]):
        return None
    last = ord(word[-1])
    grams = [word[i : i + 2] for i in range(len(word) - 2)]
    grams.append(f"{word[-2]}[{chr(last)}-{chr(last + 27)}]")
    if len(grams) == 1:
        return Query.regex_query(schema, "name", grams[0])
    return Query.regex_phrase_query(schema, "name", list(grams))


def relaxed_text_query(
    schema: tantivy.Schema, concepts: list[Concept], fields: dict[str, float] = TEXT_FIELDS
) -> tantivy.Query | None:
    """Any concept in any form, in tiers that never interleave: every word as typed or by
    a synonym > every word, some corrected > every word, some by its pieces > some word.

    Among "some word" hits the last word counts most: in a Korean noun phrase the head
    noun comes last (``유기농 비누`` is soap first).
    """
    corrected = [loose_query(schema, c, subwords=False, fields=fields) for c in concepts]
    pieces = [loose_query(schema, c, subwords=True, fields=fields) for c in concepts]
    last = len(pieces) - 1
    some = [
        (q if i < last or last == 0 else Query.boost_query(q, _HEAD_WEIGHT), 0.0)
        for i, q in enumerate(pieces)
        if q is not None
    ]
    return _tiered(
        [
            (
                _all([exact_query(schema, c, synonyms=True, fields=fields) for c in concepts]),
                TIER_EXACT,
            ),
            (_all(corrected), TIER_CORRECTED),
            (_all(pieces), TIER_PIECES),
            *some,
        ]
    )


def last_resort_query(schema: tantivy.Schema, concepts: list[Concept]) -> tantivy.Query | None:
    """When every tier found nothing: names sharing any syllable with a word, ranked by how
    many they share. Something related beats an empty page."""
    words = [c.text for c in concepts]
    words += [t.text for c in concepts for f in c.forms for t in f.terms]
    chars = dict.fromkeys(ch for word in words for ch in word if is_syllable(ch))
    clauses = [
        (Occur.Should, term_query(schema, "name", QueryTerm(QueryTermKind.SYLLABLE, (ch,))))
        for ch in list(chars)[:12]
    ]
    return Query.boolean_query(clauses) if clauses else None


def range_filters(schema: tantivy.Schema, query: SearchQuery) -> list[tantivy.Query]:
    filters: list[tantivy.Query] = []
    integer = tantivy.FieldType.Integer
    if query.price_min is not None:
        lower = query.price_min
        filters.append(Query.range_query(schema, "price_max", integer, lower_bound=lower))
    if query.price_max is not None:
        upper = query.price_max
        filters.append(Query.range_query(schema, "price_min", integer, upper_bound=upper))
    if query.eco_friendly is not None:
        filters.append(Query.term_query(schema, "eco_friendly", query.eco_friendly))
    return [Query.const_score_query(f, 0.0) for f in filters]

def order_of(query: SearchQuery, *, has_text: bool) -> tuple[str | None, tantivy.Order]:
    if query.sort == "price_asc":
        return "price_min", tantivy.Order.Asc
    if query.sort == "price_desc":
        return "price_min", tantivy.Order.Desc
    if query.sort == "newest" or not has_text:
        # Without words every score is equal; newest first is the useful browse order.
        return "published_ts", tantivy.Order.Desc
    return None, tantivy.Order.Desc

def facet_counts(
    searcher: tantivy.Searcher,
    query: SearchQuery,
    main: tantivy.Query,
    total: int,
    text: tantivy.Query | None,
    ranges: list[tantivy.Query],
    facet_filters: dict[str, tantivy.Query],
) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    unfiltered = [facet for facet in FACETS if facet not in facet_filters]
    if unfiltered and total:
        counts.update(aggregate(searcher, main, unfiltered))
    for facet in facet_filters:
        others = [q for other, q in facet_filters.items() if other != facet]
        counts.update(aggregate(searcher, all_of([text, *ranges, *others]), [facet]))
    return {facet: order_facet_counts(counts[facet], getattr(query, facet)) for facet in FACETS}

def hit_of(
    searcher: tantivy.Searcher,
    address: tantivy.DocAddress,
    score: float,
    terms: list[QueryTerm],
) -> SearchHit:
    raw = searcher.doc(address).get_first("doc")
    if not isinstance(raw, bytes):
        raise SearchEngineError("stored document missing from the index")
    doc = decode_document(raw)
    name_html = highlight(doc.name, terms)
    snippet_html = highlight(doc.description, terms, max_chars=SNIPPET_CHARS)
    return SearchHit(
        id=doc.id,
        name=doc.name,
        url=doc.url,
        image_url=doc.image_url,
        price_min=doc.price_min,
        price_max=doc.price_max,
        category=doc.category,
        category_label=doc.category_label,
        enterprise_type=doc.enterprise_type,
        enterprise_type_label=doc.enterprise_type_label,
        vendor_id=doc.vendor_id,
        vendor_name=doc.vendor_name,
        district=doc.district,
        strategic_items=list(doc.strategic_items),
        eco_friendly=doc.eco_friendly,
        published_at=doc.published_at,
        highlight=combine(name_html, snippet_html),
        name_highlight=name_html,
        snippet_highlight=snippet_html,
        score=score,
    )



def any_of(queries: list[tantivy.Query | None]) -> tantivy.Query | None:
    present = [q for q in queries if q is not None]
    if len(present) <= 1:
        return present[0] if present else None
    return Query.boolean_query([(Occur.Should, q) for q in present])


def all_of(queries: Sequence[tantivy.Query | None]) -> tantivy.Query:
    present = [q for q in queries if q is not None]
    if not present:
        return Query.all_query()
    if len(present) == 1:
        return present[0]
    return Query.boolean_query([(Occur.Must, q) for q in present])


def aggregate(
    searcher: tantivy.Searcher, query: tantivy.Query, facets: Sequence[str]
) -> dict[str, dict[str, int]]:
    request = {facet: {"terms": {"field": facet, "size": _FACET_SIZE}} for facet in facets}
    response = searcher.aggregate(query, request)
    return {
        facet: {str(b["key"]): int(b["doc_count"]) for b in response[facet]["buckets"]}
        for facet in facets
    }
