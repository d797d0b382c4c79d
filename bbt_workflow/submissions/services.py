"""The one way to create, edit and move submissions.

Every function takes the acting user, checks the workflow table and the
version the actor saw, writes a revision and/or a history row in the same
transaction, queues notifications, flushes, and never commits.

It knows nobody downstream: the grading before forward/approve, and what follows a transition
or an edit (the portal's outbox), are the steps registered in `hooks.py`, filled by royalties and
publishing at start-up. The workflow's own notifications are called directly (below).
"""
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import Category, User
from ..db_types import utcnow
from ..domain import workflow as wf
from ..domain.content_types import CONTENT_TYPES, missing_fields
from ..domain.html_policy import html_to_text, sanitize_html
from ..domain.text_diff import word_diff
from ..domain.text_search import fold
from ..errors import Forbidden, NotFound, ServiceError, ValidationFailed, field_error
from ..extensions import db
from ..permissions import can_coauthor_on, can_create_on, can_see_submission, item_actor, submission_actor
from ..versioning import check_version as check_version_of, flush_or_conflict
from . import hooks
from .attachments import attachment_count, attachment_of, describe_attachments, remove_files_after_commit
from .models import HistoryEntry, Revision, Submission, SubmissionAuthor
from .notifications import notify_transition
from .revisions import ITEM_CHANGED, announce_edit, record_file_correction, snapshot

# How the required-field check names what is missing.
REQUIRED_FIELD_LABELS = {
    "title": _l("Title"), "category": _l("Category"), "summary": _l("Summary"), "body_html": _l("Body"),
    "attachment": _l("Attachments"), "body_or_attachment": _l("Body or an attached file"),
}

CONTENT_FIELDS = ("title", "summary", "body_html", "category", "content_type", "language", "authors", "publish_at",
                  "attachments")
LANGUAGES = ("vi", "en")


def _category(site, code):
    if code is None:
        return None
    category = db.session.scalar(select(Category).where(Category.site_id == site.id, Category.code == code))
    if category is None or not category.active:
        raise field_error("category", _l("Unknown category %(code)s on this site.", code=code), "unknown_category")
    return category


def _member_author(value, site, main_author, index):
    """The account behind a co-author row: the item's creator, or a contributor-or-above of the
    site. Unknown and non-member ids get the same answer, so ids cannot be probed for names."""
    user = db.session.get(User, value) if isinstance(value, int) and 0 < value < 2**31 else None
    if user is not None and (user.id == main_author.id or can_coauthor_on(user, site)):
        return user
    raise field_error("authors", _l("Author %(n)s: not a contributor, editor or approver of this site.",
                                    n=index + 1), code="not_a_site_member")


def _authors(authors, main_author, site, *, imported=False):
    """Validate co-authors: each a member (user_id) or a named outsider; shares sum to 100; the
    item's creator stays among them. An imported item (the old portal's record, held by the
    importing admin for a named outsider) keeps its authors as they were."""
    if not authors:
        return [SubmissionAuthor(user_id=main_author.id, name=main_author.full_name,
                                 pen_name=main_author.pen_name, share=Decimal("100"))]
    rows, total = [], Decimal(0)
    for index, item in enumerate(authors):
        try:
            share = Decimal(str(item.get("share")))
        except (InvalidOperation, TypeError):
            raise field_error("authors", _l("Author %(n)s: the share must be a number.", n=index + 1))
        if not (Decimal(0) < share <= 100) or share.as_tuple().exponent < -2:
            raise field_error("authors", _l("Author %(n)s: the share must be above 0 and at most 100, with at most two decimals.", n=index + 1))
        total += share
        if item.get("user_id") and imported:
            user = db.session.get(User, item["user_id"])
            if user is None:
                raise field_error("authors", _l("Author %(n)s: unknown user.", n=index + 1))
            rows.append(SubmissionAuthor(user_id=user.id, name=user.full_name,
                                         pen_name=item.get("pen_name") or user.pen_name, share=share))
        elif item.get("user_id"):
            user = _member_author(item["user_id"], site, main_author, index)
            rows.append(SubmissionAuthor(user_id=user.id, name=user.full_name,
                                         pen_name=item.get("pen_name") or user.pen_name, share=share))
        else:
            name = (item.get("name") or "").strip()
            if not name:
                raise field_error("authors", _l("Author %(n)s: give a member or a name.", n=index + 1))
            rows.append(SubmissionAuthor(name=name[:255], pen_name=(item.get("pen_name") or "").strip()[:255] or None,
                                         share=share))
    if total != 100:
        raise field_error("authors", _l("The authors' shares must add up to 100 (now %(total)s).", total=total))
    if not imported and not any(row.user_id == main_author.id for row in rows):
        # Nobody writes an item in someone else's name only.
        raise field_error("authors", _l("The item's creator must stay among its authors."), code="creator_not_author")
    return rows


