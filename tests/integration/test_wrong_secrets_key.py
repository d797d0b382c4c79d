"""Issue 16: the app running with a wrong SECRETS_KEYS (a key changed without `flask bbt rotate-secrets`).

Pages that do not need an endpoint's secret never decrypt it, so they answer as usual; a send that
needs it fails clearly (a translated "cannot be decrypted" error, the delivery kept and retried), and
goes out once the right key is back.
"""
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bbt_workflow.db_types import utcnow
from bbt_workflow.extensions import db
from bbt_workflow.publishing.delivery_errors import SECRET_UNREADABLE, describe_delivery_error
from bbt_workflow.publishing.models import Delivery, DeliveryAttempt, PortalEndpoint
from bbt_workflow.publishing.worker import relay_due_deliveries
from tests.conftest import api_token, bearer, csrf_from, login
from tests.publishing_helpers import People, add_endpoint, create_approved

WRONG_KEY = Fernet.generate_key().decode()


@pytest.fixture
def people(make):
    return People(make)


@pytest.fixture
def webhook(people, receiver):
    endpoint, receiver.secret = add_endpoint(people.site, receiver.url)
    return endpoint


@pytest.fixture
def right_keys(app):
    return list(app.config["SECRETS_KEYS"])


def _wrong_key(app):
    app.config["SECRETS_KEYS"] = [WRONG_KEY]
    db.session.expire_all()


def test_pages_answer_with_a_wrong_key(app, client, people, webhook, receiver):
    add_endpoint(people.site, "https://wp.example/", kind="wordpress", name="WP", username="bbt",
                 app_password="abcd efgh ijkl mnop")
    sub = create_approved(people)
    assert db.session.scalars(select(Delivery)).all()
    token = api_token(client, people.admin.username)  # before the key changes: signing in needs no secret
    _wrong_key(app)

    login(client, people.admin.username)
    for url in (f"/submissions/{sub.id}", "/sites/tinh/deliveries", "/admin/sites/tinh/endpoints"):
        response = client.get(url)
        assert response.status_code == 200, url
    for url in ("/api/v1/deliveries?site=tinh", "/api/v1/admin/sites/tinh/endpoints"):
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 200, url
        assert response.get_json()["total"] >= 1
    # The approver's item page too (no secret on it either).
    approver = app.test_client()
    login(approver, people.approver.username)
    assert approver.get(f"/submissions/{sub.id}").status_code == 200


def test_the_endpoints_page_shows_that_a_secret_cannot_be_decrypted(app, client, people, webhook):
    login(client, people.admin.username)
    for lang, words in (("en", "cannot be decrypted"), ("vi", "Không giải mã được")):
        assert words not in client.get(f"/admin/sites/tinh/endpoints?lang={lang}").get_data(as_text=True)
    _wrong_key(app)
    for lang, words in (("en", "cannot be decrypted"), ("vi", "Không giải mã được")):
        page = client.get(f"/admin/sites/tinh/endpoints?lang={lang}").get_data(as_text=True)
        assert words in page and "SECRETS_KEYS" in page, lang


def test_the_relay_records_a_clear_failure_and_delivers_once_the_key_is_back(app, people, webhook, receiver,
                                                                             right_keys):
    sub = create_approved(people)
    _wrong_key(app)
    assert relay_due_deliveries() == {"claimed": 1, "delivered": 0, "retry": 1, "dead": 0}
    db.session.expire_all()
    [row] = db.session.scalars(select(Delivery)).all()
    attempt = db.session.scalars(select(DeliveryAttempt)).one()
    assert attempt.outcome == "retry" and attempt.status is None
    assert attempt.error.startswith(SECRET_UNREADABLE) and row.last_error == attempt.error
    assert row.state == "pending" and row.attempts == 1  # kept, and retried
    assert receiver.requests == 0  # nothing unsigned (or half-signed) went out
    with app.test_request_context("/?lang=en"):
        assert "SECRETS_KEYS" in describe_delivery_error(row.last_error)

    app.config["SECRETS_KEYS"] = right_keys
    db.session.expire_all()
    relay_due_deliveries(now=utcnow() + timedelta(minutes=1))
    db.session.expire_all()
    assert db.session.get(Delivery, row.id).state == "delivered"
    assert [m for m, _ in receiver.accepted] == [row.webhook_id]
    assert db.session.get(type(sub), sub.id).state == "published"


def test_a_wordpress_delivery_with_an_unreadable_password_is_kept(app, people):
    add_endpoint(people.site, "https://wp.example/", kind="wordpress", name="WP", username="bbt",
                 app_password="abcd efgh ijkl mnop")
    create_approved(people)
    _wrong_key(app)
    assert relay_due_deliveries()["retry"] == 1
    db.session.expire_all()
    row = db.session.scalars(select(Delivery)).one()
    assert row.state == "pending" and row.last_error.startswith(SECRET_UNREADABLE)


def test_send_test_event_and_admin_changes_with_a_wrong_key(app, client, people, webhook, receiver):
    wordpress, _ = add_endpoint(people.site, "https://wp.example/", kind="wordpress", name="WP", username="bbt",
                                app_password="abcd efgh ijkl mnop")
    headers = bearer(api_token(client, people.admin.username))
    _wrong_key(app)
    tested = client.post(f"/api/v1/admin/sites/tinh/endpoints/{webhook.id}/test", headers=headers, json={})
    assert tested.status_code == 200
    assert tested.get_json()["accepted"] is False and tested.get_json()["error"].startswith(SECRET_UNREADABLE)
    assert receiver.requests == 0
    login(client, people.admin.username)
    page = client.get("/admin/sites/tinh/endpoints?lang=en")
    tested_page = client.post(f"/admin/sites/tinh/endpoints/{wordpress.id}/test?lang=en",
                              data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert tested_page.status_code == 200 and "cannot be decrypted" in tested_page.get_data(as_text=True)
    # Pausing a WordPress endpoint does not need its password.
    paused = client.patch(f"/api/v1/admin/sites/tinh/endpoints/{wordpress.id}", headers=headers, json={"active": False})
    assert paused.status_code == 200
    # Rotating is the way out for a webhook whose secret is lost: a new secret, no unreadable previous one.
    rotated = client.post(f"/api/v1/admin/sites/tinh/endpoints/{webhook.id}/rotate", headers=headers, json={})
    assert rotated.status_code == 200
    receiver.secret = rotated.get_json()["secret"]
    assert rotated.get_json()["previous_secret_valid_until"] is None
    again = client.post(f"/api/v1/admin/sites/tinh/endpoints/{webhook.id}/test", headers=headers, json={})
    assert again.get_json()["accepted"] is True
    db.session.expire_all()
    assert db.session.get(PortalEndpoint, webhook.id).previous_secret is None
