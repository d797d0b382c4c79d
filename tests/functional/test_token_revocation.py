"""Issue 16, finding 1: an API token dies with the password it was issued under.

Web sessions already end on a password change (the session id carries a stamp); a bearer
token must end too, whichever way the password changes: by the user, by a reset link, or by
an administrator.
"""
import re

from bbt_workflow.auth import services as auth_services
from bbt_workflow.extensions import db
from bbt_workflow.mailqueue.models import OutboundEmail
from tests.conftest import api_token, bearer, csrf_from, login


def _me(client, token):
    return client.get("/api/v1/me", headers=bearer(token)).status_code


def test_change_of_own_password_revokes_tokens(client, make):
    make.user("hong")
    token = api_token(client, "hong")
    assert _me(client, token) == 200
    login(client, "hong")
    page = client.get("/password/change").get_data(as_text=True)
    response = client.post("/password/change", data={
        "current_password": "Matkhau-2026", "password": "Moi-mat-khau-99",
        "confirm": "Moi-mat-khau-99", "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert _me(client, token) == 401
    # A new token under the new password works (asked for without the logged-in session).
    fresh = client.application.test_client()
    assert _me(fresh, api_token(fresh, "hong", "Moi-mat-khau-99")) == 200


def test_password_reset_revokes_tokens(client, make):
    user = make.user("hong")
    token = api_token(client, "hong")
    auth_services.request_password_reset(user.email, reset_url_for=lambda raw: raw)
    db.session.commit()
    raw = db.session.query(OutboundEmail).one().body_text
    raw = re.search(r"[A-Za-z0-9_-]{40,}", raw).group(0)
    auth_services.reset_password(raw, "Moi-mat-khau-99")
    db.session.commit()
    assert _me(client, token) == 401


def test_password_set_by_an_admin_revokes_tokens(client, make):
    make.user("boss", is_admin=True)
    hong = make.user("hong")
    token = api_token(client, "hong")
    admin_token = api_token(client, "boss")
    response = client.patch(f"/api/v1/admin/users/{hong.id}", json={"password": "Moi-mat-khau-99"},
                            headers=bearer(admin_token))
    assert response.status_code == 200, response.get_json()
    assert _me(client, token) == 401
    assert _me(client, admin_token) == 200  # only the changed user's tokens go


def test_other_changes_by_an_admin_keep_tokens(client, make):
    make.user("boss", is_admin=True)
    hong = make.user("hong")
    token = api_token(client, "hong")
    response = client.patch(f"/api/v1/admin/users/{hong.id}", json={"full_name": "Hồng Mới"},
                            headers=bearer(api_token(client, "boss")))
    assert response.status_code == 200
    assert _me(client, token) == 200
