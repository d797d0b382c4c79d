"""Royalty sheet exports: the XLSX read back with openpyxl, the CSV read back with csv."""
import csv
import hashlib
import io
import os
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bbt_workflow.royalties.sheets.csv_writer import CSV_COLUMNS, write_csv
from bbt_workflow.royalties.sheets.document_model import (
    DocumentError,
    DocumentLine,
    DocumentPayee,
    DocumentUnit,
    SheetDocument,
    check_document,
    export_filename,
)
from bbt_workflow.royalties.sheets.xlsx_writer import COLUMNS, HEADER_ROW, TITLE, write_xlsx

COL = {header: index for index, (header, _) in enumerate(COLUMNS)}  # 0-based, for row tuples


def royalty(title, amount, coefficient="1.5", share="100", published=date(2025, 3, 10), genre="Tin có ảnh"):
    return DocumentLine(kind="royalty", title=title, category="Thời sự", genre=genre, published_on=published,
                        coefficient=D(coefficient), unit_value=234_000, factor=D("1"), share=D(share),
                        amount=amount)


def payee(name, lines, *, unit, tax=0, pen_name=None, staff=False, commitment=False):
    gross = sum(line.amount for line in lines)
    return DocumentPayee(name=name, pen_name=pen_name, unit=unit, tax_id="0312345678", bank_account="0123456789",
                         bank_name="Vietcombank", staff=staff, commitment=commitment, lines=lines, gross=gross,
                         tax=tax, net=gross - tax)


def unit(name, payees):
    return DocumentUnit(name=name, payees=payees, gross=sum(p.gross for p in payees),
                        tax=sum(p.tax for p in payees), net=sum(p.net for p in payees))


def sheet(units, **kw):
    values = dict(agency="Ban Biên tập Cổng Thông tin điện tử tỉnh", site="Cổng TTĐT tỉnh", period="Tháng 03/2025",
                  number="BK-portal-2025-03", state="Đã duyệt", payment_date=date(2025, 4, 5),
                  regulation="QĐ 23/2020/QĐ-UBND", units=units, gross=sum(u.gross for u in units),
                  tax=sum(u.tax for u in units), net=sum(u.net for u in units))
    values.update(kw)
    return SheetDocument(**values)


def example_document():
    # E7: six E1 items (351,000 each), taxed 10%; E2: 514,800 split 60/40; E10: editor fee 35,100;
    # E3 for a staff member (no tax whatever the amount); an adjustment line (negative).
    x = payee("Trần Văn Xuân", [royalty(f"Tin số {i}", 351_000) for i in range(1, 7)],
              unit="Phòng Thông tin", tax=210_600, pen_name="Xuân Trần")
    a = payee("Nguyễn Thị An", [
        royalty("Phóng sự vùng biên", 308_880, coefficient="2.2", share="60", genre="Bài phản ánh, phỏng vấn"),
        DocumentLine(kind="fee", title="Tin số 1", category="Thời sự", genre="Biên tập viên",
                     published_on=date(2025, 3, 10), coefficient=None, unit_value=None, factor=None, share=None,
                     amount=35_100),
    ], unit="Phòng Thông tin")
    b = payee("Lê Văn Bình", [
        royalty("Phóng sự vùng biên", 205_920, coefficient="2.2", share="40", genre="Bài phản ánh, phỏng vấn"),
        DocumentLine(kind="adjustment", title="Tin tháng 2 (gỡ)", category="Thời sự", genre="Điều chỉnh: gỡ bài",
                     published_on=date(2025, 2, 20), coefficient=D("1.0"), unit_value=234_000, factor=D("1"),
                     share=D("100"), amount=-234_000),
    ], unit="Cộng tác viên")
    staff = payee("Phạm Thu", [royalty("Bình luận dịch", 292_500, coefficient="2.5", genre="Bình luận")] * 8,
                  unit="Phòng Thông tin", staff=True)
    return sheet([unit("Phòng Thông tin", [x, a, staff]), unit("Cộng tác viên", [b])])


@pytest.fixture
def doc():
    return example_document()


def read_back(data):
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    return wb, ws, list(ws.iter_rows(values_only=True))


def find_row(rows, column, text):
    hits = [row for row in rows if row[COL[column]] == text]
    assert len(hits) == 1, (text, hits)
    return hits[0]


def test_the_document_adds_up(doc):
    check_document(doc)
    # gross: X 2,106,000 + A 343,980 + staff 2,340,000 + B (205,920 − 234,000) = 4,761,900
    assert (doc.gross, doc.tax, doc.net) == (4_761_900, 210_600, 4_551_300)


