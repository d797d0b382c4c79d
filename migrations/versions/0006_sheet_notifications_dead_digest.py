"""sheet notifications (a notification may point at a royalty sheet); dead deliveries gathered into digests

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("sheet_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_notifications_sheet_id_royalty_sheets"), "royalty_sheets",
                                 ["sheet_id"], ["id"], ondelete="CASCADE")
    with op.batch_alter_table("outbox_deliveries") as batch:
        batch.add_column(sa.Column("dead_notified_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_outbox_deliveries_dead_digest", ["endpoint_id", "state", "dead_notified_at"])


def downgrade():
    with op.batch_alter_table("outbox_deliveries") as batch:
        batch.drop_index("ix_outbox_deliveries_dead_digest")
        batch.drop_column("dead_notified_at")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint(op.f("fk_notifications_sheet_id_royalty_sheets"), type_="foreignkey")
        batch.drop_column("sheet_id")
