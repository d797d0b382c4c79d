"""Two relay workers on PostgreSQL (real parallel connections): no row is sent by both at
once, nothing is lost or sent twice, and each item reaches each endpoint in version order."""
import threading
import time

import pytest
from sqlalchemy import func, select

from bbt_workflow.extensions import db
from bbt_workflow.publishing.models import Delivery
from bbt_workflow.publishing.worker import relay_due_deliveries
from bbt_workflow.submissions import services
from bbt_workflow.submissions.models import Submission
from tests.publishing_helpers import People, Receiver, add_endpoint, create_approved

ITEMS = 15
WORKERS = 2


def _run_workers(app):
    claims = [0] * WORKERS
    errors = []
    barrier = threading.Barrier(WORKERS)

    def work(index):
        with app.app_context():
            try:
                barrier.wait()
                idle_since = time.monotonic()
                while time.monotonic() - idle_since < 1.5:
                    counts = relay_due_deliveries(limit=3)
                    if counts["claimed"]:
                        claims[index] += counts["claimed"]
                        idle_since = time.monotonic()
                    else:
                        time.sleep(0.05)
            except Exception as exc:  # reported below
                import traceback
                errors.append(traceback.format_exc())
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == [], print("\n".join(errors))
    return claims


@pytest.mark.postgres_only
def test_two_relay_workers_never_send_the_same_row_at_once(app, make):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (real parallel connections); run with TEST_DATABASE_URL")
    people = People(make)
    receivers = [Receiver().start() for _ in range(2)]
    try:
        for index, receiver in enumerate(receivers):
            _endpoint, receiver.secret = add_endpoint(people.site, receiver.url, name=f"Cổng {index}")
            receiver.delay = 0.02
        items = [create_approved(people, title=f"Tin {i}") for i in range(ITEMS)]
        assert db.session.scalar(select(func.count(Delivery.id))) == ITEMS * 2

        first = _run_workers(app)
        db.session.rollback()
        assert all(db.session.get(Submission, s.id).state == "published" for s in items)
        for round_ in (1, 2):  # corrections: two updates per item and endpoint, queued before the workers start
            for sub in items:
                sub = db.session.get(Submission, sub.id)
                services.edit_submission(people.approver, sub, sub.version, {"title": f"{sub.title} ({round_})"})
                db.session.commit()
        second = _run_workers(app)
        db.session.rollback()

        assert all(first) and all(second), (first, second)  # both workers really worked
        total = ITEMS * 2 * 3
        assert sum(first) + sum(second) == total  # no row claimed twice
        states = dict(db.session.execute(select(Delivery.state, func.count(Delivery.id)).group_by(Delivery.state)).all())
        assert states == {"delivered": total}
        for receiver in receivers:
            assert receiver.overlaps == 0
            assert receiver.duplicates == {}
            assert receiver.bad_signatures == 0
            assert len(receiver.accepted) == ITEMS * 3
            for sub in items:
                uri = f"urn:bbt:tinh:submission:{sub.id}"
                versions = [env["data"]["version"] for _, env in receiver.accepted if env["data"]["uri"] == uri]
                assert versions == ["1", "2", "3"]
    finally:
        for receiver in receivers:
            receiver.stop()
