import re
from datetime import timedelta

from sqlalchemy import select

from bbt_workflow.auth.models import LoginAttempt, PasswordResetToken
from bbt_workflow.db_types import utcnow
from bbt_workflow.extensions import db
from bbt_workflow.mailqueue.models import OutboundEmail
from tests.conftest import csrf_from, login


def test_login_page_is_vietnamese_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="vi"' in html
    assert "Đăng nhập" in html


def test_english_on_request(client):
    html = client.get("/login?lang=en").get_data(as_text=True)
    assert 'lang="en"' in html and "Log in" in html


def test_language_switch_is_remembered(client, make):
    make.user("hong")
    page = client.get("/login").get_data(as_text=True)
    client.post("/language/en", data={"csrf_token": csrf_from(page), "next": "/login"})
    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)


def test_login_success_and_logout(client, make):
    make.user("hong")
    response = login(client, "hong")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Người dùng" in client.get("/").get_data(as_text=True)
    page = client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, make):
    make.user("hong")
    response = login(client, "hong", "Sai-mat-khau-1")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(as_text=True) or \
        "Wrong username or password" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_session_cookie_flags(client, make):
    make.user("hong")
    response = login(client, "hong")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_open_redirect_after_login_is_ignored(client, make):
    make.user("hong")
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login?next=https://evil.example/", data={
        "username": "hong", "password": "Matkhau-2026", "csrf_token": csrf_from(page)})
    assert response.headers["Location"] == "/"


def test_account_locks_after_repeated_failures(client, make, app):
    user = make.user("hong")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        assert login(client, "hong", "Sai-mat-khau-1").status_code == 401
    # Now even the right password is refused, with a clear message.
    response = login(client, "hong")
    assert response.status_code == 429
    assert "khóa" in response.get_data(as_text=True) or "locked" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.locked_until is not None
    # After the lockout period, the right password works again.
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login(client, "hong").status_code == 302


def test_ip_is_throttled_across_accounts(client, make, app):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 6
    make.user("hong")
    for i in range(6):
        login(client, f"nobody{i}", "Sai-mat-khau-1")
    response = login(client, "hong")
    assert response.status_code == 429
    attempts = db.session.scalars(select(LoginAttempt)).all()
    # The refused attempt is not recorded as one more failure (issue 16, finding 7).
    assert len(attempts) == 6 and not any(a.success for a in attempts)


def _request_reset(client, email):
    page = client.get("/password/forgot").get_data(as_text=True)
    return client.post("/password/forgot", data={"email": email, "csrf_token": csrf_from(page)})


def _link_from_last_email():
    mail = db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id.desc())).first()
    assert mail is not None
    return re.search(r"http://localhost(/password/reset/\S+)", mail.body_text).group(1)


def _reset(client, path, password):
    page = client.get(path)
    if page.status_code != 200:
        return page
    html = page.get_data(as_text=True)
    return client.post(path, data={"password": password, "confirm": password, "csrf_token": csrf_from(html)})


def test_password_reset_link_works_once(client, make):
    make.user("hong")
    response = _request_reset(client, "hong@bbt-test.vn")
    assert response.status_code == 302
    path = _link_from_last_email()
    assert _reset(client, path, "Moi-mat-khau-99").status_code == 302
    assert login(client, "hong", "Moi-mat-khau-99").status_code == 302
    # Used once: the same link is refused.
    client.get("/")  # (logged in now; log out by a new client below)
    other = client.application.test_client()
    again = other.get(path)
    assert again.status_code == 302 and "/password/forgot" in again.headers["Location"]


def test_password_reset_link_expires(client, make):
    make.user("hong")
    _request_reset(client, "hong@bbt-test.vn")
    path = _link_from_last_email()
    token = db.session.scalars(select(PasswordResetToken)).one()
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = _reset(client, path, "Moi-mat-khau-99")
    assert response.status_code == 302 and "/password/forgot" in response.headers["Location"]
    assert login(client, "hong", "Moi-mat-khau-99").status_code == 401


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(client, make):
    response = _request_reset(client, "nobody@bbt-test.vn")
    assert response.status_code == 302
    assert db.session.scalars(select(OutboundEmail)).all() == []


