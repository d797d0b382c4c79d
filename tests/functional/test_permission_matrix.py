"""The authorization matrix, generated from the URL map.

Every /api/v1 and /admin route is called by every kind of caller: anonymous,
each site role on site A, a member of site B only (cross-site), and an admin.
What each may do follows from the rule the route declares (@requires) and, for
site-scoped routes, from membership: a role on site B grants nothing on site A,
and site A's objects answer 404 to outsiders.
"""
import io
import re

import pytest

from bbt_workflow.api.blueprint import MULTIPART_ENDPOINTS

from bbt_workflow.accounts.models import Membership
from bbt_workflow.extensions import db
from tests.conftest import api_token, bearer, csrf_from, login

CALLERS = ("anonymous", "contributor", "editor", "approver", "accountant", "outsider", "admin")
SITE_ROLES = ("contributor", "editor", "approver", "accountant")

# Site A's review queue: its editors and approvers (and admins); other members 403, outsiders 404.
QUEUE = {"submissions_web.queue", "submissions_web.queue_claim"}  # the queue and its claim POST
# Creating items on site A: its contributors, editors and approvers (and admins); its accountants
# only read (403); outsiders 404 on the page. The API call names site A in a valid body, so the
# service's rule (permissions.can_create_on) answers members, not the body validation.
CREATE_PAGE = {"submissions_web.create"}
CREATE_API = {"api_v1.create_submission"}
CREATORS = {"contributor", "editor", "approver", "admin"}
# Routes about one submitted item of site A, written by the contributor: visible to its author,
# the site's editors and approvers, admins; accountants see it only once approved; others get 404.
SUBMISSION_SCOPED_VISIBLE = {"contributor", "editor", "approver", "admin"}


def _routes():
    from bbt_workflow import create_app
    from config import TestConfig

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    app = create_app(Cfg)
    rows = []
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/v1") or rule.rule.startswith("/admin")
                or rule.endpoint.startswith(("core.", "submissions_web."))):
            continue
        if rule.endpoint in ("api-docs.openapi_json",):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            view = app.view_functions[rule.endpoint]
            rows.append(pytest.param(rule.rule, method, rule.endpoint, getattr(view, "bbt_rule", None),
                                     id=f"{method} {rule.rule}"))
    return rows


ROUTES = _routes()


def test_every_route_declares_its_rule():
    missing = [p.values[:3] for p in ROUTES if p.values[3] is None]
    assert missing == []


@pytest.fixture
def world(make):
    site_a = make.site("a", kind="portal")
    site_b = make.site("b")
    unit = make.unit("unit-a")
    users = {role: make.user(role, roles={site_a: [role]}) for role in SITE_ROLES}
    users["outsider"] = make.user("outsider", roles={site_b: list(SITE_ROLES)})
    users["admin"] = make.user("admin", is_admin=True)
    membership = db.session.query(Membership).filter_by(user_id=users["contributor"].id).one()
    category = site_a.categories[0]
    from bbt_workflow.submissions import services

    sub = services.create_submission(users["contributor"], site_a, {
        "content_type": "tin", "title": "Tin", "category": category.code, "body_html": "<p>x</p>"})
    db.session.commit()
    from bbt_workflow.submissions.attachments import add_attachment
    from tests.functional.test_uploads import png_bytes

    attachment = add_attachment(users["contributor"], sub, io.BytesIO(png_bytes()), "a.png")
    services.transition_submission(users["contributor"], sub, "submit", sub.version)
    db.session.commit()
    # Publishing: a portal endpoint of site A and one dead delivery to it.
    from bbt_workflow.publishing.endpoints import create_endpoint
    from bbt_workflow.publishing.outbox import enqueue

    endpoint, _secret = create_endpoint(None, site_a, name="Cổng", kind="webhook", url="http://127.0.0.1:9/hook")
    [delivery] = enqueue(sub, "article.published", [endpoint])
    delivery.state = "dead"
    db.session.commit()
    # Royalties: a sheet of site A.
    from bbt_workflow.royalties.payees.services import payee_for_user
    from bbt_workflow.royalties.sheets.transitions import create_sheet

    sheet = create_sheet(users["accountant"], site_a, "2025-03")
    db.session.commit()
    values = {
        "sheet_id": str(sheet.id), "payee_id": str(payee_for_user(users["contributor"]).id),
        "endpoint_id": str(endpoint.id), "delivery_id": str(delivery.id),
        "attachment_id": str(attachment.id),
        "submission_id": str(sub.id), "number": "1",
        "site": "a", "unit_id": str(unit.id), "user_id": str(users["contributor"].id),
        "membership_id": str(membership.id), "year": "2026", "code": category.code,
        "category_id": str(category.id),
        # Rate administration: rows of the default rate data (installed with the schema).
        "kind": "caps", "row_id": "1", "regulation_id": "1", "genre_id": "1", "adjustment_id": "1",
    }
    return values


