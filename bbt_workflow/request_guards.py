"""Input no database can store, refused at the door for every route.

- An id larger than a 64-bit integer in a URL (`/submissions/99999999999999999999`) would make the
  database driver overflow: the `int` converter now stops at 2^63 − 1, so such a URL is a plain 404.
- A NUL character in any text (JSON string, form field, query parameter) is refused by PostgreSQL's
  text types: it is answered 400 before any handler runs, on every database alike.
"""
from flask import abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` limited to what a BIGINT column holds."""

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


def _refuse_nul_characters():
    if "\x00" in request.path or any("\x00" in v for v in request.args.values()):
        abort(400, description="NUL character in the address.")
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.is_json:
        if _has_nul(request.get_json(silent=True)):
            abort(400, description="NUL character in the body.")
    elif any("\x00" in v for v in request.form.values()) or any("\x00" in (f.filename or "") for f in request.files.values()):
        abort(400, description="NUL character in the form.")


def install_request_guards(app):
    """Call before any blueprint is registered: routes compile their converters when added."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.before_request(_refuse_nul_characters)
