"""Pages: the royalty rules (admins): regulations with their genres and adjustments, and the dated rules."""
from dataclasses import dataclass
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import SelectChoice

from ...accounts.models import Site
from ...domain.royalty_rules import unit_value
from ...errors import ServiceError
from ...extensions import db
from ...formatting import format_number, input_number
from ...forms_base import Form, show_service_error, submit_and_flash
from ...permissions import requires
from ...templating import SITE_KIND_LABELS
from ..blueprints import admin as bp
from ...auth.current import current_actor as _actor
from ..blueprints import paginate as _paginate
from ..models import AdjustmentType, BaseSalary, FeeRule, Genre, NationalCap, Regulation, SiteFactor, TaxRule
from . import services as rules_admin
from .forms import (
    FEE_KIND_LABELS, FEE_ROLE_LABELS, AdjustmentForm, BaseSalaryForm, FeeRuleForm, GenreForm, NationalCapForm,
    RegulationForm, SiteFactorForm, TaxRuleForm,
)


def _shown(value):
    """A rule value as its form shows it: decimals without trailing zeros in the reader's format
    (0,25 / 0.25, no thousands separator: the form reads it back as the same number), nothing for None."""
    if isinstance(value, Decimal):
        return input_number(value)
    return "" if value is None else str(value)


def _vnd(value):
    return f"{format_number(value)} đ" if value is not None else "—"


def _site_choices(empty):
    sites = db.session.scalars(select(Site).order_by(Site.kind.desc(), Site.name)).all()
    return [SelectChoice("", empty)] + [SelectChoice(s.code, s.name) for s in sites]


@dataclass
class Kind:
    """One kind of dated rule: its model, form, service and the columns of its list."""

    model: object
    form: type
    save: object
    title: object
    columns: list  # [(label, row -> text)]
    order: tuple = ()

    def fill(self, form, row):
        """Show a stored row in its form (numbers as plain decimals, the site as its code)."""
        for name, field in form._fields.items():
            if name in ("csrf_token", "copy_from"):
                continue
            if name == "site":
                field.data = row.site.code if getattr(row, "site", None) else ""
            elif hasattr(row, name):
                value = getattr(row, name)
                field.data = value if field.type in ("LocalDateField", "BooleanField", "IntegerField") else _shown(value)


def _site_name(row):
    return row.site.name if row.site else ""


KINDS = {
    "regulations": Kind(Regulation, RegulationForm, rules_admin.save_regulation, _l("Regulations (rate tables)"), [
        (_l("Code"), lambda r: r.code), (_l("Name"), lambda r: r.name),
        (_l("Site"), lambda r: r.site.name if r.site else _("Every site (default)")),
        (_l("Genres"), lambda r: str(len(r.genres)))], (Regulation.effective_from.desc(), Regulation.id)),
    "caps": Kind(NationalCap, NationalCapForm, rules_admin.save_national_cap, _l("National caps"), [
        (_l("Group code"), lambda r: r.cap_group), (_l("Genres"), lambda r: r.label),
        (_l("Maximum coefficient"), lambda r: format_number(r.max_coefficient))],
        (NationalCap.cap_group, NationalCap.effective_from)),
    "site-factors": Kind(SiteFactor, SiteFactorForm, rules_admin.save_site_factor, _l("Site factors"), [
        (_l("Applies to"), lambda r: r.site.name if r.site else _("Every site of kind: %(kind)s", kind=_kind_label(r.site_kind))),
        (_l("Factor"), lambda r: format_number(r.factor))], (SiteFactor.site_id, SiteFactor.site_kind, SiteFactor.effective_from)),
    "base-salaries": Kind(BaseSalary, BaseSalaryForm, rules_admin.save_base_salary, _l("Base salary"), [
        (_l("Base salary (VND per month)"), lambda r: _vnd(r.amount)),
        (_l("Unit value (10%)"), lambda r: _vnd(unit_value(r.amount)))], (BaseSalary.effective_from,)),
    "tax-rules": Kind(TaxRule, TaxRuleForm, rules_admin.save_tax_rule, _l("Tax rules"), [
        (_l("Threshold per payment (VND)"), lambda r: _vnd(r.threshold)),
        (_l("Rate (%)"), lambda r: format_number(r.rate_percent))], (TaxRule.effective_from,)),
    "fee-rules": Kind(FeeRule, FeeRuleForm, rules_admin.save_fee_rule, _l("Fee rules"), [
        (_l("Site"), _site_name), (_l("Role"), lambda r: str(FEE_ROLE_LABELS.get(r.role, r.role))),
        (_l("Kind"), lambda r: str(FEE_KIND_LABELS.get(r.kind, r.kind))), (_l("Value"), lambda r: format_number(r.value))],
        (FeeRule.site_id, FeeRule.role, FeeRule.effective_from)),
}


def _kind_label(code):
    return str(SITE_KIND_LABELS.get(code, code))


def _kind(name):
    if name not in KINDS:
        abort(404)
    return KINDS[name]


