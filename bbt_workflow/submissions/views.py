"""Web pages for submissions: the item with its history, my items, the site queue."""
from datetime import timezone

from urllib.parse import parse_qsl

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from ..accounts.models import Unit, User
from ..accounts.services import users_matching
from ..auth.current import current_actor
from ..db_types import utcnow
from ..domain.workflow import RETURNED, STATES, TRANSITIONS
from ..errors import ServiceError
from ..forms_base import show_service_error, submit_and_flash
from ..extensions import db
from ..permissions import can_coauthor_on, can_create_on, can_review, requires, site_for
from ..royalties.grading import forms as grading_form
from ..royalties.rules.queries import MissingRule
from ..templating import ACTION_LABELS
from . import services
from ..domain.pasted_html import clean_pasted_html
from .attachments import add_attachment, attachment_of, serve_attachment
from .form_replies import attachment_details, attachment_json, form_errors, refused, saved, wants_json
from .forms import (EMAIL_KIND_GROUPS, EMAIL_KINDS, ActionForm, ClaimForm, EmailPreferencesForm, QueueFilterForm,
                    RemoveAttachmentForm, SubmissionForm, UploadForm)
from .models import Notification
from .notifications import email_opt_outs, mark_notifications_read, set_email_opt_outs, unread_count
from .keyset import seek_page
from .queries import (LOCAL, chosen_sort, history_of, listed_items, listed_submissions, queue_counts,
                      queue_submissions, revisions_of)
from .queue_rows import queue_rows
from ..request_writes import writes_on_get

bp = Blueprint("submissions_web", __name__)
PER_PAGE = 50


def _page(stmt, args):
    """One page by `cursor` (the pager's links) or by `page` (old links); a cursor we did not make is a 400
    saying so (BadCursor)."""
    return seek_page(stmt, chosen_sort(args), cursor=request.args.get("cursor"),
                     page=max(request.args.get("page", 1, type=int), 1), per_page=PER_PAGE)


@bp.route("/submissions/<int:submission_id>")
@requires("submission_visible")
def detail(submission_id):
    user = current_actor()
    sub = services.get_visible_submission(user, submission_id)
    return _render_detail(user, sub)


# The actions that move an item on, the most likely first: the item page shows the first as its one
# prominent button. The others (return, reject, release, withdraw, unpublish) are secondary and confirmed.
PRIMARY_ORDER = ("approve", "forward", "submit", "claim", "republish", "reopen")


def _return_note(sub, history):
    """The comment of the last return, while the item waits for its author to fix it."""
    if sub.state != RETURNED:
        return None
    return next((h for h in reversed(history) if h.action == "return"), None)


def _render_detail(user, sub, *, posted=None, status=200):
    """The item page. posted: the action form sent back with its values and its error
    ({"action", "comment", "publish_at", "grading": GradingState, "error", "add_part"})."""
    allowed = [TRANSITIONS[a] for a in services.allowed_actions_for(user, sub)]
    grading_forms = {}
    for t in allowed:
        if services.needs_grading(sub, t):
            mine = posted if posted and posted["action"] == t.action else None
            grading_forms[t.action] = grading_form.form_context(
                sub, mine["grading"] if mine else None, mine["error"] if mine else None,
                add_part=bool(mine and mine.get("add_part")))
    history = history_of(sub)
    primary = sorted((t for t in allowed if t.action in PRIMARY_ORDER), key=lambda t: PRIMARY_ORDER.index(t.action))
    return render_template("submissions/detail.html", sub=sub, history=history,
                           revisions=revisions_of(sub, newest_first=True), allowed=allowed,
                           primary=primary, secondary=[t for t in allowed if t.action not in PRIMARY_ORDER],
                           return_note=_return_note(sub, history),
                           action_form=ActionForm(), grading_forms=grading_forms, posted=posted or {},
                           grading=grading_form.grading_display(sub),
                           upload_form=UploadForm(), may_edit=services.may_edit_now(user, sub)), status


