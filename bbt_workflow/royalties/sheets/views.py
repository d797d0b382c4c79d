"""Pages for royalty sheets (accountants, approvers) and a payee's own lines."""
from collections import defaultdict
from datetime import date

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...db_types import utcnow
from ...domain.royalty_rules import local_date
from ...domain.sheet_workflow import SHEET_STATES
from ...downloads import download_response
from ...errors import ServiceError
from ...extensions import db
from ...formatting import BAD_DATE, parse_date
from ...forms_base import show_service_error
from ...permissions import (
    can_read_sheets, can_see_personal_payee_fields, may_create_sheet, may_set_payment_date, requires, site_for,
)
from ..blueprints import PER_PAGE
from ...auth.current import current_actor as _actor
from ..blueprints import web as bp
from ..payees.services import mask
from ..tax_year import queries as tax_queries
from ..tax_year.views import chosen_year, year_choices
from . import background, queries, transitions
from ..models import BackgroundTask
from .document_model import XLSX_MIMETYPE
from .documents import EXPORT_FORMATS, export_sheet
from .forms import PaymentDateForm, SheetActionForm, SheetCreateForm
from ...request_writes import writes_on_get
ACTION_LABELS = {"recompute": _l("Recompute"), "check": _l("Mark checked"), "approve": _l("Approve sheet"),
                 "pay": _l("Mark paid"), "reopen": _l("Reopen as draft")}


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
    may_create = may_create_sheet(_actor(), site)
    if request.method == "POST":
        if not may_create:
            abort(403)
        if form.validate_on_submit():
            try:
                # A big month is computed by the job runner; the task page shows its progress.
                if background.month_item_count(site, form.period.data) > background.sheet_job_threshold():
                    task = background.enqueue_sheet(_actor(), site, form.period.data, form.payment_date.data)
                    db.session.commit()
                    return redirect(url_for(".task_page", task_id=task.id))
                sheet = transitions.create_sheet(_actor(), site, form.period.data, form.payment_date.data)
            except ServiceError as exc:
                db.session.rollback()
                show_service_error(form, exc)
            else:
                db.session.commit()
                flash(_("Sheet %(number)s computed.", number=sheet.number), "success")
                return redirect(url_for(".sheet", sheet_id=sheet.id))
    # ?state= narrows the list (the home page's "sheets to check/approve/pay" land here); other values are ignored.
    state = request.args.get("state") if request.args.get("state") in SHEET_STATES else None
    page = db.paginate(queries.sheets_query(_actor(), site, state), page=request.args.get("page", 1, type=int),
                       per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    year = request.args.get("year", local_date(utcnow()).year, type=int)
    fund = queries.fund_check(site, year) if 2000 <= year <= 2100 else None
    status = 422 if request.method == "POST" else 200
    return render_template("royalties/sheets.html", site=site, page=page, form=form, may_create=may_create,
                           fund=fund, state=state, states=SHEET_STATES, summary=queries.sheet_state_summary(site)), status


def _sheet_page(sheet, payment_form=None, status=200):
    lines = queries.sheet_lines(sheet)
    by_payee = defaultdict(list)
    for row in lines:
        by_payee[row[0].payee_id].append(row)
    units = defaultdict(list)
    for sp in queries.sheet_payees(sheet):
        units[sp.unit_name or _("No unit")].append((sp, by_payee[sp.payee_id]))
    grouped = [(name, sorted(units[name], key=lambda pair: pair[0].payee.full_name)) for name in sorted(units)]
    actor = _actor()
    actions = queries.allowed_sheet_actions(actor, sheet)
    today = local_date(utcnow())
    overdue = sum(1 for line, _title, _category in lines if queries.is_overdue(line, sheet, today))
    if payment_form is None:
        payment_form = PaymentDateForm(data={"payment_date": sheet.payment_date, "version": sheet.version})
    return render_template(
        "royalties/sheet.html", sheet=sheet, grouped=grouped, actions=actions, action_labels=ACTION_LABELS,
        action_form=SheetActionForm(), payment_form=payment_form, overdue=overdue,
        personal=can_see_personal_payee_fields(actor), mask=mask,
        warnings=queries.sheet_warnings(sheet), factor_product=queries.factor_product,
        may_set_payment_date=may_set_payment_date(actor, sheet), xlsx_by_task=background.export_by_task(sheet),
        is_overdue=lambda line: queries.is_overdue(line, sheet, today),
    ), status


@bp.route("/royalties/sheets/<int:sheet_id>")
@requires("sheet_visible")
def sheet(sheet_id):
    return _sheet_page(queries.get_sheet(_actor(), sheet_id))


@bp.route("/royalties/sheets/<int:sheet_id>/act", methods=["POST"])
@requires("sheet_visible")
def act(sheet_id):
    sheet = queries.get_sheet(_actor(), sheet_id)
    form = SheetActionForm()
    if not form.validate_on_submit():
        flash(_("The form expired; try again."), "danger")
        return redirect(url_for(".sheet", sheet_id=sheet_id))
    try:
        # A big draft is recomputed by the job runner; the task page shows its progress.
        if form.action.data == "recompute" and background.month_item_count(
                sheet.site, f"{sheet.period_start:%Y-%m}") > background.sheet_job_threshold():
            task = background.enqueue_recompute(_actor(), sheet, form.version.data)
            db.session.commit()
            return redirect(url_for(".task_page", task_id=task.id))
        transitions.transition_sheet(_actor(), sheet, form.action.data, form.version.data)
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        db.session.commit()
        flash(_("Done: %(state)s.", state=queries.STATE_LABELS[sheet.state]), "success")
    return redirect(url_for(".sheet", sheet_id=sheet_id))


@bp.route("/royalties/sheets/<int:sheet_id>/payment-date", methods=["POST"])
@requires("sheet_visible")
def payment_date(sheet_id):
    sheet = queries.get_sheet(_actor(), sheet_id)
    form = PaymentDateForm()
    if form.validate_on_submit():
        try:
            transitions.update_sheet(_actor(), sheet, form.version.data, form.payment_date.data)
        except ServiceError as exc:
            db.session.rollback()
            show_service_error(form, exc)
        else:
            db.session.commit()
            flash(_("Payment date saved; the sheet was recomputed."), "success")
            return redirect(url_for(".sheet", sheet_id=sheet_id))
    sheet = queries.get_sheet(_actor(), sheet_id)
    return _sheet_page(sheet, payment_form=form, status=422)


@bp.route("/royalties/sheets/<int:sheet_id>/export.<fmt>")
@requires("sheet_visible")
@writes_on_get
def export(sheet_id, fmt):
    if fmt not in EXPORT_FORMATS:
        abort(404)
    sheet = queries.get_sheet(_actor(), sheet_id)
    # A big sheet's XLSX is made by the job runner (a paid sheet's is kept already: served at once).
    # A GET changes nothing: it answers with the button whose POST starts the task.
    if fmt == "xlsx" and background.export_by_task(sheet):
        db.session.commit()
        return render_template("royalties/export_task.html", sheet=sheet)
    content, mimetype, filename = export_sheet(sheet, _actor(), fmt)
    db.session.commit()  # a paid sheet's PDF kept on its first download
    return download_response(content, mimetype, filename)


@bp.route("/royalties/sheets/<int:sheet_id>/export-task", methods=["POST"])
@requires("sheet_visible")
def export_task(sheet_id):
    """Start the job that makes a big sheet's XLSX (the form's CSRF token is checked before this runs)."""
    sheet = queries.get_sheet(_actor(), sheet_id)
    if not background.export_by_task(sheet):
        return redirect(url_for(".export", sheet_id=sheet_id, fmt="xlsx"))  # small or paid: at once
    task = background.enqueue_export(_actor(), sheet)
    db.session.commit()
    return redirect(url_for(".task_page", task_id=task.id))


@bp.route("/my/royalties")
@requires("authenticated")
@writes_on_get
def my_royalties():
    today = local_date(utcnow())
    try:
        start = parse_date(request.args.get("from")) or date(today.year, 1, 1)
        end = parse_date(request.args.get("to"))
    except ValueError:
        flash(str(BAD_DATE), "danger")
        start, end = date(today.year, 1, 1), None
    mine = queries.my_lines(_actor(), start, end)
    # The tax year: the caller's paid amounts by payment month, every site (and their statement PDF).
    year = chosen_year()
    own = tax_queries.tax_year(year, None, payee_id=mine["payee_id"])
    db.session.commit()
    return render_template("royalties/my_lines.html", mine=mine, start=start, end=end, year=year,
                           years=year_choices(year), own_year=own.payees[0] if own.payees else None,
                           months=tax_queries.MONTHS)


TASK_LABELS = {background.SHEET_KIND: _l("Computing the royalty sheet"),
               background.RECOMPUTE_KIND: _l("Recomputing the royalty sheet"),
               background.EXPORT_KIND: _l("Preparing the sheet's XLSX file")}
TASK_STATE_LABELS = {"queued": _l("Queued"), "running": _l("Running"), "done": _l("Done"), "failed": _l("Failed")}


def _task_status(task_id):
    task = db.session.get(BackgroundTask, task_id)
    if not background.may_see_task(_actor(), task):
        abort(404)
    percent = 100 if task.state == "done" else (min(100, task.done * 100 // task.total) if task.total else 0)
    result_url = None
    if task.state == "done" and task.result:
        if task.kind in background.SHEET_KINDS:
            result_url = url_for(".sheet", sheet_id=int(task.result))
        elif (task.kind == background.EXPORT_KIND and task.requested_by_id == _actor().id
              and not background.file_expired(task)):
            result_url = url_for(".task_file", task_id=task.id)
    return task, dict(state=task.state, state_label=str(TASK_STATE_LABELS[task.state]), done=task.done,
                      total=task.total, percent=percent, result_url=result_url,
                      error=_(task.error) if task.error else "")


@bp.route("/tasks/<int:task_id>")
@requires("authenticated")
def task_page(task_id):
    task, status = _task_status(task_id)
    label = TASK_LABELS[task.kind] if task.kind in TASK_LABELS else task.kind
    result_label = _("Download the file") if task.kind == background.EXPORT_KIND else _("Open the sheet")
    return render_template("tasks/task.html", task=task, label=label, percent=status["percent"], result_label=result_label,
                           running=task.state in ("queued", "running"), state_label=status["state_label"],
                           result_url=status["result_url"])


@bp.route("/tasks/<int:task_id>/status.json")
@requires("authenticated")
def task_status(task_id):
    return jsonify(_task_status(task_id)[1])


@bp.route("/tasks/<int:task_id>/file")
@requires("authenticated")
def task_file(task_id):
    kept = background.task_file(_actor(), db.session.get(BackgroundTask, task_id))
    if kept is None:
        abort(404)
    content, filename = kept
    if content is None:  # removed by the expiry job (or lost): say so, and how to get it again
        return render_template("errors/error.html", status=410, message=str(background.FILE_EXPIRED)), 410
    return download_response(content, XLSX_MIMETYPE, filename)