def _prepare(kind_name, form, row=None):
    if "site" in form:
        form.site.choices = _site_choices(_("— every site (default) —") if kind_name == "regulations" else _("— none —"))
    if kind_name == "regulations":
        if row is None:
            regulations = db.session.scalars(select(Regulation).order_by(Regulation.effective_from.desc())).all()
            form.copy_from.choices = [SelectChoice("", _("— start empty —"))] + [
                SelectChoice(r.code, f"{r.source_text or r.name} ({r.code})") for r in regulations]
        else:
            del form.copy_from
            form.code.render_kw = {"readonly": True}


@bp.route("/royalties")
@requires("admin")
def rates_index():
    counts = {}
    for name, kind in KINDS.items():
        counts[name] = (db.session.scalar(select(func.count()).select_from(kind.model)),
                        db.session.scalar(select(func.count()).select_from(kind.model).where(kind.model.to_verify.is_(True))))
    return render_template("royalties/admin_rates.html", kinds=KINDS, counts=counts)


@bp.route("/royalties/<kind>")
@requires("admin")
def rule_list(kind):
    spec = _kind(kind)
    page = _paginate(select(spec.model).order_by(*spec.order))
    return render_template("royalties/admin_rule_list.html", kind=kind, spec=spec, page=page)


@bp.route("/royalties/<kind>/new", methods=["GET", "POST"])
@bp.route("/royalties/<kind>/<int:row_id>/edit", methods=["GET", "POST"])
@requires("admin")
def rule_form(kind, row_id=None):
    spec = _kind(kind)
    row = db.get_or_404(spec.model, row_id) if row_id else None
    form = spec.form()
    _prepare(kind, form, row)
    if request.method == "GET" and row is not None:
        spec.fill(form, row)
    if form.validate_on_submit():
        data = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        try:
            saved = spec.save(_actor(), row, data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            if kind == "regulations":
                return redirect(url_for("royalty_admin.regulation", row_id=saved.id))
            return redirect(url_for("royalty_admin.rule_list", kind=kind))
    return render_template("royalties/admin_rule_form.html", kind=kind, spec=spec, form=form, row=row)


@bp.route("/royalties/<kind>/<int:row_id>/confirm", methods=["POST"])
@requires("admin")
def rule_confirm(kind, row_id):
    spec = _kind(kind)
    row = db.get_or_404(spec.model, row_id)
    submit_and_flash(Form(), lambda: rules_admin.confirm(_actor(), row),
                     success=lambda: _("Confirmed: the row matches the official text."))
    back = request.form.get("next", "")
    if back.startswith("/admin/royalties/") and "//" not in back:
        return redirect(back)
    return redirect(url_for("royalty_admin.rule_list", kind=kind))


@bp.route("/royalties/regulations/<int:row_id>")
@requires("admin")
def regulation(row_id):
    row = db.get_or_404(Regulation, row_id)
    return render_template("royalties/admin_regulation.html", regulation=row, plain=format_number)


def _cap_groups():
    return [SelectChoice(g, g) for g in db.session.scalars(select(NationalCap.cap_group).distinct()
                                                               .order_by(NationalCap.cap_group))]


@bp.route("/royalties/regulations/<int:regulation_id>/genres/new", methods=["GET", "POST"])
@bp.route("/royalties/genres/<int:genre_id>/edit", methods=["GET", "POST"])
@requires("admin")
def genre_form(regulation_id=None, genre_id=None):
    genre = db.get_or_404(Genre, genre_id) if genre_id else None
    regulation = genre.regulation if genre else db.get_or_404(Regulation, regulation_id)
    form = GenreForm()
    form.cap_group.choices = _cap_groups()
    if genre is not None:
        form.code.render_kw = {"readonly": True}
        if request.method == "GET":
            for name in ("code", "label", "min_coefficient", "max_coefficient", "default_coefficient",
                         "fixed_amount", "cap_group"):
                form[name].data = _shown(getattr(genre, name))
            form.position.data, form.active.data = genre.position, genre.active
    return _save_child(form, lambda data: rules_admin.save_genre(_actor(), regulation, genre, data), regulation,
                       _("Edit genre") if genre else _("New genre"))


@bp.route("/royalties/regulations/<int:regulation_id>/adjustments/new", methods=["GET", "POST"])
@bp.route("/royalties/adjustments/<int:adjustment_id>/edit", methods=["GET", "POST"])
@requires("admin")
def adjustment_form(regulation_id=None, adjustment_id=None):
    adjustment = db.get_or_404(AdjustmentType, adjustment_id) if adjustment_id else None
    regulation = adjustment.regulation if adjustment else db.get_or_404(Regulation, regulation_id)
    form = AdjustmentForm()
    if adjustment is not None:
        form.code.render_kw = {"readonly": True}
        if request.method == "GET":
            for name in ("code", "label", "min_factor", "max_factor", "default_factor"):
                form[name].data = _shown(getattr(adjustment, name))
            form.position.data = adjustment.position
    return _save_child(form, lambda data: rules_admin.save_adjustment(_actor(), regulation, adjustment, data),
                       regulation, _("Edit adjustment") if adjustment else _("New adjustment"))


def _save_child(form, save, regulation, title):
    if form.validate_on_submit():
        try:
            save({name: field.data for name, field in form._fields.items() if name != "csrf_token"})
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("royalty_admin.regulation", row_id=regulation.id))
    return render_template("royalties/admin_child_form.html", form=form, regulation=regulation, title=title)
