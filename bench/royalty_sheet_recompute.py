"""Benchmark (not a test): recompute one month's royalty sheet of a site in a generated installation,
with a query log (count and time of each statement), then roll back (the installation is unchanged).

    .venv/bin/python bench/royalty_sheet_recompute.py --database-url postgresql://... [--site tinh] [--explain]

Takes the site's latest draft sheet (issue 15: 5.0 s at 10k items, 108 s at 100k).
"""
import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("BBT_NO_RUNNER", "1")

from sqlalchemy import event, select, text  # noqa: E402

from bbt_workflow import create_app  # noqa: E402
from bbt_workflow.accounts.models import Site  # noqa: E402
from bbt_workflow.domain.sheet_workflow import DRAFT  # noqa: E402
from bbt_workflow.extensions import db  # noqa: E402
from bbt_workflow.royalties.models import RoyaltySheet  # noqa: E402
from bbt_workflow.royalties.sheets.compute import compute_sheet  # noqa: E402
from config import TestConfig  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--site", default="tinh")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the three slowest statements")
    args = parser.parse_args()

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = args.database_url
        SQLALCHEMY_ECHO = False

    app = create_app(Cfg)
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == args.site))
        sheet = db.session.scalar(select(RoyaltySheet).where(RoyaltySheet.site_id == site.id, RoyaltySheet.state == DRAFT)
                                  .order_by(RoyaltySheet.period_start.desc()))
        print(f"site {site.code}, sheet {sheet.id} {sheet.period_start}..{sheet.period_end}")
        log = defaultdict(lambda: [0, 0.0, None])

        def before(conn, cursor, statement, parameters, context, executemany):
            conn.info["t0"] = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany):
            entry = log[statement]
            entry[0] += 1
            entry[1] += time.perf_counter() - conn.info["t0"]
            entry[2] = parameters

        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        started = time.perf_counter()
        compute_sheet(sheet)
        elapsed = time.perf_counter() - started
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
        lines = db.session.execute(text("SELECT count(*) FROM royalty_lines WHERE sheet_id = :s"), {"s": sheet.id}).scalar()
        sql_s = sum(e[1] for e in log.values())
        print(f"recompute {elapsed:.2f} s, {lines} lines, {sum(e[0] for e in log.values())} statements "
              f"({len(log)} distinct), {sql_s:.2f} s in SQL, {elapsed - sql_s:.2f} s in Python")
        slow = sorted(log.items(), key=lambda kv: -kv[1][1])
        for statement, (count, spent, _params) in slow[:8]:
            print(f"  {spent:7.3f} s  ×{count:<4} {' '.join(statement.split())[:160]}")
        db.session.rollback()
        if args.explain and db.engine.dialect.name == "postgresql":
            for statement, (_count, _spent, params) in slow[:3]:
                if not statement.lstrip().upper().startswith("SELECT") or not isinstance(params, dict):
                    continue
                plan = db.session.connection().exec_driver_sql("EXPLAIN ANALYZE " + statement, params)
                print("\n".join(r[0] for r in plan))
                db.session.rollback()


if __name__ == "__main__":
    main()
