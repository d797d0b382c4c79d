"""Two (or eight) approvers pressing approve at once: exactly one wins."""
import threading

import pytest

from tests.conftest import simple_grading
from sqlalchemy import func, select

from bbt_workflow.errors import Conflict, ServiceError
from bbt_workflow.extensions import db
from bbt_workflow.submissions import services
from bbt_workflow.submissions.models import HistoryEntry, Submission

N = 8


def test_parallel_approves_one_wins(app, make):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (real parallel connections); run with TEST_DATABASE_URL")
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    editor = make.user("bientap", roles={site: ["editor"]})
    approvers = [make.user(f"lanhdao{i}", roles={site: ["approver"]}) for i in range(N)]
    sub = services.create_submission(author, site, {"content_type": "tin", "title": "Tin", "category": "van-ban",
                                                    "body_html": "<p>x</p>"})
    db.session.commit()
    for action, actor in (("submit", author), ("claim", editor), ("forward", editor)):
        grading = simple_grading("ctv") if action == "forward" else None
        services.transition_submission(actor, sub, action, sub.version, grading=grading)
        db.session.commit()
    seen_version, sub_id = sub.version, sub.id
    approver_ids = [a.id for a in approvers]
    barrier = threading.Barrier(N)
    outcomes = []

    def approve(user_id):
        with app.app_context():
            from bbt_workflow.accounts.models import User

            user = db.session.get(User, user_id)
            item = db.session.get(Submission, sub_id)
            user.memberships  # load before the race
            barrier.wait()
            try:
                services.transition_submission(user, item, "approve", seen_version)
                db.session.commit()
                outcomes.append("ok")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            except ServiceError as exc:  # any other refusal would be a bug here
                db.session.rollback()
                outcomes.append(f"error {exc.code}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(uid,)) for uid in approver_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["conflict"] * (N - 1) + ["ok"]
    db.session.expire_all()
    # The site has no portal endpoint, so the one approval also publishes it at once.
    assert db.session.get(Submission, sub_id).state == "published"
    approvals = db.session.scalar(select(func.count(HistoryEntry.id)).where(
        HistoryEntry.submission_id == sub_id, HistoryEntry.action == "approve"))
    assert approvals == 1
    assert db.session.scalar(select(func.count(HistoryEntry.id)).where(
        HistoryEntry.submission_id == sub_id, HistoryEntry.action == "publish")) == 1
