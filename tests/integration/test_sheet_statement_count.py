"""A sheet's computation costs the same number of SQL statements for 3× the items (issue 15):
no query per item, per line or per payee (the 100k recompute took 108 s)."""
from sqlalchemy import event, func, select

from bbt_workflow.extensions import db
from bbt_workflow.royalties.importing.services import import_items
from bbt_workflow.royalties.models import SheetPayee
from bbt_workflow.royalties.sheets import transitions as sheets
from tests.conftest import simple_grading


def _statements_of_a_sheet(make, code, items):
    site = make.site(code, kind="portal")
    admin = make.user(f"qt_{code}", is_admin=True)
    authors = [make.user(f"ctv_{code}_{i}", roles={site: ["contributor"]}) for i in range(items)]
    accountant = make.user(f"kt_{code}", roles={site: ["accountant"]})
    import_items(admin, site, [{"external_id": f"{code}-{i}", "content_type": "tin", "category": "van-ban",
                                "title": f"Tin {i}", "author_username": authors[i].username,
                                "published_at": f"2025-03-{1 + i % 28:02d}T09:00:00+07:00",
                                "grading": simple_grading(authors[i].username, authors[(i + 1) % items].username)}
                               for i in range(items)])
    db.session.commit()
    db.session.expire_all()
    count = [0]

    def count_it(*args):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", count_it)
    try:
        sheet = sheets.create_sheet(accountant, site, "2025-03")
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", count_it)
    assert sheet.warnings == ""
    # every author is a payee: a query per payee would show
    assert db.session.scalar(select(func.count()).select_from(SheetPayee).where(SheetPayee.sheet_id == sheet.id)) == items
    return count[0]


def test_sheet_statements_do_not_grow_with_the_items(app, make):
    few = _statements_of_a_sheet(make, "tinh", 6)
    many = _statements_of_a_sheet(make, "huyen", 18)
    assert many == few, (few, many)