@bp.route("/submissions/<int:submission_id>/diff")
@requires("submission_visible")
def diff(submission_id):
    user = current_actor()
    sub = services.get_visible_submission(user, submission_id)
    new = request.args.get("to", sub.revision, type=int)
    old = request.args.get("from", max(1, new - 1), type=int)
    return render_template("submissions/diff.html", sub=sub, diff=services.diff_revisions(sub, old, new))


@bp.route("/my/submissions")
@requires("authenticated")
def mine():
    user = current_actor()
    # ?state= and ?site= narrow the list (the home page links "my returned items" here); other values are ignored.
    args = {"mine": True}
    if request.args.get("state") in STATES:
        args["state"] = request.args["state"]
    if request.args.get("site"):
        args["site"] = request.args["site"]
    page = _page(listed_submissions(user, args), args)
    page.items = listed_items(page.items)
    return render_template("submissions/list.html", page=page, heading="mine", site=None, counts=None)


@bp.route("/sites/<site>/queue")
@requires("site_member")
def queue(site):
    user = current_actor()
    site_obj = site_for(user, site)
    if not can_review(user, site_obj):
        abort(403)
    form = QueueFilterForm(request.args)
    form.category.choices = [SelectChoice("", _("All categories"))] + [
        SelectChoice(c.code, c.name) for c in site_obj.categories]
    form.unit.choices = [SelectChoice("", _("All units"))] + [
        SelectChoice(code, name) for code, name in db.session.execute(select(Unit.code, Unit.name).order_by(Unit.name))]
    form.validate()
    args = form.filters()
    counts = queue_counts(site_obj)
    page = _page(queue_submissions(user, site_obj, args, counts), args)
    page.items = listed_items(page.items, site_obj)
    # The claim button and checkbox only where the workflow would allow it (the POST checks again).
    claimable = services.claimable_ids(user, site_obj, page.items)
    return render_template("submissions/list.html", page=page, heading="queue", site=site_obj,
                           counts=counts, filters=form, any_claimable=bool(claimable),
                           rows=queue_rows(page.items, claimable=claimable, now=utcnow()),
                           advanced_filters=any(form[name].data for name in ADVANCED_FILTERS),
                           claim_form=ClaimForm())


# The queue's filters shown behind the "Filters" button (the search box is always shown).
ADVANCED_FILTERS = ("category", "content_type", "unit", "author", "from_", "to")


def _claim_items(values):
    """"id:version" pairs from the queue's checkboxes and claim buttons; anything else is ignored."""
    items = []
    for value in values[:PER_PAGE]:
        sub_id, _sep, version = value.partition(":")
        if sub_id.isdigit() and version.isdigit():
            items.append((int(sub_id), int(version)))
    return items


@bp.route("/sites/<site>/queue/claim", methods=["POST"])
@requires("site_member")
def queue_claim(site):
    """Claim the checked items (or the one whose row button was pressed, then open it): one POST,
    every item through the workflow service; the page says which were claimed and why others were not."""
    user = current_actor()
    site_obj = site_for(user, site)
    if not can_review(user, site_obj):
        abort(403)
    form = ClaimForm()
    back = url_for("submissions_web.queue", site=site_obj.code, **_queue_args(request.form.get("back", "")))
    if not form.validate_on_submit():
        flash(_("The form expired; try again."), "danger")
        return redirect(back)
    single = _claim_items([request.form["open"]]) if request.form.get("open") else None
    items = single or _claim_items(request.form.getlist("items"))
    if not items:
        flash(_("Select the items to claim."), "warning")
        return redirect(back)
    claimed, refused = services.claim_many(user, items)
    db.session.commit()
    if claimed:
        flash(_("Claimed %(n)s: %(titles)s.", n=len(claimed),
                titles="; ".join(s.title or _("(untitled)") for s in claimed)), "success")
    for sub_id, title, message in refused:
        flash(_("Not claimed: %(title)s – %(reason)s", title=title or f"#{sub_id}", reason=message), "danger")
    if single and claimed:
        return redirect(url_for("submissions_web.detail", submission_id=claimed[0].id))
    return redirect(back)


def _queue_args(query):
    """The queue's filters to return to (the query string the page was opened with), page and all."""
    from_url = MultiDict(parse_qsl(query[:2000]))
    return {key: from_url.get(key) for key in QueueFilterForm.FIELDS + ("page", "cursor") if from_url.get(key)}


