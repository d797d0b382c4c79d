"""publishing: portal endpoints, the outbox, its attempt log, item <-> remote ids

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "portal_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=True),
        sa.Column("previous_secret", sa.String(length=200), nullable=True),
        sa.Column("previous_secret_valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("app_password", sa.String(length=255), nullable=True),
        sa.Column("category_map", sa.JSON(), nullable=True),
        sa.Column("disabled_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('webhook', 'wordpress')", name=op.f("ck_portal_endpoints_kind")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_portal_endpoints_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_endpoints")),
    )
    op.create_index("ix_portal_endpoints_site_active", "portal_endpoints", ["site_id", "active"])

    op.create_table(
        "outbox_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=30), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("portal_url", sa.String(length=1000), nullable=True),
        sa.Column("remote_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'delivering', 'delivered', 'dead')",
                           name=op.f("ck_outbox_deliveries_state")),
        sa.CheckConstraint("event IN ('article.published', 'article.updated', 'article.canceled')",
                           name=op.f("ck_outbox_deliveries_event")),
        sa.ForeignKeyConstraint(["endpoint_id"], ["portal_endpoints.id"],
                                name=op.f("fk_outbox_deliveries_endpoint_id_portal_endpoints")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_outbox_deliveries_site_id_sites")),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"],
                                name=op.f("fk_outbox_deliveries_submission_id_submissions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_deliveries")),
        sa.UniqueConstraint("webhook_id", name=op.f("uq_outbox_deliveries_webhook_id")),
    )
    op.create_index("ix_outbox_deliveries_due", "outbox_deliveries", ["state", "next_attempt_at"])
    op.create_index("ix_outbox_deliveries_lease", "outbox_deliveries", ["state", "lease_until"])
    op.create_index("ix_outbox_deliveries_item_endpoint", "outbox_deliveries", ["submission_id", "endpoint_id", "id"])
    op.create_index("ix_outbox_deliveries_site_state", "outbox_deliveries", ["site_id", "state", "id"])

    op.create_table(
        "outbox_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("response_excerpt", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["outbox_deliveries.id"],
                                name=op.f("fk_outbox_attempts_delivery_id_outbox_deliveries"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attempts")),
    )
    op.create_index("ix_outbox_attempts_delivery", "outbox_attempts", ["delivery_id", "id"])

    op.create_table(
        "remote_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("remote_id", sa.String(length=100), nullable=True),
        sa.Column("portal_url", sa.String(length=1000), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["endpoint_id"], ["portal_endpoints.id"],
                                name=op.f("fk_remote_items_endpoint_id_portal_endpoints")),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"],
                                name=op.f("fk_remote_items_submission_id_submissions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_items")),
        sa.UniqueConstraint("submission_id", "endpoint_id", name="submission_endpoint"),
    )


def downgrade():
    op.drop_table("remote_items")
    op.drop_index("ix_outbox_attempts_delivery", table_name="outbox_attempts")
    op.drop_table("outbox_attempts")
    for name in ("ix_outbox_deliveries_site_state", "ix_outbox_deliveries_item_endpoint",
                 "ix_outbox_deliveries_lease", "ix_outbox_deliveries_due"):
        op.drop_index(name, table_name="outbox_deliveries")
    op.drop_table("outbox_deliveries")
    op.drop_index("ix_portal_endpoints_site_active", table_name="portal_endpoints")
    op.drop_table("portal_endpoints")
