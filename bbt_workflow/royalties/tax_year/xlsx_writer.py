"""The tax year as an XLSX: one row per payee, the twelve payment months as column groups
(Tổng · Thuế TNCN · Thực nhận), the year, and a totals row. Numbers stay numbers (đồng format), so the
accountant sums and filters them; the page is set up to print (A4 landscape, one page wide, titles
repeated)."""
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..sheets.xlsx_writer import row_height
from .queries import MONTHS

DONG = '#,##0 "đ";-#,##0 "đ";0'
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE5F0")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
FIXED = ("STT", "Họ và tên", "MST/CCCD", "Đơn vị", "Biên chế")
AMOUNTS = ("Tổng", "Thuế TNCN", "Thực nhận")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIXED_WIDTHS = (5, 28, 16, 26, 8)
# The sheets' font (royalties/sheets/xlsx_writer): the board's papers are set in Times New Roman, and
# without a named font LibreOffice's bold fallback dropped the Vietnamese tone marks of the title.
FONT = "Times New Roman"
HEADER_ROW = 5  # month titles; the amount titles are on the row below


def _amounts(entry):
    return (entry.gross, entry.tax, entry.net) if entry is not None else (0, 0, 0)


def write_tax_year_xlsx(summary, title, scope):
    """summary: queries.TaxYear; title and scope: the two heading lines (Vietnamese)."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"Năm {summary.year}"
    width = len(FIXED) + 3 * (len(MONTHS) + 1)
    ws.cell(1, 1, title).font = Font(name=FONT, bold=True, size=13)
    ws.cell(2, 1, scope).font = Font(name=FONT, italic=True)
    ws.cell(3, 1, "Đơn vị tính: đồng. Thu nhập tính theo ngày chi trả của bảng kê đã chi.")
    for row in (1, 2, 3):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=min(width, 20))
    head, sub = HEADER_ROW, HEADER_ROW + 1
    for col, label in enumerate(FIXED, start=1):
        ws.cell(head, col, label)
        ws.merge_cells(start_row=head, start_column=col, end_row=sub, end_column=col)
    groups = [f"Tháng {m}/{summary.year}" for m in MONTHS] + [f"Cả năm {summary.year}"]
    for i, label in enumerate(groups):
        first = len(FIXED) + 1 + 3 * i
        ws.cell(head, first, label)
        ws.merge_cells(start_row=head, start_column=first, end_row=head, end_column=first + 2)
        for j, amount_label in enumerate(AMOUNTS):
            ws.cell(sub, first + j, amount_label)
    for row in (head, sub):
        for col in range(1, width + 1):
            cell = ws.cell(row, col)
            cell.font, cell.fill, cell.border = Font(name=FONT, bold=True), HEAD_FILL, BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    row = sub + 1
    for n, payee in enumerate(summary.payees, start=1):
        values = [n, payee.full_name, payee.tax_code or payee.id_number or "", payee.unit, "x" if payee.staff else ""]
        for month in MONTHS:
            values += _amounts(payee.months.get(month))
        values += _amounts(payee.total)
        _write_row(ws, row, values)
        # Names and units wrap in their cells: give the row the lines they take, or the printout
        # runs a long unit name over the next payee (seen rendered in LibreOffice).
        ws.row_dimensions[row].height = row_height(
            [(values[1], FIXED_WIDTHS[1], False), (values[3], FIXED_WIDTHS[3], False)])
        row += 1
    totals = ["", "TỔNG CỘNG", "", "", ""]
    for month in MONTHS:
        totals += _amounts(summary.months.get(month))
    totals += _amounts(summary.total)
    _write_row(ws, row, totals, bold=True)
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=len(FIXED))
    for col, w in enumerate(FIXED_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = w
    for col in range(len(FIXED) + 1, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = 13
    ws.row_dimensions[head].height = 18
    ws.freeze_panes = ws.cell(sub + 1, len(FIXED) + 1)
    ws.print_title_rows = f"{head}:{sub}"
    ws.print_title_cols = "A:B"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 0, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.oddFooter.center.text = "Trang &P/&N"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_row(ws, row, values, bold=False):
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row, col, value)
        cell.border = BOX
        cell.font = Font(name=FONT)
        if bold:
            cell.font, cell.fill = Font(name=FONT, bold=True), TOTAL_FILL
        if col > len(FIXED):
            cell.number_format = DONG
        elif col in (2, 4):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
