"""Which requests may write to the database, for SQLite's write lock (see create_app's "begin" listener).

SQLite cannot upgrade a transaction that read, then writes after another connection committed: it fails
with "database is locked", and the busy timeout does not help. So a request that may write takes the
write lock at BEGIN (BEGIN IMMEDIATE) and waits for it. POST, PUT, PATCH and DELETE may write; a few GET
views write too (opening the notifications marks them read; a payee record made on first look; a paid
sheet's PDF kept on its first download) and say so with @writes_on_get — without it the notifications
page answered 500 when the job runner committed between its read and its write.
"""
from flask import current_app, has_request_context, request

_READ_ONLY_METHODS = ("GET", "HEAD", "OPTIONS")


def writes_on_get(view):
    """Mark a GET view that writes. Put it next to the function (innermost): wrappers made with
    functools.wraps carry the mark outwards."""
    view.writes_on_get = True
    return view


def request_may_write():
    if not has_request_context():
        return False
    if request.method not in _READ_ONLY_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, "writes_on_get", False))
