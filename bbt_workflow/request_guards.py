"""Input no database can store, refused at the door for every route.

- An id beyond what the id columns hold in a URL (`/submissions/2147483648`) would make the database
  overflow (ids are INTEGER, 32-bit on PostgreSQL): the `int` converter stops at 2^31 − 1, so such a URL
  is a plain 404 on every database alike. Id query parameters use the same bound (MAX_ID).
- A JSON body nested too deep for the parser (Python's recursion limit) is a 400, and a lone UTF-16
  surrogate (`"x\ud800y"`, no character at all: no database or encoder can store it) is a 422 on its field.
- A NUL character in any text (JSON string, form field, query parameter) is refused by PostgreSQL's
  text types: it is answered 400 before any handler runs, on every database alike.
"""
from flask import abort, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

from .errors import ValidationFailed

# The id columns are INTEGER (int4 on PostgreSQL), not BIGINT.
MAX_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` limited to what an INTEGER id column holds."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _has_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _lone_surrogate_fields(value, path=""):
    """The fields (dotted path, top-level name for a plain body) whose text holds a lone surrogate."""
    if isinstance(value, str):
        return [path or "body"] if any("\ud800" <= ch <= "\udfff" for ch in value) else []
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in _lone_surrogate_fields(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [f for i, v in enumerate(value) for f in _lone_surrogate_fields(v, f"{path}.{i}" if path else str(i))]
    return []


def _json_body():
    try:
        return request.get_json(silent=True)
    except RecursionError:
        abort(400, description="JSON nested too deep.")


def _refuse_nul_characters():
    if "\x00" in request.path or any("\x00" in v for v in request.args.values()):
        abort(400, description="NUL character in the address.")
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.is_json:
        body = _json_body()
        if _has_nul(body):
            abort(400, description="NUL character in the body.")
        bad = _lone_surrogate_fields(body)
        if bad:
            message = _l("Text with an invalid character (a lone surrogate).")
            raise ValidationFailed(message, details={field: [str(message)] for field in bad})
    elif any("\x00" in v for v in request.form.values()) or any("\x00" in (f.filename or "") for f in request.files.values()):
        abort(400, description="NUL character in the form.")


def install_request_guards(app):
    """Call before any blueprint is registered: routes compile their converters when added."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.before_request(_refuse_nul_characters)
