"""Pages for royalty sheets (accountants, approvers), a payee's own lines, and the import of
items already published on the old portal (admins)."""
from collections import defaultdict
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..db_types import utcnow
from ..downloads import download_response
from ..domain.royalty_rules import local_date
from ..errors import ServiceError
from ..extensions import db
from ..formatting import BAD_DATE, parse_date
from ..forms_base import show_service_error
from ..permissions import can_account, can_read_sheets, requires, site_for
from . import sheets as service
from .importing import CSV_COLUMNS, import_items, items_from_csv
from .sheet_forms import ImportItemsForm, PaymentDateForm, SheetActionForm, SheetCreateForm

bp = Blueprint("royalties_web", __name__)
PER_PAGE = 50
ACTION_LABELS = {"recompute": _l("Recompute"), "check": _l("Mark checked"), "approve": _l("Approve sheet"),
                 "pay": _l("Mark paid"), "reopen": _l("Reopen as draft")}


def _actor():
    return current_user._get_current_object()


def _readable_site(code):
    site = site_for(_actor(), code)
    if not can_read_sheets(_actor(), site):
        abort(403)
    return site


@bp.route("/sites/<site>/royalties", methods=["GET", "POST"])
@requires("site_member")
def sheets(site):
    site = _readable_site(site)
    form = SheetCreateForm()
    may_create = can_account(_actor(), site)
    if request.method == "POST":
        if not may_create:
            abort(403)
        if form.validate_on_submit():
            try:
                sheet = service.create_sheet(_actor(), site, form.period.data, form.payment_date.data)
            except ServiceError as exc:
                show_service_error(form, exc)
            else:
                db.session.commit()
                flash(_("Sheet %(number)s computed.", number=sheet.number), "success")
                return redirect(url_for(".sheet", sheet_id=sheet.id))
    page = db.paginate(service.sheets_query(_actor(), site), page=request.args.get("page", 1, type=int),
                       per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    year = request.args.get("year", local_date(utcnow()).year, type=int)
    fund = service.fund_check(site, year) if 2000 <= year <= 2100 else None
    status = 422 if request.method == "POST" else 200
    return render_template("royalties/sheets.html", site=site, page=page, form=form, may_create=may_create,
                           fund=fund), status


def _sheet_page(sheet, payment_form=None, status=200):
    lines = service.sheet_lines(sheet)
    by_payee = defaultdict(list)
    for row in lines:
        by_payee[row[0].payee_id].append(row)
    units = defaultdict(list)
    for sp in service.sheet_payees(sheet):
        units[sp.unit_name or _("No unit")].append((sp, by_payee[sp.payee_id]))
    grouped = [(name, sorted(units[name], key=lambda pair: pair[0].payee.full_name)) for name in sorted(units)]
    actor = _actor()
    actions = service.allowed_sheet_actions(actor, sheet)
    today = local_date(utcnow())
    overdue = sum(1 for line, _title, _category in lines if service.is_overdue(line, sheet, today))
    if payment_form is None:
        payment_form = PaymentDateForm(data={"payment_date": sheet.payment_date, "version": sheet.version})
    return render_template(
        "royalties/sheet.html", sheet=sheet, grouped=grouped, actions=actions, action_labels=ACTION_LABELS,
        action_form=SheetActionForm(), payment_form=payment_form, overdue=overdue,
        personal=service.can_see_personal_payee_fields(actor), mask=service.mask,
        warnings=service.sheet_warnings(sheet), factor_product=service._factor_product,
        may_set_payment_date=service.may_set_payment_date(actor, sheet), is_overdue=lambda line: service.is_overdue(line, sheet, today),
    ), status


@bp.route("/royalties/sheets/<int:sheet_id>")
@requires("sheet_visible")
def sheet(sheet_id):
    return _sheet_page(service.get_sheet(_actor(), sheet_id))


@bp.route("/royalties/sheets/<int:sheet_id>/act", methods=["POST"])
@requires("sheet_visible")
def act(sheet_id):
    sheet = service.get_sheet(_actor(), sheet_id)
    form = SheetActionForm()
    if not form.validate_on_submit():
        flash(_("The form expired; try again."), "danger")
        return redirect(url_for(".sheet", sheet_id=sheet_id))
    try:
        service.transition_sheet(_actor(), sheet, form.action.data, form.version.data)
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        db.session.commit()
        flash(_("Done: %(state)s.", state=service.STATE_LABELS[sheet.state]), "success")
    return redirect(url_for(".sheet", sheet_id=sheet_id))


@bp.route("/royalties/sheets/<int:sheet_id>/payment-date", methods=["POST"])
@requires("sheet_visible")
def payment_date(sheet_id):
    sheet = service.get_sheet(_actor(), sheet_id)
    form = PaymentDateForm()
    if form.validate_on_submit():
        try:
            service.update_sheet(_actor(), sheet, form.version.data, form.payment_date.data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            db.session.commit()
            flash(_("Payment date saved; the sheet was recomputed."), "success")
            return redirect(url_for(".sheet", sheet_id=sheet_id))
    sheet = service.get_sheet(_actor(), sheet_id)
    return _sheet_page(sheet, payment_form=form, status=422)


@bp.route("/royalties/sheets/<int:sheet_id>/export.<fmt>")
@requires("sheet_visible")
def export(sheet_id, fmt):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    sheet = service.get_sheet(_actor(), sheet_id)
    content, mimetype, filename = service.export_sheet(sheet, _actor(), fmt)
    return download_response(content, mimetype, filename)


@bp.route("/my/royalties")
@requires("authenticated")
def my_royalties():
    today = local_date(utcnow())
    try:
        start = parse_date(request.args.get("from")) or date(today.year, 1, 1)
        end = parse_date(request.args.get("to"))
    except ValueError:
        flash(str(BAD_DATE), "danger")
        start, end = date(today.year, 1, 1), None
    mine = service.my_lines(_actor(), start, end)
    db.session.commit()
    return render_template("royalties/my_lines.html", mine=mine, start=start, end=end)


@bp.route("/admin/sites/<site>/import-items", methods=["GET", "POST"])
@requires("admin")
def import_view(site):
    from ..accounts.services import get_site

    site = get_site(site)
    form = ImportItemsForm()
    errors, result = [], None
    if form.validate_on_submit():
        try:
            text = form.file.data.read().decode("utf-8")
        except UnicodeDecodeError:
            flash(_("The file is not UTF-8 text."), "danger")
        else:
            try:
                result = import_items(_actor(), site, items_from_csv(text))
            except ServiceError as exc:
                db.session.rollback()
                errors = exc.details.get("errors", [])
                flash(str(exc.message), "danger")
            else:
                db.session.commit()
                flash(_("Imported %(created)s items; %(skipped)s already imported were skipped.",
                        created=result["created"], skipped=result["skipped_existing"]), "success")
    return render_template("royalties/import.html", site=site, form=form, errors=errors, result=result,
                           columns=CSV_COLUMNS), 422 if errors else 200
