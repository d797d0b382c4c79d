"""SQLite, embedded default: web requests that write, while the in-process job runner writes too
(mail, the portal relay), never fail with "database is locked"."""
import time

import pytest

from bbt_workflow import jobs
from bbt_workflow.extensions import db
from tests.conftest import api_token, bearer
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
