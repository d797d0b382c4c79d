"""report indexes (issue 13 bench, branch h2): the year dashboard reads indexes only

Revision ID: 0009
Revises: 0008

Measured on a generated installation of 1,000,000 items (bench/RESULTS.md): the dashboard's published
counts fetched every matching row of `submissions` from the heap (wide rows, random pages), and the
contributors' figures probed the history of every item of the site. Two covering indexes:

- ix_submissions_report (site_id, state, published_at, content_type, category_id, unit_id, author_id,
  first_submitted_at, external_id, id) replaces ix_submissions_site_published (site_id, published_at):
  count / by type / by category / by unit / lead time / year to date / last year / per month of a site's
  published items are index-only range scans on (site, 'published', period); the contributor check reads
  a site's (id, author_id) from it too; the portal feed (site, published, newest first) walks it.
- ix_submission_history_action_at gains submission_id: the decisions of a period (action IN …, at in
  period) are an index-only scan joined to the site's items by hash.
- ix_submission_history_submission (submission_id, id) gains action and at: where the planner probes
  the history of each of a site's items instead (it does for a component site), the probe filters the
  period and the decisions in the index instead of fetching every history row of the item (one try at
  1M: 335–889 ms → 170–310 ms for the site's decisions). The item page's history still reads it in order.
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

REPORT_COLUMNS = ["site_id", "state", "published_at", "content_type", "category_id", "unit_id", "author_id",
                  "first_submitted_at", "external_id", "id"]


def upgrade():
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_site_published")
        batch.create_index("ix_submissions_report", REPORT_COLUMNS)
    with op.batch_alter_table("submission_history") as batch:
        batch.drop_index("ix_submission_history_action_at")
        batch.create_index("ix_submission_history_action_at", ["action", "at", "submission_id"])
        batch.drop_index("ix_submission_history_submission")
        batch.create_index("ix_submission_history_submission", ["submission_id", "id", "action", "at"])


def downgrade():
    with op.batch_alter_table("submission_history") as batch:
        batch.drop_index("ix_submission_history_submission")
        batch.create_index("ix_submission_history_submission", ["submission_id", "id"])
        batch.drop_index("ix_submission_history_action_at")
        batch.create_index("ix_submission_history_action_at", ["action", "at"])
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_report")
        batch.create_index("ix_submissions_site_published", ["site_id", "published_at"])
