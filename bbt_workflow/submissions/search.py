"""Full-text search over `submissions.search_text` (title + summary + body, already folded).

Every word must match, in any order, the last one as a prefix (the user may still be typing it).
PostgreSQL: the generated column `submissions.search_vector` (a 'simple' `tsvector` of search_text,
migration 0014_hsearch) and its GIN index; SQLite: the FTS5 table `submissions_fts`, kept in step
with `submissions` by triggers. Both see the same words (domain.text_search.search_words), so the
same items match on both; only the order of equally matching items (the rank) may differ.

Bounded cost whatever the number of hits: ranking reads each ranked hit's vector (PostgreSQL) or
computes its bm25 (SQLite), and counting walks every hit, so neither may grow with the hits. First
at most RANKED_LIMIT + 1 matching ids are fetched (no rank, no order: the index answers); up to
RANKED_LIMIT hits are ranked (best first, then newest); more hits are listed newest first (the
database walks the hits by recency and stops at the page), and the page says so. Totals are counted
up to keyset.CAP (keyset.capped_count); beyond it the total is "more than" the cap.
"""
from sqlalchemy import bindparam, column, func, literal_column, select, table, union

from ..domain.text_search import search_words
from ..extensions import db
from . import keyset
from .models import Submission

# Outside the models (the ORM never reads or writes them): the migrations create them, per backend.
_PG_VECTOR = literal_column("submissions.search_vector")
SCHEMA_OBJECTS = {"search_vector", "ix_submissions_search", "ix_submissions_site_search",
                  "ix_submissions_site_author_search", "search_lexemes", "submissions_fts", "submissions_fts_data",
                  "submissions_fts_idx", "submissions_fts_content", "submissions_fts_docsize", "submissions_fts_config"}
_FTS = table("submissions_fts", column("rowid"), column("rank"))
# SQLite: `+id` is the same value, but the planner may not use it to look rows up by id; it then reaches the
# rows through another index (the site's, the sort's) and tests each against the full-text hits.
_SQLITE_ID_NOT_FOR_LOOKUP = literal_column("+submissions.id")

# Hits ranked by relevance, and the cap of every list's count: ~30 µs a ranked row on PostgreSQL.
RANKED_LIMIT = 1000


# The index's words (migration 0019), and how many words beginning with the last one are asked for by
# name before falling back to the prefix operator (a search for "t" begins thousands of words).
_LEXEMES = table("search_lexemes", column("word"))
PREFIX_WORDS_LIMIT = 32


def _quoted(lexeme):
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _words_beginning(prefix):
    """The words of the PostgreSQL search index that begin with `prefix`, in order, or None when there are
    more than PREFIX_WORDS_LIMIT. A range of search_lexemes' primary key (collation "C": code point order)."""
    following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    found = db.session.scalars(select(_LEXEMES.c.word)
                               .where(_LEXEMES.c.word >= prefix, _LEXEMES.c.word < following)
                               .order_by(_LEXEMES.c.word).limit(PREFIX_WORDS_LIMIT + 1)).all()
    return found if len(found) <= PREFIX_WORDS_LIMIT else None


def _pg_query_text(words, last_word_endings=None):
    """Every word, the last as a prefix: `last_word_endings` (the index's words beginning with it) asks for
    those words by name, which the GIN index intersects with the others and the site; a prefix (`:*`) is a
    partial match, which reads every site's items holding such a word first (87 ms vs 22 ms at 1M)."""
    terms = [_quoted(word) for word in words[:-1]]
    if last_word_endings:
        terms.append("(" + " | ".join(_quoted(word) for word in last_word_endings) + ")")
    else:  # unknown (too many) or none: no item holds such a word, and the index says so at once
        terms.append(_quoted(words[-1]) + ":*")
    return " & ".join(terms)


def _fts_query_text(words):
    terms = [f'"{word}"' for word in words]
    terms[-1] += "*"
    return " ".join(terms)


