"""site_state_counts (migration 0021): the queue's tab counts, kept by triggers on `submissions`. Whatever
writes the items (the workflow service, a bulk update in SQL, a deletion), it must hold what counting says."""
from sqlalchemy import delete, func, select, text, update

from bbt_workflow.extensions import db
from bbt_workflow.submissions import services
from bbt_workflow.submissions.models import SiteStateCount, Submission
from bbt_workflow.submissions.queries import queue_counts


def _kept():
    return {(site, state): n for site, state, n in db.session.execute(
        select(SiteStateCount.site_id, SiteStateCount.state, SiteStateCount.n)) if n}


def _counted():
    return {(site, state): n for site, state, n in db.session.execute(
        select(Submission.site_id, Submission.state, func.count()).group_by(Submission.site_id, Submission.state))}


def test_the_counts_follow_every_write(make):
    portal = make.site("tinh", kind="portal", approval_levels=1)
    district = make.site("huyen")
    author = make.user("ctv", roles={portal: ["contributor"], district: ["contributor"]})
    editor = make.user("bientap", roles={portal: ["editor"], district: ["editor"]})
    items = []
    for k in range(6):
        site = portal if k % 2 else district
        sub = services.create_submission(author, site, {"content_type": "tin", "title": f"Tin {k}",
                                                        "category": site.categories[0].code,
                                                        "summary": "Tóm tắt", "body_html": "<p>Nội dung</p>"})
        items.append(sub)
    db.session.commit()
    assert _kept() == _counted() == {(portal.id, "draft"): 3, (district.id, "draft"): 3}
    for sub in items[:5]:
        services.transition_submission(author, sub, "submit", sub.version)
    for sub in items[:4]:
        services.transition_submission(editor, sub, "claim", sub.version)
    services.transition_submission(editor, items[0], "release", items[0].version)
    services.transition_submission(editor, items[1], "return", items[1].version, comment="Bổ sung ảnh")
    services.transition_submission(editor, items[2], "reject", items[2].version, comment="Trùng")
    db.session.commit()
    assert _kept() == _counted()
    # Writers other than the service: a bulk fix in SQL, an item moved to another site, an insert and a
    # deletion by hand (an item with a history is never deleted: the history is append-only).
    db.session.execute(update(Submission).where(Submission.id == items[4].id).values(state="withdrawn"))
    db.session.execute(update(Submission).where(Submission.id == items[5].id).values(site_id=portal.id))
    waiting = _kept()[(district.id, "submitted")]
    stray = Submission(site_id=district.id, author_id=author.id, state="submitted", content_type="tin", title="Tay")
    db.session.add(stray)
    db.session.commit()
    assert _kept() == _counted() and _kept()[(district.id, "submitted")] == waiting + 1
    db.session.execute(delete(Submission).where(Submission.id == stray.id))
    db.session.commit()
    assert _kept() == _counted()
    # An update that changes neither state nor site leaves the counts alone.
    before = _kept()
    db.session.execute(update(Submission).values(title=Submission.title + " (sửa)"))
    db.session.commit()
    assert _kept() == before
    # The queue shows the reviewed states only (not drafts or withdrawn items).
    assert queue_counts(portal) == {state: n for (site, state), n in _counted().items()
                                    if site == portal.id and state not in ("draft", "withdrawn")}
    assert db.session.scalar(text("SELECT count(*) FROM site_state_counts WHERE n < 0")) == 0
