"""Write docs/examples/bao-cao-<site>-<from>-<to>.xlsx / .docx: one quarter's report exports from the demo data.

    .venv/bin/python scripts/report_examples.py [--site binhphuoc] [--out docs/examples]

Loads `flask bbt demo`'s data into a temporary SQLite database (the demo is relative to today: last month's
imported items and this month's work), pays last month's royalty sheet so the spending has figures, and
exports the quarter that holds last month with GET /api/v1/reports/export's service, as the admin.
"""
import argparse
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bbt_workflow import create_app  # noqa: E402
from bbt_workflow.accounts.models import Site, User  # noqa: E402
from bbt_workflow.demo_data import load_demo_data  # noqa: E402
from bbt_workflow.extensions import db  # noqa: E402
from bbt_workflow.reports.services import report_export  # noqa: E402
from bbt_workflow.royalties.sheets.transitions import create_sheet, transition_sheet  # noqa: E402
from config import TestConfig  # noqa: E402


def quarter_of(day):
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    after = date(first.year + (first.month + 3 > 12), (first.month + 2) % 12 + 1, 1)
    return first, after - timedelta(days=1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", default="binhphuoc")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs" / "examples"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        class Cfg(TestConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/demo.sqlite3"

        app = create_app(Cfg)
        with app.app_context(), app.test_request_context():
            upgrade()
            load_demo_data()
            db.session.commit()
            user = {u.username: u for u in db.session.scalars(select(User))}
            site = db.session.scalar(select(Site).where(Site.code == args.site))
            last_month = date.today().replace(day=1) - timedelta(days=1)
            sheet = create_sheet(user["ketoan"], site, f"{last_month:%Y-%m}")
            db.session.commit()
            for who, action in (("ketoan", "check"), ("lanhdao", "approve"), ("ketoan", "pay")):
                transition_sheet(user[who], sheet, action, sheet.version)
                db.session.commit()
            start, end = quarter_of(last_month)
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            for fmt in ("xlsx", "docx"):
                content, _, filename = report_export(user["admin"], args.site, start, end, fmt)
                (out / filename).write_bytes(content)
                print(out / filename)


if __name__ == "__main__":
    main()
