"""Web pages for submissions: the item with its history, my items, the site queue."""
from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..permissions import can_review, requires, site_for
from . import services
from .models import HistoryEntry, Submission
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
    return render_template("submissions/detail.html", sub=sub, history=history,
                           allowed=services.allowed_actions_for(user, sub))


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
