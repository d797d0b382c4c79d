"""The royalty sheet's XLSX as it prints (issue 17): page setup, print titles, footer, merged
label cells, row heights for wrapped text, the signature block kept on one page. Read back with
openpyxl (LibreOffice is not installed here to render it)."""
import io
import math
import shutil
import subprocess
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from bbt_workflow.royalties.sheets.xlsx_writer import (
    COLUMNS, HEADER_ROW, LINE_HEIGHT, page_rows, print_scale, write_xlsx,
)
from tests.unit.test_royalty_export import example_document, payee, royalty, sheet, unit

COL = {header: index for index, (header, _) in enumerate(COLUMNS, 1)}  # 1-based, for ws.cell
LETTER = {header: chr(ord("A") + index - 1) for header, index in COL.items()}
LONG_UNIT = "Trung tâm Công nghệ thông tin và Truyền thông tỉnh Bình Phước"
LONG_TITLE = ("Hội nghị tổng kết công tác chuyển đổi số năm 2025 và triển khai nhiệm vụ trọng tâm "
              "năm 2026 của Ủy ban nhân dân tỉnh với sự tham dự của lãnh đạo các sở, ban, ngành")


def load(doc):
    return load_workbook(io.BytesIO(write_xlsx(doc))).worksheets[0]


def row_of(ws, column, text):
    hits = [row for row in range(1, ws.max_row + 1) if ws.cell(row, COL[column]).value == text]
    assert len(hits) == 1, (text, hits)
    return hits[0]


def merged_range_at(ws, row, column):
    for merged in ws.merged_cells.ranges:
        if merged.min_row == row and merged.min_col == column:
            return merged
    return None


def long_document():
    a = payee("Nguyễn Thị Phương Thảo Nguyên (Phương Nguyên)", [
        royalty(LONG_TITLE, 351_000), royalty("Tin ngắn", 351_000)], unit=LONG_UNIT)
    b = payee("Lê Văn Bình", [royalty("Phóng sự", 205_920)], unit="Cộng tác viên")
    return sheet([unit(LONG_UNIT, [a]), unit("Cộng tác viên", [b])])


def test_page_setup_a4_landscape_one_page_wide():
    ws = load(example_document())
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
    assert ws.print_title_rows.replace("$", "") == f"{HEADER_ROW}:{HEADER_ROW}"
    assert ws.print_options.horizontalCentered
    # Readable: the 18 columns fit A4 landscape at two thirds or more (the 2026-12-02 file printed at a third).
    assert print_scale() >= 0.65


def test_footer_has_page_numbers_and_the_sheet_number():
    doc = replace(example_document(), number="BK-Sở TT&TT-2025-03")
    ws = load(doc)
    assert ws.oddFooter.center.text == "Trang &P/&N"
    assert ws.oddFooter.left.text == "Số bảng kê: BK-Sở TT&&TT-2025-03"  # "&" doubled: a literal ampersand
    assert ws.oddFooter.right.text == doc.period


def test_columns_to_write_and_sign_in_are_wide_enough():
    widths = dict(COLUMNS)
    assert widths["MST/CCCD"] >= 13  # a 12-digit CCCD on one line
    assert widths["Số tài khoản"] >= 15
    assert widths["Ký nhận"] >= 16  # about 2.5 cm printed: room for a signature
    ws = load(example_document())
    for header in ("MST/CCCD", "Số tài khoản", "Ký nhận"):
        assert ws.column_dimensions[LETTER[header]].width == widths[header]


