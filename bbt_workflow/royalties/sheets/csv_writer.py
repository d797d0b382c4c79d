"""A royalty sheet as a CSV file (ROYALTIES.md, "The royalty sheet"); see xlsx_writer for the rules
both writers keep.

CSV: UTF-8 with a BOM (Excel then reads Vietnamese correctly), comma-separated, one row per
line with the payee's columns repeated, then a row per payee total, unit total and the grand
total; amounts are plain integers, coefficients use a dot as decimal separator; a text cell
that Excel would take for a formula (= + - @) is written with a leading apostrophe.
"""
import csv
import io

from .document_model import check_document, payee_note

CSV_COLUMNS = [
    "Loại dòng", "STT", "Họ tên", "Bút danh", "Đơn vị", "MST/CCCD", "Số tài khoản", "Ngân hàng", "Ghi chú thuế",
    "Loại", "Tiêu đề", "Chuyên mục", "Thể loại", "Ngày đăng", "Hệ số", "Giá trị 1 hệ số", "Hệ số điều chỉnh",
    "Tỷ lệ (%)", "Thành tiền", "Tổng", "Thuế TNCN", "Thực nhận",
]
ROW_LINE, ROW_PAYEE, ROW_UNIT, ROW_SHEET = "Chi tiết", "Cộng người nhận", "Cộng đơn vị", "Tổng cộng"
KIND_LABELS = {"royalty": "Nhuận bút", "fee": "Thù lao", "adjustment": "Điều chỉnh", "incentive": "Khuyến khích"}


def _plain(value):
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


# Text that Excel would read as a formula (OWASP "CSV injection"); figures are ints, never prefixed.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _TextSafeWriter:
    """csv.writer whose text cells cannot start a formula: titles and names come from users."""

    def __init__(self, out):
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, row):
        self._writer.writerow(["'" + cell if isinstance(cell, str) and cell.startswith(_FORMULA_START) else cell
                               for cell in row])


def write_csv(doc):
    """The sheet as CSV (UTF-8 with BOM): one row per line, then payee, unit and sheet totals."""
    check_document(doc)
    text = io.StringIO()
    writer = _TextSafeWriter(text)
    writer.writerow(CSV_COLUMNS)
    blank_line = [""] * 10
    number = 0
    for unit in doc.units:
        for payee in unit.payees:
            number += 1
            who = [number, payee.name, payee.pen_name or "", payee.unit, payee.tax_id, payee.bank_account,
                   payee.bank_name, payee_note(payee)]
            for line in payee.lines:
                writer.writerow([ROW_LINE, *who, KIND_LABELS.get(line.kind, line.kind), line.title,
                                 line.category, line.genre, _plain(line.published_on), _plain(line.coefficient),
                                 _plain(line.unit_value), _plain(line.factor), _plain(line.share), line.amount,
                                 "", "", ""])
            writer.writerow([ROW_PAYEE, *who, *blank_line, payee.gross, payee.tax, payee.net])
        writer.writerow([ROW_UNIT, "", "", "", unit.name, "", "", "", "", *blank_line,
                         unit.gross, unit.tax, unit.net])
    writer.writerow([ROW_SHEET, "", "", "", "", "", "", "", "", *blank_line, doc.gross, doc.tax, doc.net])
    return text.getvalue().encode("utf-8-sig")
