"""Recording administrative changes. Callers are the services that make them, inside their
transaction (the entry commits or rolls back with the change); they have checked the actor."""
import functools
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect, select

from ..db_types import utcnow
from ..extensions import db
from ..secret_box import is_sealed
from .models import AuditEntry

# Never written to the log, whatever the record.
HIDDEN_FIELDS = frozenset({"password_hash", "secret", "previous_secret", "app_password", "session_generation",
                           "token_hash"})


def plain(value):
    """A JSON-able copy of a column value (money and rates as numbers or decimal strings)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def snapshot(obj, fields=None):
    """The record's column values (or the named fields), secrets left out; None for no record."""
    if obj is None:
        return None
    # Columns holding encrypted secrets (info=secret_box.SEALED_COLUMN) are left out too: a token is
    # no business of the log, and reading it must not depend on SECRETS_KEYS.
    names = fields or [attr.key for attr in inspect(obj).mapper.column_attrs
                       if not any(is_sealed(col) for col in attr.columns)]
    return {name: plain(getattr(obj, name)) for name in names if name not in HIDDEN_FIELDS}


def record(actor, action, target_type, target_id, before=None, after=None):
    """Add an entry in the caller's transaction; None (nothing written) when a save changed nothing (the same
    fields before and after): an unchanged form sent again is not a change to log."""
    if before is not None and before == after:
        return None
    entry = AuditEntry(at=utcnow(), actor_id=getattr(actor, "id", None), action=action, target_type=target_type,
                       target_id=str(target_id), before=before, after=after)
    db.session.add(entry)
    db.session.flush()
    return entry


def audited_save(action, target_type, row_index):
    """For services `save(actor, ..., row_or_None, ..., data)` that create or edit one record:
    the record's fields before (None when creating) and after, as one entry."""

    def decorate(save):
        @functools.wraps(save)
        def wrapped(actor, *args, **kwargs):
            row = args[row_index - 1] if len(args) >= row_index else None
            before = snapshot(row) if row is not None and inspect(row).persistent else None
            result = save(actor, *args, **kwargs)
            kind = target_type or inspect(result).mapper.local_table.name
            record(actor, action, kind, result.id, before, snapshot(result))
            return result

        return wrapped

    return decorate


def entries_query():
    return select(AuditEntry).order_by(AuditEntry.id.desc())
