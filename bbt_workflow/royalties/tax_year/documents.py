"""The tax year's documents: the summary XLSX and a payee's withholding statement (PDF), with the
headings an accounting document carries (Vietnamese whatever the reader's language)."""
from sqlalchemy import select

from ...accounts.models import Site
from ...db_types import utcnow
from ...domain.roles import PORTAL
from ...domain.royalty_rules import local_date
from ...extensions import db
from .statement_pdf import PDF_MIMETYPE, write_statement_pdf
from .xlsx_writer import XLSX_MIMETYPE, write_tax_year_xlsx


def agency_name(sites):
    """The board that pays: the parent portal of the first site, or the installation's portal."""
    site = sites[0] if sites else db.session.scalar(select(Site).where(Site.kind == PORTAL).order_by(Site.id))
    if site is None:
        return "Ban Biên tập"
    return f"Ban Biên tập {site.parent.name if site.parent else site.name}"


def scope_text(sites):
    if not sites:
        return "Mọi trang"
    return "Trang: " + "; ".join(s.name for s in sites)


def tax_year_xlsx(summary):
    """(bytes, mimetype, filename)"""
    title = f"BẢNG TỔNG HỢP THU NHẬP NHUẬN BÚT, THÙ LAO VÀ THUẾ TNCN ĐÃ KHẤU TRỪ NĂM {summary.year}"
    scope = f"{agency_name(summary.sites)} · {scope_text(summary.sites)}"
    codes = "-".join(s.code for s in summary.sites) or "tat-ca"
    return (write_tax_year_xlsx(summary, title, scope), XLSX_MIMETYPE,
            f"thue-tncn-{summary.year}-{codes}.xlsx")


def statement_pdf(summary, payee, personal=True):
    """(bytes, mimetype, filename): one payee's year. summary: queries.tax_year(..., payee_id=payee.id)."""
    entry = next((p for p in summary.payees if p.payee_id == payee.id), None)
    content = write_statement_pdf(
        year=summary.year, agency=agency_name(summary.sites), scope=scope_text(summary.sites), payee=payee,
        entry=entry, issued_on=local_date(utcnow()), personal=personal)
    return content, PDF_MIMETYPE, f"khau-tru-thue-{summary.year}-{payee.id}.pdf"
