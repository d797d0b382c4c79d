"""royalty_lines.adjustment_of_id indexed: recomputing a sheet deleted its lines in O(n²)

Revision ID: 0017_adjustment_of
Revises: 0016_h16a

`royalty_lines.adjustment_of_id` references `royalty_lines.id`. Recomputing a draft sheet deletes its
lines, and for every deleted line the database looks for lines that adjust it; with no index on the
column that is a scan of the whole table per line. Measured with bench/royalty_sheet_compute.py's
20,000-line sheet on PostgreSQL (bench/RESULTS.md): the DELETE took 6.4 s, 0.16 s with this index;
the recompute 11.2 s → 4.7 s. Partial: only adjustment lines have the column set (the foreign-key
check's `= $1` implies NOT NULL, so both PostgreSQL and SQLite use it).
"""
import sqlalchemy as sa
from alembic import op

revision = "0017_adjustment_of"
down_revision = "0016_h16a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_royalty_lines_adjustment_of", "royalty_lines", ["adjustment_of_id"],
                    postgresql_where=sa.text("adjustment_of_id IS NOT NULL"),
                    sqlite_where=sa.text("adjustment_of_id IS NOT NULL"))


def downgrade():
    op.drop_index("ix_royalty_lines_adjustment_of", table_name="royalty_lines")
