"""Small caches that live as long as one database transaction, with no request behind them.

Reading a page of fifty graded items asks the same rule tables and current gradings fifty times;
each answer is kept in the session's `info` until the transaction ends (commit or rollback) or a
row of a watched model changes in this session (added, changed or deleted through the ORM, or by a
bulk INSERT/UPDATE/DELETE statement). A CLI command or a job gets the same behaviour as a request.
"""
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db

_KEY = "bbt_royalty_caches"


def _caches(session):
    return session.info.setdefault(_KEY, {})


def session_cache(name, models):
    """The dict cached as `name` in the current session, emptied first if a row of `models` is
    pending (so a lookup sees the change the autoflush of a fresh query would have shown)."""
    session = db.session()
    caches = _caches(session)
    entry = caches.get(name)
    if entry is not None and _pending(session, models):
        entry = None
    if entry is None:
        entry = caches[name] = ({}, tuple(models))
    return entry[0]


def _pending(session, models):
    return any(isinstance(obj, models) for obj in (*session.new, *session.deleted, *session.dirty))


def _forget(session, models=None):
    caches = session.info.get(_KEY)
    if not caches:
        return
    if models is None:
        caches.clear()
        return
    for name, (_values, watched) in list(caches.items()):
        if any(issubclass(model, watched) for model in models):
            del caches[name]


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _transaction_over(session, *args):
    _forget(session)


@event.listens_for(Session, "after_flush")
def _rows_flushed(session, _context):
    changed = {type(obj) for obj in (*session.new, *session.dirty, *session.deleted)}
    if changed:
        _forget(session, changed)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(orm_execute_state):
    if orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete:
        mapper = orm_execute_state.bind_mapper
        _forget(orm_execute_state.session, [mapper.class_] if mapper is not None else None)
