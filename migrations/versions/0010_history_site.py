"""the item's site on each history row (issue 13, branch h8): a site's decisions of a period in one index

Revision ID: 0010
Revises: 0009

Measured on a generated installation of 1,000,000 items (bench/RESULTS.md): the dashboard's three
contributor-decision queries took 250–570 ms each for a component site, because the history has no
site: PostgreSQL either probes the history of each of the site's ~23,000 items (what it picks) or reads
every decision of the period on every site (~148,000 index entries) and keeps the site's by hash; both
are 250–300 ms. With `site_id` copied from the item (an item never changes site) and an index
(site_id, action, at, submission_id), a site's decisions of a period are one index-only range scan of
a few thousand entries.

The history is append-only at the database level (0002's triggers): the backfill drops them and
creates them again around its UPDATE (SQLite also loses them when batch mode rebuilds the table).
"""
from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# 0002's append-only triggers, copied (a migration stays what it was when it ran).
DROP_APPEND_ONLY = {
    "postgresql": ["DROP TRIGGER IF EXISTS submission_history_no_update ON submission_history"],
    "sqlite": ["DROP TRIGGER IF EXISTS submission_history_no_update",
               "DROP TRIGGER IF EXISTS submission_history_no_delete"],
}
CREATE_APPEND_ONLY = {
    "postgresql": [
        """CREATE TRIGGER submission_history_no_update BEFORE UPDATE OR DELETE ON submission_history
           FOR EACH ROW EXECUTE FUNCTION bbt_history_append_only()""",
    ],
    "sqlite": [
        """CREATE TRIGGER submission_history_no_update BEFORE UPDATE ON submission_history
           BEGIN SELECT RAISE(ABORT, 'submission_history is append-only'); END""",
        """CREATE TRIGGER submission_history_no_delete BEFORE DELETE ON submission_history
           BEGIN SELECT RAISE(ABORT, 'submission_history is append-only'); END""",
    ],
}


def _run(statements):
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade():
    _run(DROP_APPEND_ONLY)
    with op.batch_alter_table("submission_history") as batch:
        batch.add_column(sa.Column("site_id", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # A join (one hash join), not a subquery probed per row: millions of rows at 1M items.
        op.execute("UPDATE submission_history SET site_id = submissions.site_id FROM submissions "
                   "WHERE submissions.id = submission_history.submission_id")
    else:
        op.execute("UPDATE submission_history SET site_id = (SELECT submissions.site_id FROM submissions "
                   "WHERE submissions.id = submission_history.submission_id)")
    with op.batch_alter_table("submission_history") as batch:
        batch.alter_column("site_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(batch.f("fk_submission_history_site_id_sites"), "sites", ["site_id"], ["id"])
        batch.create_index("ix_submission_history_site_action_at", ["site_id", "action", "at", "submission_id"])
    _run(CREATE_APPEND_ONLY)


def downgrade():
    _run(DROP_APPEND_ONLY)
    with op.batch_alter_table("submission_history") as batch:
        batch.drop_index("ix_submission_history_site_action_at")
        batch.drop_constraint(batch.f("fk_submission_history_site_id_sites"), type_="foreignkey")
        batch.drop_column("site_id")
    _run(CREATE_APPEND_ONLY)
