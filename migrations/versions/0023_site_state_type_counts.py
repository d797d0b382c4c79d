"""the tab counts per content type too: a state tab filtered by type reads its total, not counts it

Revision ID: 0023_site_state_type_counts
Revises: 0022_site_state_id

site_state_counts (0021) held items per (site, state): a state tab with a type filter ("published, photos")
still counted its rows, up to CAP + 1 index entries (0.6 ms of a ~20 ms page at 1,000,000 items; the one
queue page under 40 % of the ceiling in bench/RESULTS.md). Keyed by (site, state, content_type), the same
rows give both: the tabs sum a state's types (at most 7 states × 8 types read per page), a type filter
reads its own row. The triggers also follow a change of type (an editor turning "tin" into "bài").

As in 0021: on PostgreSQL a move updates its two rows in key order, whichever direction, so two opposite
moves queue instead of deadlocking; SQLite has one writer at a time.
"""
import sqlalchemy as sa
from alembic import op

revision = "0023_site_state_type_counts"
down_revision = "0022_site_state_id"
branch_labels = None
depends_on = None

TRIGGERS = ("submissions_count_insert", "submissions_count_delete", "submissions_count_move")


def _postgres(keys):
    """The counting function and triggers over `keys` (0021's were site_id, state)."""
    params = ", ".join(f"k_{key} {'integer' if key == 'site_id' else 'varchar'}" for key in keys)
    args = {row: ", ".join(f"{row}.{key}" for key in keys) for row in ("OLD", "NEW")}
    columns = ", ".join(keys)
    moved = " OR ".join(f"OLD.{key} IS DISTINCT FROM NEW.{key}" for key in keys)
    return [
        f"""CREATE FUNCTION site_state_counts_add({params}, delta integer) RETURNS void
           LANGUAGE sql AS $$
             INSERT INTO site_state_counts ({columns}, n) VALUES ({", ".join(f"k_{key}" for key in keys)}, delta)
             ON CONFLICT ({columns}) DO UPDATE SET n = site_state_counts.n + delta
           $$""",
        f"""CREATE FUNCTION submissions_count_states() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF TG_OP = 'INSERT' THEN
               PERFORM site_state_counts_add({args["NEW"]}, 1);
             ELSIF TG_OP = 'DELETE' THEN
               PERFORM site_state_counts_add({args["OLD"]}, -1);
             ELSIF ({args["OLD"]}) < ({args["NEW"]}) THEN
               PERFORM site_state_counts_add({args["OLD"]}, -1);
               PERFORM site_state_counts_add({args["NEW"]}, 1);
             ELSE
               PERFORM site_state_counts_add({args["NEW"]}, 1);
               PERFORM site_state_counts_add({args["OLD"]}, -1);
             END IF;
             RETURN NULL;
           END $$""",
        "CREATE TRIGGER submissions_count_insert AFTER INSERT ON submissions "
        "FOR EACH ROW EXECUTE FUNCTION submissions_count_states()",
        "CREATE TRIGGER submissions_count_delete AFTER DELETE ON submissions "
        "FOR EACH ROW EXECUTE FUNCTION submissions_count_states()",
        f"CREATE TRIGGER submissions_count_move AFTER UPDATE OF {columns} ON submissions FOR EACH ROW "
        f"WHEN ({moved}) EXECUTE FUNCTION submissions_count_states()",
    ]


def _sqlite(keys):
    def add(row, delta):
        # The row is made at 0 if missing, then moved.
        values = ", ".join(f"{row}.{key}" for key in keys)
        match = " AND ".join(f"{key} = {row}.{key}" for key in keys)
        return (f"INSERT OR IGNORE INTO site_state_counts ({', '.join(keys)}, n) VALUES ({values}, 0); "
                f"UPDATE site_state_counts SET n = n + ({delta}) WHERE {match};")

    moved = " OR ".join(f"old.{key} IS NOT new.{key}" for key in keys)
    return [
        f"CREATE TRIGGER submissions_count_insert AFTER INSERT ON submissions BEGIN {add('new', 1)} END",
        f"CREATE TRIGGER submissions_count_delete AFTER DELETE ON submissions BEGIN {add('old', -1)} END",
        f"CREATE TRIGGER submissions_count_move AFTER UPDATE OF {', '.join(keys)} ON submissions "
        f"WHEN {moved} BEGIN {add('old', -1)} {add('new', 1)} END",
    ]


def _drop_counting():
    if op.get_bind().dialect.name == "postgresql":
        for trigger in TRIGGERS:
            op.execute(f"DROP TRIGGER {trigger} ON submissions")
        op.execute("DROP FUNCTION submissions_count_states()")
        op.execute("DROP FUNCTION site_state_counts_add")
    else:
        for trigger in TRIGGERS:
            op.execute(f"DROP TRIGGER {trigger}")
    op.drop_table("site_state_counts")


def _count_by(keys):
    """site_state_counts keyed by `keys`, filled from the items, with its triggers."""
    op.create_table(
        "site_state_counts",
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
        *[sa.Column(key, sa.String(20), nullable=False) for key in keys[1:]],
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*keys),
    )
    for statement in _postgres(keys) if op.get_bind().dialect.name == "postgresql" else _sqlite(keys):
        op.execute(statement)
    columns = ", ".join(keys)
    op.execute(f"INSERT INTO site_state_counts ({columns}, n) "
               f"SELECT {columns}, count(*) FROM submissions GROUP BY {columns}")


def upgrade():
    _drop_counting()
    _count_by(("site_id", "state", "content_type"))


def downgrade():
    _drop_counting()
    _count_by(("site_id", "state"))
