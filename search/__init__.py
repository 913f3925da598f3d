"""Product search: documents, Korean text analysis, queries and two interchangeable engines.

``documents`` (what is indexed), ``query`` (what is asked and answered), ``analysis`` and
``highlight`` (Korean sub-word matching, safe marks), ``engine`` (the protocol and the
factory), ``embedded`` (tantivy on local disk) and ``meilisearch_engine`` (production).
Nothing here imports a domain package: the domains hand over ``ProductDocument`` s.
"""
