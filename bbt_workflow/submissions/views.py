"""Web pages for submissions: the item with its history, my items, the site queue."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..permissions import can_review, requires, site_for
from . import services
from .forms import EmailPreferencesForm
from .models import HistoryEntry, Notification, Revision, Submission
from .notifications import (
    EVENT_KINDS, email_opt_outs, mark_notifications_read, set_email_opt_outs,
)
from .queries import filtered_submissions

bp = Blueprint("submissions_web", __name__)
PER_PAGE = 50


def _page(stmt):
    return db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=PER_PAGE,
                       max_per_page=PER_PAGE, error_out=False)


@bp.route("/submissions/<int:submission_id>")
@requires("submission_visible")
def detail(submission_id):
    user = current_user._get_current_object()
    sub = services.get_visible_submission(user, submission_id)
    history = db.session.scalars(
        select(HistoryEntry).where(HistoryEntry.submission_id == sub.id).order_by(HistoryEntry.id)
    ).all()
    revisions = db.session.scalars(
        select(Revision).where(Revision.submission_id == sub.id).order_by(Revision.number.desc())
    ).all()
    return render_template("submissions/detail.html", sub=sub, history=history, revisions=revisions,
                           allowed=services.allowed_actions_for(user, sub))


@bp.route("/submissions/<int:submission_id>/diff")
@requires("submission_visible")
def diff(submission_id):
    user = current_user._get_current_object()
    sub = services.get_visible_submission(user, submission_id)
    new = request.args.get("to", sub.revision, type=int)
    old = request.args.get("from", max(1, new - 1), type=int)
    return render_template("submissions/diff.html", sub=sub, diff=services.diff_revisions(sub, old, new))


@bp.route("/my/submissions")
@requires("authenticated")
def mine():
    user = current_user._get_current_object()
    page = _page(filtered_submissions(user, {"mine": True}))
    return render_template("submissions/list.html", page=page, heading="mine", site=None, counts=None)


@bp.route("/sites/<site>/queue")
@requires("authenticated")
def queue(site):
    user = current_user._get_current_object()
    site_obj = site_for(user, site)
    if not can_review(user, site_obj):
        from flask import abort

        abort(403)
    args = {"site": site_obj.code, "state": request.args.get("state") or None, "q": request.args.get("q")}
    if request.args.get("assignee") == "me":
        args["assignee"] = "me"
    page = _page(filtered_submissions(user, args))
    counts = dict(db.session.execute(
        select(Submission.state, func.count(Submission.id))
        .where(Submission.site_id == site_obj.id, Submission.state.not_in(("draft", "withdrawn")))
        .group_by(Submission.state)
    ).all())
    return render_template("submissions/list.html", page=page, heading="queue", site=site_obj, counts=counts)


@bp.route("/notifications")
@requires("authenticated")
def notifications():
    user = current_user._get_current_object()
    page = _page(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()))
    return render_template("submissions/notifications.html", page=page)


@bp.route("/notifications/read", methods=["POST"])
@requires("authenticated")
def notifications_read():
    mark_notifications_read(current_user._get_current_object())
    db.session.commit()
    return redirect(url_for("submissions_web.notifications"))


@bp.route("/settings/notifications", methods=["GET", "POST"])
@requires("authenticated")
def notification_settings():
    user = current_user._get_current_object()
    form = EmailPreferencesForm()
    if form.validate_on_submit():
        set_email_opt_outs(user, [kind for kind in EVENT_KINDS if not form.data.get(f"email_{kind}")])
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("submissions_web.notification_settings"))
    if request.method == "GET":
        off = email_opt_outs(user)
        for kind in EVENT_KINDS:
            form[f"email_{kind}"].data = kind not in off
    return render_template("submissions/notification_settings.html", form=form, kinds=EVENT_KINDS)
