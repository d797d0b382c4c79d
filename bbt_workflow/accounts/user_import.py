"""Bringing users in from a CSV file (the admin screen and the API), each row through the same
services as a user created by hand: `create_user` and `set_membership` (which check the actor)."""
import csv
import io
import re

from flask_babel import lazy_gettext as _l

from ..errors import Conflict, ValidationFailed, field_error
from ..extensions import db
from .services import require_admin, create_user, get_site, set_membership


CSV_COLUMNS = ("username", "email", "full_name", "unit", "pen_name", "phone", "password", "site", "roles")
REQUIRED_CSV_COLUMNS = ("username", "email", "full_name")
MAX_CSV_ROWS = 5000


class ImportReport:
    def __init__(self):
        self.created = []
        self.errors = []  # (line number, username, message)

    @property
    def ok(self):
        return not self.errors


def _decode_csv(data):
    if isinstance(data, str):
        return data
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(_l("The file is not UTF-8 text."), code="bad_encoding")


def import_users_csv(actor, data, *, invite=None):
    """All-or-nothing: every row is checked; with any bad row nothing is kept.

    Rows run inside a savepoint each so one bad row reports its own error and the
    others are still checked; at the end, any error rolls back the whole import.
    `invite(user)` is called for created users without a password (queue a link).
    """
    require_admin(actor)
    text = _decode_csv(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        raise ValidationFailed(
            _l("Columns must be: %(cols)s (missing: %(missing)s; unknown: %(unknown)s).",
               cols=", ".join(CSV_COLUMNS), missing=", ".join(missing) or "—",
               unknown=", ".join(unknown) or "—"),
            code="bad_header",
        )
    reader.fieldnames = header
    report = ImportReport()
    outer = db.session.begin_nested()
    for index, raw in enumerate(reader):
        line = index + 2  # the header is line 1
        if index >= MAX_CSV_ROWS:
            report.errors.append((line, "", str(_l("Too many rows (at most %(n)s).", n=MAX_CSV_ROWS))))
            break
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            report.errors.append((line, row.get("username", ""), str(_l("Too many fields in this row."))))
            continue
        savepoint = db.session.begin_nested()
        try:
            user = create_user(
                actor, username=row.get("username"), email=row.get("email"),
                full_name=row.get("full_name"), password=row.get("password") or None,
                unit=row.get("unit") or None, pen_name=row.get("pen_name"), phone=row.get("phone"),
            )
            if row.get("site") or row.get("roles"):
                if not row.get("site"):
                    raise field_error("site", _l("Roles given without a site."))
                site = get_site(row["site"], field="site")
                roles = [r.strip() for r in re.split(r"[;|]", row.get("roles", "")) if r.strip()]
                set_membership(actor, user, site, roles)
            savepoint.commit()
            report.created.append((user, not row.get("password")))
        except (ValidationFailed, Conflict) as exc:
            savepoint.rollback()
            report.errors.append((line, row.get("username", ""), str(exc.message)))
    if report.errors:
        outer.rollback()
        report.created = []
        return report
    outer.commit()
    if invite:
        for user, needs_password in report.created:
            if needs_password:
                invite(user)
    return report
