"""Pages of the tax year: the accountants' summary (a year chooser, the table, downloads), a payee's
statement PDF, and the caller's own statement (linked from "Nhuận bút của tôi")."""
from flask import flash, render_template, request
from flask_babel import gettext as _

from ...auth.current import current_actor as _actor
from ...db_types import utcnow
from ...domain.royalty_rules import local_date
from ...downloads import download_response
from ...extensions import db
from ...permissions import can_see_personal_payee_fields, requires
from ..blueprints import web as bp
from ..payees import services as payee_service
from ..payees.services import mask, payee_for_user
from . import queries
from .documents import statement_pdf, tax_year_xlsx
from ...request_writes import writes_on_get


def chosen_year():
    """The ?year= of the page (this year in Vietnam by default; a bad one is said and replaced)."""
    this_year = local_date(utcnow()).year
    raw = request.args.get("year", "")
    if not raw:
        return this_year
    if raw.isdigit() and queries.FIRST_YEAR <= int(raw) <= queries.LAST_YEAR:
        return int(raw)
    flash(_("Give a year between %(first)s and %(last)s.", first=queries.FIRST_YEAR, last=queries.LAST_YEAR),
          "danger")
    return this_year


def year_choices(year):
    this_year = local_date(utcnow()).year
    return sorted({*range(this_year - 5, this_year + 1), year}, reverse=True)


@bp.route("/royalties/tax-year")
@requires("accounting")
def tax_year_page():
    year = chosen_year()
    site_code = request.args.get("site") or None
    sites = queries.summary_scope(_actor(), site_code)
    summary = queries.tax_year(year, sites)
    return render_template(
        "royalties/tax_year.html", summary=summary, year=year, years=year_choices(year), site_code=site_code,
        my_sites=queries.tax_year_sites(_actor()), months=queries.MONTHS,
        personal=can_see_personal_payee_fields(_actor()), mask=mask)


@bp.route("/royalties/tax-year.xlsx")
@requires("accounting")
def tax_year_download():
    sites = queries.summary_scope(_actor(), request.args.get("site") or None)
    return download_response(*tax_year_xlsx(queries.tax_year(chosen_year(), sites)))


@bp.route("/royalties/tax-year/payees/<int:payee_id>/statement.pdf")
@requires("accounting")
def payee_statement(payee_id):
    payee = payee_service.get_payee(_actor(), payee_id)
    sites = queries.summary_scope(_actor(), request.args.get("site") or None)
    summary = queries.tax_year(chosen_year(), sites, payee_id=payee.id)
    return download_response(*statement_pdf(summary, payee))


@bp.route("/my/royalties/statement.pdf")
@requires("authenticated")
@writes_on_get
def my_statement():
    payee = payee_for_user(_actor())
    db.session.commit()  # the caller's payee record may have just been created
    summary = queries.tax_year(chosen_year(), None, payee_id=payee.id)
    return download_response(*statement_pdf(summary, payee))
