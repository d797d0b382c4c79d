"""encrypt endpoint secrets at rest: webhook secrets and WordPress Application Passwords become
Fernet tokens under SECRETS_KEYS; the admin audit log, append-only like submission_history
(issue 16, branch h16a)

Revision ID: 0016_h16a
Revises: 0015_hlists
"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

from bbt_workflow.db_types import UTCDateTime
from bbt_workflow.secret_box import box, is_encrypted, rotate_columns

revision = "0016_h16a"
down_revision = "0015_hlists"
branch_labels = None
depends_on = None

COLUMNS = {"secret": 200, "previous_secret": 200, "app_password": 255}


def _endpoint_columns(to_text):
    """Alter the secret columns. On SQLite that rebuilds portal_endpoints (batch mode: copy, drop, rename),
    and dropping a table other rows point at (outbox deliveries, remote ids) fails with foreign keys on: so
    they are switched off around it. The PRAGMA is a no-op inside a transaction, hence the autocommit
    blocks; the rebuild itself still runs in the migration's transaction."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("portal_endpoints") as batch:
        for name, length in COLUMNS.items():
            old, new = (sa.String(length), sa.Text()) if to_text else (sa.Text(), sa.String(length))
            batch.alter_column(name, existing_type=old, type_=new, existing_nullable=True)
    if sqlite:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys=ON")


def upgrade():
    # A Fernet token is about 1.4 times the plaintext plus 57 bytes: text columns.
    _endpoint_columns(to_text=True)
    rotate_columns(op.get_bind(), "portal_endpoints", "id", tuple(COLUMNS), keys=current_app.config["SECRETS_KEYS"],
                   only_plaintext=True)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_audit_log_actor_id_users"), nullable=True),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("target_type", sa.String(40), nullable=False),
        sa.Column("target_id", sa.String(60), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_target", "audit_log", ["target_type", "target_id"])
    for statement in APPEND_ONLY_SQL.get(op.get_bind().dialect.name, []):
        op.execute(statement)


# The same guard as submission_history (0002): no UPDATE or DELETE of a row, ever. (TRUNCATE, which
# fires no row triggers, stays possible for the test suite's cleaning.)
APPEND_ONLY_SQL = {
    "postgresql": [
        """CREATE FUNCTION bbt_audit_log_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
           FOR EACH ROW EXECUTE FUNCTION bbt_audit_log_append_only()""",
    ],
    "sqlite": [
        """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
        """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
           BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    ],
}


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS bbt_audit_log_append_only()")
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    op.drop_table("audit_log")
    fernet = box(current_app.config["SECRETS_KEYS"])
    raw = sa.table("portal_endpoints", sa.column("id"), *(sa.column(name) for name in COLUMNS))
    for row in bind.execute(sa.select(raw)).mappings().all():
        values = {name: fernet.decrypt(row[name].encode()).decode()
                  for name in COLUMNS if is_encrypted(row[name])}
        if values:
            bind.execute(sa.update(raw).where(raw.c.id == row["id"]).values(**values))
    _endpoint_columns(to_text=False)