def test_xlsx_header_block_and_columns(doc):
    wb, ws, rows = read_back(write_xlsx(doc))
    flat = [value for row in rows[:HEADER_ROW - 1] for value in row if value is not None]
    for expected in (doc.agency, doc.site, TITLE, "Kỳ: Tháng 03/2025", "BK-portal-2025-03", "Đã duyệt",
                     "QĐ 23/2020/QĐ-UBND"):
        assert expected in flat
    assert datetime(2025, 4, 5) in flat  # the payment date is a real date
    assert rows[HEADER_ROW - 1][:len(COLUMNS)] == tuple(header for header, _ in COLUMNS)
    assert [h for h, _ in COLUMNS] == [
        "STT", "Họ tên (bút danh)", "Đơn vị", "MST/CCCD", "Tiêu đề", "Chuyên mục", "Thể loại", "Ngày đăng", "Hệ số",
        "Giá trị 1 hệ số", "Hệ số điều chỉnh", "Tỷ lệ (%)", "Thành tiền", "Tổng", "Thuế TNCN", "Thực nhận",
        "Số tài khoản", "Ký nhận"]
    assert ws.freeze_panes == f"C{HEADER_ROW + 1}"
    assert ws.print_title_rows.replace("$", "") == f"{HEADER_ROW}:{HEADER_ROW}"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert f"A3:{chr(ord('A') + len(COLUMNS) - 1)}3" in {str(r) for r in ws.merged_cells.ranges}


def test_xlsx_every_payee_total_and_its_lines(doc):
    _, ws, rows = read_back(write_xlsx(doc))
    body = rows[HEADER_ROW:]
    for u in doc.units:
        for p in u.payees:
            total = find_row(body, "Họ tên (bút danh)", f"Cộng: {p.name}")
            assert (total[COL["Tổng"]], total[COL["Thuế TNCN"]], total[COL["Thực nhận"]]) == (p.gross, p.tax, p.net)
            assert total[COL["Số tài khoản"]] == "0123456789 – Vietcombank"
            # the payee's lines are the rows just above the total row, and they add up to it
            end = body.index(total)
            lines = body[end - len(p.lines):end]
            assert [row[COL["Thành tiền"]] for row in lines] == [line.amount for line in p.lines]
            assert sum(row[COL["Thành tiền"]] for row in lines) == total[COL["Tổng"]]
            assert lines[0][COL["MST/CCCD"]] == p.tax_id
    x = find_row(body, "Họ tên (bút danh)", "Trần Văn Xuân (Xuân Trần)")
    assert x[COL["STT"]] == 1 and x[COL["Đơn vị"]] == "Phòng Thông tin"
    staff = find_row(body, "Họ tên (bút danh)", "Cộng: Phạm Thu")
    assert staff[COL["Thuế TNCN"]] == 0 and "qua lương" in staff[COL["Tiêu đề"]]
    ws_adjust = [row for row in body if row[COL["Thể loại"]] == "Điều chỉnh: gỡ bài"]
    assert ws_adjust[0][COL["Thành tiền"]] == -234_000


def test_xlsx_unit_subtotals_grand_total_and_words(doc):
    _, ws, rows = read_back(write_xlsx(doc))
    body = rows[HEADER_ROW:]
    for u in doc.units:
        header = find_row(body, "Họ tên (bút danh)", u.name)
        assert header[COL["STT"]] in ("I", "II")
        sub = find_row(body, "Họ tên (bút danh)", f"Cộng đơn vị: {u.name}")
        assert (sub[COL["Tổng"]], sub[COL["Thuế TNCN"]], sub[COL["Thực nhận"]]) == (u.gross, u.tax, u.net)
    grand = find_row(body, "Họ tên (bút danh)", "TỔNG CỘNG")
    assert (grand[COL["Tổng"]], grand[COL["Thuế TNCN"]], grand[COL["Thực nhận"]]) == (doc.gross, doc.tax, doc.net)
    # The grand total is also the sum of every line and of the payee totals in the file.
    lines = [row for row in body if isinstance(row[COL["Thành tiền"]], int)]
    assert sum(row[COL["Thành tiền"]] for row in lines) == doc.gross
    payee_rows = [row for row in body if str(row[COL["Họ tên (bút danh)"]]).startswith("Cộng: ")]
    assert sum(row[COL["Thực nhận"]] for row in payee_rows) == doc.net
    texts = [value for row in body for value in row if isinstance(value, str)]
    words = [t for t in texts if t.startswith("Bằng chữ: ")]
    assert words == ["Bằng chữ: Bốn triệu năm trăm năm mươi mốt nghìn ba trăm đồng (số tiền thực nhận)."]
    for title in ("Người lập biểu", "Kế toán", "Trưởng Ban Biên tập"):
        assert title in texts
    assert any(t.startswith("Ngày ") and "tháng" in t and "năm" in t for t in texts)