@bp.route("/notifications")
@requires("authenticated")
@writes_on_get
def notifications():
    user = current_actor()
    page = db.paginate(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()),
                       page=request.args.get("page", 1, type=int), per_page=PER_PAGE, max_per_page=PER_PAGE,
                       error_out=False)
    # Opening the list is reading it: the count in the menu clears; what was new stays marked on this page.
    new = {n.id for n in page.items if n.read_at is None}
    if unread_count(user):
        mark_notifications_read(user)
        db.session.commit()
    return render_template("submissions/notifications.html", page=page, new=new)


@bp.route("/notifications/read", methods=["POST"])
@requires("authenticated")
def notifications_read():
    mark_notifications_read(current_actor())
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("submissions_web.notifications"))


def _same_site(url):
    """Only a page of this app as the place to go back to (never another host)."""
    return bool(url) and url.startswith(request.host_url)


@bp.route("/settings/notifications", methods=["GET", "POST"])
@requires("authenticated")
def notification_settings():
    user = current_actor()
    form = EmailPreferencesForm()
    if form.validate_on_submit():
        set_email_opt_outs(user, [kind for kind in EMAIL_KINDS if not form.data.get(f"email_{kind}")],
                           offered=EMAIL_KINDS)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("submissions_web.notification_settings"))
    if request.method == "GET":
        off = email_opt_outs(user)
        for kind in EMAIL_KINDS:
            form[f"email_{kind}"].data = kind not in off
    return render_template("submissions/notification_settings.html", form=form, groups=EMAIL_KIND_GROUPS)


def _local_to_utc(value):
    """A publish time typed as Asia/Ho_Chi_Minh wall time (LocalDateTimeField) as an aware UTC datetime."""
    if value is None:
        return None
    return value.replace(tzinfo=LOCAL).astimezone(timezone.utc)


def _content_from(form):
    return {"authors": form.authors_data(), "content_type": form.content_type.data, "category": form.category.data or None,
            "title": form.title.data, "summary": form.summary.data, "body_html": form.body_html.data,
            "language": form.language.data, "publish_at": _local_to_utc(form.publish_at.data),
            "attachments": attachment_details(request.form)}


def _attach_posted_files(user, sub):
    """The files chosen in the form's plain file input (without JavaScript): one go with the text."""
    for upload in request.files.getlist("files"):
        if upload and upload.filename:
            add_attachment(user, sub, upload.stream, upload.filename)


def _category_choices(site):
    return [SelectChoice("", _("— none —"))] + [SelectChoice(c.code, c.name) for c in site.categories if c.active]


def _prepare_authors(form, site, sub=None):
    """Fill the co-author rows: the stored ones on first display, then always two empty rows to add more."""
    if sub is not None and request.method == "GET":
        while len(form.authors):
            form.authors.pop_entry()
        for author in sub.authors:
            form.authors.append_entry({"user_id": str(author.user_id or ""), "name": "" if author.user_id else author.name,
                                       "pen_name": author.pen_name or "", "share": format(author.share.normalize(), "f")})
    filled = sum(1 for entry in form.authors if not entry.form.is_empty())
    while len(form.authors) < min(filled + 2, form.authors.max_entries):
        form.authors.append_entry()
    # Co-authors are the site's contributors and above (services._member_author checks it again).
    members = [u for u in db.session.scalars(users_matching(site=site.code).where(User.active.is_(True)))
               if can_coauthor_on(u, site) or (sub is not None and u.id == sub.author_id)]
    known = {str(u.id) for u in members}
    extra = [a for a in (sub.authors if sub else []) if a.user_id and str(a.user_id) not in known]
    choices = [SelectChoice("", _("— not a member —"))] + [SelectChoice(str(u.id), f"{u.full_name} ({u.username})")
                                                           for u in members]
    choices += [SelectChoice(str(a.user_id), a.name) for a in extra]
    for entry in form.authors:
        entry.form.user_id.choices = choices


