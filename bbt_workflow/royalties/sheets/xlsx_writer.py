"""A royalty sheet as an XLSX file for the accountants (ROYALTIES.md, "The royalty sheet").

The writers only lay out a `SheetDocument`: every figure in the files is a figure of the
document, stored as a number (whole đồng as int, coefficients as Decimal) so Excel sums them,
and `check_document` refuses a document whose totals do not add up, so a file's totals
always equal the sheet's totals to the đồng.

XLSX: openpyxl (write-only mode) writes the workbook: named styles, column widths, merged
cells, frozen panes, print setup. The rows are serialised by `_SheetWriter` and spliced into
openpyxl's worksheet: through openpyxl's cell objects a 20,000-line sheet took 6–8 s (with or
without lxml), this way under 1 s and little memory (bench/royalty_sheet_export.py).
The tests read every file back with openpyxl. The output is deterministic: the workbook's
created/modified properties and every zip entry's timestamp come from the sheet's payment
date, so two exports of the same document are byte-identical.
"""
import io
import re
import shutil
import tempfile
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape as xml_escape
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ...domain.vietnamese_numbers import amount_in_words
from ...domain.xml_text import without_forbidden_xml_characters
from .document_model import account_label, check_document, payee_label, payee_note

TITLE = "BẢNG KÊ CHI TRẢ NHUẬN BÚT, THÙ LAO"
SHEET_NAME = "Bảng kê"
COLUMNS = [
    # header, width
    ("STT", 6),
    ("Họ tên (bút danh)", 26),
    ("Đơn vị", 18),
    ("MST/CCCD", 15),
    ("Tiêu đề", 42),
    ("Chuyên mục", 16),
    ("Thể loại", 22),
    ("Ngày đăng", 11),
    ("Hệ số", 7),
    ("Giá trị 1 hệ số", 11),
    ("Hệ số điều chỉnh", 10),
    ("Tỷ lệ (%)", 8),
    ("Thành tiền", 13),
    ("Tổng", 13),
    ("Thuế TNCN", 12),
    ("Thực nhận", 13),
    ("Số tài khoản", 26),
    ("Ký nhận", 14),
]
NCOLS = len(COLUMNS)
(COL_STT, COL_NAME, COL_UNIT, COL_TAX_ID, COL_TITLE, COL_CATEGORY, COL_GENRE, COL_DATE, COL_COEFFICIENT,
 COL_UNIT_VALUE, COL_FACTOR, COL_SHARE, COL_AMOUNT, COL_GROSS, COL_TAX, COL_NET, COL_ACCOUNT,
 COL_SIGN) = range(1, NCOLS + 1)
HEADER_ROW = 10  # the column headers; rows above are the sheet's header block
FREEZE = f"{get_column_letter(COL_UNIT)}{HEADER_ROW + 1}"  # "C11": headers, STT and name stay in view

VND_FORMAT = "#,##0"  # Excel shows it with the reader's locale separators: 1.895.400 in Vietnamese
COEFFICIENT_FORMAT = "#,##0.0##"
FACTOR_FORMAT = "0.0###"
SHARE_FORMAT = "0.00"
DATE_FORMAT = "dd/mm/yyyy"

def _fixed_moment(doc):
    """The workbook's created/modified time and the zip entries' time: the payment date, 00:00."""
    return datetime(doc.payment_date.year, doc.payment_date.month, doc.payment_date.day)


# --- XLSX --------------------------------------------------------------------------------------

