"""Claim-with-lease queues: the portal outbox (publishing/worker.py) and the mail queue (mailqueue/worker.py).

A worker claims due rows in one short write that leases them (the caller's values: a later next
attempt, a lease expiry and token, attempts + 1), commits, and only then does its slow work (HTTP,
SMTP) outside any transaction. A worker that dies leaves its rows leased until the lease passes;
then they are due again: delivery is at least once, never lost.

PostgreSQL: several workers at once, each claims with `FOR UPDATE SKIP LOCKED`.
SQLite: one writer; an idle queue is found with a plain read (no write lock taken), and the
claim is a single UPDATE, so it takes the write lock at once.
"""
import secrets

from sqlalchemy import select, text, update

from .extensions import db


def new_token():
    """A lease token: a worker records its result only while the row still carries it (fencing)."""
    return secrets.token_hex(16)


def is_postgresql():
    return db.engine.dialect.name == "postgresql"


def take_write_lock(model):
    """SQLite: take the write lock before reading. A transaction that read first and writes later
    fails ("database is locked") when another connection committed in between; one that starts
    with a write waits for the lock instead (busy timeout). PostgreSQL: nothing to do."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text(f"UPDATE {model.__tablename__} SET id = id WHERE 0"))


def lease_due_rows(model, due, *, order_by, limit, values, returning, recheck=False):
    """One UPDATE leasing up to `limit` due rows (skipping rows another worker holds, on
    PostgreSQL); flushes nothing else and does not commit. Returns the `returning` rows."""
    ids = select(model.id).where(due).order_by(*order_by).limit(limit)
    if is_postgresql():
        ids = ids.with_for_update(skip_locked=True)
    condition = [model.id.in_(ids.scalar_subquery())]
    if recheck:
        condition.append(due)
    stmt = (update(model).where(*condition).values(**values).returning(*returning)
            .execution_options(synchronize_session=False))
    return db.session.execute(stmt).all()


def claim_due_rows(model, due, **lease):
    """A worker step, for worker entry points only: it ends the caller's transaction, and commits
    the claim (a lease is a lease once the other workers see it). Returns the leased rows."""
    db.session.commit()
    # A plain read first: an idle queue takes no write lock (SQLite has one writer for everyone).
    found = db.session.scalar(select(model.id).where(due).limit(1))
    # End the read before writing: on SQLite a read transaction that then writes fails at once
    # ("database is locked") when another writer committed meanwhile; a fresh one waits its turn.
    db.session.commit()
    if found is None:
        return []
    rows = lease_due_rows(model, due, **lease)
    db.session.commit()
    return rows
