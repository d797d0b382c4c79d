"""What PostgreSQL could do with a search's statement: the statements that matched words, and the plan of one
with a single index left (tests of the search's GIN index columns)."""
from contextlib import contextmanager

from sqlalchemy import event, text

from bbt_workflow.extensions import db


@contextmanager
def searches_seen():
    """[(statement, parameters)] of the statements run inside the block that matched words."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "to_tsquery" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def plan_with_only(index, statement, parameters):
    """EXPLAIN of `statement` with every other index of submissions dropped, inside a transaction that is rolled
    back. Test data is a handful of rows: the planner's choice would say nothing; this says whether `index`
    *can* take the statement's conditions. The caller's session must hold no lock on submissions."""
    with db.engine.connect() as conn, conn.begin() as transaction:
        conn.exec_driver_sql("ALTER TABLE submissions DROP CONSTRAINT uq_submissions_site_external_id")
        for name in conn.scalars(text(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = 'submissions'::regclass AND NOT i.indisprimary AND c.relname <> :keep"),
                {"keep": index}):
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        conn.exec_driver_sql("SET LOCAL enable_indexscan = off")  # not a walk of the primary key
        plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
        transaction.rollback()
    return plan
