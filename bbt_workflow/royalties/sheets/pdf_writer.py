"""A royalty sheet as a PDF for signatures and the archive (issue 17; ROYALTIES.md, "The royalty sheet").

Same content and order as the XLSX (xlsx_writer.py): grouped by unit then payee, a total per
payee, a subtotal per unit, the grand total, the amount in words, the signature blocks. The HTML
template templates/royalties/sheet_print.html (its CSS in sheet_print.css) is rendered in
Vietnamese whatever the reader's language, numbers in Vietnamese format (351.000; 1,5); WeasyPrint
lays it out (pdf_render.py). Deterministic like the XLSX: the PDF's dates are the payment date,
so two exports of the same document are byte-identical. Needs an app context (templates, config).
"""
from flask import render_template
from flask_babel import force_locale

from ...domain.vietnamese_numbers import amount_in_words
from ..pdf_render import css_string, font_face_css, font_files, html_to_pdf
from .document_model import account_label, check_document, payee_label, payee_note
from .xlsx_writer import COLUMNS, TITLE, _roman

# The XLSX's columns with widths in millimetres for DejaVu Sans at 6.4 pt on A4 landscape (281 mm
# between the margins): a 12-digit CCCD, dates, amounts up to 123.456.789 and 15-digit account
# numbers on one line; about 2 cm to sign in "Ký nhận".
PDF_WIDTHS_MM = [7, 23, 16, 19, 28, 13, 16, 15, 8, 12, 10, 8, 15, 16, 15, 16, 24, 20]
PDF_COLUMNS = [(header, width) for (header, _), width in zip(COLUMNS, PDF_WIDTHS_MM, strict=True)]


def sheet_html(doc, files):
    """The print HTML of a checked document; `files`: the font files (pdf_render.font_files())."""
    with force_locale("vi"):
        return render_template(
            "royalties/sheet_print.html", doc=doc, title=TITLE, columns=PDF_COLUMNS, roman=_roman, payee_label=payee_label,
            payee_note=payee_note, account_label=account_label, words=amount_in_words(doc.net),
            font_css=font_face_css(files), number_css=css_string(doc.number), period_css=css_string(doc.period),
            moment=f"{doc.payment_date:%Y-%m-%d}T00:00:00Z",
        )


def write_pdf(doc):
    """The sheet as a PDF file (bytes)."""
    check_document(doc)
    files = font_files()
    return html_to_pdf(sheet_html(doc, files), files)
