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
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ...domain.vietnamese_numbers import amount_in_words
from ...domain.xml_text import without_forbidden_xml_characters
from .document_model import account_label, check_document, payee_label, payee_note

TITLE = "BẢNG KÊ CHI TRẢ NHUẬN BÚT, THÙ LAO"
SHEET_NAME = "Bảng kê"
COLUMNS = [
    # header, width (Excel units, about one character of the 10 pt table font each). The sum decides
    # the print scale (fit to one A4 landscape page wide): 213 units print at about 67%; MST/CCCD
    # (12 digits), Số tài khoản and Ký nhận stay wide enough to write or sign in by hand.
    ("STT", 4),
    ("Họ tên (bút danh)", 18),
    ("Đơn vị", 12),
    ("MST/CCCD", 14),
    ("Tiêu đề", 26),
    ("Chuyên mục", 10),
    ("Thể loại", 13),
    ("Ngày đăng", 10),
    ("Hệ số", 6),
    ("Giá trị 1 hệ số", 9),
    ("Hệ số điều chỉnh", 8),
    ("Tỷ lệ (%)", 6),
    ("Thành tiền", 11),
    ("Tổng", 11),
    ("Thuế TNCN", 10),
    ("Thực nhận", 11),
    ("Số tài khoản", 16),
    ("Ký nhận", 18),
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

TABLE_FONT_SIZE = 10
LINE_HEIGHT = 13.0  # points per line of 10 pt Times New Roman in Excel and LibreOffice
ROW_PADDING = 3.0
DEFAULT_ROW_HEIGHT = 15.0  # rows left to the default (the header block, 11 pt)
SIGNING_SPACE = 66  # points left blank under the signature titles
CHARS_PER_UNIT, BOLD_CHARS_PER_UNIT = 1.0, 0.9
BOLD_STYLES = {"bk_header", "bk_unit", "bk_total_text"}

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
    # The table in 10 pt: LINE_HEIGHT and the column widths are reckoned for it.
    table_bold = Font(name="Times New Roman", size=TABLE_FONT_SIZE, bold=True)
    table_plain = Font(name="Times New Roman", size=TABLE_FONT_SIZE)
    table_italic = Font(name="Times New Roman", size=TABLE_FONT_SIZE, italic=True)
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
        style("bk_header", font=table_bold, border=grid, alignment=center, fill=header_fill),
        style("bk_text", font=table_plain, border=grid, alignment=wrap),
        style("bk_int", font=table_plain, border=grid, number_format="0"),
        style("bk_vnd", font=table_plain, border=grid, number_format=VND_FORMAT),
        style("bk_coefficient", font=table_plain, border=grid, number_format=COEFFICIENT_FORMAT),
        style("bk_factor", font=table_plain, border=grid, number_format=FACTOR_FORMAT),
        style("bk_share", font=table_plain, border=grid, number_format=SHARE_FORMAT),
        style("bk_date", font=table_plain, border=grid, number_format=DATE_FORMAT),
        style("bk_unit", font=table_bold, border=grid, alignment=wrap, fill=unit_fill),
        style("bk_total_text", font=table_bold, border=grid, alignment=wrap, fill=total_fill),
        style("bk_total_vnd", font=table_bold, border=grid, number_format=VND_FORMAT, fill=total_fill),
        style("bk_total_note", font=table_italic, border=grid, alignment=wrap, fill=total_fill),
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
        self.heights = []  # every row's height in points, for the page arithmetic
        self.signatures_from = None
        self._style_ids = {}
        for named in styles:
            template = WriteOnlyCell(ws)
            template.style = named.name
            self._style_ids[named.name] = template.style_id  # registers the cell format

    def append(self, cells, height=None):
        """cells: {column: (value, style)}; columns without an entry stay empty."""
        self.heights.append(height or DEFAULT_ROW_HEIGHT)
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
        # Straight into the set: MultiCellRange.add first tests the new range against every
        # range already merged (O(n²): 65 s of a 20,000-line sheet's export, bench/RESULTS.md).
        # Each merge here is one row's span of a row not merged before, so none can overlap.
        self.ws.merged_cells.ranges.add(CellRange(f"{LETTERS[first_column]}{row}:{LETTERS[last_column]}{row}"))


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


def _width(first_column, last_column):
    return sum(COLUMNS[column - 1][1] for column in range(first_column, last_column + 1))


def wrapped_lines(text, width, bold=False):
    """How many lines `text` takes in a wrapping cell `width` units wide: greedy word wrap at
    about one character per unit (a little less in bold), a word longer than the line broken.
    Errs towards one line too many: a row a little tall prints fine, a short one hides text."""
    if text is None or text == "":
        return 1
    capacity = max(1, int((width - 1) * (BOLD_CHARS_PER_UNIT if bold else CHARS_PER_UNIT)))
    lines = 0
    for paragraph in str(text).split("\n"):
        count, used = 1, 0
        for word in paragraph.split():
            if used and used + 1 + len(word) <= capacity:
                used += 1 + len(word)
                continue
            if used:
                count += 1
            count += (len(word) - 1) // capacity
            used = len(word) % capacity or capacity
        lines += count
    return lines


def row_height(texts):
    """texts: (text, width, bold) of the row's wrapping cells → the row's height in points."""
    lines = max((wrapped_lines(text, width, bold) for text, width, bold in texts), default=1)
    return lines * LINE_HEIGHT + ROW_PADDING


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
    out.append({column: (header, "bk_header") for column, (header, _) in enumerate(COLUMNS, 1)},
               height=row_height([(header, width, True) for header, width in COLUMNS]))


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


# Merged label cells: a payee's total names the payee over Họ tên…MST/CCCD and its tax note over
# Tiêu đề…Thành tiền; a unit's subtotal and the grand total label span Họ tên…Thành tiền, so a long
# unit name wraps inside its own row instead of running over the next one.
PAYEE_LABEL = (COL_NAME, COL_TAX_ID)
PAYEE_NOTE = (COL_TITLE, COL_AMOUNT)
TOTAL_LABEL = (COL_NAME, COL_AMOUNT)
UNIT_LABEL = (COL_NAME, NCOLS)


def _text_cells_height(cells, spans=()):
    """The height of a table row from its text cells; `spans`: the merged (first, last) columns."""
    widths = {first: _width(first, last) for first, last in spans}
    texts = [(value, widths.get(column, COLUMNS[column - 1][1]), style in BOLD_STYLES)
             for column, (value, style) in cells.items() if isinstance(value, str)]
    return row_height(texts)


def _append_merged(out, cells, spans):
    out.append(cells, height=_text_cells_height(cells, spans))
    for first, last in spans:
        out.merge(first, last, out.row - 1)


def _total_row(out, label, holder, note="", account=None):
    cells = _grid_row({
        COL_NAME: (label, "bk_total_text"),
        COL_GROSS: (holder.gross, "bk_total_vnd"),
        COL_TAX: (holder.tax, "bk_total_vnd"),
        COL_NET: (holder.net, "bk_total_vnd"),
    }, style="bk_total_text")
    if account is None:  # a unit's or the sheet's total: the label spans the line columns
        _append_merged(out, cells, [TOTAL_LABEL])
        return
    cells[COL_TITLE] = (note or None, "bk_total_note")
    cells[COL_ACCOUNT] = (account or None, "bk_total_text")
    _append_merged(out, cells, [PAYEE_LABEL, PAYEE_NOTE])


def _write_body(out, doc):
    number = 0
    for unit_index, unit in enumerate(doc.units, 1):
        _append_merged(out, _grid_row({COL_STT: (_roman(unit_index), "bk_unit"), COL_NAME: (unit.name, "bk_unit")},
                                      style="bk_unit"), [UNIT_LABEL])
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
                row = _grid_row(cells)
                out.append(row, height=_text_cells_height(row))
            if not payee.lines:
                row = _grid_row(first)
                out.append(row, height=_text_cells_height(row))
            _total_row(out, f"Cộng: {payee.name}", payee, payee_note(payee), account_label(payee))
        _total_row(out, f"Cộng đơn vị: {unit.name}", unit)
    _total_row(out, "TỔNG CỘNG", doc)


def _write_footer(out, doc):
    out.append({})
    out.signatures_from = out.row  # "Bằng chữ", the notes and the signatures print on one page
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
        out.append({1: (None, "bk_note")}, height=SIGNING_SPACE)  # room to sign, inside the printed range


def _signature_blocks(count):
    """(first column, last column) of each signature block, side by side across the table."""
    if not count:
        return []
    width = NCOLS // count
    return [(1 + i * width, (i + 1) * width if i < count - 1 else NCOLS) for i in range(count)]


# --- the printed page ---------------------------------------------------------------------------
# A4 landscape, fit to one page wide. Excel and LibreOffice choose the scale themselves; the same
# arithmetic here tells where their pages will break, closely enough to keep the signature block
# off a page break (with a margin for the difference between the two programs' text metrics).

PAGE_WIDTH_IN, PAGE_HEIGHT_IN = 11.69, 8.27
MARGIN_SIDE_IN, MARGIN_TOP_IN, MARGIN_BOTTOM_IN = 0.3, 0.45, 0.6
HEADER_IN, FOOTER_IN = 0.2, 0.3
PAGE_SAFETY = 0.92  # plan with 92% of the page: the programs' row heights differ a little


def column_width_points(width):
    """Excel's rendering of a column `width` units wide (7-pixel digit, 5 pixels padding) in points."""
    return (7 * width + 5) * 0.75


def print_scale():
    """The fit-to-width scale, as Excel computes it (whole percent, rounded down)."""
    table = sum(column_width_points(width) for _, width in COLUMNS)
    printable = (PAGE_WIDTH_IN - 2 * MARGIN_SIDE_IN) * 72
    return min(100, int(100 * printable / table)) / 100


def page_rows(heights, title_row=HEADER_ROW):
    """The first row of each printed page (1-based), from the rows' heights in points and the
    repeated title row, at the fit-to-width scale."""
    capacity = (PAGE_HEIGHT_IN - MARGIN_TOP_IN - MARGIN_BOTTOM_IN) * 72 / print_scale() * PAGE_SAFETY
    starts, used = [1], 0.0
    for row, height in enumerate(heights, 1):
        if used + height > capacity and used > 0:
            starts.append(row)
            used = heights[title_row - 1] if row > title_row else 0.0
        used += height
    return starts


def signature_break(heights, first_row):
    """The row after which to break the page so that rows `first_row`… print together, or None."""
    starts = page_rows(heights)
    last_start = max(start for start in starts if start <= first_row)
    if any(start > first_row for start in starts) and last_start < first_row:
        # The block straddles a page: move it whole to the next one (unless it fills a page by itself).
        block = sum(heights[first_row - 1:])
        capacity = (PAGE_HEIGHT_IN - MARGIN_TOP_IN - MARGIN_BOTTOM_IN) * 72 / print_scale() * PAGE_SAFETY
        if block + heights[HEADER_ROW - 1] <= capacity:
            return first_row - 1
    return None


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
    ws.page_margins.left = ws.page_margins.right = MARGIN_SIDE_IN
    ws.page_margins.top, ws.page_margins.bottom = MARGIN_TOP_IN, MARGIN_BOTTOM_IN
    ws.page_margins.header, ws.page_margins.footer = HEADER_IN, FOOTER_IN
    ws.print_options.horizontalCentered = True
    # "&" starts a code in a header/footer text: a literal one is doubled.
    ws.oddFooter.left.text = f"Số bảng kê: {doc.number}".replace("&", "&&")
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.right.text = doc.period.replace("&", "&&")

    with tempfile.SpooledTemporaryFile(max_size=16 << 20) as rows:
        out = _SheetWriter(ws, styles, rows)
        _write_header(out, doc)
        _write_body(out, doc)
        _write_footer(out, doc)
        breaks_after = signature_break(out.heights, out.signatures_from)
        if breaks_after is not None:
            ws.row_breaks.append(Break(id=breaks_after))
        buffer = io.BytesIO()
        # Not wb.save(): it stamps `modified` with the current time.
        dimension = f"A1:{LETTERS[NCOLS]}{out.row - 1}"
        with _FixedTimeZip(buffer, moment, rows, dimension) as archive:
            ExcelWriter(wb, archive).save()
        if len(archive.spliced) != 1:
            raise RuntimeError(f"the rows went into {archive.spliced} instead of one worksheet")
    return buffer.getvalue()
