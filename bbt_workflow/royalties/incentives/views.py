"""The incentive panel of the item page (a partial included by submissions/detail.html) and its POST."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...auth.current import current_actor as _actor
from ...domain.vietnamese_numbers import format_vnd
from ...errors import ServiceError
from ...extensions import db
from ...forms_base import show_service_error
from ...permissions import can_read_sheets, may_award_incentive, requires
from ...submissions import services as submissions
from ..blueprints import web as bp
from . import services
from .forms import IncentiveForm


def incentive_panel(user, sub, form=None):
    """What the item page's incentive partial shows: None for readers who do not see royalty figures."""
    if not (user and user.is_authenticated) or not can_read_sheets(user, sub.site):
        return None
    awards = services.awards_of(sub)
    limit, awarded, left = services.incentive_room(sub, awards)
    may_award = may_award_incentive(user, sub) and limit > 0
    if form is None and may_award:
        try:
            payees = sorted(services.item_royalty(sub) or {}, key=lambda p: p.full_name)
        except ServiceError:
            payees = []
        form = IncentiveForm(payees=payees, formdata=None)
    return {"awards": awards, "limit": limit, "awarded": awarded, "left": left,
            "may_award": may_award, "form": form}


@bp.route("/submissions/<int:submission_id>/incentives", methods=["POST"])
@requires("submission_visible")
def award(submission_id):
    sub = submissions.get_visible_submission(_actor(), submission_id)
    if not may_award_incentive(_actor(), sub):
        abort(403)
    try:
        payees = sorted(services.item_royalty(sub) or {}, key=lambda p: p.full_name)
    except ServiceError:
        payees = []
    form = IncentiveForm(payees=payees)
    if form.validate_on_submit():
        try:
            rows = services.award_incentive(_actor(), sub, form.amount_value, form.reason.data, form.payee_value)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            db.session.commit()
            flash(_("Incentive royalty of %(amount)s đ awarded; it is paid on the next sheet computed.",
                    amount=format_vnd(sum(r.amount for r in rows))), "success")
            return redirect(url_for("submissions_web.detail", submission_id=sub.id))
    return render_template("royalties/incentive_page.html", sub=sub,
                           panel=incentive_panel(_actor(), sub, form)), 422
