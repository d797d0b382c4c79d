from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from ..auth.current import current_actor
from ..accounts import services, user_import
from ..accounts.models import Category, Membership, PlanTarget, Site, Unit, User
from ..audit.models import AuditEntry
from ..audit.services import entries_query
from ..auth.services import invite_user
from ..errors import ServiceError
from ..extensions import db
from ..forms_base import show_service_error, submit_and_flash
from ..permissions import requires
from . import audit_display
from .forms import (
    CategoryForm, ImportUsersForm, MembershipForm, SearchForm, SiteForm, TargetForm, UnitForm, UserForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 50



def _paginate(stmt):
    return db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=PER_PAGE,
                       max_per_page=PER_PAGE, error_out=False)





def _unit_choices():
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    return [SelectChoice("", _("— none —"))] + [SelectChoice(u.code, u.name) for u in units]


def _site_choices(empty=None):
    sites = db.session.scalars(select(Site).order_by(Site.kind.desc(), Site.name)).all()
    choices = [SelectChoice(s.code, s.name) for s in sites]
    return ([SelectChoice("", empty)] if empty else []) + choices


@bp.route("/")
@requires("admin")
def index():
    counts = {
        "sites": db.session.scalar(select(func.count(Site.id))),
        "units": db.session.scalar(select(func.count(Unit.id))),
        "users": db.session.scalar(select(func.count(User.id))),
    }
    return render_template("admin/index.html", counts=counts)


# --- audit log --------------------------------------------------------------

@bp.route("/audit")
@requires("admin")
def audit_log():
    """Who changed what (issue 16): newest first, the fields that changed, narrowed to one kind of object."""
    kinds = db.session.scalars(select(AuditEntry.target_type).distinct()).all()
    kind = request.args.get("type") if request.args.get("type") in kinds else ""
    query = entries_query().options(selectinload(AuditEntry.actor))
    if kind:
        query = query.where(AuditEntry.target_type == kind)
    page = _paginate(query)
    codes = audit_display.referenced_codes(page.items)
    rows = [(e, audit_display.changes(e.before, e.after, codes)) for e in page.items]
    choices = sorted(((code, str(audit_display.object_label(code))) for code in kinds), key=lambda c: c[1])
    return render_template("admin/audit.html", page=page, rows=rows, kinds=choices, kind=kind,
                           object_label=audit_display.object_label, verb_label=audit_display.verb_label)


# --- units ------------------------------------------------------------------

@bp.route("/units")
@requires("admin")
def units():
    page = _paginate(select(Unit).order_by(Unit.name))
    return render_template("admin/units.html", page=page)


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@requires("admin")
def unit_form(unit_id=None):
    unit = db.get_or_404(Unit, unit_id) if unit_id else None
    form = UnitForm(obj=unit)
    if unit:
        form.code.render_kw = {"readonly": True}
    if form.validate_on_submit():
        try:
            if unit:
                services.update_unit(current_actor(), unit, name=form.name.data, active=form.active.data)
            else:
                services.create_unit(current_actor(), code=form.code.data, name=form.name.data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=unit)


# --- sites ------------------------------------------------------------------

@bp.route("/sites")
@requires("admin")
def sites():
    page = _paginate(select(Site).order_by(Site.kind.desc(), Site.name))
    return render_template("admin/sites.html", page=page)


@bp.route("/sites/new", methods=["GET", "POST"])
@bp.route("/sites/<site>/edit", methods=["GET", "POST"])
@requires("admin")
def site_form(site=None):
    site_obj = services.get_site(site) if site else None
    form = SiteForm(obj=site_obj)
    form.parent.choices = _site_choices(empty=_("— none —"))
    if request.method == "GET" and site_obj:
        form.parent.data = site_obj.parent.code if site_obj.parent else ""
    if site_obj:
        form.code.render_kw = {"readonly": True}
    if form.validate_on_submit():
        try:
            if site_obj:
                services.update_site(
                    current_actor(), site_obj, name=form.name.data, kind=form.kind.data,
                    approval_levels=form.approval_levels.data, parent=form.parent.data or None,
                    active=form.active.data, four_eyes=form.four_eyes.data,
                )
                code = site_obj.code
            else:
                created = services.create_site(
                    current_actor(), code=form.code.data, name=form.name.data, kind=form.kind.data,
                    approval_levels=form.approval_levels.data, parent=form.parent.data or None,
                )
                code = created.code
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.site_detail", site=code))
    return render_template("admin/site_form.html", form=form, site=site_obj)