def test_reset_refuses_weak_password(client, make):
    make.user("hong")
    _request_reset(client, "hong@bbt-test.vn")
    path = _link_from_last_email()
    response = _reset(client, path, "short")
    assert response.status_code == 200  # the form again, with the reason
    assert login(client, "hong").status_code == 302  # old password still works


def test_change_password_requires_current_and_policy(client, make):
    make.user("hong")
    login(client, "hong")
    page = client.get("/password/change").get_data(as_text=True)
    token = csrf_from(page)
    bad = client.post("/password/change", data={"current_password": "wrong-1234", "password": "Moi-mat-khau-99",
                                                 "confirm": "Moi-mat-khau-99", "csrf_token": token})
    assert bad.status_code == 200
    weak = client.post("/password/change", data={"current_password": "Matkhau-2026", "password": "abcdefghij",
                                                  "confirm": "abcdefghij", "csrf_token": token})
    assert weak.status_code == 200
    good = client.post("/password/change", data={"current_password": "Matkhau-2026", "password": "Moi-mat-khau-99",
                                                  "confirm": "Moi-mat-khau-99", "csrf_token": token})
    assert good.status_code == 302
    assert client.get("/").status_code == 200  # this session stays logged in


def test_password_change_ends_other_sessions(app, make):
    make.user("hong")
    first, second = app.test_client(), app.test_client()
    login(first, "hong")
    login(second, "hong")
    page = first.get("/password/change").get_data(as_text=True)
    first.post("/password/change", data={"current_password": "Matkhau-2026", "password": "Moi-mat-khau-99",
                                         "confirm": "Moi-mat-khau-99", "csrf_token": csrf_from(page)})
    assert second.get("/").status_code == 302


def test_forms_without_csrf_token_are_rejected(client, make):
    make.user("hong")
    response = client.post("/login", data={"username": "hong", "password": "Matkhau-2026"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302
    login(client, "hong")
    response = client.post("/logout", data={})
    assert response.status_code == 400
    assert client.get("/").status_code == 200  # still logged in


def test_inactive_user_cannot_log_in(client, make):
    user = make.user("hong")
    user.active = False
    db.session.commit()
    assert login(client, "hong").status_code == 401


def test_health_endpoint(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["database"] == "ok"


def test_error_pages_are_html_in_site_style(client, make):
    make.user("hong")
    login(client, "hong")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.content_type and "BBT Workflow" in response.get_data(as_text=True)


def test_refused_attempts_do_not_hold_an_address_shut(client, make, app):
    """Issue 16, finding 7: attempts refused by the throttle are not failures, so hammering a closed
    address does not keep it closed for everyone behind it once the real failures age out."""
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    make.user("hong")
    for i in range(3):
        login(client, f"nobody{i}", "Sai-mat-khau-1")
    failures = db.session.scalars(select(LoginAttempt)).all()
    for _ in range(5):
        response = login(client, "nobody", "Sai-mat-khau-1")
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) > 0
    # The three real failures leave the window; the refused attempts must not stand in for them.
    for attempt in failures:
        attempt.at = utcnow() - timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"] + 1)
    db.session.commit()
    assert login(client, "hong").status_code == 302


def test_api_429_carries_retry_after(client, make, app):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 2
    for _ in range(2):
        client.post("/api/v1/tokens", json={"username": "x", "password": "Sai-mat-khau-1"})
    response = client.post("/api/v1/tokens", json={"username": "x", "password": "Sai-mat-khau-1"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) == app.config["LOGIN_FAILURE_WINDOW_MINUTES"] * 60
