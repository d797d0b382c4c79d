"""background_tasks: long computations (a big month's royalty sheet) run by the job runner with
progress, result and error (issue 14, branch h9)

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa

from bbt_workflow.db_types import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "background_tasks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("args_json", sa.Text(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(200), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("lease_token", sa.String(32), nullable=False),
        sa.Column("lease_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_background_tasks_state")),
    )
    op.create_index("ix_background_tasks_requested_by_id", "background_tasks", ["requested_by_id"])
    op.create_index("ix_background_tasks_state", "background_tasks", ["state"])


def downgrade():
    op.drop_table("background_tasks")
