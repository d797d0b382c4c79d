"""A sheet as an accounting document: laid out for the writers (grouped by unit, then payee),
exported as XLSX, CSV or PDF, and kept byte for byte once paid (ROYALTIES.md, "The royalty sheet").

The files of a paid sheet are written when it is paid (keep_sheet_files). A sheet paid before the
PDF existed gets its PDF kept the first time an accountant downloads it, so from then on it too is
served byte for byte whatever changes later (rates, the template, WeasyPrint, the font).
"""
from collections import defaultdict
from decimal import Decimal

from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError
from flask_babel import lazy_gettext as _l

from ...domain.royalty_rules import local_date
from ...domain.sheet_workflow import PAID
from ...errors import ServiceError
from ...extensions import db
from ...permissions import can_see_personal_payee_fields
from ..models import SheetFile
from ..pdf_render import PDF_MIMETYPE
from ..payees.services import mask
from .csv_writer import write_csv
from .document_model import (
    CSV_MIMETYPE, XLSX_MIMETYPE, DocumentError, DocumentLine, DocumentPayee, DocumentUnit, SheetDocument,
    export_filename,
)
from .pdf_writer import write_pdf
from .queries import STATE_LABELS, factor_product, sheet_lines, sheet_payees
from .xlsx_writer import write_xlsx

NO_UNIT = "Không thuộc đơn vị"


def sheet_document(sheet, viewer):
    """The sheet laid out for the XLSX/CSV writers: grouped by unit, then payee."""
    personal = can_see_personal_payee_fields(viewer)
    by_payee = defaultdict(list)
    for row in sheet_lines(sheet):
        by_payee[row[0].payee_id].append(row)
    units = defaultdict(list)
    for sp in sheet_payees(sheet):
        payee = sp.payee
        doc_lines = [DocumentLine(
            kind=line.kind, title=title, category=category or "",
            genre=line.genre_label, published_on=local_date(line.published_at) if line.published_at else None,
            coefficient=Decimal(line.coefficient) if line.coefficient is not None else None,
            unit_value=line.unit_value, factor=factor_product(line),
            share=Decimal(line.share) if line.share is not None else None, amount=line.amount,
        ) for line, title, category in by_payee[sp.payee_id]]
        tax_id = payee.tax_code or payee.id_number or ""
        unit_name = sp.unit_name or NO_UNIT
        units[unit_name].append(DocumentPayee(
            name=payee.full_name, pen_name=payee.pen_name, unit=unit_name,
            tax_id=tax_id if personal else mask(tax_id),
            bank_account=(payee.bank_account or "") if personal else mask(payee.bank_account),
            bank_name=payee.bank_name or "", staff=sp.staff, commitment=sp.commitment, lines=doc_lines,
            gross=sp.gross, tax=sp.tax, net=sp.net,
        ))
    doc_units = []
    for name in sorted(units):
        payees = sorted(units[name], key=lambda p: (p.name, p.pen_name or ""))
        doc_units.append(DocumentUnit(name=name, payees=payees, gross=sum(p.gross for p in payees),
                                      tax=sum(p.tax for p in payees), net=sum(p.net for p in payees)))
    site = sheet.site
    agency = site.parent.name if site.parent else site.name
    with force_locale("vi"):  # an accounting document: Vietnamese whatever the reader's UI language
        state_label = str(STATE_LABELS[sheet.state])
    return SheetDocument(
        agency=f"Ban Biên tập {agency}", site=site.name, period=f"Tháng {sheet.period_start:%m/%Y}",
        number=sheet.number, state=state_label, payment_date=sheet.payment_date,
        regulation=sheet.regulation_label, units=doc_units, gross=sheet.gross, tax=sheet.tax, net=sheet.net,
    )


EXPORT_FORMATS = ("xlsx", "csv", "pdf")
_MIME = {"xlsx": XLSX_MIMETYPE, "csv": CSV_MIMETYPE, "pdf": PDF_MIMETYPE}
_WRITERS = {"xlsx": write_xlsx, "csv": write_csv, "pdf": write_pdf}


def _write(fmt, document):
    try:
        return _WRITERS[fmt](document)
    except DocumentError as exc:
        # The writers refuse figures that do not add up: never hand out a wrong sheet.
        raise ServiceError(_l("The sheet's figures do not add up (%(problem)s); recompute it.", problem=str(exc)),
                           code="sheet_inconsistent")


def export_sheet(sheet, viewer, fmt):
    """(bytes, mimetype, filename). A paid sheet's files are the ones kept when it was paid; a PDF
    missing from a sheet paid before PDFs existed is kept now (the caller commits)."""
    personal = can_see_personal_payee_fields(viewer)
    if sheet.state == PAID and personal:
        kept = db.session.get(SheetFile, (sheet.id, fmt))
        if kept is not None:
            return kept.content, _MIME[fmt], export_filename(sheet, fmt)
        if fmt == "pdf":
            return _keep_late(sheet, viewer, fmt), _MIME[fmt], export_filename(sheet, fmt)
    content = _write(fmt, sheet_document(sheet, viewer))
    return content, _MIME[fmt], export_filename(sheet, fmt)


def _keep_late(sheet, viewer, fmt):
    content = _write(fmt, sheet_document(sheet, viewer))
    try:
        with db.session.begin_nested():  # two first downloads at once: the second keeps the first's file
            db.session.add(SheetFile(sheet_id=sheet.id, format=fmt, content=content))
    except IntegrityError:
        return db.session.get(SheetFile, (sheet.id, fmt), populate_existing=True).content
    return content


def keep_sheet_files(sheet):
    """Write the paid sheet's files once, with every personal field (read by accountants only)."""
    class _Accountant:
        is_authenticated, is_admin = True, True

    document = sheet_document(sheet, _Accountant())
    for fmt in EXPORT_FORMATS:
        db.session.add(SheetFile(sheet_id=sheet.id, format=fmt, content=_write(fmt, document)))
    db.session.flush()