def _refresh_search_text(sub):
    sub.search_text = fold(" ".join([sub.title or "", sub.summary or "", html_to_text(sub.body_html)]))


def record_history(actor, sub, action, from_state, comment=None, at=None):
    """One row of the item's history: `actor` (None for the system) did `action`, moving it from
    `from_state` to its current state (the same state for edits and regradings), at `at` (now)."""
    db.session.add(HistoryEntry(
        submission_id=sub.id, site_id=sub.site_id, action=action, from_state=from_state, to_state=sub.state,
        actor_id=actor.id if actor is not None else None, comment=comment, revision=sub.revision,
        # The service's clock, as the item's step times (first_submitted_at, published_at,
        # state_entered_at): reports and the queue compare them.
        at=at or utcnow(),
    ))


def _apply_content(sub, changes, actor):
    # Lookups below must not flush a half-changed item: one change, one UPDATE, one version.
    with db.session.no_autoflush:
        _apply_content_fields(sub, changes)


def _apply_content_fields(sub, changes):
    if "title" in changes:
        title = (changes["title"] or "").strip()
        if len(title) > 500:
            raise field_error("title", _l("At most %(n)s characters.", n=500))
        sub.title = title
    if "summary" in changes:
        sub.summary = (changes["summary"] or "").strip()
    if "body_html" in changes:
        sub.body_html = sanitize_html(changes["body_html"], current_app.config["IMAGE_HOSTS"])
    if "category" in changes:
        category = _category(sub.site, changes["category"])
        sub.category_id = category.id if category else None
    if "content_type" in changes:
        if changes["content_type"] not in CONTENT_TYPES:
            raise field_error("content_type", _l("Unknown content type."))
        sub.content_type = changes["content_type"]
    if "language" in changes:
        if changes["language"] not in LANGUAGES:
            raise field_error("language", _l("Language must be vi or en."))
        sub.language = changes["language"]
    if "publish_at" in changes:
        sub.publish_at = changes["publish_at"]
    if "authors" in changes:
        sub.authors = _authors(changes["authors"], sub.author, sub.site)
    if changes.get("attachments"):
        describe_attachments(sub, changes["attachments"])
    _refresh_search_text(sub)


def create_submission(actor, site, data):
    """A new draft on a site where the actor is a contributor, editor or approver (accountants only read)."""
    if not can_create_on(actor, site):
        raise Forbidden(_l("Only the site's contributors, editors and approvers create items."), code="not_allowed")
    if data.get("content_type") not in CONTENT_TYPES:
        raise field_error("content_type", _l("Unknown content type."))
    now = utcnow()
    sub = Submission(site=site, site_id=site.id, author=actor, author_id=actor.id, unit_id=actor.unit_id,
                     state=wf.DRAFT, revision=1, content_type=data["content_type"], language="vi",
                     created_at=now, updated_at=now, last_activity_at=now, state_entered_at=now)
    db.session.add(sub)
    _apply_content(sub, {k: v for k, v in data.items() if k in CONTENT_FIELDS}, actor)
    with db.session.no_autoflush:
        if not sub.authors:
            sub.authors = _authors(None, actor, site)
    db.session.flush()
    snapshot(sub, actor)
    record_history(actor, sub, "create", None, at=now)
    db.session.flush()
    return sub


def remove_attachment(actor, sub, attachment_id):
    """Take a file off the item, by who may edit it now: a new revision and a "remove_attachment"
    history entry naming the file; on a published item a correction pushed to the portal. The
    stored file is deleted after the commit (attachments.remove_files_after_commit)."""
    if not wf.may_edit(sub.state, submission_actor(actor, sub)):
        raise Forbidden(_l("You cannot edit this item in its current state."), code="not_editable")
    attachment = attachment_of(sub, attachment_id)
    if attachment is None:
        raise NotFound(_l("Not found."))
    filename = attachment.filename
    remove_files_after_commit(attachment)
    db.session.delete(attachment)
    db.session.flush()
    record_file_correction(actor, sub)
    record_history(actor, sub, "remove_attachment", sub.state, comment=filename)
    db.session.flush()
    return sub


