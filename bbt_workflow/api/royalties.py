"""Royalty endpoints (API.md): rates, live quote, payees, sheets, exports, my lines, fund check, import."""
from flask_babel import lazy_gettext as _l

from ..auth.current import current_actor
from ..accounts.services import get_site
from ..db_types import utcnow
from ..downloads import download_response
from ..domain.royalty_rules import decimal_text, local_date
from ..errors import Forbidden
from ..extensions import db
from ..permissions import can_read_sheets, can_review, requires
from ..royalties.grading.services import quote_grading
from ..royalties.importing.services import import_items
from ..royalties.payees import services as payee_service
from ..royalties.sheets import queries as sheet_queries
from ..royalties.sheets import transitions as sheet_transitions
from ..royalties.pdf_render import PDF_MIMETYPE
from ..royalties.sheets.documents import export_sheet
from ..royalties.rules.queries import (
    base_salary_on, fee_rules_on, national_caps_on, regulation_on, site_factor_on, tax_rule_on, unit_value_on,
)
from .blueprint import BEARER, blp
from .pagination import paginate
from .royalty_schemas import (
    FundCheckArgs, FundCheckSchema, ImportRequest, ImportResult, MyLinesArgs, MyLinesSchema, PayeeCreateSchema,
    PayeeListArgs, PayeeSchema, PayeeWriteSchema, QuoteRequest, QuoteSchema, RatesArgs, RatesSchema,
    SheetCreateSchema, SheetListArgs, SheetSchema, SheetSummarySchema, SheetTransitionSchema, SheetUpdateSchema,
)
from .schemas import page_of
from .partial_updates import require_changes
from .site_references import visible_site
from ..request_writes import writes_on_get


def _member_site(code):
    return visible_site(code)


def _today():
    return local_date(utcnow())


@blp.route("/royalty/rates", methods=["GET"])
@requires("authenticated")
@blp.arguments(RatesArgs, location="query")
@blp.response(200, RatesSchema)
@blp.doc(security=BEARER)
def royalty_rates(args):
    """Genres, ranges, factors, unit value and tax rule in force for a site on a day (default today)."""
    site = _member_site(args["site"])
    on = args["on"] or _today()
    regulation = regulation_on(site, on)
    caps = national_caps_on(on)
    tax = tax_rule_on(on)
    return {
        "site": site.code, "on": on,
        "regulation": {"code": regulation.code, "name": regulation.name, "source_text": regulation.source_text,
                       "effective_from": regulation.effective_from.isoformat(), "to_verify": regulation.to_verify},
        "genres": [{"code": g.code, "label": g.label, "min": decimal_text(g.min_coefficient), "max": decimal_text(g.max_coefficient),
                    "default": decimal_text(g.default_coefficient), "fixed_amount": g.fixed_amount,
                    "national_cap": decimal_text(caps[g.cap_group]) if g.cap_group in caps else None}
                   for g in regulation.genres if g.active],
        "adjustments": [{"code": a.code, "label": a.label, "min": decimal_text(a.min_factor), "max": decimal_text(a.max_factor),
                         "default": decimal_text(a.default_factor)} for a in regulation.adjustments],
        "site_factor": decimal_text(site_factor_on(site, on).factor),
        "base_salary": base_salary_on(on).amount, "unit_value": unit_value_on(on),
        "tax": {"threshold": tax.threshold, "rate_percent": decimal_text(tax.rate_percent), "source_text": tax.source_text,
                "to_verify": tax.to_verify},
        "fees": [{"role": role, "kind": rule.kind, "value": decimal_text(rule.value)}
                 for role, rule in sorted(fee_rules_on(site, on).items())],
    }


@blp.route("/royalty/quote", methods=["POST"])
@requires("authenticated")
@blp.arguments(QuoteRequest)
@blp.response(200, QuoteSchema)
@blp.doc(security=BEARER)
def royalty_quote(data):
    """Check and price a grading without saving it: the grading form's live amount."""
    site = _member_site(data["site"])
    if not can_review(current_actor(), site):
        raise Forbidden(_l("Only editors and approvers grade items."), code="not_allowed")
    try:
        return quote_grading(site, data["grading"], data["on"] or _today())
    finally:
        # Pricing may have matched or created outsider payees: a quote leaves nothing behind.
        db.session.rollback()


