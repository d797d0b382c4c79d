"""full-text search over submissions.search_text: a GIN index of a 'simple' tsvector on PostgreSQL,
an FTS5 table kept in step by triggers on SQLite (issue 15, branch hsearch)

Revision ID: 0014_hsearch
Revises: 0013
"""
import string

from alembic import op

revision = "0014_hsearch"
down_revision = "0013"
branch_labels = None
depends_on = None

# search_text is already folded (lower case, no diacritics). PostgreSQL's parser would keep
# "a@b.vn", "3.5" or "x/y" as one token where SQLite's FTS5 sees several words, and would glue
# typographic quotes and dashes to words; turning punctuation into spaces first makes both see the
# same words (domain.text_search.search_words).
_PUNCTUATION = string.punctuation + "“”‘’–—…•«»‹›‚„·′″§¶©®™°±×÷¡¿€£¥"


def _bracket(text):
    # A regular-expression bracket of these characters ("]", "\\", "^" and "-" escaped), as an SQL literal.
    escaped = "".join("\\" + ch if ch in "]\\^-[" else ch for ch in text)
    return "'[" + escaped.replace("'", "''") + "]'"


# Parsing ~3 KB of text costs ~0.4 ms: the vector is stored (a generated column, computed once on
# write) so that the ranking and the index's rechecks never parse the text again.
PG_FUNCTION = f"""
CREATE FUNCTION submission_search_vector(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT to_tsvector('simple'::regconfig, regexp_replace(t, {_bracket(_PUNCTUATION)}, ' ', 'g')) $$
"""

SQLITE_TRIGGERS = [
    """CREATE TRIGGER submissions_fts_insert AFTER INSERT ON submissions BEGIN
         INSERT INTO submissions_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    """CREATE TRIGGER submissions_fts_delete AFTER DELETE ON submissions BEGIN
         INSERT INTO submissions_fts(submissions_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
       END""",
    """CREATE TRIGGER submissions_fts_update AFTER UPDATE OF search_text ON submissions BEGIN
         INSERT INTO submissions_fts(submissions_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
         INSERT INTO submissions_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        # Adding the column is the backfill: one rewrite of the table, no per-row work in Python.
        op.execute("ALTER TABLE submissions ADD COLUMN search_vector tsvector "
                   "GENERATED ALWAYS AS (submission_search_vector(search_text)) STORED")
        op.execute("CREATE INDEX ix_submissions_search ON submissions USING gin (search_vector)")
        return
    # External content: the words live in the index only, the text stays in submissions. The prefix
    # indexes answer a last word of 2 or 3 letters without scanning every word that starts so.
    op.execute("CREATE VIRTUAL TABLE submissions_fts USING fts5("
               "search_text, content='submissions', content_rowid='id', tokenize='unicode61', prefix='2 3')")
    for trigger in SQLITE_TRIGGERS:
        op.execute(trigger)
    op.execute("INSERT INTO submissions_fts(submissions_fts) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_submissions_search")
        op.execute("ALTER TABLE submissions DROP COLUMN search_vector")
        op.execute("DROP FUNCTION submission_search_vector(text)")
        return
    for name in ("submissions_fts_insert", "submissions_fts_delete", "submissions_fts_update"):
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE submissions_fts")
