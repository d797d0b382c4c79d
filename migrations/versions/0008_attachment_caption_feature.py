"""attachments: a caption, and which image is the item's feature image (the create/edit form, issue 14)

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("caption", sa.String(500), nullable=False, server_default=""))
        batch.add_column(sa.Column("is_feature", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("attachments") as batch:
        batch.drop_column("is_feature")
        batch.drop_column("caption")
