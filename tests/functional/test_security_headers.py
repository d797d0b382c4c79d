"""Issue 16, finding 4: security headers on every page, no-store on money and tax pages."""
from bbt_workflow.domain.html_policy import sanitize_html
from tests.conftest import login


def _csp(response):
    policy = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_pages_carry_a_strict_csp_and_framing_headers(client, make):
    make.user("bientap", is_admin=True)
    for path in ("/login", "/"):
        response = client.get(path)
        csp = _csp(response)
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'"]
        assert "'unsafe-inline'" not in csp["style-src"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["object-src"] == ["'none'"]
        assert csp["base-uri"] == ["'self'"]
        assert csp["form-action"] == ["'self'"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        # HSTS only in production: a test (plain HTTP) server must not pin browsers to HTTPS.
        assert "Strict-Transport-Security" not in response.headers


def test_image_hosts_setting_reaches_the_csp(app, client):
    app.config["IMAGE_HOSTS"] = ["anh.baobacgiang.vn"]
    csp = _csp(client.get("/login"))
    assert csp["img-src"] == ["'self'", "data:", "https://anh.baobacgiang.vn"]


def test_hsts_in_production(app, client):
    app.config["HSTS_SECONDS"] = 31536000
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_royalty_payee_and_tax_pages_are_not_stored(client, make):
    make.user("ketoan", is_admin=True)
    login(client, "ketoan")
    for path in ("/admin/payees", "/admin/payees/new", "/royalties/tax-year", "/royalties/tax-year.xlsx",
                 "/my/royalties", "/api/v1/royalty/payees"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.get("Cache-Control") == "private, no-store", path
    assert "no-store" not in (client.get("/login").headers.get("Cache-Control") or "")


def test_remote_images_only_from_allowed_hosts():
    body = ('<p><img src="https://tracker.example/pixel.gif" alt="x">'
            '<img src="https://anh.baobacgiang.vn/a.jpg" alt="y">'
            '<img src="/submissions/1/attachments/2" alt="z"></p>')
    cleaned = sanitize_html(body, image_hosts=("anh.baobacgiang.vn",))
    assert "tracker.example" not in cleaned
    assert 'src="https://anh.baobacgiang.vn/a.jpg"' in cleaned
    assert 'src="/submissions/1/attachments/2"' in cleaned
    assert "tracker.example" not in sanitize_html('<img src="//tracker.example/p.gif">')
    assert "anh.baobacgiang.vn" not in sanitize_html('<img src="https://anh.baobacgiang.vn/a.jpg">')
