from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from bbt_workflow.extensions import db
from bbt_workflow.mailqueue.models import OutboundEmail
from bbt_workflow.submissions.models import HistoryEntry, Notification, Revision
from tests.conftest import api_token, bearer, simple_grading

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def newsroom(make, client):
    site = make.site("tinh", kind="portal", approval_levels=2)
    one_level = make.site("huyen", approval_levels=1)
    unit = make.unit("dai-ptth")
    people = {
        "ctv": make.user("ctv", roles={site: ["contributor"], one_level: ["contributor"]}, unit=unit.code,
                         full_name="Nguyễn Thị Hồng"),
        "ctv2": make.user("ctv2", roles={site: ["contributor"]}),
        "bientap": make.user("bientap", roles={site: ["editor"], one_level: ["editor"]}),
        "bientap2": make.user("bientap2", roles={site: ["editor"]}),
        "lanhdao": make.user("lanhdao", roles={site: ["approver"]}),
        "ketoan": make.user("ketoan", roles={site: ["accountant"]}),
        "ngoai": make.user("ngoai", roles={one_level: ["editor", "approver"]}),
    }
    tokens = {name: bearer(api_token(client, name)) for name in people}
    return {"site": site, "people": people, "h": tokens}


def _create(client, h, **over):
    body = {"site": "tinh", "category": "chuyen-doi-so", "content_type": "tin",
            "title": "Chuyển đổi số ở Bình Phước", "summary": "Tóm tắt",
            "body_html": "<p>Nội dung <strong>chính</strong></p>", **over}
    response = client.post("/api/v1/submissions", json=body, headers=h)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _act(client, h, sub, action, **extra):
    return client.post(f"/api/v1/submissions/{sub['id']}/transitions",
                       json={"action": action, "version": sub["version"], **extra}, headers=h)