class _FixedTimeZip(ZipFile):
    """A zip whose entries all carry one timestamp, so equal content gives equal bytes
    (openpyxl writes entries with the current time and the temporary file's mtime).
    `rows`: a binary file of <row> elements to put into the empty <sheetData> of the
    workbook's one worksheet (openpyxl numbers worksheets only while saving)."""

    def __init__(self, file, moment, rows=None, dimension=None):
        super().__init__(file, "w", ZIP_DEFLATED, allowZip64=True)
        self._date_time = moment.timetuple()[:6]
        self._rows = rows
        self._dimension = dimension  # "A1:R120": the used range, which read-only readers rely on
        self.spliced = []

    def _info(self, arcname):
        info = ZipInfo(arcname, date_time=self._date_time)
        info.compress_type = ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        arcname = arcname or filename
        rows = self._rows if arcname.startswith("xl/worksheets/sheet") else None
        with open(filename, "rb") as source, self.open(self._info(arcname), "w") as target:
            if rows is None:
                shutil.copyfileobj(source, target, 1 << 20)
                return
            # openpyxl's worksheet without rows is small: cut it at the empty sheetData.
            head, empty, tail = EMPTY_SHEET_DATA.split(source.read(), maxsplit=1)
            self.spliced.append(arcname)
            if self._dimension and b"<dimension" not in head:
                head = head.replace(b"<sheetViews>", f'<dimension ref="{self._dimension}"/><sheetViews>'.encode(), 1)
            target.write(head + b"<sheetData>")
            rows.seek(0)
            shutil.copyfileobj(rows, target, 1 << 20)
            target.write(b"</sheetData>" + tail)


EMPTY_SHEET_DATA = re.compile(rb"(<sheetData\s*/>|<sheetData>\s*</sheetData>)")


def _styles():
    thin = Side(style="thin", color="808080")
    grid = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(name="Times New Roman", size=11, bold=True)
    plain = Font(name="Times New Roman", size=11)
    italic = Font(name="Times New Roman", size=11, italic=True)
    top = Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    unit_fill = PatternFill("solid", fgColor="DDEBF7")
    header_fill = PatternFill("solid", fgColor="D9D9D9")
    total_fill = PatternFill("solid", fgColor="F2F2F2")

    def style(name, font=plain, number_format="General", border=None, alignment=top, fill=None):
        named = NamedStyle(name=name, font=font, number_format=number_format, alignment=alignment)
        if border is not None:
            named.border = border
        if fill is not None:
            named.fill = fill
        return named

    return [
        style("bk_agency", font=bold, alignment=Alignment(horizontal="left")),
        style("bk_title", font=Font(name="Times New Roman", size=14, bold=True), alignment=center),
        style("bk_subtitle", font=italic, alignment=center),
        style("bk_label", font=bold),
        style("bk_value"),
        style("bk_value_date", number_format=DATE_FORMAT, alignment=Alignment(horizontal="left")),
        style("bk_header", font=bold, border=grid, alignment=center, fill=header_fill),
        style("bk_text", border=grid, alignment=wrap),
        style("bk_int", border=grid, number_format="0"),
        style("bk_vnd", border=grid, number_format=VND_FORMAT),
        style("bk_coefficient", border=grid, number_format=COEFFICIENT_FORMAT),
        style("bk_factor", border=grid, number_format=FACTOR_FORMAT),
        style("bk_share", border=grid, number_format=SHARE_FORMAT),
        style("bk_date", border=grid, number_format=DATE_FORMAT),
        style("bk_unit", font=bold, border=grid, fill=unit_fill),
        style("bk_total_text", font=bold, border=grid, alignment=wrap, fill=total_fill),
        style("bk_total_vnd", font=bold, border=grid, number_format=VND_FORMAT, fill=total_fill),
        style("bk_total_note", font=italic, border=grid, alignment=wrap, fill=total_fill),
        style("bk_words", font=Font(name="Times New Roman", size=11, bold=True, italic=True)),
        style("bk_note", font=italic),
        style("bk_sign_date", font=italic, alignment=Alignment(horizontal="center")),
        style("bk_sign_title", font=bold, alignment=Alignment(horizontal="center")),
        style("bk_sign_hint", font=italic, alignment=Alignment(horizontal="center")),
    ]


