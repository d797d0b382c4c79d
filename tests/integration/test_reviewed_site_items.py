"""queries.reviewed_site_items: the queue's visibility rule written for the planner must list exactly what the
general rule (visible_submissions, mirroring permissions.can_see_submission) lists on that site, for every
reviewer, tab and filter."""
import pytest

from bbt_workflow.extensions import db
from bbt_workflow.submissions import services
from bbt_workflow.submissions.queries import listed_submissions
from tests.conftest import simple_grading

TABS = [{}, {"state": "submitted"}, {"state": "in_review"}, {"state": "draft"}, {"state": "withdrawn"},
        {"state": "published"}, {"awaiting": "me"}, {"assignee": "me"}, {"content_type": "tin"}, {"sort": "title"},
        {"q": "bao lu"}]


@pytest.fixture
def site_with_everything(make):
    site = make.site("tinh", kind="portal", approval_levels=2)
    other = make.site("huyen")
    author = make.user("ctv", roles={site: ["contributor"], other: ["contributor"]})
    editor = make.user("bientap", roles={site: ["editor"], other: ["editor"]})
    approver = make.user("lanhdao", roles={site: ["approver"]})
    both = make.user("bt_viet", roles={site: ["editor", "accountant"]})
    admin = make.user("quantri", is_admin=True)

    def item(by, on, title, steps=(), co=None):
        authors = [{"user_id": by.id, "share": "50"}, {"user_id": co.id, "share": "50"}] if co else None
        sub = services.create_submission(by, on, {"content_type": "tin", "title": title,
                                                  "category": on.categories[0].code, "summary": "Tóm tắt",
                                                  "body_html": "<p>Bão lũ miền Trung</p>",
                                                  **({"authors": authors} if authors else {})})
        for actor, action in steps:
            services.transition_submission(actor, sub, action, sub.version,
                                           comment="Lý do" if action in ("return", "reject") else None,
                                           grading=simple_grading("ctv") if action == "forward" else None)
        return sub

    item(author, site, "Nháp của cộng tác viên")
    item(author, site, "Nháp đồng tác giả", co=both)
    item(both, site, "Nháp của biên tập viên")
    item(editor, site, "Rút lại", [(editor, "withdraw")])
    item(author, site, "Chờ", [(author, "submit")])
    item(author, site, "Đang biên tập", [(author, "submit"), (editor, "claim")])
    item(author, site, "Chờ duyệt", [(author, "submit"), (editor, "claim"), (editor, "forward")])
    item(author, site, "Trả lại", [(author, "submit"), (both, "claim"), (both, "return")])
    item(author, other, "Trang khác", [(author, "submit")])
    db.session.commit()
    return site, [editor, approver, both, admin]


def test_a_reviewer_lists_on_their_site_what_the_general_rule_lists(site_with_everything):
    site, reviewers = site_with_everything
    for user in reviewers:
        for tab in TABS:
            args = dict(tab, site=site.code)
            general = db.session.execute(listed_submissions(user, args)).all()
            planned = db.session.execute(listed_submissions(user, args, reviewed_site=site)).all()
            assert [r.id for r in planned] == [r.id for r in general], (user.username, tab)
    # The fixture covers what the rule decides: others' drafts hidden, one's own and co-written ones shown.
    editor_all = {r.title for r in db.session.execute(listed_submissions(reviewers[2], {"site": site.code},
                                                                         reviewed_site=site))}
    assert {"Nháp đồng tác giả", "Nháp của biên tập viên"} <= editor_all
    assert not {"Nháp của cộng tác viên", "Rút lại", "Trang khác"} & editor_all
