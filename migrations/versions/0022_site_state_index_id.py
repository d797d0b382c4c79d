"""the state tabs' index ends with the id, the lists' tie-breaker

Revision ID: 0022_site_state_id
Revises: 0021_site_state_counts

ix_submissions_site_state was (site_id, state, updated_at): a state tab's order (updated_at desc, id desc)
needed an incremental sort, and a deep page by number (`page=50`: OFFSET 2,450, the API's documented paging)
read every skipped row from the table: 2,500 heap fetches, 4.8 ms at 1,000,000 items. With the id in the
index the order is the index's, and keyset.seek_page finds a numbered page's ids in the index alone before
reading its rows (bench/RESULTS.md). Plain CREATE INDEX, never batch mode (SQLite's full-text triggers).
"""
from alembic import op

revision = "0022_site_state_id"
down_revision = "0021_site_state_counts"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_submissions_site_state", table_name="submissions")
    op.create_index("ix_submissions_site_state", "submissions", ["site_id", "state", "updated_at", "id"])


def downgrade():
    op.drop_index("ix_submissions_site_state", table_name="submissions")
    op.create_index("ix_submissions_site_state", "submissions", ["site_id", "state", "updated_at"])
