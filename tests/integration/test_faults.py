"""Faults (issue 16): the database losing its connections mid-run, the portal down for an hour,
the disk full during an upload. Each: the request fails cleanly or succeeds, nothing is lost or
half-written, the app recovers without a restart. (SMTP down then up: test_mail_queue.py
test_smtp_down_then_retried.)"""
import errno
import io
import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from bbt_workflow.db_types import utcnow
from bbt_workflow.extensions import db
from bbt_workflow.publishing.worker import relay_due_deliveries
from bbt_workflow.submissions import attachments as attachment_module
from bbt_workflow.submissions.models import Attachment, Submission
from tests.conftest import api_token, bearer, login
from tests.functional.test_uploads import png_bytes
from tests.integration.test_publishing_relay import endpoint, people, rows  # noqa: F401 (fixtures)
from tests.publishing_helpers import create_approved


def test_database_connections_killed_between_requests_the_app_recovers(app, client, make):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("connection kills are a PostgreSQL fault (SQLite has no server)")
    site = make.site("tinh", kind="portal")
    make.user("ctv", roles={site: ["contributor"]})
    h = bearer(api_token(client, "ctv"))
    browser = app.test_client()
    login(browser, "ctv")
    killer = db.engine.raw_connection()  # its own connection: kills everyone else's on this database
    killed = []
    try:
        statuses = []
        for round_ in range(10):
            cursor = killer.cursor()
            cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            killed.append(cursor.fetchone()[0])
            killer.commit()
            created = client.post("/api/v1/submissions", headers=h, json={
                "site": "tinh", "content_type": "tin", "title": f"Tin {round_}", "category": "van-ban",
                "body_html": "<p>x</p>"})
            page = browser.get("/")
            statuses.append((created.status_code, page.status_code))
    finally:
        killer.close()
    assert all(n >= 1 for n in killed[1:])  # after the first round's requests, pooled connections were cut each time
    # pool_pre_ping notices the dead connection and opens a new one: no request fails, none is lost.
    assert statuses == [(201, 200)] * 10
    db.session.rollback()
    assert db.session.scalar(select(func.count(Submission.id))) == 10
    assert db.session.execute(text("SELECT 1")).scalar() == 1


def test_portal_down_for_an_hour_then_everything_once_in_order(people, endpoint, receiver):  # noqa: F811
    start = utcnow()
    receiver.fail_next(503, 10_000)  # down: every request refused until the plan is cleared
    items = [create_approved(people, title=f"Tin {i}") for i in range(5)]
    # An hour of relay passes every five minutes (simulated clock): nothing gets through, nothing is dropped.
    now = start
    while now <= start + timedelta(hours=1):
        relay_due_deliveries(now=now)
        now += timedelta(minutes=5)
    db.session.expire_all()
    assert receiver.accepted == [] and receiver.requests > 0
    assert not rows(state="dead") and {r.state for r in rows()} <= {"pending", "delivering"}
    with receiver.lock:
        receiver.plan.clear()  # the portal is back
    for _ in range(40):
        relay_due_deliveries(now=now)
        db.session.expire_all()
        if {r.state for r in rows()} == {"delivered"}:
            break
        now += timedelta(minutes=30)
    assert {r.state for r in rows()} == {"delivered"}
    assert receiver.duplicates == {}
    # Each item exactly once (per-item version order is covered by test_publishing_relay), and published.
    assert sorted((env["type"], env["data"]["uri"]) for _, env in receiver.accepted) == sorted(
        ("article.published", f"urn:bbt:tinh:submission:{sub.id}") for sub in items)
    assert all(db.session.get(Submission, sub.id).state == "published" for sub in items)


class _FullDisk:
    """A file whose writes fail as on a full disk (after the open succeeded, as in real life)."""

    def __init__(self, real):
        self.real = real

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.real.close()


def test_disk_full_on_upload_is_a_clear_error_and_leaves_nothing(app, client, make, monkeypatch):
    site = make.site("tinh", kind="portal")
    make.user("ctv", roles={site: ["contributor"]})
    h = bearer(api_token(client, "ctv"))
    sub = client.post("/api/v1/submissions", json={"site": "tinh", "content_type": "tin", "title": "Ảnh",
                                                    "category": "van-ban", "body_html": "<p>x</p>"}, headers=h).get_json()
    monkeypatch.setattr(attachment_module, "open", lambda path, mode="r", *a, **kw: _FullDisk(open(path, mode)),
                        raising=False)
    url = f"/api/v1/submissions/{sub['id']}/attachments"
    response = client.post(url, headers=h, data={"file": (io.BytesIO(png_bytes()), "anh.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 507
    assert response.get_json()["error"]["code"] == "storage_full"
    assert "Không đủ chỗ" in response.get_json()["error"]["message"]
    english = client.post(url + "?lang=en", headers={**h, "Accept-Language": "en"},
                          data={"file": (io.BytesIO(png_bytes()), "anh.png")}, content_type="multipart/form-data")
    assert english.status_code == 507 and "not enough storage space" in english.get_json()["error"]["message"]
    folder = app.config["UPLOAD_FOLDER"]
    assert (os.listdir(folder) if os.path.isdir(folder) else []) == []  # no orphan or partial file
    assert db.session.scalar(select(func.count(Attachment.id))) == 0  # no row without a file
    # The disk has room again: the same upload works.
    monkeypatch.undo()
    assert client.post(url, headers=h, data={"file": (io.BytesIO(png_bytes()), "anh.png")},
                       content_type="multipart/form-data").status_code == 201
