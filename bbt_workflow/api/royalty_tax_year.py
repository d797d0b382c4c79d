"""The payees' tax year (issue 17): the summary (JSON, XLSX), a payee's withholding statement (PDF)
and the caller's own year."""
from ..auth.current import current_actor
from ..downloads import download_response
from ..permissions import can_see_personal_payee_fields, requires
from ..royalties.payees import services as payee_service
from ..royalties.payees.services import payee_for_user
from ..royalties.tax_year import queries as tax_queries
from ..royalties.tax_year.documents import statement_pdf, tax_year_xlsx
from ..extensions import db
from .blueprint import BEARER, blp
from .tax_year_schemas import TaxSummaryArgs, TaxSummarySchema, TaxYearArgs, TaxYearPayeeSchema
from ..request_writes import writes_on_get


def _summary(args):
    sites = tax_queries.summary_scope(current_actor(), args.get("site"))
    return tax_queries.tax_year(args["year"], sites)


@blp.route("/royalty/tax-summary", methods=["GET"])
@requires("accounting")
@blp.arguments(TaxSummaryArgs, location="query")
@blp.response(200, TaxSummarySchema)
@blp.doc(security=BEARER)
def tax_summary(args):
    """Per payee, what the paid sheets whose payment date falls in the year paid and withheld, by payment
    month. Accountants see the sites they keep the books of (all of them without `site`); admins every site."""
    summary = _summary(args)
    return dict(summary.as_dict(), sites=[s.code for s in summary.sites])


@blp.route("/royalty/tax-summary.xlsx", methods=["GET"])
@requires("accounting")
@blp.arguments(TaxSummaryArgs, location="query")
@blp.response(200, description="The tax summary as an Excel workbook (one row per payee, months as columns)")
@blp.doc(security=BEARER)
def tax_summary_xlsx(args):
    return download_response(*tax_year_xlsx(_summary(args)))


@blp.route("/royalty/payees/<int:payee_id>/statement.pdf", methods=["GET"])
@requires("accounting")
@blp.arguments(TaxSummaryArgs, location="query")
@blp.response(200, description="The payee's withholding statement for the year (PDF, A4)")
@blp.doc(security=BEARER)
def payee_statement_pdf(args, payee_id):
    payee = payee_service.get_payee(current_actor(), payee_id)
    sites = tax_queries.summary_scope(current_actor(), args.get("site"))
    summary = tax_queries.tax_year(args["year"], sites, payee_id=payee.id)
    return download_response(*statement_pdf(summary, payee, personal=can_see_personal_payee_fields(current_actor())))


@blp.route("/royalty/my-tax-year", methods=["GET"])
@requires("authenticated")
@blp.arguments(TaxYearArgs, location="query")
@blp.response(200, TaxYearPayeeSchema)
@blp.doc(security=BEARER)
@writes_on_get
def my_tax_year(args):
    """The caller's own year over every site: paid and withheld by payment month."""
    payee = payee_for_user(current_actor())
    db.session.commit()  # the caller's payee record may have just been created
    return own_year(payee, args["year"])


@blp.route("/royalty/my-tax-year/statement.pdf", methods=["GET"])
@requires("authenticated")
@blp.arguments(TaxYearArgs, location="query")
@blp.response(200, description="The caller's own withholding statement for the year (PDF, A4)")
@blp.doc(security=BEARER)
@writes_on_get
def my_statement_pdf(args):
    payee = payee_for_user(current_actor())
    db.session.commit()
    summary = tax_queries.tax_year(args["year"], None, payee_id=payee.id)
    return download_response(*statement_pdf(summary, payee))


def own_year(payee, year):
    summary = tax_queries.tax_year(year, None, payee_id=payee.id)
    if summary.payees:
        return summary.payees[0].as_dict()
    return {"payee_id": payee.id, "full_name": payee.full_name, "tax_code": payee.tax_code,
            "id_number": payee.id_number, "staff": payee.labour_contract, "gross": 0, "tax": 0, "net": 0, "months": {}}
