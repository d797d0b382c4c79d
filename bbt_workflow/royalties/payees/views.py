"""Pages: the payees with their personal data (accountants and admins)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from ...accounts.models import Unit
from ...errors import ServiceError
from ...extensions import db
from ...forms_base import show_service_error
from ...permissions import requires
from ..blueprints import admin as bp
from ...auth.current import current_actor as _actor
from ..blueprints import paginate as _paginate
from . import services as payee_service
from .forms import PayeeForm, PayeeSearchForm


def _unit_choices():
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    return [SelectChoice("", _("— none —"))] + [SelectChoice(u.code, u.name) for u in units]


@bp.route("/payees")
@requires("accounting")
def payees():
    form = PayeeSearchForm(request.args)
    form.validate()
    page = _paginate(payee_service.payees_query(_actor(), q=form.q.data if not form.q.errors else None))
    return render_template("royalties/admin_payees.html", page=page, form=form)


@bp.route("/payees/new", methods=["GET", "POST"])
@bp.route("/payees/<int:payee_id>/edit", methods=["GET", "POST"])
@requires("accounting")
def payee_form(payee_id=None):
    payee = payee_service.get_payee(_actor(), payee_id) if payee_id else None
    form = PayeeForm(obj=payee)
    form.unit.choices = _unit_choices()
    user_payee = payee is not None and payee.user_id is not None
    if user_payee:
        for name in ("full_name", "pen_name", "unit"):
            form[name].render_kw = {"readonly": True, "disabled": True}
    if request.method == "GET" and payee is not None:
        form.unit.data = payee.unit.code if payee.unit else ""
        form.commitment_years.data = ", ".join(str(y) for y in payee.commitment_years)
    if form.validate_on_submit():
        try:
            if payee is None:
                payee_service.create_payee(_actor(), form.service_data(user_payee=False))
            else:
                payee_service.update_payee(_actor(), payee, form.service_data(user_payee=user_payee))
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("royalty_admin.payees"))
    return render_template("royalties/admin_payee_form.html", form=form, payee=payee, user_payee=user_payee)
