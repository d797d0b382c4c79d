"""A content change of an item: the revision row, and the announcement that it happened.

Shared by the workflow service (text edits, a removed file) and the attachments module (a file
added to a published item), so neither imports the other for it.
"""
from flask_babel import lazy_gettext as _l

from ..db_types import utcnow
from ..extensions import db
from ..versioning import flush_or_conflict
from . import hooks
from .models import Revision

# A concurrent writer bumped the item's version between our read and our flush.
ITEM_CHANGED = _l("This item was changed by someone else. Reload it and try again.")


def snapshot(sub, actor):
    db.session.add(Revision(
        submission_id=sub.id, number=sub.revision, title=sub.title, summary=sub.summary,
        body_html=sub.body_html, category_id=sub.category_id, content_type=sub.content_type,
        language=sub.language, created_by_id=actor.id,
    ))


def announce_edit(sub, now):
    """The after-edit steps (hooks.py): a correction of a published item goes to the portal."""
    for handler in hooks.steps.after_edit:
        handler(sub, now)


def record_file_correction(actor, sub):
    """A file added to (or removed from) a published item is a correction like a text edit: a new
    revision, pushed to the portal as an update (same uri, higher version) with the item's files now.
    On an item not published, after_edit sends nothing: only the revision is written."""
    now = utcnow()
    sub.revision += 1
    sub.updated_at = sub.last_activity_at = now
    flush_or_conflict(ITEM_CHANGED)
    snapshot(sub, actor)
    db.session.expire(sub, ["attachments"])  # the document must list the file just added
    announce_edit(sub, now)
    db.session.flush()
    return sub
