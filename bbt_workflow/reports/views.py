"""The reports pages (issue 13): the dashboard of a site or of every site ("all") for a chosen period, its
XLSX/DOCX exports, and the list of dashboards the reader may open.

Who may read: the reports service decides (a site's approvers, accountants and admins; every site for admins
and the portal's approvers); the route rule "report_site" answers 404 first for a site the reader is not a
member of, as the API does.
"""
from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.current import current_actor
from ..db_types import utcnow
from ..domain.report_periods import CUSTOM, current_quarter, period_days
from ..domain.royalty_rules import local_date
from ..downloads import download_response
from ..errors import ValidationFailed
from ..extensions import db
from ..forms_base import show_service_error
from ..formatting import format_date
from ..permissions import (
    can_read_all_site_reports, can_read_reports, can_read_some_reports, can_review, requires, site_by_code,
    visible_sites_query,
)
from .dashboard import report_dashboard
from .forms import PeriodForm
from .queries import WAITING_STATES
from .services import ALL_SITES, EXPORT_FORMATS, report_export, report_scope

bp = Blueprint("reports_web", __name__)


def _today():
    """The local day of the app's clock (tests move `utcnow`): the default period and the chart's months."""
    return local_date(utcnow())


def _period(form, today):
    """(first day, last day) chosen on the form, or None with the reasons on its fields. Without a period
    in the query string: the quarter holding `today`."""
    if not form.validate():
        return None
    if not form.period.data:
        form.period.data, year = current_quarter(today)
        form.year.data = form.year.data or year
    if form.period.data == CUSTOM:
        for field, message in ((form.from_, _("Enter the first day of the period.")),
                               (form.to, _("Enter the last day of the period."))):
            if field.data is None:
                field.errors = [message]
        if form.from_.errors or form.to.errors:
            return None
        start, end = form.from_.data, form.to.data
    else:
        form.year.data = form.year.data or today.year
        start, end = period_days(form.period.data, form.year.data)
    # The days shown again as dd/mm/yyyy (2/3 typed → 02/03); for a part of the year, its days: switching to
    # "custom" starts there.
    for field, day in ((form.from_, start), (form.to, end)):
        field.raw_data, field.data = [], day
    return start, end


def _readable_sites(user):
    """[(code, name)] of the dashboards the user may open, every site first."""
    pages = [(ALL_SITES, _("All sites"))] if can_read_all_site_reports(user) else []
    pages += [(s.code, s.name) for s in db.session.scalars(visible_sites_query(user)) if can_read_reports(user, s)]
    return pages


def _page(site, form, board, status, period=None):
    user = current_actor()
    site_obj = None if site == ALL_SITES else site_by_code(site)
    queue_links = {}
    if site_obj is not None and can_review(user, site_obj):
        queue_links = {state: url_for("submissions_web.queue", site=site, state=state) for state in WAITING_STATES}
    exports = {}
    if period is not None:
        query = {"period": CUSTOM, "from_": format_date(period[0]), "to": format_date(period[1])}
        exports = {fmt: url_for("reports_web.export", site=site, fmt=fmt, **query) for fmt in EXPORT_FORMATS}
    name = _("All sites") if site == ALL_SITES else site_obj.name
    return render_template("reports/dashboard.html", site=site, site_name=name, form=form, board=board,
                           period=period, queue_links=queue_links, exports=exports,
                           pages=_readable_sites(user)), status


def _chosen(site):
    """(form, period) after checking who asks (404/403 before any period error)."""
    report_scope(current_actor(), site)
    form = PeriodForm(request.args)
    return form, _period(form, _today())


@bp.route("/reports/<site>")
@requires("report_site")
def dashboard(site):
    """The figures of the chosen period (default: this quarter); a bad period is said on the page (422)."""
    form, period = _chosen(site)
    if period is None:
        return _page(site, form, None, 422)
    try:
        board = report_dashboard(current_actor(), site, *period, _today())
    except ValidationFailed as refused:  # from after to, over five years
        show_service_error(form, refused)
        return _page(site, form, None, 422)
    return _page(site, form, board, 200, period)


@bp.route("/reports/<site>/export.<fmt>")
@requires("report_site")
def export(site, fmt):
    """The period's figures as GET /api/v1/reports/export gives them, for the signed-in reader."""
    if fmt not in EXPORT_FORMATS:
        abort(404)
    form, period = _chosen(site)
    if period is None:
        return _page(site, form, None, 422)
    try:
        content, mimetype, filename = report_export(current_actor(), site, *period, fmt)
    except ValidationFailed as refused:
        show_service_error(form, refused)
        return _page(site, form, None, 422)
    return download_response(content, mimetype, filename)


@bp.route("/reports")
@requires("authenticated")
def index():
    """The dashboards the reader may open (the menu's "Reports")."""
    pages = _readable_sites(current_actor())
    if not pages:
        abort(403)
    return render_template("reports/index.html", pages=pages)


def _may_read_reports():
    """base.html shows "Reports" to those who may open some dashboard."""
    return current_user.is_authenticated and can_read_some_reports(current_user)


def init_app(app):
    app.register_blueprint(bp)
    app.jinja_env.globals.update(may_read_reports=_may_read_reports)