@bp.route("/sites/<site>/submissions/new", methods=["GET", "POST"])
@requires("site_member")
def create(site):
    user = current_actor()
    site_obj = site_for(user, site)
    if not can_create_on(user, site_obj):
        abort(403)
    form = SubmissionForm()
    form.category.choices = _category_choices(site_obj)
    _prepare_authors(form, site_obj)
    if form.validate_on_submit():
        try:
            sub = services.create_submission(user, site_obj, _content_from(form))
            _attach_posted_files(user, sub)
        except ServiceError as exc:
            if wants_json():
                db.session.rollback()
                return refused(exc.message, exc.status, exc.details)
            show_service_error(form, exc)
        else:
            db.session.commit()
            if wants_json():  # the first autosave, or the first file dropped: the draft exists from now on
                return saved(sub)
            flash(_("Draft saved."), "success")
            return redirect(url_for("submissions_web.detail", submission_id=sub.id))
    elif wants_json() and request.method == "POST":
        return refused(_("Check the fields marked."), 422, form_errors(form))
    return render_template("submissions/form.html", form=form, site=site_obj, sub=None)


@bp.route("/submissions/<int:submission_id>/edit", methods=["GET", "POST"])
@requires("submission_visible")
def edit(submission_id):
    user = current_actor()
    sub = services.get_visible_submission(user, submission_id)
    if not services.may_edit_now(user, sub):
        message, status = _("You cannot edit this item in its current state."), 403
        if request.method == "POST":
            try:  # a stale form is told to reload, whatever else changed (API.md)
                services.check_version(sub, request.form.get("version"))
            except ServiceError as exc:
                message, status = str(exc.message), exc.status
        if wants_json():
            return refused(message, status)
        flash(message, "warning")
        return redirect(url_for("submissions_web.detail", submission_id=sub.id))
    form = SubmissionForm(obj=sub)
    form.category.choices = _category_choices(sub.site)
    _prepare_authors(form, sub.site, sub)
    if request.method == "GET":
        form.category.data = sub.category.code if sub.category else ""
        form.version.data = sub.version
        form.publish_at.data = sub.publish_at.astimezone(LOCAL).replace(tzinfo=None) if sub.publish_at else None
    if form.validate_on_submit():
        try:
            services.edit_submission(user, sub, form.version.data, _content_from(form))
            _attach_posted_files(user, sub)
        except ServiceError as exc:
            if wants_json():
                db.session.rollback()
                return refused(exc.message, exc.status, exc.details)
            show_service_error(form, exc)
        else:
            db.session.commit()
            if wants_json():
                return saved(sub)
            flash(_("Saved as revision %(n)s.", n=sub.revision), "success")
            return redirect(url_for("submissions_web.detail", submission_id=sub.id))
    elif wants_json() and request.method == "POST":
        return refused(_("Check the fields marked."), 422, form_errors(form))
    return render_template("submissions/form.html", form=form, site=sub.site, sub=sub)


@bp.route("/submissions/<int:submission_id>/act", methods=["POST"])
@requires("submission_visible")
def act(submission_id):
    user = current_actor()
    sub = services.get_visible_submission(user, submission_id)
    form = ActionForm()
    transition = TRANSITIONS.get(form.action.data or "")
    if transition is not None and services.needs_grading(sub, transition):
        return _act_with_grading(user, sub, form)
    submit_and_flash(
        form,
        lambda: services.transition_submission(user, sub, form.action.data, form.version.data,
                                               comment=form.comment.data,
                                               publish_at=_local_to_utc(form.publish_at.data)),
        success=lambda: _("Done: %(action)s.", action=ACTION_LABELS.get(form.action.data, form.action.data)),
        invalid=_("The action could not be read. Reload the page and try again."),
    )
    return redirect(url_for("submissions_web.detail", submission_id=submission_id))