def test_xlsx_cells_hold_numbers_dates_and_formats(doc):
    wb, ws, _ = read_back(write_xlsx(doc))
    first = HEADER_ROW + 2  # the unit header is HEADER_ROW + 1; the first line follows
    amount = ws.cell(first, COL["Thành tiền"] + 1)
    assert amount.value == 351_000 and amount.data_type == "n" and amount.number_format == "#,##0"
    unit_value = ws.cell(first, COL["Giá trị 1 hệ số"] + 1)
    assert unit_value.value == 234_000 and unit_value.number_format == "#,##0"
    coefficient = ws.cell(first, COL["Hệ số"] + 1)
    assert coefficient.data_type == "n" and coefficient.value == 1.5
    share = ws.cell(first, COL["Tỷ lệ (%)"] + 1)
    assert share.data_type == "n" and share.value == 100 and share.number_format == "0.00"
    published = ws.cell(first, COL["Ngày đăng"] + 1)
    assert published.value == datetime(2025, 3, 10) and published.number_format == "dd/mm/yyyy"
    assert published.is_date
    stt = ws.cell(first, COL["STT"] + 1)
    assert stt.value == 1 and stt.data_type == "n"
    table = list(ws.iter_rows(min_row=HEADER_ROW + 1))
    grand = next(i for i, row in enumerate(table) if row[COL["Họ tên (bút danh)"]].value == "TỔNG CỘNG")
    for row in table[:grand + 1]:
        for cell in row:
            if COL["Thành tiền"] <= cell.column - 1 <= COL["Thực nhận"] and cell.value is not None:
                assert isinstance(cell.value, int), (cell.coordinate, cell.value)
                assert cell.number_format == "#,##0"


def test_xlsx_is_byte_identical_across_exports(doc, monkeypatch):
    first = write_xlsx(doc)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3 * 86_400)  # three days later
    second = write_xlsx(doc)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2025, 4, 5, 0, 0, 0)}
    wb = load_workbook(io.BytesIO(first))
    assert wb.properties.created == wb.properties.modified == datetime(2025, 4, 5)
    # A different document gives a different file.
    assert write_xlsx(replace(doc, state="Đã chi trả")) != first


def test_xlsx_is_byte_identical_across_processes(doc):
    """Nothing in the file depends on the process (hash seeds, set order, temporary names)."""
    script = ("import hashlib; from tests.unit.test_royalty_export import example_document as d; "
              "from bbt_workflow.royalties.sheets.xlsx_writer import write_xlsx; "
              "from bbt_workflow.royalties.sheets.csv_writer import write_csv; "
              "print(hashlib.sha256(write_xlsx(d())).hexdigest(), hashlib.sha256(write_csv(d())).hexdigest())")
    root = Path(__file__).resolve().parents[2]
    digests = {
        subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }
    here = f"{hashlib.sha256(write_xlsx(doc)).hexdigest()} {hashlib.sha256(write_csv(doc)).hexdigest()}\n"
    assert digests == {here}


def test_inconsistent_document_is_refused(doc):
    x = doc.units[0].payees[0]
    bad_payee = replace(x, gross=x.gross + 1, net=x.net + 1)
    bad_unit = replace(doc.units[0], payees=[bad_payee, *doc.units[0].payees[1:]])
    for bad in (replace(doc, units=[bad_unit, doc.units[1]]),
                replace(doc, net=doc.net - 1),
                replace(doc, units=[replace(doc.units[0], tax=doc.units[0].tax + 1), doc.units[1]])):
        with pytest.raises(DocumentError):
            write_xlsx(bad)
        with pytest.raises(DocumentError):
            write_csv(bad)


def test_empty_sheet_exports():
    empty = sheet([], signatures=("Người lập biểu",))
    _, _, rows = read_back(write_xlsx(empty))
    grand = find_row(rows[HEADER_ROW:], "Họ tên (bút danh)", "TỔNG CỘNG")
    assert grand[COL["Tổng"]] == 0
    assert any(v == "Bằng chữ: Không đồng (số tiền thực nhận)." for row in rows for v in row)
    assert write_csv(empty).count(b"\r\n") == 2


def read_csv(data):
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))