def _fill(path, values):
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], path)


def _call(client, caller, method, url, is_api, endpoint):
    headers = {}
    if is_api:
        if caller != "anonymous":
            headers = bearer(api_token(client, caller))
        if endpoint in MULTIPART_ENDPOINTS:
            from tests.functional.test_uploads import png_bytes

            return client.open(url, method=method, headers=headers, content_type="multipart/form-data",
                               data={"file": (io.BytesIO(png_bytes()), "a.png")})
        body = {} if method in ("POST", "PUT", "PATCH") else None
        if endpoint in CREATE_API:
            body = {"site": "a", "content_type": "tin", "title": "Tin", "body_html": "<p>x</p>"}
        return client.open(url, method=method, json=body, headers=headers)
    data = None
    if caller != "anonymous":
        assert login(client, caller).status_code == 302
    if method == "POST":
        page = client.get("/").get_data(as_text=True) if caller != "anonymous" else client.get("/login").get_data(as_text=True)
        data = {"csrf_token": csrf_from(page)}
    return client.open(url, method=method, data=data)


def _expected(caller, endpoint, rule, is_api, path):
    """The set of acceptable status codes for this caller."""
    denied_anonymous = {401} if is_api else {302}
    if rule == "public":
        return None
    if caller == "anonymous":
        return denied_anonymous
    if rule == "admin":
        return None if caller == "admin" else {403}
    if rule == "site_member":
        if caller == "outsider":
            return {404}
        if endpoint in QUEUE:
            return None if caller in ("editor", "approver", "admin") else {403}
        if endpoint in CREATE_PAGE:
            return None if caller in CREATORS else {403}
        return None
    if rule == "accounting":
        # Payees' personal data: accountants of any site (the outsider is one on site B) and admins.
        return None if caller in ("accountant", "outsider", "admin") else {403}
    if rule == "sheet_visible":
        return None if caller in ("approver", "accountant", "admin") else {404}
    if rule == "delivery_watcher":
        return None if caller in ("approver", "admin") else {404}
    if endpoint in CREATE_API:
        # Site A named in the body: members without a creating role are refused (403); to outsiders
        # site A answers like an unknown site (422, API.md; issue 16 finding 10).
        if caller == "outsider":
            return {422}
        return None if caller in CREATORS else {403}
    if "<int:submission_id>" in path:
        return None if caller in SUBMISSION_SCOPED_VISIBLE else {404}
    return None  # any authenticated caller


@pytest.mark.parametrize("path,method,endpoint,rule", ROUTES)
def test_matrix(app, world, path, method, endpoint, rule):
    is_api = path.startswith("/api/")
    url = _fill(path, world)
    # Admin last: its calls may change data (e.g. delete the membership).
    for caller in CALLERS:
        client = app.test_client()
        response = _call(client, caller, method, url, is_api, endpoint)
        expected = _expected(caller, endpoint, rule, is_api, path)
        if expected is None:
            # Allowed: whatever the outcome (200, 201, 204, or 422 for the empty body), not a denial.
            # Allowed through the permission layer; the workflow may still refuse in this state
            # (403 with its own code, e.g. not_editable), which is not an access denial.
            assert response.status_code not in (401, 404), (caller, method, url, response.status_code)
            if response.status_code == 403:
                assert is_api and response.get_json()["error"]["code"] in ("not_editable", "not_allowed"), (
                    caller, method, url)
            assert response.status_code < 500, (caller, method, url, response.get_data(as_text=True)[:500])
        else:
            assert response.status_code in expected, (caller, method, url, response.status_code)
            if is_api:
                assert response.get_json()["error"]["code"]