def matching(stmt, query, ranked=True, one_site=False, parts=None):
    """`stmt` (a select of Submission) narrowed to the items matching the search box's `query`, and
    an ORDER BY term putting the best matches first: None when there is nothing to search for, when
    not `ranked` (an explicit sort), or when there are more than RANKED_LIMIT hits (newest first).
    Runs one bounded query (at most RANKED_LIMIT + 1 ids) to know which. `one_site`: `stmt` keeps one
    site's items only (the queue page, the API's `site`), which tells SQLite how to find them. `parts`:
    selects whose rows together are `stmt`'s (queries.visibility_parts with the same filters), each of
    which an index can answer with the words where `stmt`'s OR of them cannot: the bounded query asks
    for their union, and the select returned is marked with them (keyset.in_parts) for its pages."""
    words = search_words(query)
    if not words:
        return _in_parts(stmt, parts), None
    postgres = db.session.get_bind().dialect.name == "postgresql"
    backend = (_PostgresSearch if postgres else _SqliteSearch)(words, one_site)
    matched = stmt.where(backend.matches())
    if not ranked:
        return _in_parts(matched, parts, backend.matches()), None
    probes = [part.where(backend.matches()) for part in parts] if parts else [matched]
    hits = [probe.with_only_columns(Submission.id).order_by(None) for probe in probes]
    ids = db.session.scalars((union(*hits) if len(hits) > 1 else hits[0]).limit(RANKED_LIMIT + 1)).all()
    if len(ids) > RANKED_LIMIT:
        walking = backend.matches_walking_the_sort()
        newest_first = _in_parts(stmt.where(walking), parts, walking)
        # More than the cap: the page's total is "more than CAP", already known (when the ids' bound covers it).
        return (keyset.counted(newest_first, len(ids)) if RANKED_LIMIT >= keyset.CAP else newest_first), None
    return backend.best_first(keyset.counted(stmt.where(Submission.id.in_(ids)), len(ids)), ids)


def _in_parts(stmt, parts, condition=None):
    """`stmt` marked with its parts (keyset.in_parts), each narrowed by the search's condition like `stmt`."""
    if not parts:
        return stmt
    return keyset.in_parts(stmt, parts if condition is None else [part.where(condition) for part in parts])


class _PostgresSearch:
    """The generated `search_vector` and its GIN index over (site_id, author_id, search_vector) (migrations
    0014, 0018, 0024): one condition serves one site, one author's items and all sites alike."""

    def __init__(self, words, one_site):
        self.tsquery = func.to_tsquery(literal_column("'simple'::regconfig"),
                                       bindparam("search_query", _pg_query_text(words, _words_beginning(words[-1]))))

    def matches(self):
        return _PG_VECTOR.op("@@")(self.tsquery)

    def matches_walking_the_sort(self):
        # Many hits, newest first. PostgreSQL cannot estimate how many rows a prefix search matches (1,889
        # for 50,179 at 1M), so it fetched every hit through the GIN index and sorted them for a page of
        # 50 (0.6 s). The operator's function is not indexable: the page walks the sort's index newest
        # first and tests each item, stopping at the page (many hits: a few hundred rows, ~3 ms).
        return func.ts_match_vq(_PG_VECTOR, self.tsquery)

    def best_first(self, few, ids):
        return few, func.ts_rank(_PG_VECTOR, self.tsquery).desc()  # reads the vectors of these few rows only


class _SqliteSearch:
    """The FTS5 table `submissions_fts`, its rowid the item's id."""

    def __init__(self, words, one_site):
        self.fts_query = bindparam("search_query", _fts_query_text(words))
        self.one_site = one_site

    def _hits(self):
        return select(_FTS.c.rowid).where(literal_column("submissions_fts").op("MATCH")(self.fts_query))

    def matches(self):
        # One site: SQLite looked up every site's hits by id to read their site (27,000 wide rows for a
        # common word at 100k, ~100 ms). The unary + keeps it from using the id for the lookup, so it walks
        # the site's index (a few thousand entries, covering site and state) and tests each against the
        # hits instead. Across sites, the lookup by id stays: walking every item would be worse for few hits.
        return (_SQLITE_ID_NOT_FOR_LOOKUP if self.one_site else Submission.id).in_(self._hits())

    def matches_walking_the_sort(self):
        # Many hits, newest first: SQLite looked each hit up by its id (reading 27,000 wide rows for their
        # updated_at at 100k, 0.2-0.3 s) and sorted them all. The unary + keeps it from using the id for
        # the lookup, so it walks the sort's index newest first, tests each entry against the hits (one
        # temporary index built from the MATCH) and stops at the page.
        return _SQLITE_ID_NOT_FOR_LOOKUP.in_(self._hits())

    def best_first(self, few, ids):
        # FTS5's rank is bm25 negated (lower is better), computed for the rows the query returns only. A plain
        # `rowid IN (...)` here is handed to FTS5 as a constraint, which then re-ran the full-text query per id
        # (4-17 s at 100k); with the unary + it is a filter on the MATCH's rows, so bm25 is computed for these
        # few ids and not for every raw hit of every site (27,000 at 100k: 50-100 ms).
        # MATERIALIZED: the full-text query runs once into a temporary table, instead of once per row of
        # `few` as a correlated lookup (measured at 100k: 18.6 s joined, 0.14 s materialized).
        hits = (select(_FTS.c.rowid.label("id"), _FTS.c.rank.label("rank"))
                .where(literal_column("submissions_fts").op("MATCH")(self.fts_query),
                       literal_column("+submissions_fts.rowid").in_(ids))
                .cte("search_hits").prefix_with("MATERIALIZED"))
        return few.join(hits, hits.c.id == Submission.id), hits.c.rank.asc()
