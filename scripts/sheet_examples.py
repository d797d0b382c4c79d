"""Write docs/examples/bang-ke-mau.pdf / .xlsx / -trang-N.png: a demo royalty sheet as printed for signatures.

    .venv/bin/python scripts/sheet_examples.py [--out docs/examples] [--dpi 100]

A hand-made sheet (no database): two units, several payees with long Vietnamese names, pen names
and titles, a co-authored item split 60/40, an editor's fee, a staff member taxed through payroll and
an adjustment line; amounts from the domain's royalty functions (ROYALTIES.md, E1–E3, E7, E10), tax at
10% over 2,000,000. The PDF's pages are rendered to PNG with pdftoppm (poppler-utils) so the layout
can be looked at without a PDF viewer. LibreOffice is not needed (the XLSX's print setup is tested
by reading it back, tests/unit/test_royalty_sheet_xlsx_print.py).
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bbt_workflow import create_app  # noqa: E402
from bbt_workflow.domain.royalty_rules import item_amount, split_by_shares, withholding_tax  # noqa: E402
from bbt_workflow.royalties.sheets.document_model import (  # noqa: E402
    DocumentLine, DocumentPayee, DocumentUnit, SheetDocument,
)
from bbt_workflow.royalties.sheets.pdf_writer import write_pdf  # noqa: E402
from bbt_workflow.royalties.sheets.xlsx_writer import write_xlsx  # noqa: E402
from config import TestConfig  # noqa: E402

UNIT_VALUE = 234_000  # 10% of the 2024-07-01 base salary
THRESHOLD, RATE = 2_000_000, Decimal(10)
GENRES = {"tin_anh": ("Tin hoạt động, sự kiện có ảnh", "1.5"), "bai_phan_anh": ("Bài phản ánh, phỏng vấn", "2.2"),
          "binh_luan": ("Bình luận, chính luận", "2.5"), "truc_tuyen_media": ("Trực tuyến, media, video", "4.0"),
          "anh_mien_nui": ("Ảnh (miền núi, vùng sâu)", "1.5")}


def line(title, category, genre, day, share="100", factors=(), amount=None):
    label, coefficient = GENRES[genre]
    factor = Decimal(1)
    for value in factors:
        factor *= Decimal(value)
    whole = item_amount(Decimal(coefficient), UNIT_VALUE, Decimal(1), [Decimal(f) for f in factors])
    return DocumentLine(kind="royalty", title=title, category=category, genre=label, published_on=date(2025, 3, day),
                        coefficient=Decimal(coefficient), unit_value=UNIT_VALUE, factor=factor, share=Decimal(share),
                        amount=whole if amount is None else amount)


def person(name, unit, lines, *, pen_name=None, tax_id="", account="", bank="", staff=False):
    gross = sum(item.amount for item in lines)
    tax = withholding_tax(gross, threshold=THRESHOLD, rate_percent=RATE, staff=staff)
    return DocumentPayee(name=name, pen_name=pen_name, unit=unit, tax_id=tax_id, bank_account=account,
                         bank_name=bank, staff=staff, commitment=False, lines=lines, gross=gross, tax=tax,
                         net=gross - tax)


def demo_document():
    centre = "Trung tâm Công nghệ thông tin và Truyền thông tỉnh"
    outside = "Cộng tác viên ngoài cơ quan"
    co_written = item_amount(Decimal("2.2"), UNIT_VALUE)
    first_share, second_share = split_by_shares(co_written, [Decimal(60), Decimal(40)])
    report = ("Phóng sự: Những người giữ rừng ở vùng biên giới Bù Gia Mập giữa mùa khô hạn kéo dài "
              "và nỗ lực bảo tồn đa dạng sinh học")
    thao = person("Nguyễn Thị Phương Thảo", centre, [
        line("Hội nghị tổng kết công tác chuyển đổi số năm 2025 và triển khai nhiệm vụ trọng tâm năm 2026",
             "Chuyển đổi số", "tin_anh", 3),
        line("Khánh thành cầu dân sinh nối hai xã Đắk Ơ và Bù Gia Mập trước mùa mưa", "Kinh tế - Xã hội",
             "tin_anh", 7),
        line(report, "Phóng sự - Ký sự", "bai_phan_anh", 12, share="60", amount=first_share),
        line("Ủy ban nhân dân tỉnh đối thoại với doanh nghiệp về cải cách thủ tục hành chính", "Thời sự",
             "tin_anh", 18),
        line("Video: Lễ hội Phá Bàn của đồng bào S'tiêng ở huyện Bù Đốp", "Văn hóa - Du lịch",
             "truc_tuyen_media", 21),
        line("Mùa điều chín trên những triền đồi Lộc Ninh", "Nông nghiệp - Nông thôn", "tin_anh", 25),
    ], pen_name="Phương Thảo", tax_id="070185001234", account="0071001234567", bank="Vietcombank Bình Phước")
    huy = person("Trần Quốc Huy", centre, [
        line(report, "Phóng sự - Ký sự", "bai_phan_anh", 12, share="40", amount=second_share),
        DocumentLine(kind="fee", title="Hội nghị tổng kết công tác chuyển đổi số năm 2025", category="Chuyển đổi số",
                     genre="Thù lao biên tập viên", published_on=date(2025, 3, 3), coefficient=None, unit_value=None,
                     factor=None, share=None, amount=35_100),
    ], tax_id="8012345678", account="1020304050", bank="VietinBank")
    luong = person("Hoàng Thị Lương", centre, [
        line("Bình luận: Để cải cách hành chính không dừng ở khẩu hiệu (bản dịch từ tiếng Anh)", "Bình luận",
             "binh_luan", day, factors=("0.5",)) for day in (5, 14, 28)
    ], tax_id="070190005678", account="3100201234", bank="Agribank Bình Phước", staff=True)
    ksor = person("Điểu Thị Kim Chi", outside, [
        line("Ảnh: Phiên chợ vùng cao của đồng bào X'tiêng ở xã Đắk Nhau trong sương sớm", "Ảnh",
             "anh_mien_nui", 9),
        line("Ảnh: Học sinh vùng sâu đến trường mùa nước nổi", "Ảnh", "anh_mien_nui", 16),
        DocumentLine(kind="adjustment", title="Tin tháng 2: Chợ phiên Tết (gỡ bài do trùng lặp)", category="Ảnh",
                     genre="Điều chỉnh: gỡ bài đã trả", published_on=date(2025, 2, 20), coefficient=Decimal("1.5"),
                     unit_value=UNIT_VALUE, factor=Decimal(1), share=Decimal(100), amount=-351_000),
    ], pen_name="Kim Chi", tax_id="070195009876", account="19036123456789", bank="Techcombank")
    minh = person("Lê Nguyễn Hoàng Minh Khôi", outside, [
        line(f"Tin: Bình Phước đẩy mạnh chuyển đổi số trong nông nghiệp ({n})", "Nông nghiệp - Nông thôn",
             "tin_anh", 2 + 3 * n) for n in range(1, 8)
    ], pen_name="Minh Khôi", tax_id="070200004321", account="0123456789012", bank="BIDV")
    units = []
    for name, payees in ((centre, [huy, luong, thao]), (outside, [ksor, minh])):
        units.append(DocumentUnit(name=name, payees=payees, gross=sum(p.gross for p in payees),
                                  tax=sum(p.tax for p in payees), net=sum(p.net for p in payees)))
    return SheetDocument(
        agency="Ban Biên tập Cổng Thông tin điện tử tỉnh Bình Phước", site="Cổng Thông tin điện tử tỉnh Bình Phước",
        period="Tháng 03/2025", number="BK-binhphuoc-2025-03", state="Đã duyệt", payment_date=date(2025, 4, 5),
        regulation="Quyết định 1763/QĐ-BBT ngày 31/7/2020", units=units, gross=sum(u.gross for u in units),
        tax=sum(u.tax for u in units), net=sum(u.net for u in units),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs" / "examples"))
    parser.add_argument("--dpi", type=int, default=100)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        class Cfg(TestConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/unused.sqlite3"

        app = create_app(Cfg)
        with app.app_context():
            doc = demo_document()
            (out / "bang-ke-mau.pdf").write_bytes(write_pdf(doc))
            (out / "bang-ke-mau.xlsx").write_bytes(write_xlsx(doc))
    print(out / "bang-ke-mau.pdf")
    print(out / "bang-ke-mau.xlsx")
    if shutil.which("pdftoppm"):
        for old in out.glob("bang-ke-mau-trang-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", str(args.dpi), str(out / "bang-ke-mau.pdf"),
                        str(out / "bang-ke-mau-trang")], check=True)
        for png in sorted(out.glob("bang-ke-mau-trang-*.png")):
            print(png)
    else:
        print("pdftoppm (poppler-utils) is not installed: no PNG pages")


if __name__ == "__main__":
    main()
