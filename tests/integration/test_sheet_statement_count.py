"""A sheet's computation costs the same number of SQL statements for 3× the items (issue 15):
no query per item, per line or per payee (the 100k recompute took 108 s)."""
from sqlalchemy import event, func, select

from bbt_workflow.extensions import db
from bbt_workflow.royalties.importing.services import import_items
from bbt_workflow.royalties.models import SheetPayee
from bbt_workflow.royalties.sheets import transitions as sheets
from tests.conftest import simple_grading


def import_graded_month(make, site, items):
    """`items` graded items of the site published in March 2025, each paying its author and the next one
    (every author a payee). Also used by tests/functional/test_statement_counts.py."""
    code = site.code
    admin = make.user(f"qt_{code}", is_admin=True)
    authors = [make.user(f"ctv_{code}_{i}", roles={site: ["contributor"]}) for i in range(items)]
    import_items(admin, site, [{"external_id": f"{code}-{i}", "content_type": "tin", "category": "van-ban",
                                "title": f"Tin {i}", "author_username": authors[i].username,
                                "published_at": f"2025-03-{1 + i % 28:02d}T09:00:00+07:00",
                                "grading": simple_grading(authors[i].username, authors[(i + 1) % items].username)}
                               for i in range(items)])
    db.session.commit()


def _statements_of_a_sheet(make, code, items):
    site = make.site(code, kind="portal")
    accountant = make.user(f"kt_{code}", roles={site: ["accountant"]})
    import_graded_month(make, site, items)
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


def test_deleting_a_sheets_lines_finds_their_adjustments_by_index(app):
    """Recomputing a draft deletes its lines; the database then looks up, per deleted line, the lines that
    adjust it (royalty_lines.adjustment_of_id). Without an index that was a table scan per line: 6.4 s to
    delete 20,000 lines on PostgreSQL (bench/RESULTS.md). The lookup must be able to use the index."""
    from sqlalchemy import text

    lookup = "SELECT 1 FROM royalty_lines WHERE adjustment_of_id = 1"
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL enable_seqscan = off"))  # tiny table: only whether it *can*
            plan = "\n".join(row[0] for row in conn.execute(text("EXPLAIN " + lookup)))
        else:
            plan = "\n".join(str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + lookup)))
    assert "ix_royalty_lines_adjustment_of" in plan, plan