# --- payees -------------------------------------------------------------------------

@blp.route("/royalty/payees", methods=["GET"])
@requires("accounting")
@blp.arguments(PayeeListArgs, location="query")
@blp.response(200, page_of(PayeeSchema))
@blp.doc(security=BEARER)
def list_payees(args):
    page = paginate(payee_service.payees_query(current_actor(), username=args.get("username"), q=args.get("q")), args)
    page["items"] = [payee_service.payee_view(p, current_actor()) for p in page["items"]]
    return page


@blp.route("/royalty/payees", methods=["POST"])
@requires("accounting")
@blp.arguments(PayeeCreateSchema)
@blp.response(201, PayeeSchema)
@blp.doc(security=BEARER)
def create_payee(data):
    payee = payee_service.create_payee(current_actor(), data)
    db.session.commit()
    return payee_service.payee_view(payee, current_actor())


@blp.route("/royalty/payees/<int:payee_id>", methods=["GET"])
@requires("accounting")
@blp.response(200, PayeeSchema)
@blp.doc(security=BEARER)
def get_payee(payee_id):
    return payee_service.payee_view(payee_service.get_payee(current_actor(), payee_id), current_actor())


@blp.route("/royalty/payees/<int:payee_id>", methods=["PATCH"])
@requires("accounting")
@blp.arguments(PayeeWriteSchema)
@blp.response(200, PayeeSchema)
@blp.doc(security=BEARER)
def update_payee(data, payee_id):
    payee = payee_service.update_payee(current_actor(), payee_service.get_payee(current_actor(), payee_id), require_changes(data))
    db.session.commit()
    return payee_service.payee_view(payee, current_actor())


# --- sheets ---------------------------------------------------------------------------

@blp.route("/royalty/sheets", methods=["GET"])
@requires("authenticated")
@blp.arguments(SheetListArgs, location="query")
@blp.response(200, page_of(SheetSummarySchema))
@blp.doc(security=BEARER)
def list_sheets(args):
    site = _member_site(args["site"])
    return paginate(sheet_queries.sheets_query(current_actor(), site), args)


@blp.route("/royalty/sheets", methods=["POST"])
@requires("authenticated")
@blp.arguments(SheetCreateSchema)
@blp.response(201, SheetSchema)
@blp.doc(security=BEARER)
def create_sheet(data):
    """A draft sheet for a site and month, computed from the items published in it."""
    site = _member_site(data["site"])
    sheet = sheet_transitions.create_sheet(current_actor(), site, data["period"], data["payment_date"])
    db.session.commit()
    return sheet_queries.sheet_view(sheet, current_actor())


@blp.route("/royalty/sheets/<int:sheet_id>", methods=["GET"])
@requires("sheet_visible")
@blp.response(200, SheetSchema)
@blp.doc(security=BEARER)
def get_sheet(sheet_id):
    return sheet_queries.sheet_view(sheet_queries.get_sheet(current_actor(), sheet_id), current_actor())


@blp.route("/royalty/sheets/<int:sheet_id>", methods=["PATCH"])
@requires("sheet_visible")
@blp.arguments(SheetUpdateSchema)
@blp.response(200, SheetSchema)
@blp.doc(security=BEARER)
def update_sheet(data, sheet_id):
    """Set the payment date of a draft sheet (the tax rule follows it); recomputes."""
    sheet = sheet_queries.get_sheet(current_actor(), sheet_id)
    sheet_transitions.update_sheet(current_actor(), sheet, data["version"], data["payment_date"])
    db.session.commit()
    return sheet_queries.sheet_view(sheet, current_actor())


