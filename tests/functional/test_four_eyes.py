"""Issue 16, finding 9: four eyes. The author or a co-author of an item can neither forward
nor approve it, on sites with the setting (on by default for two-level sites)."""
import pytest
from sqlalchemy import select

from bbt_workflow.accounts.services import update_site
from bbt_workflow.extensions import db
from bbt_workflow.submissions.models import HistoryEntry
from tests.conftest import api_token, bearer, csrf_from, login, simple_grading


@pytest.fixture
def desk(make, client):
    two = make.site("tinh", kind="portal", approval_levels=2)
    one = make.site("huyen", approval_levels=1)
    people = {
        "ctv": make.user("ctv", roles={two: ["contributor"]}),
        "bientap": make.user("bientap", roles={two: ["editor"], one: ["contributor", "editor"]}),
        "lanhdao": make.user("lanhdao", roles={two: ["contributor", "approver"]}),
        "lanhdao2": make.user("lanhdao2", roles={two: ["approver"]}),
    }
    return {"sites": {"tinh": two, "huyen": one}, "people": people,
            "h": {name: bearer(api_token(client, name)) for name in people}}


def _create(client, h, site="tinh", **over):
    body = {"site": site, "category": "chuyen-doi-so", "content_type": "tin", "title": "Bốn mắt",
            "summary": "Tóm tắt", "body_html": "<p>Nội dung</p>", **over}
    response = client.post("/api/v1/submissions", json=body, headers=h)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _act(client, h, sub, action, **extra):
    return client.post(f"/api/v1/submissions/{sub['id']}/transitions",
                       json={"action": action, "version": sub["version"], **extra}, headers=h)


def test_two_level_sites_have_four_eyes_by_default(desk):
    assert desk["sites"]["tinh"].four_eyes is True
    assert desk["sites"]["huyen"].four_eyes is False


def test_an_approver_cannot_approve_their_own_item(client, desk):
    h, p = desk["h"], desk["people"]
    sub = _create(client, h["lanhdao"])
    sub = _act(client, h["lanhdao"], sub, "submit").get_json()
    sub = _act(client, h["lanhdao"], sub, "claim").get_json()
    assert sub["state"] == "in_review"
    assert "approve" not in sub["allowed_actions"] and "forward" not in sub["allowed_actions"]
    response = _act(client, h["lanhdao"], sub, "approve", grading=simple_grading("lanhdao"))
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "four_eyes"
    assert "tác giả" in error["message"]  # translated (Vietnamese by default)
    # Another approver may.
    sub = client.get(f"/api/v1/submissions/{sub['id']}", headers=h["lanhdao2"]).get_json()
    assert "approve" in sub["allowed_actions"]
    response = _act(client, h["lanhdao2"], sub, "approve", grading=simple_grading("lanhdao"))
    assert response.status_code == 200, response.get_json()
    # The history names who did each step.
    rows = db.session.scalars(select(HistoryEntry).where(HistoryEntry.submission_id == sub["id"])
                              .order_by(HistoryEntry.id)).all()
    # (A "publish" by the system, actor None, may follow: no portal is configured here.)
    assert [(r.action, r.actor_id) for r in rows][:4] == [
        ("create", p["lanhdao"].id), ("submit", p["lanhdao"].id), ("claim", p["lanhdao"].id),
        ("approve", p["lanhdao2"].id)]


def test_a_co_author_cannot_forward(client, desk):
    h, p = desk["h"], desk["people"]
    sub = _create(client, h["ctv"], authors=[{"user_id": p["ctv"].id, "share": "50"},
                                             {"user_id": p["bientap"].id, "share": "50"}])
    sub = _act(client, h["ctv"], sub, "submit").get_json()
    sub = _act(client, h["bientap"], sub, "claim").get_json()
    response = _act(client, h["bientap"], sub, "forward", grading=simple_grading("ctv", "bientap"))
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "four_eyes"


def test_one_level_sites_follow_their_setting(client, desk):
    h = desk["h"]
    sub = _create(client, h["bientap"], site="huyen", category="van-ban")
    sub = _act(client, h["bientap"], sub, "submit").get_json()
    sub = _act(client, h["bientap"], sub, "claim").get_json()
    assert "approve" in sub["allowed_actions"]  # off by default: the lone editor may approve
    update_site(None, desk["sites"]["huyen"], four_eyes=True)
    db.session.commit()
    response = _act(client, h["bientap"], sub, "approve", grading=simple_grading("bientap"))
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "four_eyes"


def test_the_page_says_why(client, desk):
    h = desk["h"]
    sub = _create(client, h["lanhdao"])
    sub = _act(client, h["lanhdao"], sub, "submit").get_json()
    sub = _act(client, h["lanhdao"], sub, "claim").get_json()
    login(client, "lanhdao")
    page = client.get(f"/submissions/{sub['id']}").get_data(as_text=True)
    response = client.post(f"/submissions/{sub['id']}/act", follow_redirects=True, data={
        "csrf_token": csrf_from(page), "action": "approve", "version": sub["version"],
        "grading_part-0-genre": "tin_anh"})
    text = response.get_data(as_text=True)
    assert "hai người" in text and "tác giả" in text
    assert client.get(f"/api/v1/submissions/{sub['id']}", headers=h["lanhdao"]).get_json()["state"] == "in_review"


def test_admins_set_four_eyes_through_the_api(client, make):
    make.user("boss", is_admin=True)
    h = bearer(api_token(client, "boss"))
    created = client.post("/api/v1/admin/sites", headers=h, json={"code": "xa", "name": "Xã", "kind": "component",
                                                                  "approval_levels": 1})
    assert created.status_code == 201 and created.get_json()["four_eyes"] is False
    changed = client.patch("/api/v1/admin/sites/xa", headers=h, json={"four_eyes": True})
    assert changed.status_code == 200 and changed.get_json()["four_eyes"] is True


def test_admins_set_four_eyes_on_the_site_form(client, make):
    site = make.site("xa", approval_levels=2)
    make.user("boss", is_admin=True)
    login(client, "boss")
    page = client.get("/admin/sites/xa/edit").get_data(as_text=True)
    assert 'name="four_eyes"' in page
    response = client.post("/admin/sites/xa/edit", data={
        "csrf_token": csrf_from(page), "code": "xa", "name": "Xã", "kind": "component", "approval_levels": "2",
        "parent": "", "active": "y"})
    assert response.status_code == 302
    db.session.refresh(site)
    assert site.four_eyes is False