def _act_with_grading(user, sub, form):
    """forward/approve: the grading comes with the action. A bad grading shows the page again
    with what was typed and the error next to the form (422); nothing is changed."""
    state = grading_form.state_from_form(request.form)
    posted = {"action": form.action.data, "comment": request.form.get("comment", "")[:5000],
              "publish_at": request.form.get("publish_at", "")[:40], "grading": state, "error": None}
    if request.form.get("grading_add_part"):
        # Without JavaScript, "Add a part" posts the form: show it again with one more part.
        return _render_detail(user, sub, posted=dict(posted, add_part=True))
    if not form.validate_on_submit():
        if form.publish_at.errors and not form.action.errors and not form.version.errors:
            # A mistyped publish time: the page again with what was typed and the reason.
            return _render_detail(user, sub, posted=dict(posted, error=str(form.publish_at.errors[0])), status=422)
        flash(_("The action could not be read. Reload the page and try again."), "danger")
        return redirect(url_for("submissions_web.detail", submission_id=sub.id))
    try:
        services.transition_submission(user, sub, form.action.data, form.version.data, comment=form.comment.data,
                                       grading=state.to_grading() if state is not None else None,
                                       publish_at=_local_to_utc(form.publish_at.data))
    except ServiceError as exc:
        db.session.rollback()
        if "grading" in (exc.details or {}) or isinstance(exc, MissingRule):
            db.session.refresh(sub)
            return _render_detail(user, sub, posted=dict(posted, error=str(exc.message)), status=422)
        flash(str(exc.message), "danger")
        return redirect(url_for("submissions_web.detail", submission_id=sub.id))
    db.session.commit()
    flash(_("Done: %(action)s.", action=ACTION_LABELS.get(form.action.data, form.action.data)), "success")
    return redirect(url_for("submissions_web.detail", submission_id=sub.id))


@bp.route("/submissions/<int:submission_id>/attachments", methods=["POST"])
@requires("submission_visible")
def upload(submission_id):
    user = current_actor()
    sub = services.get_visible_submission(user, submission_id)
    form = UploadForm()
    if wants_json():  # one file of the form's drop zone, its progress shown by the page
        if not form.validate_on_submit():
            return refused(_("Choose a file to upload."), 422, form_errors(form))
        try:
            attachment = add_attachment(user, sub, form.file.data.stream, form.file.data.filename)
        except ServiceError as exc:
            db.session.rollback()
            return refused(exc.message, exc.status, exc.details)
        db.session.commit()
        return jsonify(attachment_json(sub, attachment)), 201
    added = []
    submit_and_flash(form, lambda: added.append(add_attachment(user, sub, form.file.data.stream,
                                                               form.file.data.filename)),
                     success=lambda: added[0].notice or _("File attached."), invalid=_("Choose a file to upload."))
    return redirect(url_for("submissions_web.detail", submission_id=submission_id))


@bp.route("/submissions/clean-html", methods=["POST"])
@requires("authenticated")
def clean_html():
    """HTML pasted into the editor (from Word…), cleaned by the body's own allow-list before it is shown."""
    return jsonify({"html": clean_pasted_html(request.form.get("html", "")[:2_000_000])})


@bp.route("/submissions/<int:submission_id>/attachments/<int:attachment_id>/remove", methods=["POST"])
@requires("submission_visible")
def remove_attachment(submission_id, attachment_id):
    user = current_actor()
    sub = services.get_visible_submission(user, submission_id)
    attachment = attachment_of(sub, attachment_id)
    if attachment is None:
        abort(404)
    filename = attachment.filename
    submit_and_flash(RemoveAttachmentForm(), lambda: services.remove_attachment(user, sub, attachment_id),
                     success=lambda: _("Removed the file %(name)s.", name=filename),
                     invalid=_("The action could not be read. Reload the page and try again."))
    return redirect(url_for("submissions_web.detail", submission_id=submission_id))


@bp.route("/submissions/<int:submission_id>/attachments/<int:attachment_id>")
@requires("submission_visible")
def attachment(submission_id, attachment_id):
    sub = services.get_visible_submission(current_actor(), submission_id)
    return serve_attachment(sub, attachment_id)



@bp.route("/submissions/<int:submission_id>/attachments/<int:attachment_id>/preview")
@requires("submission_visible")
def attachment_preview(submission_id, attachment_id):
    """A small JPEG of an image attachment, for the item page."""
    sub = services.get_visible_submission(current_actor(), submission_id)
    return serve_attachment(sub, attachment_id, preview=True)
