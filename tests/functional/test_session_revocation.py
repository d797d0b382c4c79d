"""Issue 16, finding 8: logging out ends the session on the server, and remember-me is short.

Sessions were stateless signed cookies: a copy taken before logout kept working. Remember-me
lasted Flask-Login's default 365 days while a session lasts 12 hours.
"""
from datetime import datetime, timedelta, timezone

from tests.conftest import csrf_from, login


def _logout(client):
    page = client.get("/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 302


def _with_cookie(app, name, value):
    other = app.test_client()
    other.set_cookie(name, value, domain="localhost")
    return other


def test_a_session_cookie_copied_before_logout_no_longer_works(app, client, make):
    make.user("hong")
    login(client, "hong")
    copied = client.get_cookie("session").value
    assert _with_cookie(app, "session", copied).get("/").status_code == 200
    _logout(client)
    assert _with_cookie(app, "session", copied).get("/").status_code == 302


def test_a_remember_cookie_copied_before_logout_no_longer_works(app, client, make):
    make.user("hong")
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "hong", "password": "Matkhau-2026", "remember": "y",
                                "csrf_token": csrf_from(page)})
    copied = client.get_cookie("remember_token").value
    assert _with_cookie(app, "remember_token", copied).get("/").status_code == 200
    _logout(client)
    assert _with_cookie(app, "remember_token", copied).get("/").status_code == 302


def test_logging_in_again_after_logout_works(client, make):
    make.user("hong")
    login(client, "hong")
    _logout(client)
    assert login(client, "hong").status_code == 302
    assert client.get("/").status_code == 200


def test_remember_me_lasts_the_configured_days(client, make, app):
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    make.user("hong")
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": "hong", "password": "Matkhau-2026", "remember": "y",
                                           "csrf_token": csrf_from(page)})
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    expires = next(p.split("=", 1)[1] for p in header.split("; ") if p.lower().startswith("expires="))
    left = datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)
    assert timedelta(days=13) < left <= timedelta(days=14, minutes=1)
