"""A stale `version` is 409 whatever else is wrong with the request (API.md): the version is
checked first, for every action and versioned write, on the API and on the pages. Sequential
(no threads), so it holds on SQLite, where writes are serialised, as on PostgreSQL."""
import pytest

from bbt_workflow.errors import Conflict
from bbt_workflow.extensions import db
from bbt_workflow.royalties.sheets.transitions import create_sheet, transition_sheet, update_sheet
from bbt_workflow.submissions import services
from tests.conftest import api_token, bearer, csrf_from, login, simple_grading
from tests.forms import action_form


@pytest.fixture
def pending(make):
    """An item waiting for approval on a two-level site with two approvers."""
    site = make.site("tinh", kind="portal", approval_levels=2)
    author = make.user("ctv", roles={site: ["contributor"]})
    editor = make.user("bientap", roles={site: ["editor"]})
    make.user("lanhdao1", roles={site: ["approver"]})
    make.user("lanhdao2", roles={site: ["approver"]})
    accountant = make.user("ketoan", roles={site: ["accountant"]})
    sub = services.create_submission(author, site, {"content_type": "tin", "title": "Tin", "category": "van-ban",
                                                    "body_html": "<p>x</p>"})
    db.session.commit()
    for action, actor in (("submit", author), ("claim", editor), ("forward", editor)):
        services.transition_submission(actor, sub, action, sub.version,
                                       grading=simple_grading("ctv") if action == "forward" else None)
        db.session.commit()
    return {"site": site, "sub": sub, "author": author, "accountant": accountant}


def test_second_approver_with_the_same_version_gets_409_not_422(client, pending):
    sub = pending["sub"]
    seen = sub.version
    first = client.post(f"/api/v1/submissions/{sub.id}/transitions", headers=bearer(api_token(client, "lanhdao1")),
                        json={"action": "approve", "version": seen, "grading": simple_grading("ctv")})
    assert first.status_code == 200, first.get_json()
    second = client.post(f"/api/v1/submissions/{sub.id}/transitions", headers=bearer(api_token(client, "lanhdao2")),
                         json={"action": "approve", "version": seen, "grading": simple_grading("ctv")})
    assert second.status_code == 409, second.get_json()
    assert second.get_json()["error"]["code"] == "stale_version"
    assert second.get_json()["error"]["details"]["version"] == first.get_json()["version"]


def test_stale_version_beats_not_allowed_not_editable_and_bad_state(client, pending):
    sub = pending["sub"]
    stale = sub.version - 1
    h_author = bearer(api_token(client, "ctv"))
    # The author may not approve, may not edit now, and the item cannot be submitted: still 409 first.
    for response in (
        client.post(f"/api/v1/submissions/{sub.id}/transitions", headers=h_author,
                    json={"action": "approve", "version": stale}),
        client.post(f"/api/v1/submissions/{sub.id}/transitions", headers=h_author,
                    json={"action": "submit", "version": stale}),
        client.patch(f"/api/v1/submissions/{sub.id}", headers=h_author, json={"version": stale, "title": "X"}),
        client.put(f"/api/v1/submissions/{sub.id}/grading", headers=bearer(api_token(client, "lanhdao1")),
                   json={"version": stale, "grading": simple_grading("ctv")}),
    ):
        assert response.status_code == 409, response.get_json()
        assert response.get_json()["error"]["code"] == "stale_version"


def test_second_approver_on_the_page_is_told_to_reload(app, pending):
    sub = pending["sub"]
    url = f"/submissions/{sub.id}"
    first, second = app.test_client(), app.test_client()
    login(first, "lanhdao1")
    login(second, "lanhdao2")
    page_1 = first.get(url).get_data(as_text=True)
    page_2 = second.get(url).get_data(as_text=True)  # both see the same version
    assert first.post(f"{url}/act", data=action_form(page_1, "approve")).status_code == 302
    late = second.post(f"{url}/act", data=action_form(page_2, "approve"), follow_redirects=True)
    text = late.get_data(as_text=True)
    assert "đã được người khác thay đổi" in text, text[:3000]
    assert "không thể thực hiện" not in text.lower()