def create_imported_submission(actor, site, data, *, author, unit, published_at, external_id, portal_url,
                               royalty_settled, authors=None):
    """An item already published on the old portal, brought in as `published` with an
    "import" history entry (the one path that creates an item past draft). It entered `published` here, when
    imported, as its history says (its time on the old portal is published_at)."""
    now = utcnow()
    sub = Submission(site=site, site_id=site.id, author=author, author_id=author.id,
                     unit_id=unit.id if unit else author.unit_id, state=wf.PUBLISHED, revision=1,
                     content_type=data["content_type"], language="vi", external_id=external_id,
                     portal_url=portal_url, royalty_settled=royalty_settled, published_at=published_at,
                     approved_at=published_at, first_submitted_at=published_at,
                     created_at=published_at, updated_at=now, last_activity_at=now, state_entered_at=now)
    db.session.add(sub)
    _apply_content(sub, {k: data.get(k) for k in ("title", "summary", "body_html", "category")}, actor)
    with db.session.no_autoflush:
        sub.authors = _authors(authors, author, site, imported=True)
    db.session.flush()
    snapshot(sub, actor)
    record_history(actor, sub, "import", None, comment=f"external_id={external_id}", at=now)
    db.session.flush()
    return sub


def _stale_item(now, seen):
    return _l("This item was changed by someone else (version %(now)s, you saw %(seen)s). Reload it and try again.",
              now=now, seen=seen)


def check_version(sub, version):
    """The version the actor saw must be the current one. Anything else (missing, stale,
    not a number from a tampered form) changes nothing and is reported as a conflict."""
    check_version_of(sub, version, _stale_item)


def edit_submission(actor, sub, version, changes):
    """A content change: a new revision, if the actor may edit in this state. The version
    first: a stale one is a conflict whatever else is wrong (API.md)."""
    check_version(sub, version)
    if not wf.may_edit(sub.state, submission_actor(actor, sub)):
        raise Forbidden(_l("You cannot edit this item in its current state."), code="not_editable")
    changes = {k: v for k, v in changes.items() if k in CONTENT_FIELDS}
    if not changes:
        raise ValidationFailed(_l("Nothing to change."), code="no_changes")
    _apply_content(sub, changes, actor)
    now = utcnow()
    sub.revision += 1
    sub.updated_at = sub.last_activity_at = now
    flush_or_conflict(ITEM_CHANGED)
    snapshot(sub, actor)
    # A correction of a published item goes to the portal as an update.
    announce_edit(sub, now)
    db.session.flush()
    return sub


def needs_grading(sub, transition):
    """forward/approve carry a royalty grading, except for items whose royalties were settled
    outside the system (imported history)."""
    return transition.needs_grading and not sub.royalty_settled