def test_subtotal_and_total_labels_are_merged_cells_that_do_not_overlap():
    doc = long_document()
    ws = load(doc)
    label_rows = [row_of(ws, "Họ tên (bút danh)", f"Cộng đơn vị: {u.name}") for u in doc.units]
    label_rows.append(row_of(ws, "Họ tên (bút danh)", "TỔNG CỘNG"))
    for row in label_rows:
        merged = merged_range_at(ws, row, COL["Họ tên (bút danh)"])
        assert merged is not None, row
        assert (merged.min_row, merged.max_row) == (row, row)  # never onto the next row
        assert merged.max_col == COL["Thành tiền"]  # stops before the figures
        assert ws.cell(row, COL["Họ tên (bút danh)"]).alignment.wrap_text
        assert ws.cell(row, COL["Tổng"]).value is not None
    for p in (p for u in doc.units for p in u.payees):
        row = row_of(ws, "Họ tên (bút danh)", f"Cộng: {p.name}")
        label = merged_range_at(ws, row, COL["Họ tên (bút danh)"])
        note = merged_range_at(ws, row, COL["Tiêu đề"])
        assert (label.min_col, label.max_col) == (COL["Họ tên (bút danh)"], COL["MST/CCCD"])
        assert (note.min_col, note.max_col) == (COL["Tiêu đề"], COL["Thành tiền"])
    unit_header = row_of(ws, "Họ tên (bút danh)", LONG_UNIT)
    assert merged_range_at(ws, unit_header, COL["Họ tên (bút danh)"]).max_col == len(COLUMNS)
    # No two merged ranges share a cell.
    cells = [(r, c) for m in ws.merged_cells.ranges for r in range(m.min_row, m.max_row + 1)
             for c in range(m.min_col, m.max_col + 1)]
    assert len(cells) == len(set(cells))


def test_rows_are_tall_enough_for_wrapped_names_and_titles():
    ws = load(long_document())
    long_row = row_of(ws, "Tiêu đề", LONG_TITLE)
    short_row = row_of(ws, "Tiêu đề", "Tin ngắn")
    # At most one character per unit of width: the long title needs at least this many lines.
    title_width = dict(COLUMNS)["Tiêu đề"]
    needed = math.ceil(len(LONG_TITLE) / title_width)
    assert needed >= 6
    assert ws.row_dimensions[long_row].height >= needed * LINE_HEIGHT
    assert ws.row_dimensions[long_row].customHeight
    # The long name "Nguyễn Thị Phương Thảo Nguyên (Phương Nguyên)" alone needs three lines of its column.
    assert ws.row_dimensions[long_row].height >= 3 * LINE_HEIGHT
    assert ws.row_dimensions[short_row].height < 2 * LINE_HEIGHT  # one line: not padded out
    # The long unit name wraps inside its merged subtotal label: still at least one line's height.
    subtotal = row_of(ws, "Họ tên (bút danh)", f"Cộng đơn vị: {LONG_UNIT}")
    assert ws.row_dimensions[subtotal].height >= LINE_HEIGHT
    header = ws.row_dimensions[HEADER_ROW].height
    assert header >= 2 * LINE_HEIGHT  # "Giá trị 1 hệ số" wraps in its 9-unit column


def _signature_rows(ws):
    """The rows from "Bằng chữ" to the last row."""
    first = next(row for row in range(1, ws.max_row + 1)
                 if str(ws.cell(row, 1).value or "").startswith("Bằng chữ"))
    return first, ws.max_row


def _sheet_of(lines):
    x = payee("Trần Văn Xuân", [royalty(f"Tin số {i}", 351_000) for i in range(lines)], unit="Phòng Thông tin",
              tax=round(35_100 * lines) if lines * 351_000 >= 2_000_000 else 0)
    return sheet([unit("Phòng Thông tin", [x])])


def test_signature_block_is_never_split_across_pages():
    broke, kept = [], []
    for lines in range(1, 90, 3):
        ws = load(_sheet_of(lines))
        first, last = _signature_rows(ws)
        breaks = [b.id for b in ws.row_breaks.brk]
        assert all(not first <= b < last for b in breaks), (lines, breaks)  # no break inside the block
        heights = [ws.row_dimensions[r].height or 15 for r in range(1, ws.max_row + 1)]
        starts = page_rows(heights)
        if breaks:
            assert breaks == [first - 1]
            # Without the manual break the programs would have split the block.
            assert any(first < start <= last for start in starts), lines
            broke.append(lines)
        else:
            assert not any(first < start <= last for start in starts), lines
            kept.append(lines)
    assert broke and kept  # both cases occur in the range


def test_signature_titles_are_on_the_last_rows():
    ws = load(example_document())
    first, last = _signature_rows(ws)
    texts = [ws.cell(r, c).value for r in range(first, last + 1) for c in range(1, len(COLUMNS) + 1)]
    for title in ("Người lập biểu", "Kế toán", "Trưởng Ban Biên tập", "(Ký, ghi rõ họ tên)"):
        assert title in texts
    assert ws.row_dimensions[last].height >= 60  # room to sign


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_prints_it(tmp_path):
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(write_xlsx(long_document()))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=120)
    assert (tmp_path / "sheet.pdf").stat().st_size > 0
