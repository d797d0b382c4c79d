"""Accountants pressing recompute on the same draft sheet at once (PostgreSQL): exactly one wins,
the others get a conflict (not a server error), and the sheet holds each line once."""
import threading

import pytest
from sqlalchemy import func, select

from bbt_workflow.errors import Conflict, ServiceError
from bbt_workflow.extensions import db
from bbt_workflow.royalties.sheets import transitions as sheets
from bbt_workflow.royalties.importing.services import import_items
from bbt_workflow.royalties.models import RoyaltyLine, RoyaltySheet
from tests.conftest import simple_grading

N = 4
ITEMS = 30


def test_parallel_recomputes_one_wins_and_no_line_is_doubled(app, make):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (real parallel connections); run with TEST_DATABASE_URL")
    site = make.site("tinh", kind="portal")
    admin = make.user("quantri", is_admin=True)
    make.user("ctv", roles={site: ["contributor"]})
    accountants = [make.user(f"ketoan{i}", roles={site: ["accountant"]}) for i in range(N)]
    import_items(admin, site, [{"external_id": f"r-{i}", "content_type": "tin", "category": "van-ban",
                                "title": f"Tin {i}", "author_username": "ctv",
                                "published_at": "2025-03-10T09:00:00+07:00", "grading": simple_grading("ctv")}
                               for i in range(ITEMS)])
    sheet = sheets.create_sheet(accountants[0], site, "2025-03")
    db.session.commit()
    sheet_id, seen_version = sheet.id, sheet.version
    ids = [a.id for a in accountants]
    barrier = threading.Barrier(N)
    outcomes = []

    def recompute(user_id):
        with app.app_context():
            from bbt_workflow.accounts.models import User

            user = db.session.get(User, user_id)
            mine = db.session.get(RoyaltySheet, sheet_id)
            user.memberships, mine.site  # load before the race
            barrier.wait()
            try:
                sheets.transition_sheet(user, mine, "recompute", seen_version)
                db.session.commit()
                outcomes.append("ok")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            except ServiceError as exc:
                db.session.rollback()
                outcomes.append(f"error {exc.code}")
            except Exception as exc:  # a server error is what this test is about
                db.session.rollback()
                outcomes.append(f"crash {type(exc).__name__}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=recompute, args=(uid,)) for uid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["conflict"] * (N - 1) + ["ok"], outcomes
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(RoyaltyLine)
                             .where(RoyaltyLine.sheet_id == sheet_id)) == ITEMS
    assert db.session.get(RoyaltySheet, sheet_id).gross == ITEMS * 351_000  # E1 each


def test_parallel_creation_of_the_same_sheet_one_wins(app, make):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (real parallel connections); run with TEST_DATABASE_URL")
    site = make.site("tinh", kind="portal")
    accountants = [make.user(f"ketoan{i}", roles={site: ["accountant"]}) for i in range(N)]
    db.session.commit()
    site_id, ids = site.id, [a.id for a in accountants]
    barrier = threading.Barrier(N)
    outcomes = []

    def create(user_id):
        with app.app_context():
            from bbt_workflow.accounts.models import Site, User

            user, mine = db.session.get(User, user_id), db.session.get(Site, site_id)
            user.memberships  # load before the race
            barrier.wait()
            try:
                sheets.create_sheet(user, mine, "2025-03")
                db.session.commit()
                outcomes.append("ok")
            except Conflict as exc:
                db.session.rollback()
                outcomes.append(exc.code)
            except Exception as exc:
                db.session.rollback()
                outcomes.append(f"crash {type(exc).__name__}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=create, args=(uid,)) for uid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["ok"] + ["sheet_exists"] * (N - 1), outcomes
    assert db.session.scalar(select(func.count()).select_from(RoyaltySheet)) == 1