def test_full_two_level_journey(client, newsroom):
    h = newsroom["h"]
    sub = _create(client, h["ctv"])
    assert sub["state"] == "draft" and sub["version"] == 1 and sub["revision"] == 1
    assert sub["allowed_actions"] == ["submit", "withdraw"]
    assert sub["authors"] == [{"user_id": newsroom["people"]["ctv"].id, "name": "Nguyễn Thị Hồng",
                               "pen_name": None, "share": "100.00"}]
    # Other contributors and the editors do not see a draft.
    for who in ("ctv2", "bientap", "ketoan", "ngoai"):
        assert client.get(f"/api/v1/submissions/{sub['id']}", headers=h[who]).status_code == 404
    sub = _act(client, h["ctv"], sub, "submit").get_json()
    assert sub["state"] == "submitted"
    # Editors were told, in-app and by email.
    assert db.session.scalar(select(Notification).where(Notification.user_id == newsroom["people"]["bientap"].id))
    assert db.session.scalars(select(OutboundEmail.recipient)).all().count("bientap@bbt-test.vn") == 1
    listing = client.get("/api/v1/submissions?site=tinh&state=submitted", headers=h["bientap"]).get_json()
    assert [s["id"] for s in listing["items"]] == [sub["id"]]
    sub = client.get(f"/api/v1/submissions/{sub['id']}", headers=h["bientap"]).get_json()
    assert "claim" in sub["allowed_actions"]
    sub = _act(client, h["bientap"], sub, "claim").get_json()
    assert sub["state"] == "in_review" and sub["assignee"]["id"] == newsroom["people"]["bientap"].id
    # Another editor cannot edit or forward it.
    assert client.patch(f"/api/v1/submissions/{sub['id']}", json={"version": sub["version"], "title": "X"},
                        headers=h["bientap2"]).status_code == 403
    assert _act(client, h["bientap2"], sub, "forward").status_code == 403
    edited = client.patch(f"/api/v1/submissions/{sub['id']}", json={
        "version": sub["version"], "body_html": "<p>Nội dung đã biên tập<script>alert(1)</script></p>"},
        headers=h["bientap"])
    assert edited.status_code == 200
    sub = edited.get_json()
    assert sub["revision"] == 2 and "<script>" not in sub["body_html"]
    # Return needs a comment.
    response = _act(client, h["bientap"], sub, "return")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "comment_required"
    sub = _act(client, h["bientap"], sub, "return", comment="Bổ sung ảnh").get_json()
    assert sub["state"] == "returned" and sub["assignee"] is None
    sub = _act(client, h["ctv"], sub, "submit").get_json()
    sub = _act(client, h["bientap"], sub, "claim").get_json()
    # Forwarding needs a royalty grading.
    response = _act(client, h["bientap"], sub, "forward")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_grading"
    sub = _act(client, h["bientap"], sub, "forward", grading=simple_grading("ctv")).get_json()
    assert sub["state"] == "pending_approval"
    # Priced with the unit value in force today (not yet published, no publish time): 1.5 units, factor 1.
    from bbt_workflow.domain.royalty_rules import local_date
    from bbt_workflow.db_types import utcnow
    from bbt_workflow.royalties.rules.queries import unit_value_on

    assert sub["grading"]["total"] == int(unit_value_on(local_date(utcnow())) * 3 / 2)
    assert sub["grading"]["parts"][0]["payees"][0]["share"] == "100"
    # The editor cannot approve on a 2-level site.
    assert _act(client, h["bientap"], sub, "approve").status_code == 403
    # A publish time a month ahead of now (never a fixed date: it would be in the past one day).
    local_publish = (datetime.now(VIETNAM) + timedelta(days=30)).replace(hour=8, minute=0, second=0, microsecond=0)
    sub = _act(client, h["lanhdao"], sub, "approve", publish_at=local_publish.isoformat()).get_json()
    assert sub["state"] == "approved"
    assert datetime.fromisoformat(sub["publish_at"]) == local_publish
    history = client.get(f"/api/v1/submissions/{sub['id']}/history", headers=h["ctv"]).get_json()
    assert [(e["action"], e["from_state"], e["to_state"]) for e in history] == [
        ("create", None, "draft"), ("submit", "draft", "submitted"), ("claim", "submitted", "in_review"),
        ("return", "in_review", "returned"), ("submit", "returned", "submitted"),
        ("claim", "submitted", "in_review"), ("forward", "in_review", "pending_approval"),
        ("approve", "pending_approval", "approved")]
    assert history[3]["comment"] == "Bổ sung ảnh" and history[3]["actor"]["full_name"]
    revisions = client.get(f"/api/v1/submissions/{sub['id']}/revisions", headers=h["ctv"]).get_json()
    assert [r["number"] for r in revisions] == [1, 2]
    first = client.get(f"/api/v1/submissions/{sub['id']}/revisions/1", headers=h["ctv"]).get_json()
    assert first["body_html"] == "<p>Nội dung <strong>chính</strong></p>"
    # The accountant sees approved items, read-only.
    seen = client.get(f"/api/v1/submissions/{sub['id']}", headers=h["ketoan"]).get_json()
    assert seen["allowed_actions"] == []


def test_one_level_site_editor_approves(client, newsroom):
    h = newsroom["h"]
    sub = _create(client, h["ctv"], site="huyen")
    sub = _act(client, h["ctv"], sub, "submit").get_json()
    sub = _act(client, h["bientap"], sub, "claim").get_json()
    assert "approve" in sub["allowed_actions"]
    approved = _act(client, h["bientap"], sub, "approve", grading=simple_grading("ctv", genre="tin_ngan", coefficient="1"))
    # No portal endpoint on this site and no publish time: published at once (WORKFLOW.md, publish).
    assert approved.get_json()["state"] == "published"


def test_stale_version_is_a_conflict_and_changes_nothing(client, newsroom):
    h = newsroom["h"]
    sub = _create(client, h["ctv"])
    ok = client.patch(f"/api/v1/submissions/{sub['id']}", json={"version": 1, "title": "Mới"}, headers=h["ctv"])
    assert ok.status_code == 200 and ok.get_json()["version"] == 2
    stale = client.patch(f"/api/v1/submissions/{sub['id']}", json={"version": 1, "title": "Cũ"}, headers=h["ctv"])
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_version"
    assert _act(client, h["ctv"], sub, "submit").status_code == 409
    current = client.get(f"/api/v1/submissions/{sub['id']}", headers=h["ctv"]).get_json()
    assert current["title"] == "Mới" and current["state"] == "draft"


