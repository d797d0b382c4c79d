"""Issue 16, finding 3: co-authors are members of the item's site (contributor or above).

Any user id used to be accepted, which let a non-member open the draft and revealed every
user's name by looping ids. Unknown and non-member ids answer the same 422.
"""
import pytest
from sqlalchemy import func, select

from bbt_workflow.accounts.models import User
from bbt_workflow.extensions import db
from bbt_workflow.submissions.models import Submission
from tests.conftest import api_token, bearer, csrf_from, login


@pytest.fixture
def desk(make, client):
    site = make.site("tinh", kind="portal")
    other = make.site("huyen")
    people = {
        "ctv": make.user("ctv", roles={site: ["contributor"]}),
        "ctv2": make.user("ctv2", roles={site: ["contributor"]}),
        "bientap": make.user("bientap", roles={site: ["editor"]}),
        "ketoan": make.user("ketoan", roles={site: ["accountant"]}),
        "ngoai": make.user("ngoai", roles={other: ["contributor"]}),
    }
    return {"people": people, "h": bearer(api_token(client, "ctv"))}


def _post(client, h, authors):
    return client.post("/api/v1/submissions", headers=h, json={
        "site": "tinh", "content_type": "tin", "title": "Đồng tác giả", "authors": authors})


def _pair(me, other_id):
    return [{"user_id": me.id, "share": "50"}, {"user_id": other_id, "share": "50"}]


def test_members_of_the_site_may_be_co_authors(client, desk):
    p = desk["people"]
    for who in ("ctv2", "bientap"):
        response = _post(client, desk["h"], _pair(p["ctv"], p[who].id))
        assert response.status_code == 201, response.get_json()


def test_unknown_and_non_member_ids_answer_the_same(client, desk):
    p = desk["people"]
    unknown = (db.session.scalar(select(func.max(User.id))) or 0) + 1000
    errors = []
    for other_id in (unknown, p["ngoai"].id, p["ketoan"].id):
        response = _post(client, desk["h"], _pair(p["ctv"], other_id))
        assert response.status_code == 422, response.get_json()
        errors.append(response.get_json()["error"])
    assert errors[0] == errors[1] == errors[2]
    assert "authors" in errors[0]["details"]
    # Nobody's name leaks through the answer.
    assert p["ngoai"].full_name not in str(errors[1]) and p["ketoan"].full_name not in str(errors[2])
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_the_creator_stays_an_author(client, desk):
    p = desk["people"]
    response = _post(client, desk["h"], [{"user_id": p["ctv2"].id, "share": "100"}])
    assert response.status_code == 422 and "authors" in response.get_json()["error"]["details"]
    response = _post(client, desk["h"], [{"name": "Người Ngoài", "share": "100"}])
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_an_edit_cannot_add_a_non_member(client, desk):
    p = desk["people"]
    sub = client.post(
        "/api/v1/submissions", headers=desk["h"], json={"site": "tinh", "content_type": "tin", "title": "X"}).get_json()
    response = client.patch(f"/api/v1/submissions/{sub['id']}", headers=desk["h"], json={
        "version": sub["version"], "authors": _pair(p["ctv"], p["ngoai"].id)})
    assert response.status_code == 422
    response = client.patch(f"/api/v1/submissions/{sub['id']}", headers=desk["h"], json={
        "version": sub["version"], "authors": [{"user_id": p["ctv2"].id, "share": "100"}]})
    assert response.status_code == 422


def test_the_web_form_refuses_an_accountant_as_co_author(client, make):
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    make.user("ketoan", roles={site: ["accountant"]}, full_name="Kế Toán Viên")
    accountant = db.session.scalar(select(User).where(User.username == "ketoan"))
    login(client, "ctv")
    page = client.get("/sites/tinh/submissions/new").get_data(as_text=True)
    assert "Kế Toán Viên" not in page  # only contributors and above are offered
    response = client.post("/sites/tinh/submissions/new", data={
        "csrf_token": csrf_from(page), "content_type": "tin", "title": "Đồng tác giả", "language": "vi",
        "category": "van-ban", "body_html": "<p>x</p>",
        "authors-0-user_id": str(author.id), "authors-0-share": "50",
        "authors-1-user_id": str(accountant.id), "authors-1-share": "50"})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0
