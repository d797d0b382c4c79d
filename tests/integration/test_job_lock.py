"""A job that meets SQLite's write lock waits and tries again quietly; if the lock outlasts its tries,
one WARNING line (no traceback) and the next round sends (issue 11, point 13)."""
import logging
import sqlite3
import threading
import time

import pytest
from sqlalchemy import select

from bbt_workflow import jobs
from bbt_workflow.extensions import db
from bbt_workflow.mailqueue.models import OutboundEmail
from bbt_workflow.mailqueue.worker import send_due_emails


@pytest.fixture
def locker(app, monkeypatch):
    """Another connection on the same SQLite file, able to hold the write lock (BEGIN IMMEDIATE)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    monkeypatch.setattr(logging.getLogger("bbt_workflow"), "propagate", True)  # caplog listens at the root
    # Alembic's fileConfig (the session's migration run) disabled the loggers that existed then.
    monkeypatch.setattr(logging.getLogger("bbt_workflow.jobs"), "disabled", False)
    app.config["SQLITE_BUSY_TIMEOUT_MS"] = 100  # a short wait per try keeps the test quick
    db.session.remove()
    db.engine.dispose()
    other = sqlite3.connect(db.engine.url.database, isolation_level=None, check_same_thread=False)
    yield other
    other.close()


def _queue_one():
    db.session.add(OutboundEmail(recipient="lanhdao@example.test", subject="Tin đã đăng", body_text="x"))
    db.session.commit()


def _problems(caplog):
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_brief_lock_is_waited_out_quietly(app, locker, caplog):
    _queue_one()
    locker.execute("BEGIN IMMEDIATE")
    # A thread that sleeps, not threading.Timer: a Timer waits on a condition with a deadline, which
    # libfaketime (the clock-ahead CI run) does not move, so it would never fire there.
    release = threading.Thread(target=lambda: (time.sleep(0.25), locker.execute("COMMIT")))
    release.start()
    with caplog.at_level(logging.INFO):
        jobs.run_task(app, "send_due_emails", send_due_emails)
    release.join()
    assert _problems(caplog) == []
    db.session.expire_all()
    assert db.session.scalar(select(OutboundEmail.state)) == "sent"


def test_a_lock_that_lasts_gives_one_warning_line_and_the_next_round_sends(app, locker, caplog):
    _queue_one()
    locker.execute("BEGIN IMMEDIATE")
    try:
        with caplog.at_level(logging.INFO):
            jobs.run_task(app, "send_due_emails", send_due_emails)
    finally:
        locker.execute("COMMIT")
    problems = _problems(caplog)
    assert [(r.levelname, r.name) for r in problems] == [("WARNING", "bbt_workflow.jobs")]
    assert problems[0].exc_info is None and "locked" in problems[0].getMessage()
    assert db.session.scalar(select(OutboundEmail.state)) == "pending"
    db.session.commit()  # end this test's read (its snapshot) before the next round
    caplog.clear()
    jobs.run_task(app, "send_due_emails", send_due_emails)
    db.session.commit()
    assert db.session.scalar(select(OutboundEmail.state)) == "sent" and _problems(caplog) == []
