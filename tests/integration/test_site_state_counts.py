"""site_state_counts (migrations 0021, 0023): the queue's tab counts per site, state and type, kept by triggers on
`submissions`. Whatever writes the items (the workflow service, a bulk update in SQL, a deletion), it must hold
what counting says."""
from sqlalchemy import delete, func, select, text, update

from bbt_workflow.extensions import db
from bbt_workflow.submissions import services
from bbt_workflow.submissions.models import SiteStateCount, Submission
from bbt_workflow.submissions.queries import queue_counts


def _kept():
    rows = db.session.execute(select(SiteStateCount.site_id, SiteStateCount.state, SiteStateCount.content_type,
                                     SiteStateCount.n))
    return {(site, state, content_type): n for site, state, content_type, n in rows if n}


def _counted():
    keys = (Submission.site_id, Submission.state, Submission.content_type)
    return {(site, state, content_type): n
            for site, state, content_type, n in db.session.execute(select(*keys, func.count()).group_by(*keys))}


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
    assert _kept() == _counted() == {(portal.id, "draft", "tin"): 3, (district.id, "draft", "tin"): 3}
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
    waiting = _kept()[(district.id, "submitted", "tin")]
    stray = Submission(site_id=district.id, author_id=author.id, state="submitted", content_type="tin", title="Tay")
    db.session.add(stray)
    db.session.commit()
    assert _kept() == _counted() and _kept()[(district.id, "submitted", "tin")] == waiting + 1
    db.session.execute(delete(Submission).where(Submission.id == stray.id))
    db.session.commit()
    assert _kept() == _counted()
    # A change of type moves the item between its state's rows (an editor turning a "tin" into a "bài").
    db.session.execute(update(Submission).where(Submission.id == items[3].id).values(content_type="bai"))
    db.session.commit()
    assert _kept() == _counted() and _kept()[(items[3].site_id, "in_review", "bai")] == 1
    # An update that changes neither state, site nor type leaves the counts alone.
    before = _kept()
    db.session.execute(update(Submission).values(title=Submission.title + " (sửa)"))
    db.session.commit()
    assert _kept() == before
    # The queue shows the reviewed states only (not drafts or withdrawn items): per state, summed over the
    # types, and per state and type.
    counts = queue_counts(portal)
    reviewed = {(state, ct): n for (site, state, ct), n in _counted().items()
                if site == portal.id and state not in ("draft", "withdrawn")}
    assert counts.by_type == reviewed and counts.of_type("bai") == {"in_review": 1}
    by_state = {}
    for (state, _ct), n in reviewed.items():
        by_state[state] = by_state.get(state, 0) + n
    assert counts.by_state == by_state
    assert db.session.scalar(text("SELECT count(*) FROM site_state_counts WHERE n < 0")) == 0
