"""Benchmark (not a test): the royalty sheet PDF (WeasyPrint) for sheets of growing size.

    .venv/bin/python bench/royalty_sheet_pdf.py [--lines 200 1000 3000]

A paid sheet's PDF is written inside the "pay" transaction (documents.keep_sheet_files), so its
time is the time the accountant waits on "Mark paid". Prints lines, pages, seconds, peak RSS.
"""
import argparse
import io
import resource
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypdf import PdfReader  # noqa: E402

from bbt_workflow import create_app  # noqa: E402
from bbt_workflow.royalties.sheets.document_model import (  # noqa: E402
    DocumentLine, DocumentPayee, DocumentUnit, SheetDocument,
)
from bbt_workflow.royalties.sheets.pdf_writer import write_pdf  # noqa: E402
from config import TestConfig  # noqa: E402


def document(lines, per_payee=10, units=5):
    payees = []
    for p in range(max(1, lines // per_payee)):
        items = [DocumentLine(kind="royalty", title=f"Tin hoạt động số {p}-{i} về chuyển đổi số ở địa phương",
                              category="Thời sự", genre="Tin hoạt động, sự kiện có ảnh", published_on=date(2025, 3, 10),
                              coefficient=Decimal("1.5"), unit_value=234_000, factor=Decimal(1), share=Decimal(100),
                              amount=351_000) for i in range(per_payee)]
        gross = sum(item.amount for item in items)
        payees.append(DocumentPayee(name=f"Nguyễn Văn Người Nhận {p:05d}", pen_name=None, unit=f"Đơn vị {p % units}",
                                    tax_id="070185001234", bank_account="0071001234567", bank_name="Vietcombank",
                                    staff=False, commitment=False, lines=items, gross=gross, tax=gross // 10,
                                    net=gross - gross // 10))
    doc_units = []
    for u in range(units):
        mine = [p for p in payees if p.unit == f"Đơn vị {u}"]
        doc_units.append(DocumentUnit(name=f"Đơn vị {u}", payees=mine, gross=sum(p.gross for p in mine),
                                      tax=sum(p.tax for p in mine), net=sum(p.net for p in mine)))
    return SheetDocument(agency="Ban Biên tập", site="Cổng", period="Tháng 03/2025", number="BK-bench",
                         state="Đã duyệt", payment_date=date(2025, 4, 5), regulation="QĐ", units=doc_units,
                         gross=sum(u.gross for u in doc_units), tax=sum(u.tax for u in doc_units),
                         net=sum(u.net for u in doc_units))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, nargs="+", default=[200, 1000, 3000])
    args = parser.parse_args()

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    app = create_app(Cfg)
    with app.app_context():
        for lines in args.lines:
            doc = document(lines)
            start = time.perf_counter()
            data = write_pdf(doc)
            seconds = time.perf_counter() - start
            pages = len(PdfReader(io.BytesIO(data)).pages)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{lines:6d} lines  {pages:4d} pages  {seconds:7.1f} s  {len(data) / 1024:8.0f} KiB  "
                  f"peak RSS {rss:6.0f} MiB")


if __name__ == "__main__":
    main()