def test_stale_edit_form_of_a_no_longer_editable_item_is_a_conflict(app, make):
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    sub = services.create_submission(author, site, {"content_type": "tin", "title": "Tin", "category": "van-ban",
                                                    "body_html": "<p>x</p>"})
    db.session.commit()
    seen = sub.version
    services.transition_submission(author, sub, "submit", sub.version)
    db.session.commit()
    with pytest.raises(Conflict):
        services.edit_submission(author, sub, seen, {"title": "X"})


def test_sheet_stale_version_is_checked_before_the_role(make):
    site = make.site("tinh", kind="portal")
    accountant = make.user("ketoan", roles={site: ["accountant"]})
    approver = make.user("lanhdao", roles={site: ["approver"]})
    sheet = create_sheet(accountant, site, "2025-03")
    db.session.commit()
    stale = sheet.version - 1
    with pytest.raises(Conflict):
        transition_sheet(accountant, sheet, "approve", stale)  # an approver's action, and a draft sheet
    with pytest.raises(Conflict):
        update_sheet(approver, sheet, stale, sheet.payment_date)  # not an accountant


def test_stale_edit_page_post_says_reload(app, make):
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    sub = services.create_submission(author, site, {"content_type": "tin", "title": "Tin", "category": "van-ban",
                                                    "body_html": "<p>x</p>"})
    db.session.commit()
    browser = app.test_client()
    login(browser, "ctv")
    form = browser.get(f"/submissions/{sub.id}/edit").get_data(as_text=True)
    services.transition_submission(author, sub, "submit", sub.version)  # meanwhile, in another tab
    db.session.commit()
    late = browser.post(f"/submissions/{sub.id}/edit", data={"csrf_token": csrf_from(form), "version": "1",
                                                             "content_type": "tin", "title": "Khác"},
                        follow_redirects=True)
    assert "đã được người khác thay đổi" in late.get_data(as_text=True)


def test_a_writer_between_the_check_and_the_flush_is_a_409_not_a_500(client, pending):
    """Two approvers pressing at the same moment both pass the version check; the second one's flush
    finds the row already moved on (StaleDataError). The load test (bench/RESULTS.md) got a 500 there:
    the Conflict rendered its message at once, the locale lookup read the signed-in user from a session
    whose flush had failed, and that raised instead. The other approver's write is committed from a
    second connection just before the flush."""
    from sqlalchemy import event, update
    from sqlalchemy.orm import Session

    from bbt_workflow.submissions.models import Submission

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers from their first read (BEGIN IMMEDIATE): the race cannot happen")
    sub = pending["sub"]
    seen = sub.version
    headers = bearer(api_token(client, "lanhdao1"))
    moved = []
    submissions = Submission.__table__

    def the_other_approver_first(session, flush_context, instances):
        if not moved and any(isinstance(obj, Submission) for obj in session.dirty):
            moved.append(True)
            with db.engine.begin() as other:
                other.execute(update(submissions).where(submissions.c.id == sub.id)
                              .values(version=submissions.c.version + 1))
            for user in [obj for obj in session.identity_map.values() if obj.__class__.__name__ == "User"]:
                session.expire(user)  # as after a commit earlier in the request

    event.listen(Session, "before_flush", the_other_approver_first)
    try:
        answer = client.post(f"/api/v1/submissions/{sub.id}/transitions", headers=headers,
                             json={"action": "approve", "version": seen, "grading": simple_grading("ctv")})
    finally:
        event.remove(Session, "before_flush", the_other_approver_first)
    assert moved, "the race was not staged"
    assert answer.status_code == 409, answer.get_data(as_text=True)[:500]
    assert answer.get_json()["error"]["code"] == "stale_version"
    message = answer.get_json()["error"]["message"]
    assert message and "lỗi hệ thống" not in message  # the item-changed text, not the internal error's
