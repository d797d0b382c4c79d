"""incentive royalties (nhuận bút khuyến khích): the awards, and royalty lines of kind "incentive" that pay them

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "royalty_incentives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("payee_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("awarded_by_id", sa.Integer(), nullable=True),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_royalty_incentives_amount")),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"],
                                name=op.f("fk_royalty_incentives_submission_id_submissions"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["payee_id"], ["payees.id"], name=op.f("fk_royalty_incentives_payee_id_payees")),
        sa.ForeignKeyConstraint(["awarded_by_id"], ["users.id"], name=op.f("fk_royalty_incentives_awarded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_royalty_incentives")),
    )
    with op.batch_alter_table("royalty_incentives") as batch:
        batch.create_index(batch.f("ix_royalty_incentives_submission_id"), ["submission_id"], unique=False)
        batch.create_index(batch.f("ix_royalty_incentives_payee_id"), ["payee_id"], unique=False)
    with op.batch_alter_table("royalty_lines") as batch:
        batch.add_column(sa.Column("incentive_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_royalty_lines_incentive_id_royalty_incentives"), "royalty_incentives",
                                 ["incentive_id"], ["id"])
        batch.create_index(batch.f("ix_royalty_lines_incentive_id"), ["incentive_id"], unique=False)
        batch.drop_constraint(op.f("ck_royalty_lines_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_royalty_lines_kind"),
                                      "kind IN ('royalty', 'fee', 'adjustment', 'incentive')")


def downgrade():
    op.execute("DELETE FROM royalty_lines WHERE kind = 'incentive'")
    with op.batch_alter_table("royalty_lines") as batch:
        batch.drop_constraint(op.f("ck_royalty_lines_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_royalty_lines_kind"), "kind IN ('royalty', 'fee', 'adjustment')")
        batch.drop_index(batch.f("ix_royalty_lines_incentive_id"))
        batch.drop_constraint(op.f("fk_royalty_lines_incentive_id_royalty_incentives"), type_="foreignkey")
        batch.drop_column("incentive_id")
    op.drop_table("royalty_incentives")
