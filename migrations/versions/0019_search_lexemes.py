"""the words the search index holds, so the last word's prefix becomes exact words on PostgreSQL

Revision ID: 0019_search_lexemes
Revises: 0018_site_search

The search box matches the last word as a prefix (the user may still be typing it). In a GIN index a
prefix is a "partial match": PostgreSQL collects every item of every site holding any word with that
prefix before intersecting with the other words and the site. At 1,000,000 items, "nang luong tai tao"
on one site took 87 ms in the index with `tao:*` and 22 ms with the exact words (bench/RESULTS.md).

`search_lexemes` holds every word of every item's search vector (about 10^4-10^5 rows: Vietnamese
syllables, names, numbers); search.matching looks up the words beginning with the last word (a range of
this table's primary key) and, when there are few, asks for exactly those words. Kept by a trigger on
submissions, so every writer (the app, imports, psql) keeps it whole; a word is never removed (a word
no item holds any more only adds a term that matches nothing). Words are inserted in sorted order so
two transactions adding the same new words cannot deadlock. SQLite: its FTS5 table has prefix indexes.
"""
from alembic import op

revision = "0019_search_lexemes"
down_revision = "0018_site_search"
branch_labels = None
depends_on = None

BACKFILL = ("INSERT INTO search_lexemes (word) SELECT DISTINCT unnest(tsvector_to_array(search_vector)) "
            "FROM submissions ON CONFLICT DO NOTHING")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute('CREATE TABLE search_lexemes (word text COLLATE "C" PRIMARY KEY)')
    # AFTER: the generated search_vector is computed by then (a BEFORE trigger would see it empty).
    op.execute("""
CREATE FUNCTION submissions_remember_lexemes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_lexemes (word)
    SELECT word FROM unnest(tsvector_to_array(NEW.search_vector)) AS word ORDER BY word
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$""")
    op.execute("CREATE TRIGGER submissions_lexemes AFTER INSERT OR UPDATE OF search_text ON submissions "
               "FOR EACH ROW EXECUTE FUNCTION submissions_remember_lexemes()")
    op.execute(BACKFILL)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER submissions_lexemes ON submissions")
    op.execute("DROP FUNCTION submissions_remember_lexemes()")
    op.execute("DROP TABLE search_lexemes")
