"""sites.four_eyes: the author or a co-author of an item can neither forward nor approve it
(issue 16, finding 9); on for the existing two-level sites

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("four_eyes", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(sa.text("UPDATE sites SET four_eyes = (approval_levels = 2)"))


def downgrade():
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("four_eyes")
