from datetime import timedelta

from sqlalchemy import select

from bbt_workflow.db_types import utcnow
from bbt_workflow.extensions import db
from bbt_workflow.submissions import services, system_steps
from bbt_workflow.submissions.models import HistoryEntry


def test_idle_claims_return_to_the_queue(app, make):
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    editor = make.user("bientap", roles={site: ["editor"]})
    subs = []
    for title in ("Cũ", "Mới"):
        sub = services.create_submission(author, site, {"content_type": "tin", "title": title, "category": "van-ban",
                                                        "body_html": "<p>x</p>"})
        services.transition_submission(author, sub, "submit", sub.version)
        services.transition_submission(editor, sub, "claim", sub.version)
        subs.append(sub)
    db.session.commit()
    old, fresh = subs
    old.last_activity_at = utcnow() - timedelta(minutes=app.config["CLAIM_TIMEOUT_MINUTES"] + 1)
    db.session.commit()
    assert system_steps.release_stale_claims() == 1
    db.session.refresh(old)
    db.session.refresh(fresh)
    assert (old.state, old.assignee_id) == ("submitted", None)
    assert fresh.state == "in_review" and fresh.assignee_id == editor.id
    last = db.session.scalars(select(HistoryEntry).where(HistoryEntry.submission_id == old.id)
                              .order_by(HistoryEntry.id.desc())).first()
    assert last.action == "release" and last.actor_id is None and "CLAIM_TIMEOUT" in last.comment
