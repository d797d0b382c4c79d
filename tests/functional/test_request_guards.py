"""Input no database can store is refused at the door, on every route (not a server error)."""
from tests.conftest import api_token, bearer, csrf_from, login


def test_an_id_beyond_64_bits_is_simply_not_found(client, make):
    site = make.site("tinh", kind="portal")
    make.user("ctv", roles={site: ["contributor"]})
    h = bearer(api_token(client, "ctv"))
    huge = "99999999999999999999"
    assert client.get(f"/api/v1/submissions/{huge}", headers=h).status_code == 404
    assert client.get(f"/api/v1/royalty/sheets/{huge}", headers=h).status_code == 404
    login(client, "ctv")
    assert client.get(f"/submissions/{huge}").status_code == 404


def test_nul_characters_are_refused_with_400(client, make):
    site = make.site("tinh", kind="portal")
    make.user("ctv", roles={site: ["contributor"]})
    h = bearer(api_token(client, "ctv"))
    response = client.post("/api/v1/submissions", headers=h, json={
        "site": "tinh", "category": "van-ban", "content_type": "tin", "title": "Tin\u0000", "body_html": "<p>x</p>"})
    assert response.status_code == 400 and response.get_json()["error"]["code"]
    assert client.get("/api/v1/submissions?q=a%00b", headers=h).status_code == 400
    ok = client.post("/api/v1/submissions", headers=h, json={
        "site": "tinh", "category": "van-ban", "content_type": "tin", "title": "Tin", "body_html": "<p>x</p>"})
    assert ok.status_code == 201
    login(client, "ctv")
    page = client.get("/sites/tinh/submissions/new")
    assert page.status_code == 200
    sent = client.post("/sites/tinh/submissions/new", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                                            "title": "A\x00B", "content_type": "tin"})
    assert sent.status_code == 400