class _SheetWriter:
    """Lays out the rows of the sheet; `row` is the number of the next row.

    openpyxl writes the workbook (styles, column widths, merged cells, frozen panes, print
    setup); the rows themselves are serialised here, straight to XML in a temporary file
    that `_FixedTimeZip` splices into the worksheet openpyxl wrote. Going through openpyxl's
    cell objects cost 6 s for 20,000 lines, this costs well under one (bench/).
    Styles are openpyxl named styles, referred to by the index openpyxl gives them.
    """

    def __init__(self, ws, styles, body):
        self.ws = ws
        self.body = body  # binary file receiving the <row> elements
        self.row = 1
        self._style_ids = {}
        for named in styles:
            template = WriteOnlyCell(ws)
            template.style = named.name
            self._style_ids[named.name] = template.style_id  # registers the cell format

    def append(self, cells, height=None):
        """cells: {column: (value, style)}; columns without an entry stay empty."""
        if cells or height:
            r = self.row
            parts = [f'<row r="{r}" ht="{height}" customHeight="1">' if height else f'<row r="{r}">']
            for column, (value, style) in sorted(cells.items()):
                parts.append(_cell_xml(f"{LETTERS[column]}{r}", value, self._style_ids[style]))
            parts.append("</row>")
            self.body.write("".join(parts).encode("utf-8"))
        self.row += 1

    def merge(self, first_column, last_column, row=None):
        row = self.row if row is None else row
        self.ws.merged_cells.add(f"{LETTERS[first_column]}{row}:{LETTERS[last_column]}{row}")


LETTERS = [""] + [get_column_letter(column) for column in range(1, NCOLS + 1)]
EXCEL_EPOCH = date(1899, 12, 30)  # serial day 0 of the 1900 date system (1 March 1900 onwards)
def _cell_xml(ref, value, style_id):
    """One <c> element: numbers as numbers, dates as serial days, text inline."""
    if value is None:
        return f'<c r="{ref}" s="{style_id}"/>'
    if isinstance(value, bool):
        raise TypeError(f"{ref}: a bool where a figure was expected")
    if isinstance(value, int):
        return f'<c r="{ref}" s="{style_id}"><v>{value}</v></c>'
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{ref}: {value} is not a number")
        return f'<c r="{ref}" s="{style_id}"><v>{value:f}</v></c>'
    if isinstance(value, date) and not isinstance(value, datetime):
        return f'<c r="{ref}" s="{style_id}"><v>{(value - EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, str):
        text = xml_escape(without_forbidden_xml_characters(value))
        return f'<c r="{ref}" s="{style_id}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    raise TypeError(f"{ref}: cannot write {type(value).__name__} {value!r}")


def _grid_row(cells, style="bk_text"):
    """A table row: every column bordered, the given cells filled."""
    row = {column: (None, style) for column in range(1, NCOLS + 1)}
    row.update(cells)
    return row


def _write_header(out, doc):
    out.append({1: (doc.agency, "bk_agency")})
    out.append({1: (doc.site, "bk_agency")})
    out.merge(1, NCOLS)
    out.append({1: (TITLE, "bk_title")}, height=24)
    out.merge(1, NCOLS)
    out.append({1: (f"Kỳ: {doc.period}", "bk_subtitle")})
    for label, value, style in (
        ("Số bảng kê:", doc.number, "bk_value"),
        ("Trạng thái:", doc.state, "bk_value"),
        ("Ngày chi trả:", doc.payment_date, "bk_value_date"),
        ("Căn cứ:", doc.regulation, "bk_value"),
    ):
        out.append({COL_NAME: (label, "bk_label"), COL_UNIT: (value, style)})
    out.append({})
    assert out.row == HEADER_ROW
    out.append({column: (header, "bk_header") for column, (header, _) in enumerate(COLUMNS, 1)}, height=30)


def _line_cells(line):
    return {
        COL_TITLE: (line.title, "bk_text"),
        COL_CATEGORY: (line.category, "bk_text"),
        COL_GENRE: (line.genre, "bk_text"),
        COL_DATE: (line.published_on, "bk_date"),
        COL_COEFFICIENT: (line.coefficient, "bk_coefficient"),
        COL_UNIT_VALUE: (line.unit_value, "bk_vnd"),
        COL_FACTOR: (line.factor, "bk_factor"),
        COL_SHARE: (line.share, "bk_share"),
        COL_AMOUNT: (line.amount, "bk_vnd"),
    }


