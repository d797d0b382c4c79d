"""when each item entered the state it is in, kept on the item by the workflow service

Revision ID: 0020_state_entered_at
Revises: 0019_search_lexemes

The queue's "Waited" column showed, for each of its 50 rows, the time since the item entered its state:
one grouped query over the history per page (1.7 ms of a 22 ms page at 1,000,000 items, bench/RESULTS.md).
The workflow service now sets `state_entered_at` when it moves an item (and at creation and import), so
a list reads it with the row.

Backfill: the latest history entry that moved the item into its current state (from another state, or
its creation), else its creation time — what queries.state_entered_at computed. One pass over the
history; on PostgreSQL the UPDATE rewrites every item (~3 min at 1,000,000 items,
bench/RESULTS.md). SQLite adds a NOT NULL column only with a default: a placeholder every row is then
given its real value over (the app always writes the column).
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_state_entered_at"
down_revision = "0019_search_lexemes"
branch_labels = None
depends_on = None

# The entry that moved an item into the state it is in (not an edit or a regrading, which stay in it).
MOVED_IN = "h.to_state = submissions.state AND (h.from_state IS NULL OR h.from_state <> h.to_state)"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("submissions", sa.Column("state_entered_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(f"UPDATE submissions SET state_entered_at = e.at FROM ("
                   f"SELECT h.submission_id AS id, max(h.at) AS at FROM submission_history h "
                   f"JOIN submissions ON submissions.id = h.submission_id WHERE {MOVED_IN} "
                   f"GROUP BY h.submission_id) e WHERE e.id = submissions.id")
        op.execute("UPDATE submissions SET state_entered_at = created_at WHERE state_entered_at IS NULL")
        op.alter_column("submissions", "state_entered_at", nullable=False)
    else:
        # Plain ALTER TABLE, never batch mode: a batch rebuild would drop the full-text triggers (0014).
        op.execute("ALTER TABLE submissions ADD COLUMN state_entered_at DATETIME NOT NULL "
                   "DEFAULT '1970-01-01 00:00:00.000000'")
        op.execute(f"UPDATE submissions SET state_entered_at = coalesce((SELECT max(h.at) FROM submission_history h "
                   f"WHERE h.submission_id = submissions.id AND {MOVED_IN}), created_at)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("submissions", "state_entered_at")
    else:
        op.execute("ALTER TABLE submissions DROP COLUMN state_entered_at")
