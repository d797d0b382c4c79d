"""Benchmark (not a test): compute a royalty sheet of 20,000 lines from the database, then export it.

    .venv/bin/python bench/royalty_sheet_compute.py [--items 10000] [--payees-per-item 2] [--database URL]

Sets up a fresh database by running the migrations (SQLite file in a temporary folder by default;
`--database postgresql://postgres@127.0.0.1:5432/bench` for PostgreSQL — the database is emptied),
imports `items` graded items published in March 2025 through the real import service (outsider
payees, `payees-per-item` each), then times the parts an accountant waits for:

  compute   create_sheet: lines, per-payee tax, totals (royalties.sheets.compute_sheet)
  xlsx/csv  sheet_document + write_xlsx / write_csv of the computed sheet

and prints wall time and the process's peak resident memory (ru_maxrss). Target (issue 4):
compute + export under 5 s and under 300 MB on the 2-core machine.
"""
import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("BBT_NO_RUNNER", "1")


def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--payees-per-item", type=int, default=2)
    parser.add_argument("--payees", type=int, default=2_000, help="distinct outsider payees")
    parser.add_argument("--database", default=None)
    parser.add_argument("--profile", action="store_true",
                        help="also print where the compute and XLSX export spend their time (cProfile, slower)")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import text

    from bbt_workflow import create_app
    from bbt_workflow.extensions import db
    from config import TestConfig

    url = args.database or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite3")

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ECHO = False

    app = create_app(Cfg)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        from bbt_workflow.accounts.services import create_site, create_unit, create_user
        from bbt_workflow.royalties.importing.services import import_items
        from bbt_workflow.royalties.models import Payee
        from bbt_workflow.royalties.sheets.documents import export_sheet
        from bbt_workflow.royalties.sheets.transitions import create_sheet

        site = create_site(None, code="tinh", name="Cổng TTĐT tỉnh", kind="portal", approval_levels=2)
        accountant = create_user(None, username="ketoan", email="ketoan@bench.vn", full_name="Kế toán",
                                 password="Matkhau-2026")
        from bbt_workflow.accounts.services import set_membership

        set_membership(None, accountant, site, ["accountant"])
        admin = create_user(None, username="quantri", email="quantri@bench.vn", full_name="Quản trị",
                            password="Matkhau-2026", is_admin=True)
        units = [create_unit(None, code=f"u{i}", name=f"Đơn vị {i:02d}") for i in range(30)]
        db.session.commit()
        # Outsider payees spread over the units, created once (the import then matches them by name).
        db.session.add_all([Payee(full_name=f"Cộng tác viên {i:04d}", unit_id=units[i % 30].id)
                            for i in range(args.payees)])
        db.session.commit()
        started = time.perf_counter()
        share = str(100 / args.payees_per_item)
        genres = [("tin_anh", "1.5"), ("bai_phan_anh", "2.2"), ("binh_luan", "2.5"), ("tin_tong_hop", "1.8")]
        for chunk in range(0, args.items, 5000):
            items = []
            for n in range(chunk, min(chunk + 5000, args.items)):
                genre, coefficient = genres[n % len(genres)]
                payees = [{"name": f"Cộng tác viên {(n * 7 + k * 13) % args.payees:04d}", "share": share}
                          for k in range(args.payees_per_item)]
                items.append({"external_id": f"b{n}", "content_type": "tin", "category": "van-ban",
                              "title": f"Tin số {n} về chuyển đổi số", "author_username": "quantri",
                              "published_at": f"2025-03-{1 + n % 28:02d}T09:00:00+07:00",
                              "grading": {"parts": [{"genre": genre, "coefficient": coefficient, "payees": payees}]}})
            import_items(admin, site, items)
            db.session.commit()
        print(f"set-up: {args.items} items imported in {time.perf_counter() - started:.1f} s "
              f"({db.engine.dialect.name})")
        db.session.expire_all()  # the computation reads everything from the database
        rss_before = maxrss_mb()

        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        sheet = create_sheet(accountant, site, "2025-03", None)
        db.session.commit()
        compute_s = time.perf_counter() - started
        lines = db.session.execute(text("SELECT count(*) FROM royalty_lines")).scalar()
        print(f"compute        {compute_s:6.2f} s   {lines} lines, {db.session.execute(text('SELECT count(*) FROM royalty_sheet_payees')).scalar()} payees, "
              f"gross {sheet.gross:,} đ   maxrss {maxrss_mb():6.1f} MiB")
        timings = {}
        for fmt in ("xlsx", "csv"):
            started = time.perf_counter()
            content, _mime, _name = export_sheet(sheet, accountant, fmt)
            timings[fmt] = time.perf_counter() - started
            print(f"export {fmt:<7} {timings[fmt]:6.2f} s   {len(content) / 2**20:5.1f} MiB file   "
                  f"maxrss {maxrss_mb():6.1f} MiB")
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        # Recompute the draft (the accountant's "Tính lại"): deletes the 20,000 lines, writes them again.
        from bbt_workflow.royalties.sheets.transitions import transition_sheet

        db.session.expire_all()
        started = time.perf_counter()
        transition_sheet(accountant, sheet, "recompute", sheet.version)
        db.session.commit()
        print(f"recompute      {time.perf_counter() - started:6.2f} s   maxrss {maxrss_mb():6.1f} MiB")
        total = compute_s + timings["xlsx"]
        print(f"compute + xlsx {total:6.2f} s   process maxrss {maxrss_mb():.1f} MiB (before compute "
              f"{rss_before:.1f} MiB) — target < 5 s, < 300 MB")


if __name__ == "__main__":
    main()