def test_submit_checks_required_fields(client, newsroom):
    h = newsroom["h"]
    sub = _create(client, h["ctv"], title="", category=None, body_html="")
    response = _act(client, h["ctv"], sub, "submit")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "missing_fields" and set(error["details"]) == {"title", "category", "body_html"}
    assert "Tiêu đề, Chuyên mục, Nội dung" in error["message"]  # names what is missing


def test_cross_site_and_bad_references(client, newsroom):
    h = newsroom["h"]
    response = client.post("/api/v1/submissions", json={"site": "huyen", "content_type": "tin", "title": "x"},
                           headers=h["ctv2"])
    # Not a member of huyen: answered like an unknown site (API.md; issue 16, finding 10).
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "unknown_site"
    response = client.post("/api/v1/submissions", json={"site": "tinh", "content_type": "tin",
                                                          "category": "khong-co"}, headers=h["ctv"])
    assert response.status_code == 422 and "category" in response.get_json()["error"]["details"]
    response = client.post("/api/v1/submissions", json={"site": "tinh", "content_type": "podcast"}, headers=h["ctv"])
    assert response.status_code == 422


def test_co_authors_shares_must_sum_to_100(client, newsroom):
    h = newsroom["h"]
    bad = client.post("/api/v1/submissions", json={
        "site": "tinh", "content_type": "bai", "authors": [{"user_id": newsroom["people"]["ctv"].id, "share": "60"},
                                                           {"name": "Trần Văn B", "share": "30"}]}, headers=h["ctv"])
    assert bad.status_code == 422 and "authors" in bad.get_json()["error"]["details"]
    good = _create(client, h["ctv"], authors=[{"user_id": newsroom["people"]["ctv"].id, "share": "60"},
                                             {"name": "Trần Văn B", "pen_name": "Văn B", "share": "40"}])
    assert [a["share"] for a in good["authors"]] == ["60.00", "40.00"]


def test_search_ignores_diacritics(client, newsroom):
    h = newsroom["h"]
    _create(client, h["ctv"], title="Hội nghị chuyển đổi số tỉnh")
    _create(client, h["ctv"], title="Tin khác", body_html="<p>Đường giao thông</p>")
    found = client.get("/api/v1/submissions?q=chuyen doi so", headers=h["ctv"]).get_json()
    assert [s["title"] for s in found["items"]] == ["Hội nghị chuyển đổi số tỉnh"]
    found = client.get("/api/v1/submissions?q=DUONG giao", headers=h["ctv"]).get_json()
    assert [s["title"] for s in found["items"]] == ["Tin khác"]
    assert client.get("/api/v1/submissions?q=100%25", headers=h["ctv"]).get_json()["total"] == 0


def test_history_is_append_only_in_the_database(client, newsroom):
    h = newsroom["h"]
    _create(client, h["ctv"])
    with pytest.raises(Exception):
        db.session.execute(text("UPDATE submission_history SET comment = 'rewritten'"))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(Exception):
        db.session.execute(text("DELETE FROM submission_history"))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(HistoryEntry.comment)) is None
    assert db.session.scalar(select(Revision.number)) == 1


def test_diff_between_revisions(client, newsroom):
    h = newsroom["h"]
    sub = _create(client, h["ctv"], title="Hội nghị tổng kết", body_html="<p>Năm 2025 tỉnh đạt kết quả tốt</p>")
    client.patch(f"/api/v1/submissions/{sub['id']}", json={
        "version": sub["version"], "title": "Hội nghị sơ kết", "body_html": "<p>Năm 2026 tỉnh đạt kết quả tốt</p>"},
        headers=h["ctv"])
    diff = client.get(f"/api/v1/submissions/{sub['id']}/diff?from=1&to=2", headers=h["ctv"]).get_json()
    assert diff["from"] == 1 and diff["to"] == 2
    assert {"op": "delete", "text": "tổng"} in diff["fields"]["title"]
    assert {"op": "insert", "text": "sơ"} in diff["fields"]["title"]
    assert {"op": "insert", "text": "2026"} in diff["fields"]["body"]
    assert diff["fields"]["summary"] == [{"op": "equal", "text": "Tóm tắt"}]
    missing = client.get(f"/api/v1/submissions/{sub['id']}/diff?from=1&to=9", headers=h["ctv"])
    assert missing.status_code == 404
    assert client.get(f"/api/v1/submissions/{sub['id']}/diff?from=x&to=2", headers=h["ctv"]).status_code == 422
