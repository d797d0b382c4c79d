"""Issue 16, finding 7: request rate limits (Flask-Limiter) on login, token creation, password reset
and the API. The suite runs with the limiter off; each test here turns it on with explicit limits."""
import pytest

from tests.conftest import api_token, bearer, csrf_from, login

ON = {"RATELIMIT_ENABLED": True}


def _login_attempt(client, password="Sai-mat-khau-1", **kw):
    # One GET for the CSRF token, then the POST that counts.
    token = csrf_from(client.get("/login", **kw).get_data(as_text=True))
    return client.post("/login", data={"username": "hong", "password": password, "csrf_token": token}, **kw)


@pytest.mark.settings(**ON, RATELIMIT_LOGIN="3 per minute")
def test_login_posts_are_rate_limited_per_address_with_retry_after_in_the_callers_language(client, make):
    make.user("hong")
    for _ in range(3):
        assert _login_attempt(client).status_code == 401
    refused = _login_attempt(client, password="Matkhau-2026")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "text/html" in refused.content_type
    assert "Quá nhiều yêu cầu" in refused.get_data(as_text=True)
    csrf = csrf_from(client.get("/login").get_data(as_text=True))
    english = client.post("/login?lang=en", data={"username": "hong", "password": "x", "csrf_token": csrf})
    assert english.status_code == 429 and "Too many requests" in english.get_data(as_text=True)
    # Viewing the form is not an attempt; another address is not held back by this one.
    assert client.get("/login").status_code == 200
    other = {"environ_base": {"REMOTE_ADDR": "10.1.2.3"}}
    assert _login_attempt(client, password="Matkhau-2026", **other).status_code == 302


@pytest.mark.settings(**ON, RATELIMIT_TOKENS="2 per minute")
def test_token_creation_is_rate_limited_with_the_api_error_shape(client, make):
    make.user("hong")
    for _ in range(2):
        client.post("/api/v1/tokens", json={"username": "hong", "password": "wrong-pass-1"})
    response = client.post("/api/v1/tokens", json={"username": "hong", "password": "Matkhau-2026"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    body = response.get_json()
    assert body["error"]["code"] == "too_many_requests"
    assert body["error"]["message"] == "Too many requests." and body["error"]["details"] == {}
    vi = client.post("/api/v1/tokens", json={"username": "hong", "password": "Matkhau-2026"},
                     headers={"Accept-Language": "vi"})
    assert vi.get_json()["error"]["message"] == "Quá nhiều yêu cầu."


@pytest.mark.settings(**ON, RATELIMIT_PASSWORD_RESET="2 per minute")
def test_password_reset_requests_are_rate_limited(client, make):
    make.user("hong")
    for _ in range(2):
        page = client.get("/password/forgot").get_data(as_text=True)
        response = client.post("/password/forgot", data={"email": "hong@example.org",
                                                          "csrf_token": csrf_from(page)})
        assert response.status_code == 302
    page = client.get("/password/forgot").get_data(as_text=True)
    response = client.post("/password/forgot", data={"email": "hong@example.org", "csrf_token": csrf_from(page)})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    # The reset form behind the mailed link is limited too (token guessing).
    csrf = csrf_from(client.get("/login").get_data(as_text=True))
    for _ in range(2):
        assert client.post("/password/reset/guess", data={"password": "x", "csrf_token": csrf}).status_code == 302
    assert client.post("/password/reset/guess", data={"password": "x", "csrf_token": csrf}).status_code == 429


@pytest.mark.settings(**ON, RATELIMIT_API="3 per minute", RATELIMIT_TOKENS="10 per minute")
def test_the_api_is_rate_limited_per_caller(client, make):
    make.user("hong")
    make.user("lan")
    token = api_token(client, "hong")
    for _ in range(3):
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert response.get_json()["error"]["code"] == "too_many_requests"
    # Keyed by the caller's token: another caller behind the same address still gets through.
    assert client.get("/api/v1/me", headers=bearer(api_token(client, "lan"))).status_code == 200


def test_the_suite_runs_with_the_limiter_off(client, make, app):
    assert app.config["RATELIMIT_ENABLED"] is False
    make.user("hong")
    for _ in range(30):
        assert client.get("/password/forgot").status_code == 200
    assert login(client, "hong").status_code == 302
