"""The royalty sheet as a PDF (issue 17), its text read back with pypdf: every line's payee and
amount in Vietnamese number format, every payee total, unit subtotal and the grand total,
diacritics intact, the header repeated and "Trang x/y" with the sheet number on every page, the
signature block on one page, the same bytes for the same document, a clear refusal without a font."""
import io
import re
from collections import Counter
from dataclasses import replace

import pytest
from pypdf import PdfReader

from bbt_workflow.errors import ServiceError
from bbt_workflow.royalties.pdf_render import PdfFontMissing
from bbt_workflow.royalties.sheets.document_model import DocumentError, payee_label
from bbt_workflow.royalties.sheets.pdf_writer import write_pdf
from bbt_workflow.royalties.sheets.xlsx_writer import COLUMNS
from tests.unit.test_royalty_export import example_document, payee, royalty, sheet, unit

LONG_UNIT = "Trung tâm Công nghệ thông tin và Truyền thông"


def vnd(amount):
    """Vietnamese grouping, computed here independently of formatting.py: 1895400 → "1.895.400"."""
    sign, digits = ("-" if amount < 0 else ""), str(abs(amount))
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + ".".join(groups)


def pages_text(data):
    reader = PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() for page in reader.pages]


def one_line(text):
    """pypdf breaks a wrapped cell over lines: compare with the breaks as spaces."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def pdf_app(app):
    with app.app_context():
        yield app


def test_vnd_helper():
    assert (vnd(1_895_400), vnd(0), vnd(-234_000), vnd(351_000)) == ("1.895.400", "0", "-234.000", "351.000")


def test_every_line_total_subtotal_and_the_grand_total_are_in_the_text(pdf_app):
    doc = example_document()
    reader, texts = pages_text(write_pdf(doc))
    text = one_line(" ".join(texts))
    for u in doc.units:
        assert one_line(f"Cộng đơn vị: {u.name} {vnd(u.gross)} {vnd(u.tax)} {vnd(u.net)}") in text
        for p in u.payees:
            assert one_line(payee_label(p)) in text
            # the total row: label, the tax note if any (staff, commitment), then the three figures
            total = rf"Cộng: {re.escape(p.name)}(?: .{{0,120}}?)? {re.escape(f'{vnd(p.gross)} {vnd(p.tax)} {vnd(p.net)}')}"
            assert re.search(total, text), total
            assert p.tax_id in text
    assert f"TỔNG CỘNG {vnd(doc.gross)} {vnd(doc.tax)} {vnd(doc.net)}" in text
    # Every line's amount, as many times as there are lines with it (and the payee totals' figures).
    words = Counter(text.split())
    wanted = Counter(vnd(line.amount) for u in doc.units for p in u.payees for line in p.lines)
    for amount, count in wanted.items():
        assert words[amount] >= count, (amount, words[amount], count)
    assert words["292.500"] == 8 and words["351.000"] == 6
    # Coefficients with the Vietnamese decimal comma, dates dd/mm/yyyy.
    assert "10/03/2025 1,5 234.000" in text and "2,2" in text
    assert "Bằng chữ: Bốn triệu năm trăm năm mươi mốt nghìn ba trăm đồng (số tiền thực nhận)." in text


def test_diacritics_survive_and_the_font_is_embedded(pdf_app):
    doc = example_document()
    reader, texts = pages_text(write_pdf(doc))
    text = " ".join(texts)
    for phrase in ("BẢNG KÊ CHI TRẢ NHUẬN BÚT, THÙ LAO", "Trần Văn Xuân", "Nguyễn Thị An", "Phóng sự vùng biên",
                   "Người lập biểu", "Trưởng Ban Biên tập", "Kế toán", "Điều chỉnh:", "Ngày ..... tháng"):
        assert phrase in text, phrase
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+DejaVu-Sans(-Bold)?(-Oblique)?", name) for name in fonts), fonts
    assert "-Bold" in " ".join(fonts)  # embedded subsets (the "XXXXXX+" prefix), regular and bold
    assert reader.metadata.title == f"BẢNG KÊ CHI TRẢ NHUẬN BÚT, THÙ LAO {doc.number}"


def _long_sheet(lines_per_payee=9):
    names = ["Nguyễn Thị Phương Thảo Nguyên", "Trần Hoàng Bảo Ngọc", "Lê Thị Hồng Nhung", "Phạm Văn Đức Thắng"]
    title = ("Hội nghị tổng kết công tác chuyển đổi số năm 2025 và triển khai nhiệm vụ trọng tâm năm 2026 "
             "của Ủy ban nhân dân tỉnh")
    payees = [payee(name, [royalty(f"{title} ({i})", 351_000 + i) for i in range(lines_per_payee)],
                    unit=LONG_UNIT if index < 2 else "Cộng tác viên", pen_name=f"Bút danh {index}")
              for index, name in enumerate(names)]
    return sheet([unit(LONG_UNIT, payees[:2]), unit("Cộng tác viên", payees[2:])], number="BK-tinh-2025-03")


def test_every_page_repeats_the_header_and_numbers_itself(pdf_app):
    doc = _long_sheet()
    reader, texts = pages_text(write_pdf(doc))
    count = len(texts)
    assert count >= 3
    header = " ".join(header for header, _ in COLUMNS)
    for number, text in enumerate(texts, 1):
        assert header in one_line(text), number  # the table header repeated on every page
        assert f"Trang {number}/{count}" in text
        assert "Số bảng kê: BK-tinh-2025-03" in text
        page = reader.pages[number - 1]
        assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
        assert round(float(page.mediabox.width)) == 842 and round(float(page.mediabox.height)) == 595  # A4


def test_the_signature_block_prints_on_one_page(pdf_app):
    moved = []
    for lines in (4, 5, 8):  # with 5 and 8 lines a payee the table ends near the foot of a page
        _, texts = pages_text(write_pdf(_long_sheet(lines)))
        holding = [i for i, text in enumerate(texts) if "Người lập biểu" in text]
        assert len(holding) == 1
        page = texts[holding[0]]
        for part in ("Bằng chữ:", "Kế toán", "Trưởng Ban Biên tập", "Ngày ..... tháng"):
            assert part in page, (lines, part)
        assert page.count("(Ký, ghi rõ họ tên)") == 3
        assert holding[0] == len(texts) - 1  # the last page
        moved.append("TỔNG CỘNG" not in page)
    assert any(moved)  # at least once the block went to a page of its own rather than being split


def test_same_document_same_bytes_and_dates_from_the_payment_date(pdf_app):
    doc = example_document()
    first = write_pdf(doc)
    assert write_pdf(doc) == first
    reader = PdfReader(io.BytesIO(first))
    assert reader.metadata["/CreationDate"].startswith("D:20250405")
    assert write_pdf(replace(doc, state="Đã chi trả")) != first


def test_user_text_is_printed_as_text(pdf_app):
    doc = example_document()
    x = doc.units[0].payees[0]
    odd = replace(x.lines[0], title='<img src="file:///etc/passwd"> & "Tin" </style>')
    x2 = replace(x, lines=[odd, *x.lines[1:]])
    tricky = replace(doc, number='BK"); } @page { size: A3', units=[
        replace(doc.units[0], payees=[x2, *doc.units[0].payees[1:]]), doc.units[1]])
    reader, texts = pages_text(write_pdf(tricky))
    text = " ".join(texts)
    squeezed = re.sub(r"\s+", "", text)  # the title wraps after "/", where pypdf adds no space
    assert re.sub(r"\s+", "", '<img src="file:///etc/passwd"> & "Tin" </style>') in squeezed
    assert 'Số bảng kê: BK"); } @page { size: A3' in text  # in the footer, as text
    assert round(float(reader.pages[0].mediabox.width)) == 842  # still A4


def test_inconsistent_document_is_refused(pdf_app):
    doc = example_document()
    with pytest.raises(DocumentError):
        write_pdf(replace(doc, net=doc.net - 1))


def test_no_font_no_pdf_with_a_clear_message(pdf_app, tmp_path):
    pdf_app.config["PDF_FONT_DIR"] = str(tmp_path)
    with pytest.raises(PdfFontMissing) as refused:
        write_pdf(example_document())
    assert isinstance(refused.value, ServiceError) and refused.value.status == 503
    message = str(refused.value.message)
    assert str(tmp_path / "DejaVuSans.ttf") in message and "fonts-dejavu-core" in message


def test_a_payees_lines_and_total_stay_on_one_page(pdf_app):
    """Each payee's rows are one unbreakable group when they fit a page: the payee signs on the
    page that lists what they are paid for."""
    doc = _long_sheet(6)
    _, texts = pages_text(write_pdf(doc))
    assert len(texts) >= 3
    for p in (p for u in doc.units for p in u.payees):
        first_line = [i for i, text in enumerate(texts) if one_line(payee_label(p)) in one_line(text)]
        total = [i for i, text in enumerate(texts) if f"Cộng: {p.name}" in one_line(text)]
        assert len(first_line) == 1 and first_line == total, (p.name, first_line, total)