def transition_submission(actor, sub, action, version, *, comment=None, grading=None, publish_at=None, system=False):
    """Apply one action of the workflow table. The version is checked before anything else:
    a caller whose view is out of date gets 409 (reload), not a refusal computed from a state
    they never saw."""
    if not system:
        check_version(sub, version)
    wf_actor = wf.Actor(is_system=True) if system else submission_actor(actor, sub)
    try:
        transition = wf.decide(action, sub.state, wf_actor, sub.site.approval_levels)
    except wf.TransitionRefused as refused:
        if refused.reason == "four_eyes":
            raise Forbidden(_l("Four eyes: the author or a co-author of an item can neither forward nor "
                               "approve it; another person must."), code="four_eyes")
        if refused.reason == "not_allowed":
            raise Forbidden(_l("You may not %(action)s this item.", action=action), code="not_allowed")
        if refused.reason == "unknown_action":
            raise field_error("action", _l("Unknown action %(action)s.", action=action), "unknown_action")
        raise ValidationFailed(
            _l("The action %(action)s is not possible while the item is %(state)s.", action=action, state=sub.state),
            code="invalid_transition",
        )
    comment = (comment or "").strip() or None
    if transition.needs_comment and not comment:
        raise field_error("comment", _l("A comment is required for this action."), "comment_required")
    if action == "submit":
        missing = missing_fields(sub.content_type, title=sub.title, category=sub.category_id,
                                 summary=sub.summary, body_text=html_to_text(sub.body_html),
                                 attachment_count=attachment_count(sub))
        if missing:
            names = ", ".join(str(REQUIRED_FIELD_LABELS[f]) for f in missing)
            raise ValidationFailed(_l("Fill in the required fields before submitting: %(fields)s.", fields=names),
                                   code="missing_fields",
                                   details={f: [str(_l("This field is required."))] for f in missing})
    if needs_grading(sub, transition):
        hooks.steps.grading(actor, sub, action, grading, publish_at)
    now = utcnow()
    from_state = sub.state
    sub.state = transition.target
    if sub.state != from_state:
        sub.state_entered_at = now
    if transition.sets_assignee:
        sub.assignee_id, sub.claimed_at = actor.id, now
    if transition.clears_assignee:
        sub.assignee_id, sub.claimed_at = None, None
    if transition.takes_publish_at and publish_at is not None:
        sub.publish_at = publish_at
    if action == "submit" and sub.first_submitted_at is None:
        sub.first_submitted_at = now
    if action == "approve":
        sub.approved_at = now
    if action == "publish":
        sub.published_at = now
    sub.updated_at = sub.last_activity_at = now
    flush_or_conflict(ITEM_CHANGED)
    who = None if system else actor
    record_history(who, sub, action, from_state, comment, at=now)
    # Called directly, not registered: the workflow's own part, and it needs the comment.
    notify_transition(sub, action, actor=who, comment=comment)
    # The portal (publishing's outbox rows, or publishing at once), in this same transaction.
    for handler in hooks.steps.after_transition:
        handler(sub, action, now, who)
    db.session.flush()
    return sub


def claim_many(actor, items):
    """Claim several items in one request: each one through transition_submission (visibility, the
    workflow's rules and the version the actor saw are all checked), each in its own savepoint so
    one refusal leaves the others claimed. items: [(submission_id, version)].
    Returns (claimed submissions, [(submission_id, title or None, message)] for the refused ones)."""
    claimed, refused = [], []
    for submission_id, version in items:
        title = None
        try:
            with db.session.begin_nested():
                sub = get_visible_submission(actor, submission_id)
                title = sub.title
                transition_submission(actor, sub, "claim", version)
        except ServiceError as exc:
            refused.append((submission_id, title, str(exc.message)))
        else:
            claimed.append(sub)
    return claimed, refused


def revision_of(sub, number):
    revision = db.session.scalar(
        select(Revision).where(Revision.submission_id == sub.id, Revision.number == number)
    )
    if revision is None:
        raise NotFound(_l("No such revision."))
    return revision


def diff_revisions(sub, old_number, new_number):
    """Word-level changes of title, summary and body text between two revisions."""
    old, new = revision_of(sub, old_number), revision_of(sub, new_number)
    return {
        "from": old.number, "to": new.number,
        "fields": {
            "title": word_diff(old.title, new.title),
            "summary": word_diff(old.summary, new.summary),
            "body": word_diff(html_to_text(old.body_html), html_to_text(new.body_html)),
        },
    }


def get_visible_submission(user, submission_id):
    sub = db.session.get(Submission, submission_id)
    if sub is None or not can_see_submission(user, sub):
        raise NotFound(_l("Not found."))
    return sub


def may_edit_now(user, sub):
    return wf.may_edit(sub.state, submission_actor(user, sub))


def allowed_actions_for(user, sub):
    actions = wf.allowed_actions(sub.state, submission_actor(user, sub), sub.site.approval_levels)
    return actions


def claimable_ids(user, site, items):
    """The ids of a queue page's items (queries.ListedItem, all of `site`) the user may claim now, as
    allowed_actions_for would answer for each (the rows say whether the user co-wrote each item)."""
    return {item.id for item in items
            if item.state == wf.SUBMITTED
            and "claim" in wf.allowed_actions(item.state, item_actor(user, site, author_id=item.author_id,
                                                                     assignee_id=item.assignee_id,
                                                                     co_author=item.co_written),
                                              site.approval_levels)}
