"""Write docs/examples/khau-tru-thue-<year>-<payee>.pdf and its first page as a PNG: a payee's withholding
statement (issue 17) over a year of paid sheets, and the tax summary XLSX of that year.

    .venv/bin/python scripts/tax_year_examples.py [--year 2025] [--out docs/examples]

Loads `flask bbt demo`'s data into a temporary SQLite database, imports a year of items paid to the demo
contributor `ctv` (a few items a month, more in some months so the withholding threshold is reached),
computes and pays each month's sheet of the portal on the 5th of the next month, then writes the
statement as the accountant would download it. The PNG needs pdftoppm (poppler-utils).
"""
import argparse
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bbt_workflow import create_app  # noqa: E402
from bbt_workflow.accounts.models import Site, User  # noqa: E402
from bbt_workflow.demo_data import load_demo_data  # noqa: E402
from bbt_workflow.extensions import db  # noqa: E402
from bbt_workflow.royalties.importing.services import import_items  # noqa: E402
from bbt_workflow.royalties.payees.services import payee_for_user  # noqa: E402
from bbt_workflow.royalties.sheets.transitions import create_sheet, transition_sheet  # noqa: E402
from bbt_workflow.royalties.tax_year.documents import statement_pdf, tax_year_xlsx  # noqa: E402
from bbt_workflow.royalties.tax_year.queries import tax_year  # noqa: E402
from config import TestConfig  # noqa: E402

# Items a month for `ctv` (tin_anh 1.5 each): 6 or more reach the 2,000,000 threshold in 2025.
PER_MONTH = (3, 2, 6, 4, 5, 7, 2, 3, 4, 8, 3, 5)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2025, help="a past year (the items are imported as published)")
    parser.add_argument("--site", default="binhphuoc")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs" / "examples"))
    args = parser.parse_args()
    year = args.year
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
            items = [{"external_id": f"vd-{year}-{m:02d}-{i}", "content_type": "tin", "category": "tin-tuc-su-kien",
                      "title": f"Tin ví dụ {i + 1} tháng {m}/{year}", "author_username": "ctv",
                      "published_at": f"{year}-{m:02d}-{10 + i:02d}T09:00:00+07:00",
                      "grading": {"parts": [{"genre": "tin_anh", "coefficient": "1.5", "factors": [],
                                             "payees": [{"username": "ctv", "share": "100"}]}]}}
                     for m, n in enumerate(PER_MONTH, start=1) for i in range(n)]
            import_items(user["admin"], site, items)
            db.session.commit()
            for month in range(1, 13):
                paid_on = date(year + (month == 12), month % 12 + 1, 5)
                sheet = create_sheet(user["ketoan"], site, f"{year}-{month:02d}", paid_on)
                db.session.commit()
                for who, action in (("ketoan", "check"), ("lanhdao", "approve"), ("ketoan", "pay")):
                    transition_sheet(user[who], sheet, action, sheet.version)
                    db.session.commit()
            payee = payee_for_user(user["ctv"])
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            content, _mime, filename = statement_pdf(tax_year(year, [site], payee_id=payee.id), payee)
            pdf = out / filename
            pdf.write_bytes(content)
            print(pdf)
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                            str(pdf.with_suffix(""))], check=True)
            print(pdf.with_suffix(".png"))
            content, _mime, filename = tax_year_xlsx(tax_year(year, [site]))
            (out / filename).write_bytes(content)
            print(out / filename)


if __name__ == "__main__":
    main()