@blp.route("/royalty/sheets/<int:sheet_id>/transitions", methods=["POST"])
@requires("sheet_visible")
@blp.arguments(SheetTransitionSchema)
@blp.response(200, SheetSchema)
@blp.doc(security=BEARER)
def transition_sheet(data, sheet_id):
    """recompute | check | approve (approvers) | pay | reopen."""
    sheet = sheet_queries.get_sheet(current_actor(), sheet_id)
    sheet_transitions.transition_sheet(current_actor(), sheet, data["action"], data["version"])
    db.session.commit()
    return sheet_queries.sheet_view(sheet, current_actor())


def _export(sheet_id, fmt):
    sheet = sheet_queries.get_sheet(current_actor(), sheet_id)
    content, mimetype, filename = export_sheet(sheet, current_actor(), fmt)
    db.session.commit()  # a paid sheet's PDF kept on its first download
    return download_response(content, mimetype, filename)


@blp.route("/royalty/sheets/<int:sheet_id>/export.xlsx", methods=["GET"])
@requires("sheet_visible")
@blp.response(200, description="The royalty sheet as an Excel workbook")
@blp.doc(security=BEARER)
@writes_on_get
def export_sheet_xlsx(sheet_id):
    return _export(sheet_id, "xlsx")


@blp.route("/royalty/sheets/<int:sheet_id>/export.csv", methods=["GET"])
@requires("sheet_visible")
@blp.response(200, description="The royalty sheet as CSV (UTF-8 with BOM)")
@blp.doc(security=BEARER)
@writes_on_get
def export_sheet_csv(sheet_id):
    return _export(sheet_id, "csv")


@blp.route("/royalty/sheets/<int:sheet_id>/export.pdf", methods=["GET"])
@requires("sheet_visible")
@blp.response(200, {"type": "string", "format": "binary"},
              description="The royalty sheet as a PDF for signatures (A4 landscape, Vietnamese, "
              "DejaVu Sans embedded); a paid sheet's PDF is the one kept when it was paid, byte for byte. "
              "503 `pdf_font_missing` when the server lacks the font.", content_type=PDF_MIMETYPE)
@blp.doc(security=BEARER)
@writes_on_get
def export_sheet_pdf(sheet_id):
    return _export(sheet_id, "pdf")


@blp.route("/royalty/my-lines", methods=["GET"])
@requires("authenticated")
@blp.arguments(MyLinesArgs, location="query")
@blp.response(200, MyLinesSchema)
@blp.doc(security=BEARER)
def my_lines(args):
    """The caller's own royalty and fee lines, per sheet, with totals."""
    result = sheet_queries.my_lines(current_actor(), args.get("from_"), args.get("to"))
    db.session.commit()  # the caller's payee record may have just been created
    return result


@blp.route("/royalty/fund-check", methods=["GET"])
@requires("authenticated")
@blp.arguments(FundCheckArgs, location="query")
@blp.response(200, FundCheckSchema)
@blp.doc(security=BEARER)
def fund_check(args):
    """Royalties and fees of a site's year against NĐ 18/2014's limits and the yearly budget."""
    site = _member_site(args["site"])
    if not can_read_sheets(current_actor(), site):
        raise Forbidden(_l("Only the site's accountants and approvers see its royalty figures."), code="not_allowed")
    result = sheet_queries.fund_check(site, args["year"])
    if result["fee_ratio"] is not None:
        result["fee_ratio"] = str(result["fee_ratio"])
    return result


@blp.route("/admin/sites/<site>/import", methods=["POST"])
@requires("admin")
@blp.arguments(ImportRequest)
@blp.response(200, ImportResult)
@blp.alt_response(422, description="Nothing imported: `error.details.errors` lists "
                  "[{index, message}] for every refused item")
@blp.doc(security=BEARER)
def import_published_items(data, site):
    """Items already published on the old portal; all or nothing; a known external_id is skipped."""
    site_obj = get_site(site)
    result = import_items(current_actor(), site_obj, data["items"])  # raises (422, row errors) and writes nothing
    db.session.commit()
    return result