def _total_cells(label, holder, note=""):
    return _grid_row({
        COL_NAME: (label, "bk_total_text"),
        COL_TITLE: (note or None, "bk_total_note"),
        COL_GROSS: (holder.gross, "bk_total_vnd"),
        COL_TAX: (holder.tax, "bk_total_vnd"),
        COL_NET: (holder.net, "bk_total_vnd"),
    }, style="bk_total_text")


def _write_body(out, doc):
    number = 0
    for unit_index, unit in enumerate(doc.units, 1):
        out.append(_grid_row({COL_STT: (_roman(unit_index), "bk_unit"), COL_NAME: (unit.name, "bk_unit")},
                             style="bk_unit"))
        for payee in unit.payees:
            number += 1
            first = {
                COL_STT: (number, "bk_int"),
                COL_NAME: (payee_label(payee), "bk_text"),
                COL_UNIT: (payee.unit, "bk_text"),
                COL_TAX_ID: (payee.tax_id, "bk_text"),
            }
            for index, line in enumerate(payee.lines):
                cells = _line_cells(line)
                if index == 0:
                    cells.update(first)
                out.append(_grid_row(cells))
            if not payee.lines:
                out.append(_grid_row(first))
            total = _total_cells(f"Cộng: {payee.name}", payee, payee_note(payee))
            total[COL_ACCOUNT] = (account_label(payee) or None, "bk_total_text")
            out.append(total, height=30)
        out.append(_total_cells(f"Cộng đơn vị: {unit.name}", unit))
    out.append(_total_cells("TỔNG CỘNG", doc))


def _write_footer(out, doc):
    out.append({})
    out.append({1: (f"Bằng chữ: {amount_in_words(doc.net)} (số tiền thực nhận).", "bk_words")})
    for note in doc.notes:
        out.append({1: (note, "bk_note")})
    out.append({})
    blocks = _signature_blocks(len(doc.signatures))
    if blocks:
        first, last = blocks[-1]
        out.append({first: ("Ngày ..... tháng ..... năm ..........", "bk_sign_date")})
        out.merge(first, last, out.row - 1)
        for texts, style in ((doc.signatures, "bk_sign_title"),
                             (["(Ký, ghi rõ họ tên)"] * len(blocks), "bk_sign_hint")):
            row = out.row
            out.append({first: (text, style) for (first, _), text in zip(blocks, texts)})
            for first, last in blocks:
                out.merge(first, last, row)
        out.append({1: (None, "bk_note")}, height=66)  # room to sign, inside the printed range


def _signature_blocks(count):
    """(first column, last column) of each signature block, side by side across the table."""
    if not count:
        return []
    width = NCOLS // count
    return [(1 + i * width, (i + 1) * width if i < count - 1 else NCOLS) for i in range(count)]


def _roman(n):
    numerals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    text = ""
    for value, numeral in numerals:
        count, n = divmod(n, value)
        text += numeral * count
    return text


def write_xlsx(doc):
    """The sheet as an .xlsx file (bytes)."""
    check_document(doc)
    moment = _fixed_moment(doc)
    wb = Workbook(write_only=True)
    wb.properties.creator = "BBT Workflow"
    wb.properties.lastModifiedBy = "BBT Workflow"
    wb.properties.title = f"{TITLE} {doc.number}"
    wb.properties.created = moment
    wb.properties.modified = moment
    styles = _styles()
    for style in styles:
        wb.add_named_style(style)
    ws = wb.create_sheet(SHEET_NAME)
    for column, (_, width) in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = FREEZE
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "Trang &P / &N"

    with tempfile.SpooledTemporaryFile(max_size=16 << 20) as rows:
        out = _SheetWriter(ws, styles, rows)
        _write_header(out, doc)
        _write_body(out, doc)
        _write_footer(out, doc)
        buffer = io.BytesIO()
        # Not wb.save(): it stamps `modified` with the current time.
        dimension = f"A1:{LETTERS[NCOLS]}{out.row - 1}"
        with _FixedTimeZip(buffer, moment, rows, dimension) as archive:
            ExcelWriter(wb, archive).save()
        if len(archive.spliced) != 1:
            raise RuntimeError(f"the rows went into {archive.spliced} instead of one worksheet")
    return buffer.getvalue()