def test_csv_bom_rows_and_totals(doc):
    rows = read_csv(write_csv(doc))
    assert rows[0] == CSV_COLUMNS
    col = {name: i for i, name in enumerate(CSV_COLUMNS)}
    assert all(len(row) == len(CSV_COLUMNS) for row in rows)
    lines = [r for r in rows if r[0] == "Chi tiết"]
    assert len(lines) == sum(len(p.lines) for u in doc.units for p in u.payees)
    # payee columns repeated on every line
    xuan = [r for r in lines if r[col["Họ tên"]] == "Trần Văn Xuân"]
    assert len(xuan) == 6 and {r[col["MST/CCCD"]] for r in xuan} == {"0312345678"}
    assert {r[col["Bút danh"]] for r in xuan} == {"Xuân Trần"}
    assert xuan[0][col["Ngày đăng"]] == "10/03/2025" and xuan[0][col["Hệ số"]] == "1.5"
    assert sum(int(r[col["Thành tiền"]]) for r in lines) == doc.gross
    for u in doc.units:
        for p in u.payees:
            total = [r for r in rows if r[0] == "Cộng người nhận" and r[col["Họ tên"]] == p.name]
            assert len(total) == 1
            assert [int(total[0][col[c]]) for c in ("Tổng", "Thuế TNCN", "Thực nhận")] == [p.gross, p.tax, p.net]
            mine = [int(r[col["Thành tiền"]]) for r in lines if r[col["Họ tên"]] == p.name]
            assert sum(mine) == p.gross
        sub = [r for r in rows if r[0] == "Cộng đơn vị" and r[col["Đơn vị"]] == u.name]
        assert [int(sub[0][col[c]]) for c in ("Tổng", "Thuế TNCN", "Thực nhận")] == [u.gross, u.tax, u.net]
    assert rows[-1][0] == "Tổng cộng"
    assert [int(rows[-1][col[c]]) for c in ("Tổng", "Thuế TNCN", "Thực nhận")] == [doc.gross, doc.tax, doc.net]
    # plain integers: no thousands separators anywhere in the amount columns
    for r in rows[1:]:
        for c in ("Thành tiền", "Tổng", "Thuế TNCN", "Thực nhận"):
            assert r[col[c]] == "" or r[col[c]].lstrip("-").isdigit()
    assert [r for r in lines if r[col["Loại"]] == "Thù lao"][0][col["Thành tiền"]] == "35100"
    assert write_csv(doc) == write_csv(doc)


def test_xlsx_reads_the_same_in_read_only_mode(doc):
    """The file declares its used range, so streaming readers see every column of every row."""
    data = write_xlsx(doc)
    _, _, rows = read_back(data)
    ws = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    assert ws.calculate_dimension() == f"A1:R{len(rows)}"
    assert [tuple(row) for row in ws.iter_rows(values_only=True)] == rows


def test_xlsx_text_is_escaped_and_kept(doc):
    x = doc.units[0].payees[0]
    odd = replace(x.lines[0], title="  <b>Tin</b> & \"trích dẫn\" 'x'\x07  ", category="Thời sự\nđịa phương")
    payee_ = replace(x, lines=[odd, *x.lines[1:]])
    tricky = replace(doc, units=[replace(doc.units[0], payees=[payee_, *doc.units[0].payees[1:]]), doc.units[1]],
                     agency="Ban Biên tập <Cổng> & Co", notes=["Ghi chú: đã đối chiếu"])
    _, _, rows = read_back(write_xlsx(tricky))
    assert rows[0][0] == "Ban Biên tập <Cổng> & Co"
    line = find_row(rows[HEADER_ROW:], "Họ tên (bút danh)", "Trần Văn Xuân (Xuân Trần)")
    assert line[COL["Tiêu đề"]] == "  <b>Tin</b> & \"trích dẫn\" 'x'  "  # control character dropped, spaces kept
    assert line[COL["Chuyên mục"]] == "Thời sự\nđịa phương"
    assert any(row[0] == "Ghi chú: đã đối chiếu" for row in rows)


def test_xlsx_styles_of_totals_and_grid(doc):
    _, ws, rows = read_back(write_xlsx(doc))
    grand_row = next(i for i, row in enumerate(rows, 1) if row[COL["Họ tên (bút danh)"]] == "TỔNG CỘNG")
    assert ws.cell(grand_row, COL["Thực nhận"] + 1).font.b
    assert ws.cell(HEADER_ROW, 1).font.b and ws.cell(HEADER_ROW, 1).alignment.wrap_text
    line = ws.cell(HEADER_ROW + 2, COL["Tiêu đề"] + 1)
    assert line.border.left.style == "thin" and line.border.bottom.style == "thin"
    assert line.alignment.wrap_text
    # the cells between the filled ones are bordered too: the table is a closed grid
    assert ws.cell(HEADER_ROW + 3, COL["Ký nhận"] + 1).border.right.style == "thin"


def test_export_filename(doc):
    assert export_filename(doc, "xlsx") == "BK-portal-2025-03.xlsx"
    assert export_filename(replace(doc, number="BK/Sở TT&TT 03/2025"), "csv") == "BK-S-TT-TT-03-2025.csv"
    assert export_filename(replace(doc, number="../.."), "csv") == "bang-ke.csv"
