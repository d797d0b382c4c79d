"""The demo looks like a real month on the provincial portal and its component sites (README)."""
from datetime import timedelta

from sqlalchemy import func, select

from bbt_workflow.accounts.models import Site, User
from bbt_workflow.demo_data import DEMO_PASSWORDS, load_demo_data
from bbt_workflow.domain.royalty_rules import local_date
from bbt_workflow.domain.workflow import STATES
from bbt_workflow.db_types import utcnow
from bbt_workflow.extensions import db
from bbt_workflow.royalties.sheets.transitions import create_sheet
from bbt_workflow.submissions.models import Submission


def test_demo_is_a_real_month(app):
    load_demo_data()
    db.session.commit()
    assert {u.username for u in db.session.scalars(select(User))} == set(DEMO_PASSWORDS)
    subs = db.session.scalars(select(Submission)).all()
    # Every state of the workflow has an item.
    assert {s.state for s in subs} == set(STATES)
    published = [s for s in subs if s.state == "published"]
    assert len({s.content_type for s in published}) >= 6
    assert len({s.category_id for s in published}) >= 5
    assert len({s.unit_id for s in published}) >= 5
    # Component sites have their own items, not only the portal.
    sites_with_items = set(db.session.scalars(select(Site.code).join(Submission, Submission.site_id == Site.id)))
    assert sites_with_items == {"binhphuoc", "sotttt", "sotuphap", "budang"}
    # The accountant computes last month's sheet at once, with lines in it.
    portal = db.session.scalar(select(Site).where(Site.code == "binhphuoc"))
    last_month = local_date(utcnow()).replace(day=1) - timedelta(days=1)
    ketoan = db.session.scalar(select(User).where(User.username == "ketoan"))
    sheet = create_sheet(ketoan, portal, f"{last_month:%Y-%m}")
    db.session.flush()
    assert sheet.gross > 0
    assert db.session.scalar(select(func.count(Submission.id)).where(
        Submission.site_id == portal.id, Submission.state == "published")) >= 10
