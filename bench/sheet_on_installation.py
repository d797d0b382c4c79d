"""A draft royalty sheet recomputed and exported on a generated installation (issue 15), in-process.

    .venv/bin/python bench/sheet_on_installation.py --database-url postgresql://postgres@127.0.0.1:5432/bench_1m [--site tinh] [--runs 3]

Takes the site's unpaid sheet with the most lines (set back to draft in the transaction), times compute_sheet (the lines and
totals recomputed from the items published in the period: what "Recompute" and the background job run),
then export_sheet as XLSX and CSV for the site's accountant. Each computation is rolled back, so the database
is left as it was. Prints each run and the p50. Target (issue 15): 20,000-line sheet computed and exported ≤ 5 s.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("BBT_NO_RUNNER", "1")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--site", default="tinh")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from bbt_workflow import create_app
    from bbt_workflow.accounts.models import Site, User
    from bbt_workflow.extensions import db
    from bbt_workflow.royalties.models import RoyaltyLine, RoyaltySheet
    from bbt_workflow.royalties.sheets.compute import compute_sheet
    from bbt_workflow.royalties.sheets.documents import export_sheet
    from config import TestConfig

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = args.database_url
        SQLALCHEMY_ECHO = False

    app = create_app(Cfg)
    with app.app_context(), app.test_request_context():
        site = db.session.scalar(select(Site).where(Site.code == args.site))
        accountant = db.session.scalar(select(User).where(User.username == f"kt.{args.site}.1"))
        # The site's unpaid sheet with the most lines (last month's: this month's draft is nearly empty early
        # in a month); put back to draft inside the transaction that is rolled back after each run.
        line_count = (select(func.count()).select_from(RoyaltyLine)
                      .where(RoyaltyLine.sheet_id == RoyaltySheet.id).scalar_subquery())
        sheet_id = db.session.scalar(select(RoyaltySheet.id).where(RoyaltySheet.site_id == site.id,
                                                                  RoyaltySheet.state != "paid")
                                     .order_by(line_count.desc()))
        timings = {"compute": [], "xlsx": [], "csv": []}
        for _ in range(args.runs):
            sheet = db.session.get(RoyaltySheet, sheet_id)
            sheet.state = "draft"
            db.session.flush()
            started = time.perf_counter()
            compute_sheet(sheet)
            db.session.flush()
            timings["compute"].append(time.perf_counter() - started)
            lines = db.session.scalar(select(func.count()).select_from(RoyaltyLine)
                                      .where(RoyaltyLine.sheet_id == sheet_id))
            for fmt in ("xlsx", "csv"):
                started = time.perf_counter()
                content, _mime, _name = export_sheet(sheet, accountant, fmt)
                timings[fmt].append(time.perf_counter() - started)
            print(f"sheet {sheet_id} ({args.site}): {lines} lines; compute {timings['compute'][-1]:.2f} s, "
                  f"xlsx {timings['xlsx'][-1]:.2f} s ({len(content) / 2**20:.1f} MiB csv), csv {timings['csv'][-1]:.2f} s",
                  flush=True)
            db.session.rollback()
        p50 = {k: statistics.median(v) for k, v in timings.items()}
        print(f"p50: compute {p50['compute']:.2f} s, xlsx {p50['xlsx']:.2f} s, csv {p50['csv']:.2f} s; "
              f"compute + xlsx {p50['compute'] + p50['xlsx']:.2f} s (target ≤ 5 s for 20,000 lines)")


if __name__ == "__main__":
    main()
