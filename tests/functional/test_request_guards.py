"""Input no database can store is refused at the door, on every route (not a server error)."""
from werkzeug.routing import IntegerConverter

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


def _urls_with_ids(app, value):
    """Every route with an integer argument, that argument set to `value` (other arguments a plain word)."""
    for rule in app.url_map.iter_rules():
        int_args = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if not int_args:
            continue
        path = rule.rule
        for name, conv in rule._converters.items():
            path = path.replace(f"<{'int:' if name in int_args else ''}{name}>", str(value) if name in int_args else "abc")
            path = path.replace(f"<string:{name}>", "abc").replace(f"<path:{name}>", "abc")
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        yield method, path


def test_every_route_with_an_id_answers_a_too_large_id_without_a_server_error(app, client, make):
    """int4 ids on PostgreSQL overflow from 2^31: such ids are simply not found, anonymous or signed in."""
    site = make.site("tinh", kind="portal")
    make.user("quantri", is_admin=True, roles={site: ["contributor", "editor", "approver", "accountant"]})
    signed_in = app.test_client()
    login(signed_in, "quantri")
    token_headers = bearer(api_token(app.test_client(), "quantri"))
    failures = []
    for value in (2**31, 2**63 - 1, 2**64):
        for method, path in _urls_with_ids(app, value):
            for who, c, headers in (("anonymous", client, {}), ("admin", signed_in, {}), ("token", client, token_headers)):
                status = c.open(path, method=method, headers=headers).status_code
                if status >= 500:
                    failures.append((who, method, path, status))
    for query in ("/api/v1/submissions/{id}/diff?from=2147483648&to=1", "/api/v1/submissions/{id}/diff?from=1&to=2147483648"):
        sub = client.post("/api/v1/submissions", headers=token_headers, json={
            "site": "tinh", "category": "van-ban", "content_type": "tin", "title": "Tin", "body_html": "<p>x</p>"})
        path = query.format(id=sub.get_json().get("id", 1) if sub.status_code == 201 else 1)
        status = client.get(path, headers=token_headers).status_code
        if status >= 500:
            failures.append(("token", "GET", path, status))
    assert failures == [], failures[:20]


def test_a_json_body_nested_too_deep_is_a_400_in_the_error_shape(client, make):
    site = make.site("tinh", kind="portal")
    make.user("ctv", roles={site: ["contributor"]})
    h = {**bearer(api_token(client, "ctv")), "Content-Type": "application/json"}
    response = client.post("/api/v1/submissions", headers=h, data="[" * 50000 + "]" * 50000)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] and isinstance(response.get_json()["error"]["details"], dict)


def test_a_lone_surrogate_in_a_title_is_a_422_on_the_title(client, make):
    site = make.site("tinh", kind="portal")
    make.user("ctv", roles={site: ["contributor"]})
    h = {**bearer(api_token(client, "ctv")), "Content-Type": "application/json"}
    response = client.post("/api/v1/submissions", headers=h, data='{"site": "tinh", "category": "van-ban", '
                           '"content_type": "tin", "body_html": "<p>x</p>", "title": "x\\ud800y"}')
    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]) == ["title"]


def test_dates_outside_the_usable_calendar_are_a_422(client, make):
    site = make.site("tinh", kind="portal")
    make.user("bt", roles={site: ["contributor", "editor", "approver", "accountant"]})
    h = bearer(api_token(client, "bt"))
    response = client.post("/api/v1/submissions", headers=h, json={
        "site": "tinh", "category": "van-ban", "content_type": "tin", "title": "Tin", "body_html": "<p>x</p>",
        "publish_at": "9999-12-31T23:59:59-23:59"})
    assert response.status_code == 422 and "publish_at" in response.get_json()["error"]["details"]
    response = client.get("/api/v1/reports/summary?from=0001-01-01&to=0001-01-31&site=tinh", headers=h)
    assert response.status_code == 422


def test_malformed_json_answers_details_as_an_object_like_every_error(client, make):
    site = make.site("tinh", kind="portal")
    make.user("ctv", roles={site: ["contributor"]})
    h = {**bearer(api_token(client, "ctv")), "Content-Type": "application/json"}
    response = client.post("/api/v1/submissions", headers=h, data='{"site": ')
    assert response.status_code == 400
    assert isinstance(response.get_json()["error"]["details"], dict)
