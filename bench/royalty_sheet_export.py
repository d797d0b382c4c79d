"""Benchmark (not a test): export a royalty sheet of 20,000 lines as XLSX and CSV.

    .venv/bin/python bench/royalty_sheet_export.py [--lines 20000] [--payees 2000] [--units 30]

Builds a SheetDocument by hand (deterministic pseudo-random data, ~10 lines per payee),
then times write_xlsx and write_csv and measures their peak Python allocations
(tracemalloc, in a second run, since tracing slows the code) and the process's peak
resident memory (resource.getrusage maxrss). Target for compute + export (ROYALTIES.md,
issue 4): under 5 s and under 300 MB. The compute step from the database is to be added
in front of `export` (see `measure`).
"""
import argparse
import gc
import random
import resource
import sys
import time
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bbt_workflow.domain.royalty_rules import item_amount, split_by_shares, withholding_tax  # noqa: E402
from bbt_workflow.royalties.sheets.csv_writer import write_csv  # noqa: E402
from bbt_workflow.royalties.sheets.xlsx_writer import write_xlsx  # noqa: E402
from bbt_workflow.royalties.sheets.document_model import (  # noqa: E402
    DocumentLine,
    DocumentPayee,
    DocumentUnit,
    SheetDocument,
)

GENRES = [("Tin hoạt động, sự kiện có ảnh", Decimal("1.5")), ("Bài phản ánh, phỏng vấn", Decimal("2.2")),
          ("Bình luận, chính luận", Decimal("2.5")), ("Tin tổng hợp, tin sâu, tường thuật", Decimal("1.8")),
          ("Ảnh (miền núi, vùng sâu)", Decimal("1.6"))]
CATEGORIES = ["Thời sự", "Kinh tế", "Văn hóa - Xã hội", "Quốc phòng - An ninh", "Nông nghiệp - Nông thôn"]
UNIT_VALUE = 234_000


def build_document(lines=20_000, payees=2_000, units=30, seed=2025):
    rng = random.Random(seed)
    per_payee = [[] for _ in range(payees)]
    made, n = 0, 0
    while made < lines:
        genre, coefficient = rng.choice(GENRES)
        # one item in five has two authors (60/40): two lines
        shares = [Decimal(100)] if rng.random() < 0.8 or made + 2 > lines else [Decimal(60), Decimal(40)]
        made += len(shares)
        amount = item_amount(coefficient, UNIT_VALUE, Decimal(1), [Decimal("1.1")] if rng.random() < 0.1 else [])
        owner = n % payees
        for offset, (share, part) in enumerate(zip(shares, split_by_shares(amount, shares))):
            if len(shares) > 1 and offset == 1:
                owner = (owner + 1) % payees
            per_payee[owner].append(DocumentLine(
                kind="royalty",
                title=f"Tin bài số {n + 1}: hội nghị triển khai nhiệm vụ phát triển kinh tế - xã hội năm 2025",
                category=rng.choice(CATEGORIES), genre=genre, published_on=date(2025, 3, 1 + n % 31),
                coefficient=coefficient, unit_value=UNIT_VALUE, factor=Decimal(1), share=share, amount=part))
        n += 1
    unit_names = [f"Phòng/đơn vị số {u + 1}" for u in range(units)]
    by_unit = [[] for _ in range(units)]
    total_lines = 0
    for p, payee_lines in enumerate(per_payee):
        gross = sum(line.amount for line in payee_lines)
        staff = p % 7 == 0
        tax = withholding_tax(gross, threshold=2_000_000, rate_percent=Decimal(10), staff=staff)
        unit = p % units
        total_lines += len(payee_lines)
        by_unit[unit].append(DocumentPayee(
            name=f"Nguyễn Văn Người Nhận {p + 1}", pen_name=f"Bút danh {p + 1}" if p % 3 == 0 else None,
            unit=unit_names[unit], tax_id=f"{8_000_000_000 + p:010d}", bank_account=f"{10**12 + p}",
            bank_name="Vietcombank", staff=staff, commitment=False, lines=payee_lines, gross=gross, tax=tax,
            net=gross - tax))
    doc_units = [DocumentUnit(name=unit_names[u], payees=ps, gross=sum(p.gross for p in ps),
                              tax=sum(p.tax for p in ps), net=sum(p.net for p in ps))
                 for u, ps in enumerate(by_unit)]
    doc = SheetDocument(
        agency="Ban Biên tập Cổng Thông tin điện tử tỉnh", site="Cổng TTĐT tỉnh", period="Tháng 03/2025",
        number="BK-portal-2025-03", state="Bản nháp", payment_date=date(2025, 4, 5),
        regulation="QĐ 23/2020/QĐ-UBND", units=doc_units, gross=sum(u.gross for u in doc_units),
        tax=sum(u.tax for u in doc_units), net=sum(u.net for u in doc_units))
    return doc, total_lines


def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(label, fn):
    gc.collect()
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = f"{len(result) / 1e6:.1f} MB" if isinstance(result, bytes) else ""
    print(f"{label:<14} {elapsed:6.2f} s   peak traced {peak / 2**20:6.1f} MiB   maxrss {maxrss_mb():6.1f} MiB  {size}")
    return result, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--payees", type=int, default=2_000)
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--out", help="directory to keep the files in")
    args = parser.parse_args()

    print(f"Python {sys.version.split()[0]}, maxrss at start {maxrss_mb():.1f} MiB")
    (doc, lines), build_s = measure("build document", lambda: build_document(args.lines, args.payees, args.units))
    print(f"  {lines} lines, {sum(len(u.payees) for u in doc.units)} payees, {len(doc.units)} units, "
          f"gross {doc.gross:,} net {doc.net:,}")
    xlsx, xlsx_s = measure("write_xlsx", lambda: write_xlsx(doc))
    csv_bytes, csv_s = measure("write_csv", lambda: write_csv(doc))
    print(f"export total   {xlsx_s + csv_s:6.2f} s   process maxrss {maxrss_mb():.1f} MiB "
          f"(target for compute + export: < 5 s, < 300 MB)")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "sheet.xlsx").write_bytes(xlsx)
        (out / "sheet.csv").write_bytes(csv_bytes)
        print(f"written to {out}")


if __name__ == "__main__":
    main()
