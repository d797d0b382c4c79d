from datetime import timedelta

from sqlalchemy import func, select

from bbt_workflow.accounts.models import Site, Unit, User
from bbt_workflow.auth.models import ApiToken
from bbt_workflow.db_types import utcnow
from bbt_workflow.extensions import db
from tests.conftest import api_token, bearer, login


def _error(response):
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "details"} <= set(body["error"]), body
    return body["error"]


def test_token_me_and_revocation(client, make):
    site = make.site("sotttt")
    unit = make.unit("so-tttt")
    make.user("hong", roles={site: ["contributor", "editor"]}, unit=unit.code)
    token = api_token(client, "hong")
    assert db.session.scalar(select(ApiToken.token_hash)) != token  # stored hashed
    me = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert me["username"] == "hong" and me["unit"] == "so-tttt" and me["is_admin"] is False
    assert me["memberships"][0]["site"] == "sotttt"
    assert me["memberships"][0]["roles"] == ["contributor", "editor"]
    assert client.delete("/api/v1/tokens/current", headers=bearer(token)).status_code == 204
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401 and _error(response)["code"] == "invalid_token"


def test_expired_token_is_refused(client, make):
    make.user("hong")
    token = api_token(client, "hong")
    row = db.session.scalars(select(ApiToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401 and _error(response)["code"] == "token_expired"


def test_unknown_token_and_no_token(client):
    assert _error(client.get("/api/v1/me", headers=bearer("bbt_nope")))["code"] == "invalid_token"
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and _error(response)["code"] == "not_authenticated"


def test_token_with_wrong_password(client, make):
    make.user("hong")
    response = client.post("/api/v1/tokens", json={"username": "hong", "password": "wrong-pass-1"})
    assert response.status_code == 401 and _error(response)["code"] == "invalid_credentials"


def test_token_endpoint_shares_the_lockout(client, make, app):
    make.user("hong")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        client.post("/api/v1/tokens", json={"username": "hong", "password": "wrong-pass-1"})
    response = client.post("/api/v1/tokens", json={"username": "hong", "password": "Matkhau-2026"})
    assert response.status_code == 429 and _error(response)["code"] == "account_locked"


def test_sites_lists_only_memberships_and_categories_are_scoped(client, make):
    mine, other = make.site("mine"), make.site("other")
    make.user("hong", roles={mine: ["contributor"]})
    token = api_token(client, "hong")
    sites = client.get("/api/v1/sites", headers=bearer(token)).get_json()
    assert [s["code"] for s in sites["items"]] == ["mine"] and sites["total"] == 1
    cats = client.get("/api/v1/sites/mine/categories", headers=bearer(token)).get_json()
    assert cats["total"] >= 10 and {"code", "name", "active"} == set(cats["items"][0])
    assert any(c["name"] == "Chuyển đổi số" for c in cats["items"])
    response = client.get("/api/v1/sites/other/categories", headers=bearer(token))
    assert response.status_code == 404 and _error(response)["code"] == "not_found"
    assert other.code == "other"


def test_pagination(client, make):
    admin = make.user("root", is_admin=True)
    for i in range(7):
        make.unit(f"u{i}", f"Đơn vị {i}")
    token = api_token(client, admin.username)
    page = client.get("/api/v1/admin/units?page=2&per_page=3", headers=bearer(token)).get_json()
    assert page["page"] == 2 and page["per_page"] == 3 and page["total"] == 7 and len(page["items"]) == 3
    response = client.get("/api/v1/admin/units?per_page=500", headers=bearer(token))
    assert response.status_code == 422 and "per_page" in _error(response)["details"]


# --- bad input -----------------------------------------------------------------

def _admin_token(client, make):
    make.user("root", is_admin=True)
    return api_token(client, "root")


def _unit_count():
    return db.session.scalar(select(func.count(Unit.id)))


def test_malformed_json(client, make):
    token = _admin_token(client, make)
    response = client.post("/api/v1/admin/units", data=b'{"code": "x",', headers={
        **bearer(token), "Content-Type": "application/json"})
    assert response.status_code == 400 and _error(response)["code"] == "bad_request"
    assert _unit_count() == 0


def test_non_utf8_body(client, make):
    token = _admin_token(client, make)
    body = b'{"code": "abc", "name": "S\xe1 T\xf0 ph\xe1p"}'  # Latin-1 bytes, not UTF-8
    response = client.post("/api/v1/admin/units", data=body, headers={
        **bearer(token), "Content-Type": "application/json"})
    assert response.status_code == 400 and _error(response)
    assert _unit_count() == 0


def test_unknown_fields(client, make):
    token = _admin_token(client, make)
    response = client.post("/api/v1/admin/units", json={"code": "abc", "name": "X", "colour": "red"},
                           headers=bearer(token))
    error = _error(response)
    assert response.status_code == 422 and "colour" in error["details"]
    assert _unit_count() == 0


def test_over_long_strings(client, make):
    token = _admin_token(client, make)
    response = client.post("/api/v1/admin/units", json={"code": "abc", "name": "x" * 256}, headers=bearer(token))
    assert response.status_code == 422 and "name" in _error(response)["details"]
    assert _unit_count() == 0


def test_wrong_types(client, make):
    token = _admin_token(client, make)
    response = client.post("/api/v1/admin/sites", json={
        "code": "abc", "name": "Trang", "kind": "component", "approval_levels": "two"}, headers=bearer(token))
    assert response.status_code == 422 and "approval_levels" in _error(response)["details"]
    response = client.post("/api/v1/admin/units", json=["not", "an", "object"], headers=bearer(token))
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Site.id))) == 0 and _unit_count() == 0