@bp.route("/sites/<site>")
@requires("admin")
def site_detail(site):
    site_obj = services.get_site(site)
    categories = db.session.scalars(
        select(Category).where(Category.site_id == site_obj.id).order_by(Category.position, Category.id)
    ).all()
    targets = db.session.scalars(
        select(PlanTarget).where(PlanTarget.site_id == site_obj.id).order_by(PlanTarget.year.desc())
    ).all()
    members = _paginate(
        select(Membership).join(User).where(Membership.site_id == site_obj.id).order_by(User.full_name)
    )
    return render_template(
        "admin/site_detail.html", site=site_obj, categories=categories, targets=targets, members=members,
        category_form=CategoryForm(prefix="cat"), target_form=TargetForm(prefix="target"),
    )


@bp.route("/sites/<site>/categories", methods=["POST"])
@requires("admin")
def category_create(site):
    site_obj = services.get_site(site)
    form = CategoryForm(prefix="cat")
    submit_and_flash(form, lambda: services.create_category(current_actor(), site_obj, code=form.code.data,
                                                            name=form.name.data),
                     success=lambda: _("Category added."))
    return redirect(url_for("admin.site_detail", site=site_obj.code))


@bp.route("/sites/<site>/categories/<int:category_id>/toggle", methods=["POST"])
@requires("admin")
def category_toggle(site, category_id):
    site_obj = services.get_site(site)
    category = db.get_or_404(Category, category_id)
    if category.site_id != site_obj.id:
        abort(404)
    services.update_category(current_actor(), category, active=not category.active)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("admin.site_detail", site=site_obj.code))


@bp.route("/sites/<site>/targets", methods=["POST"])
@requires("admin")
def target_set(site):
    site_obj = services.get_site(site)
    form = TargetForm(prefix="target")
    submit_and_flash(form, lambda: services.set_plan_target(current_actor(), site_obj, form.year.data,
                                                            plan_items=form.plan_items.data,
                                                            royalty_budget=form.royalty_budget.data or 0),
                     success=lambda: _("Plan target saved."))
    return redirect(url_for("admin.site_detail", site=site_obj.code))


# --- users ------------------------------------------------------------------

@bp.route("/users")
@requires("admin")
def users():
    search = SearchForm(request.args)
    page = _paginate(services.users_matching(search.q.data if search.validate() else None))
    return render_template("admin/users.html", page=page, search=search)


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires("admin")
def user_form(user_id=None):
    user = db.get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user)
    form.unit.choices = _unit_choices()
    if request.method == "GET" and user:
        form.unit.data = user.unit.code if user.unit else ""
    if form.validate_on_submit():
        fields = dict(
            username=form.username.data, email=form.email.data, full_name=form.full_name.data,
            unit=form.unit.data or None, pen_name=form.pen_name.data, phone=form.phone.data,
            is_admin=form.is_admin.data, active=form.active.data,
        )
        try:
            if user:
                if form.password.data:
                    fields["password"] = form.password.data
                services.update_user(current_actor(), user, **fields)
                target = user
            else:
                target = services.create_user(current_actor(), password=form.password.data or None, **fields)
                if not form.password.data:
                    invite_user(target)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.user_detail", user_id=target.id))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/users/<int:user_id>")
@requires("admin")
def user_detail(user_id):
    user = db.get_or_404(User, user_id)
    form = MembershipForm()
    form.site.choices = _site_choices()
    return render_template("admin/user_detail.html", user=user, form=form)


@bp.route("/users/<int:user_id>/memberships", methods=["POST"])
@requires("admin")
def membership_set(user_id):
    user = db.get_or_404(User, user_id)
    form = MembershipForm()
    form.site.choices = _site_choices()
    submit_and_flash(
        form,
        lambda: services.set_membership(current_actor(), user, services.get_site(form.site.data, field="site"),
                                        form.roles.data),
        success=lambda: _("Roles saved."),
    )
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/memberships/<int:membership_id>/delete", methods=["POST"])
@requires("admin")
def membership_delete(membership_id):
    membership = db.get_or_404(Membership, membership_id)
    user_id = membership.user_id
    services.delete_membership(current_actor(), membership)
    db.session.commit()
    flash(_("Membership removed."), "success")
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.route("/users/import", methods=["GET", "POST"])
@requires("admin")
def users_import():
    form = ImportUsersForm()
    report = None
    if form.validate_on_submit():
        data = form.file.data.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
        try:
            report = user_import.import_users_csv(current_actor(), data, invite=invite_user)
        except ServiceError as exc:
            db.session.rollback()
            form.file.errors = [str(exc.message)]
        else:
            if report.ok:
                db.session.commit()
                flash(_("%(n)s users imported.", n=len(report.created)), "success")
            else:
                db.session.rollback()
                flash(_("Nothing was imported: fix the rows below and upload the file again."), "danger")
    return render_template("admin/users_import.html", form=form, report=report,
                           columns=user_import.CSV_COLUMNS)
