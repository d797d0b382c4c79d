"""Issue 16, finding 2: a password-reset link never follows the request's Host header."""
import re

from sqlalchemy import select

from bbt_workflow.extensions import db
from bbt_workflow.mailqueue.models import OutboundEmail
from tests.conftest import csrf_from

ATTACKER = "attacker.example"


def _forgot(client, email, host):
    page = client.get("/password/forgot", headers={"Host": host})
    return client.post("/password/forgot", headers={"Host": host},
                       data={"email": email, "csrf_token": csrf_from(page.get_data(as_text=True))})


def _reset_links():
    mails = db.session.scalars(select(OutboundEmail)).all()
    return [link for m in mails for link in re.findall(r"https?://\S+/password/reset/\S+", m.body_text)]


def test_without_a_base_url_the_link_ignores_the_host_header(client, make, app):
    app.config["EXTERNAL_BASE_URL"] = None
    make.user("hong")
    assert _forgot(client, "hong@bbt-test.vn", ATTACKER).status_code == 302
    links = _reset_links()
    assert links and all(ATTACKER not in link for link in links)
    # Development fallback: the local development address, whatever the request said.
    assert links[0].startswith("http://127.0.0.1:5000/password/reset/")


def test_the_configured_base_url_makes_the_link(client, make, app):
    app.config["EXTERNAL_BASE_URL"] = "https://bbt.example.vn/"
    make.user("hong")
    _forgot(client, "hong@bbt-test.vn", ATTACKER)
    links = _reset_links()
    assert len(links) == 1 and links[0].startswith("https://bbt.example.vn/password/reset/")


def test_with_trusted_hosts_an_untrusted_host_is_refused(client, make, app):
    app.config["EXTERNAL_BASE_URL"] = None
    app.config["TRUSTED_HOSTS"] = ["bbt.example.vn"]
    make.user("hong")
    assert client.post("/password/forgot", headers={"Host": ATTACKER},
                       data={"email": "hong@bbt-test.vn"}).status_code == 400
    assert _reset_links() == []
    _forgot(client, "hong@bbt-test.vn", "bbt.example.vn")
    links = _reset_links()
    assert len(links) == 1 and links[0].startswith("http://bbt.example.vn/password/reset/")
