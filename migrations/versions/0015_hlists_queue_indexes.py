"""indexes for the queue and the lists of submissions (issue 15, branch hlists)

Revision ID: 0015_hlists
Revises: 0014_hsearch

Each one matched to a tab's filter and sort and measured with bench/queue_explain.py (EXPLAIN ANALYZE,
100,000 items; figures in bench/RESULTS.md, "Indexes for the queue"):

- ix_submissions_site_updated / _created / _title (site_id, <sort column>, id): the queue's "All" tab of a
  site in each sort: an ordered index walk that stops after one page (and seeks to the cursor) instead of
  reading every item of the site and sorting them. The state tabs already have ix_submissions_site_state
  (site_id, state, updated_at).
- ix_submissions_updated (updated_at, id): the API list across sites (admins, people on many sites).
- ix_submission_authors_user (user_id, submission_id): the co-author EXISTS of the visibility rule (there
  was only an index by submission).
"""
from alembic import op

revision = "0015_hlists"
down_revision = "0014_hsearch"
branch_labels = None
depends_on = None

SUBMISSION_INDEXES = {
    "ix_submissions_site_updated": ["site_id", "updated_at", "id"],
    "ix_submissions_site_created": ["site_id", "created_at", "id"],
    "ix_submissions_site_title": ["site_id", "title", "id"],
    "ix_submissions_updated": ["updated_at", "id"],
}


# Plain CREATE INDEX, never batch mode: a batch rebuild of `submissions` on SQLite would drop the
# full-text triggers of 0014_hsearch.
def upgrade():
    for name, columns in SUBMISSION_INDEXES.items():
        op.create_index(name, "submissions", columns)
    op.create_index("ix_submission_authors_user", "submission_authors", ["user_id", "submission_id"])


def downgrade():
    op.drop_index("ix_submission_authors_user", table_name="submission_authors")
    for name in SUBMISSION_INDEXES:
        op.drop_index(name, table_name="submissions")
