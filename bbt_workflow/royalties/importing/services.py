"""Bringing in items already published on the old portal (API.md, POST /admin/sites/{site}/import).

At go-live the board imports the unpaid items of the current period with their
gradings (they land on the next sheet) and past years marked `royalty_settled`
(never on a sheet) so reports have last year's figures. All or nothing: every
row is checked, and one refused row means nothing is written; each refusal names
its row. An `external_id` already imported for the site is skipped.
"""
import csv
import io

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from ...accounts.models import Unit, User
from ...domain.content_types import CONTENT_TYPES
from ...domain.royalty_rules import local_date
from ...errors import ServiceError, ValidationFailed
from ...extensions import db
from ...submissions.models import Submission
from ...submissions.services import create_imported_submission
from ..grading.services import read_grading, store_grading

MAX_ITEMS = 5000


class ImportItem(Schema):
    external_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    content_type = fields.String(required=True, validate=validate.OneOf(list(CONTENT_TYPES)))
    category = fields.String(required=True, validate=validate.Length(min=1, max=60))
    unit = fields.String(load_default=None, allow_none=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=500))
    summary = fields.String(load_default="", allow_none=True)
    body_html = fields.String(load_default="", allow_none=True)
    author_username = fields.String(load_default=None, allow_none=True)
    author_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))
    author_pen_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))
    published_at = fields.AwareDateTime(required=True)
    portal_url = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    grading = fields.Dict(load_default=None, allow_none=True)
    royalty_settled = fields.Boolean(load_default=False)


def _first_message(messages):
    parts = []
    for name, problems in sorted(messages.items()):
        text = problems[0] if isinstance(problems, list) else str(problems)
        parts.append(f"{name}: {text}")
    return "; ".join(parts)


def import_items(actor, site, items):
    """Import; returns {created, skipped_existing, errors: []}, or raises ValidationFailed
    with details.errors = [{index, message}] and nothing written."""
    if len(items) > MAX_ITEMS:
        raise ValidationFailed(_l("At most %(n)s items per request.", n=MAX_ITEMS), code="too_many_items")
    errors, seen, created, skipped = [], set(), 0, 0
    known = set()
    ids = [str(i.get("external_id")) for i in items if isinstance(i, dict) and i.get("external_id")]
    for start in range(0, len(ids), 500):
        known |= set(db.session.scalars(select(Submission.external_id).where(
            Submission.site_id == site.id, Submission.external_id.in_(ids[start:start + 500]))))
    with db.session.no_autoflush:
        savepoint = db.session.begin_nested()
        for index, raw in enumerate(items):
            try:
                row = ImportItem().load(raw if isinstance(raw, dict) else {})
            except ValidationError as exc:
                errors.append({"index": index, "message": _first_message(exc.messages)})
                continue
            external_id = row["external_id"].strip()
            if external_id in known:
                skipped += 1
                continue
            if external_id in seen:
                errors.append({"index": index, "message": str(_l("external_id %(id)s appears twice in this request.",
                                                                  id=external_id))})
                continue
            seen.add(external_id)
            try:
                _import_one(actor, site, row, external_id)
                created += 1
            except ServiceError as exc:
                message = str(exc.message)
                # Field details add to the message only when they say something else.
                details = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.details.items()
                                    if k not in ("grading",) and [str(m) for m in v] != [message])
                message += f" ({details})" if details else ""
                errors.append({"index": index, "message": message})
        if errors:
            savepoint.rollback()
            raise ValidationFailed(
                _l("Nothing was imported: %(n)s items were refused.", n=len(errors)), code="import_refused",
                details={"errors": errors},
            )
        savepoint.commit()
    return {"created": created, "skipped_existing": skipped, "errors": []}


def _import_one(actor, site, row, external_id):
    unit = None
    if row["unit"]:
        unit = db.session.scalar(select(Unit).where(Unit.code == row["unit"]))
        if unit is None:
            raise ValidationFailed(_l("Unknown unit %(code)s.", code=row["unit"][:40]))
    authors = None
    if row["author_username"]:
        author = db.session.scalar(select(User).where(User.username == row["author_username"].strip().lower()))
        if author is None:
            raise ValidationFailed(_l("Unknown user %(name)s.", name=row["author_username"][:64]))
    elif row["author_name"]:
        # An outsider: the importing admin holds the item; the outsider is its named author.
        author = actor
        authors = [{"name": row["author_name"], "pen_name": row["author_pen_name"], "share": "100"}]
    else:
        raise ValidationFailed(_l("Give author_username or author_name."))
    sub = create_imported_submission(
        actor, site, row, author=author, unit=unit, published_at=row["published_at"], external_id=external_id,
        portal_url=row["portal_url"], royalty_settled=row["royalty_settled"], authors=authors,
    )
    if row["grading"]:
        graded = read_grading(site, row["grading"], local_date(row["published_at"]))
        store_grading(actor, sub, graded, "import")
    elif not row["royalty_settled"]:
        raise ValidationFailed(_l("An unpaid item needs its grading (or mark it royalty_settled)."))
    return sub


CSV_COLUMNS = ("external_id", "content_type", "category", "unit", "title", "summary", "author_username",
               "author_name", "author_pen_name", "published_at", "portal_url", "royalty_settled",
               "genre", "coefficient", "payees")


def items_from_csv(text):
    """Rows of the admin's CSV file as import items. Grading columns: genre, coefficient and payees
    as "username:share;Name (Pen name):share" — one part, no adjustments (use the API for more)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"external_id", "content_type", "category", "title", "published_at"} - set(reader.fieldnames or [])
    if missing:
        raise ValidationFailed(_l("The file lacks the columns: %(names)s.", names=", ".join(sorted(missing))),
                               code="bad_file")
    items = []
    for row in reader:
        item = {k: (row.get(k) or "").strip() or None for k in CSV_COLUMNS if k not in ("genre", "coefficient",
                                                                                          "payees")}
        item["royalty_settled"] = (row.get("royalty_settled") or "").strip().lower() in ("1", "true", "x", "có", "yes")
        if (row.get("genre") or "").strip():
            payees = []
            for chunk in (row.get("payees") or "").split(";"):
                if not chunk.strip():
                    continue
                who, _, share = chunk.rpartition(":")
                who = who.strip()
                if "(" in who and who.endswith(")"):
                    name, pen = who[:-1].split("(", 1)
                    payees.append({"name": name.strip(), "pen_name": pen.strip(), "share": share.strip()})
                else:
                    payees.append({"username": who, "share": share.strip()})
            item["grading"] = {"parts": [{"genre": row["genre"].strip(),
                                          "coefficient": (row.get("coefficient") or "").strip() or None,
                                          "factors": [], "payees": payees}]}
            if item["grading"]["parts"][0]["coefficient"] is None:
                del item["grading"]["parts"][0]["coefficient"]
        items.append({k: v for k, v in item.items() if v is not None})
    return items
