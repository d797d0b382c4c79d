"""one site's search hits from the index alone: a GIN index over (site_id, search_vector) on PostgreSQL

Revision ID: 0018_site_search
Revises: 0017_adjustment_of

Measured at 1,000,000 items (bench/RESULTS.md, "Search at 1M"): a search for "chuyen doi so" on one site
took 3–7 s. The GIN index of the vector alone finds every item of every site holding the words (124,000
rows), and PostgreSQL then fetched and re-checked each of them to drop the other sites' rows. With the
site as a second column of the same GIN index (btree_gin gives integers a GIN operator class) the index
intersects the words with the site: the heap is read for that site's hits only.

The composite index replaces the vector-only one: a multicolumn GIN index serves a condition on any of
its columns as well as a single-column one, so the all-sites search keeps its plan.

btree_gin ships with PostgreSQL (contrib) and is a trusted extension: a database owner without
superuser rights may create it. Where it cannot be created the vector-only index stays (searches work,
one site's search is then as slow as before) and the migration says so on its log.
"""
import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0018_site_search"
down_revision = "0017_adjustment_of"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite's FTS5 table has no site; see submissions/search.py
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS btree_gin")
    except DBAPIError as refused:
        log.warning("btree_gin could not be created (%s); one site's search keeps the vector-only index",
                    str(refused.orig).strip())
        return
    op.execute("CREATE INDEX ix_submissions_site_search ON submissions USING gin (site_id, search_vector)")
    op.execute("DROP INDEX ix_submissions_search")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    exists = bind.exec_driver_sql("SELECT to_regclass('ix_submissions_site_search')").scalar()
    if exists:
        op.execute("CREATE INDEX ix_submissions_search ON submissions USING gin (search_vector)")
        op.execute("DROP INDEX ix_submissions_site_search")
    # The extension stays: other objects of the database may use it.
