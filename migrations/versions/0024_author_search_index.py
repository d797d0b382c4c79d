"""a search among one author's items from the index alone: the author joins the site in the search's GIN index

Revision ID: 0024_author_search
Revises: 0023_site_state_type_counts

Measured at 1,000,000 items (bench/RESULTS.md, "2026-12-05 (morning)"): a contributor's search of the items
they may see, through the API without a site (their own items), took 0.9 s, and an editor's 0.7 s. The
visibility rule is an OR (own items, co-written items, the reviewed sites' items, ...) that no index can
answer, so PostgreSQL built the words' bitmap over every site (78,000 hits for a common phrase) and read
each hit to test the rule. search.matching now asks for each part of the rule on its own
(queries.visibility_parts): a site's part is answered by the index's site column, and with the author as a
column too, an author's part is (8 ms for the 1,097 items of one author, instead of the 78,000-hit bitmap
intersected with the author's btree index: 35 ms).

The three-column index replaces the two-column one (a multicolumn GIN index serves a condition on any of its
columns): built in 77 s at 1,000,000 items, during which writes to submissions wait. Where btree_gin could not
be created (migration 0018 then kept the vector-only index) nothing changes.
"""
import logging

from alembic import op

revision = "0024_author_search"
down_revision = "0023_site_state_type_counts"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _exists(bind, name):
    return bind.exec_driver_sql(f"SELECT to_regclass('{name}')").scalar() is not None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite's FTS5 table; see submissions/search.py
    if not _exists(bind, "ix_submissions_site_search"):
        log.warning("no (site_id, search_vector) index (btree_gin was not available at 0018): "
                    "the vector-only search index stays")
        return
    op.execute("CREATE INDEX ix_submissions_site_author_search ON submissions "
               "USING gin (site_id, author_id, search_vector)")
    op.execute("DROP INDEX ix_submissions_site_search")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not _exists(bind, "ix_submissions_site_author_search"):
        return
    op.execute("CREATE INDEX ix_submissions_site_search ON submissions USING gin (site_id, search_vector)")
    op.execute("DROP INDEX ix_submissions_site_author_search")
