"""SQLite, embedded default: web requests that write, while the in-process job runner writes too
(mail, the portal relay), never fail with "database is locked"."""
import io
import random
import sqlite3
import time

import pytest
from PIL import Image
from sqlalchemy import event
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from bbt_workflow import jobs
from bbt_workflow.extensions import db
from tests.conftest import api_token, bearer, login
from tests.publishing_helpers import People, Receiver, add_endpoint, grading_for


def test_requests_and_the_job_runner_write_side_by_side(app, make):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    people = People(make)
    receiver = Receiver().start()
    _endpoint, receiver.secret = add_endpoint(people.site, receiver.url)
    client = app.test_client()
    tokens = {who: bearer(api_token(client, getattr(people, who).username))
              for who in ("author", "editor", "approver")}
    runner = jobs.install_in_process_runner(app, db)
    runner.interval = 0.05
    statuses = []
    try:
        for i in range(12):
            created = client.post("/api/v1/submissions", headers=tokens["author"], json={
                "site": "tinh", "content_type": "tin", "title": f"Tin {i}",
                "category": people.site.categories[0].code, "body_html": "<p>x</p>"})
            statuses.append(created.status_code)
            if created.status_code != 201:
                continue
            sub = created.get_json()
            for who, action, extra in (("author", "submit", {}), ("editor", "claim", {}),
                                       ("editor", "forward", {"grading": grading_for(people.author)}),
                                       ("approver", "approve", {"grading": grading_for(people.author)})):
                answer = client.post(f"/api/v1/submissions/{sub['id']}/transitions", headers=tokens[who],
                                     json={"action": action, "version": sub["version"], **extra})
                statuses.append(answer.status_code)
                if answer.status_code != 200:
                    break
                sub = answer.get_json()
        time.sleep(1)
    finally:
        runner.stop()
        runner._thread.join(10)
        receiver.stop()
    assert [s for s in statuses if s >= 500] == []
    assert set(statuses) <= {200, 201}


class _SlowUpload(io.BytesIO):
    """A request body that, part-way through, lets another connection try to write: what happens
    while a contributor on a slow line is still sending a photo."""

    def __init__(self, data, meanwhile):
        super().__init__(data)
        self.meanwhile = meanwhile

    def _midway(self):
        if self.tell() and self.meanwhile:
            self.meanwhile()
            self.meanwhile = None

    def read(self, size=-1):
        self._midway()
        return super().read(size if size is not None and 0 <= size <= 4096 else 4096)

    def read1(self, size=-1):
        return self.read(size)

    def readline(self, size=-1):
        self._midway()
        return super().readline(size if size is not None and 0 <= size <= 4096 else 4096)

    def readinto(self, buffer):
        self._midway()
        return super().readinto(memoryview(buffer)[:4096])


def _a_draft_by_api(app, make, title):
    """SQLite only: the people, a client, the author's API headers and a draft the author created."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    people = People(make)
    client = app.test_client()
    author = bearer(api_token(client, people.author.username))
    created = client.post("/api/v1/submissions", headers=author, json={
        "site": "tinh", "content_type": "tin", "title": title, "category": people.site.categories[0].code,
        "body_html": "<p>x</p>"}).get_json()
    return people, client, author, created


def test_a_slow_upload_holds_no_write_lock_while_its_body_arrives(app, make):
    _people, client, author, sub = _a_draft_by_api(app, make, "Tin có ảnh")
    others = []

    def another_writer():
        conn = sqlite3.connect(db.engine.url.database, timeout=0.5, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            others.append("wrote")
        except sqlite3.OperationalError as exc:
            others.append(str(exc))
        finally:
            conn.close()

    photo = io.BytesIO()
    Image.frombytes("RGB", (120, 100), random.Random(1).randbytes(120 * 100 * 3)).save(photo, "PNG")
    assert photo.tell() > 3 * 4096  # several reads of the body
    boundary, data = encode_multipart(MultiDict({"file": FileStorage(
        io.BytesIO(photo.getvalue()), filename="anh.png", content_type="image/png")}))
    response = client.post(f"/api/v1/submissions/{sub['id']}/attachments", headers=author,
                           input_stream=_SlowUpload(data, another_writer), content_length=len(data),
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 201, response.get_json()
    assert others == ["wrote"]


def test_a_get_that_writes_takes_the_write_lock_at_begin(app, make):
    """Opening the notifications marks them read: a GET that writes. With a plain BEGIN it read, then failed
    with "database is locked" (a 500) whenever the job runner committed in between (seen in a full run of the
    suite: GET /notifications). Such views are marked @writes_on_get and begin like a POST."""
    people, client, author, created = _a_draft_by_api(app, make, "Tin")
    client.post(f"/api/v1/submissions/{created['id']}/transitions", headers=author,
                json={"action": "submit", "version": created["version"]})  # notifies the site's editor
    login(client, people.editor.username)
    begins = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("BEGIN"):
            begins.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get("/notifications").status_code == 200
        opened = list(begins)
        begins.clear()
        assert client.get("/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert opened and set(opened) == {"BEGIN IMMEDIATE"}, opened
    assert begins and set(begins) == {"BEGIN"}, begins  # a page that only reads does not queue for the lock