def test_wrong_media_type(client, make):
    token = _admin_token(client, make)
    response = client.post("/api/v1/admin/units", data="code=abc&name=X", headers={
        **bearer(token), "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415 and _error(response)["code"] == "unsupported_media_type"


def test_too_large_body(client, make, app):
    token = _admin_token(client, make)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/api/v1/admin/units", json={"code": "abc", "name": "x" * 5000}, headers=bearer(token))
    assert response.status_code == 413 and _error(response)["code"] == "too_large"


def test_duplicate_is_a_conflict_and_rule_breaks_are_422(client, make):
    token = _admin_token(client, make)
    assert client.post("/api/v1/admin/units", json={"code": "abc", "name": "X"}, headers=bearer(token)).status_code == 201
    response = client.post("/api/v1/admin/units", json={"code": "abc", "name": "Y"}, headers=bearer(token))
    assert response.status_code == 409 and "code" in _error(response)["details"]
    response = client.post("/api/v1/admin/users", json={
        "username": "hong", "password": "short", "full_name": "Hồng", "email": "hong@bbt-test.vn"},
        headers=bearer(token))
    assert response.status_code == 422 and _error(response)["code"] == "weak_password"
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_unknown_unit_on_user_leaves_nothing(client, make):
    token = _admin_token(client, make)
    response = client.post("/api/v1/admin/users", json={
        "username": "hong", "password": "Matkhau-2026", "full_name": "Hồng", "email": "hong@bbt-test.vn",
        "unit": "nope"}, headers=bearer(token))
    assert response.status_code == 422 and "unit" in _error(response)["details"]
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_cookie_authenticated_api_calls_need_csrf(client, make):
    make.user("root", is_admin=True)
    login(client, "root")
    response = client.post("/api/v1/admin/units", json={"code": "abc", "name": "X"})
    assert response.status_code == 400 and _error(response)["code"] == "csrf_failed"
    assert _unit_count() == 0


def test_error_messages_follow_the_language(client, make):
    response = client.get("/api/v1/me")
    vi = _error(response)["message"]
    en = _error(client.get("/api/v1/me?lang=en"))["message"]
    assert en == "Authentication is required." and vi != en


def test_admin_flow_creates_everything(client, make):
    token = _admin_token(client, make)
    h = bearer(token)
    assert client.post("/api/v1/admin/units", json={"code": "so-tp", "name": "Sở Tư pháp"}, headers=h).status_code == 201
    portal = client.post("/api/v1/admin/sites", json={"code": "tinh", "name": "Cổng TTĐT tỉnh", "kind": "portal"}, headers=h)
    assert portal.status_code == 201 and portal.get_json()["approval_levels"] == 2
    site = client.post("/api/v1/admin/sites", json={"code": "sotp", "name": "Trang Sở Tư pháp", "kind": "component",
                                                     "approval_levels": 1, "parent": "tinh"}, headers=h)
    assert site.get_json()["parent"] == "tinh"
    assert client.patch("/api/v1/admin/sites/sotp", json={"approval_levels": 2}, headers=h).get_json()["approval_levels"] == 2
    cat = client.post("/api/v1/admin/sites/sotp/categories", json={"code": "hoi-dap", "name": "Hỏi đáp pháp luật"}, headers=h)
    assert cat.status_code == 201
    assert client.patch("/api/v1/admin/sites/sotp/categories/hoi-dap", json={"active": False}, headers=h).get_json()["active"] is False
    user = client.post("/api/v1/admin/users", json={"username": "khai", "password": "Phapche@2026", "full_name": "Đỗ Văn Khải",
                                                     "email": "khai@bbt-test.vn", "unit": "so-tp", "pen_name": "Văn Khải"}, headers=h)
    assert user.status_code == 201
    uid = user.get_json()["id"]
    m = client.post("/api/v1/admin/memberships", json={"username": "khai", "site": "sotp", "roles": ["editor", "approver"]}, headers=h)
    assert m.status_code == 201 and m.get_json()["roles"] == ["approver", "editor"]
    target = client.put("/api/v1/admin/sites/sotp/targets/2026", json={"plan_items": 3000, "royalty_budget": 120000000}, headers=h)
    assert target.status_code == 200 and target.get_json()["plan_items"] == 3000
    assert client.patch(f"/api/v1/admin/users/{uid}", json={"active": False}, headers=h).get_json()["active"] is False
    assert client.post("/api/v1/tokens", json={"username": "khai", "password": "Phapche@2026"}).status_code == 401
    assert client.delete(f"/api/v1/admin/memberships/{m.get_json()['id']}", headers=h).status_code == 204
    listing = client.get("/api/v1/admin/memberships?site=sotp", headers=h).get_json()
    assert listing["total"] == 0


def test_admin_cannot_demote_themselves(client, make):
    admin = make.user("root", is_admin=True)
    token = api_token(client, "root")
    response = client.patch(f"/api/v1/admin/users/{admin.id}", json={"is_admin": False}, headers=bearer(token))
    assert response.status_code == 422 and _error(response)["code"] == "self_lockout"
