"""A payee's withholding statement for a year (PDF): what was paid and withheld, month by month, for
the accountant to sign or to copy into the official certificate (chứng từ khấu trừ thuế TNCN).

Rendered by WeasyPrint (royalties/pdf_render: font check, fonts-only fetcher) from templates/royalties/statement_pdf.html, A4 portrait, with DejaVu Sans
(Debian's fonts-dejavu-core) embedded so the Vietnamese diacritics print as written.
"""
from flask import render_template

from ...domain.vietnamese_numbers import amount_in_words, format_vnd
from ..pdf_render import PDF_MIMETYPE, font_files, html_to_pdf
from .queries import MONTHS, Amounts

__all__ = ["PDF_MIMETYPE", "write_statement_pdf"]


def statement_rows(entry):
    """[(month "01".., Amounts)] for all twelve months (zeros where nothing was paid)."""
    months = entry.months if entry is not None else {}
    return [(m, months.get(m, Amounts())) for m in MONTHS]


def write_statement_pdf(*, year, agency, scope, payee, entry, issued_on, personal=True):
    total = entry.total if entry is not None else Amounts()
    fonts = font_files()
    html = render_template(
        "royalties/statement_pdf.html", year=year, agency=agency, scope=scope, payee=payee,
        rows=statement_rows(entry), total=total, vnd=format_vnd, words=amount_in_words, issued_on=issued_on,
        staff=bool(entry and entry.staff), personal=personal,
        font_regular=fonts["regular"].resolve().as_uri(), font_bold=fonts["bold"].resolve().as_uri())
    return html_to_pdf(html, fonts)
