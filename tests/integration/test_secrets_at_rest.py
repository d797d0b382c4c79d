"""Issue 16: webhook secrets and WordPress Application Passwords are encrypted in the database with
keys from the environment (SECRETS_KEYS, Fernet), rotated by `flask bbt rotate-secrets`, never shown
after creation."""
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from bbt_workflow.extensions import db
from bbt_workflow.publishing.endpoints import rotate_secret, secrets_in_use
from bbt_workflow.publishing.models import PortalEndpoint
from config import DEV_SECRETS_KEY
from tests.conftest import api_token, bearer, csrf_from, login
from tests.publishing_helpers import add_endpoint

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def _raw(endpoint_id, column):
    return db.session.execute(text(f"SELECT {column} FROM portal_endpoints WHERE id = :id"),
                              {"id": endpoint_id}).scalar()


def test_stored_secrets_are_not_the_plaintext(make):
    site = make.site("tinh")
    webhook, secret = add_endpoint(site, "https://portal.example/hook")
    wordpress, _ = add_endpoint(site, "https://wp.example/", kind="wordpress", name="WP",
                                username="bbt", app_password="abcd efgh ijkl mnop qrst uvwx")
    db.session.commit()
    stored = _raw(webhook.id, "secret")
    assert stored and secret not in stored
    assert Fernet(DEV_SECRETS_KEY.encode()).decrypt(stored.encode()).decode() == secret
    stored_password = _raw(wordpress.id, "app_password")
    assert "abcd" not in stored_password
    # The model reads the plaintext back: the relay signs with it.
    db.session.expire_all()
    assert db.session.get(PortalEndpoint, webhook.id).secret == secret
    assert db.session.get(PortalEndpoint, wordpress.id).app_password == "abcd efgh ijkl mnop qrst uvwx"
    rotated = rotate_secret(None, db.session.get(PortalEndpoint, webhook.id))
    db.session.commit()
    assert secret not in _raw(webhook.id, "previous_secret") and rotated not in _raw(webhook.id, "secret")
    db.session.expire_all()
    assert secrets_in_use(db.session.get(PortalEndpoint, webhook.id)) == [rotated, secret]


def test_rotate_secrets_reencrypts_under_the_first_key(app, make):
    app.config["SECRETS_KEYS"] = [KEY_A]
    site = make.site("tinh")
    endpoint, secret = add_endpoint(site, "https://portal.example/hook")
    db.session.commit()
    assert Fernet(KEY_A.encode()).decrypt(_raw(endpoint.id, "secret").encode()).decode() == secret
    # A new key first, the old one still listed: everything still reads.
    app.config["SECRETS_KEYS"] = [KEY_B, KEY_A]
    db.session.expire_all()
    assert db.session.get(PortalEndpoint, endpoint.id).secret == secret
    result = app.test_cli_runner().invoke(args=["bbt", "rotate-secrets"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    db.session.expire_all()
    assert Fernet(KEY_B.encode()).decrypt(_raw(endpoint.id, "secret").encode()).decode() == secret
    # The old key can go now.
    app.config["SECRETS_KEYS"] = [KEY_B]
    db.session.expire_all()
    assert db.session.get(PortalEndpoint, endpoint.id).secret == secret


def test_production_refuses_to_start_without_keys(monkeypatch):
    from bbt_workflow import create_app
    from config import ProductionConfig

    class Prod(ProductionConfig):
        SECRET_KEY = "x" * 40
        EXTERNAL_BASE_URL = "https://bbt.example"
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        SECRETS_KEYS = []

    with pytest.raises(RuntimeError, match="SECRETS_KEYS"):
        create_app(Prod)
    Prod.SECRETS_KEYS = [DEV_SECRETS_KEY]
    with pytest.raises(RuntimeError, match="SECRETS_KEYS"):
        create_app(Prod)


def test_secrets_are_never_shown_after_creation(client, make):
    site = make.site("tinh")
    make.user("admin", is_admin=True)
    h = bearer(api_token(client, "admin"))
    created = client.post("/api/v1/admin/sites/tinh/endpoints",
                          json={"name": "Cổng", "kind": "webhook", "url": "https://portal.example/hook"}, headers=h)
    secret = created.get_json()["secret"]
    assert secret
    wp = client.post("/api/v1/admin/sites/tinh/endpoints",
                     json={"name": "WP", "kind": "wordpress", "url": "https://wp.example/", "username": "bbt",
                           "app_password": "abcd efgh ijkl mnop"}, headers=h)
    assert wp.status_code == 201 and "abcd" not in wp.get_data(as_text=True)
    listing = client.get("/api/v1/admin/sites/tinh/endpoints", headers=h).get_data(as_text=True)
    assert secret not in listing and "abcd" not in listing
    login(client, "admin")
    page = client.get(f"/admin/sites/{site.code}/endpoints").get_data(as_text=True)
    assert secret not in page and "abcd" not in page
    assert csrf_from(page)


def test_the_migration_encrypts_existing_rows(app, make):
    from flask_migrate import downgrade, upgrade

    site_id = make.site("tinh").id
    db.session.commit()
    db.session.remove()
    downgrade(revision="0015_hlists")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO portal_endpoints (site_id, name, kind, url, active, secret, username, app_password, "
            "created_at, updated_at) VALUES (:site, 'Cũ', 'webhook', 'https://portal.example/', :t, "
            "'whsec_plain', 'bbt', 'wp pass word', :now, :now)"),
            {"site": site_id, "t": True, "now": "2025-01-01 00:00:00"})
    upgrade()
    row = db.session.execute(text("SELECT id, secret, app_password FROM portal_endpoints")).one()
    assert "plain" not in row.secret and "wp pass" not in row.app_password
    endpoint = db.session.get(PortalEndpoint, row.id)
    assert (endpoint.secret, endpoint.app_password) == ("whsec_plain", "wp pass word")
    # And back: the downgrade restores the plaintext.
    db.session.remove()
    downgrade(revision="0015_hlists")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT secret FROM portal_endpoints")).scalar() == "whsec_plain"
    upgrade()


def test_the_migration_keeps_an_endpoint_that_deliveries_point_at(app, make):
    """On SQLite the migration rebuilds portal_endpoints; with foreign keys on, dropping the old table
    that outbox deliveries point at failed (found upgrading a generated installation, not by the suite,
    whose endpoints had no deliveries). Every row and reference must survive, in both directions."""
    from flask_migrate import downgrade, upgrade

    from tests.publishing_helpers import People, create_approved

    people = People(make)
    endpoint, _secret = add_endpoint(people.site, "https://portal.example/hook")
    create_approved(people)
    db.session.commit()
    deliveries = db.session.execute(text("SELECT id, endpoint_id FROM outbox_deliveries ORDER BY id")).all()
    assert deliveries and all(row.endpoint_id == endpoint.id for row in deliveries)
    db.session.remove()
    downgrade(revision="0015_hlists")
    upgrade()
    assert db.session.execute(text("SELECT id, endpoint_id FROM outbox_deliveries ORDER BY id")).all() == deliveries
    assert db.session.get(PortalEndpoint, endpoint.id).url == "https://portal.example/hook"
