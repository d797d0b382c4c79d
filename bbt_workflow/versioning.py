"""Optimistic concurrency, shared by every versioned object (submissions, royalty sheets).

Each write carries the version the actor saw; a stale one is a 409 that changes nothing, and it is
checked before anything else (API.md). Two writers that pass the check at the same moment are told
apart by the ORM's version counter at flush time (StaleDataError), reported the same way.

Neither helper rolls back: the entry point (request, CLI command, job) owns the transaction and rolls
it back when a ServiceError reaches it.
"""
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict
from .extensions import db


def check_version(obj, seen, message):
    """`seen` must equal `obj.version`; anything else (missing, stale, not a number from a tampered
    form) raises Conflict. `message(now, seen)` gives the translatable text."""
    try:
        seen_number = int(seen)
    except (TypeError, ValueError):
        seen_number = None
    if seen_number != obj.version:
        raise Conflict(message(obj.version, str(seen)[:20]), code="stale_version", details={"version": obj.version})


def flush_or_conflict(message):
    """Flush; a concurrent writer's version bump becomes a Conflict with `message`."""
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(message, code="stale_version") from None
