"""The job runner, behind one small module so it can be swapped.

Embedded default: one daemon thread in the web process (or `flask bbt worker`)
runs the registered periodic tasks, and is woken early after a commit that
queued work. The durable queues are database tables (outbound mail, and later
the publishing outbox), so a crash loses nothing: the next run picks rows up.
"""
import logging
import threading
import time

import click
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from .extensions import db as _db
from .mailqueue.models import OutboundEmail

log = logging.getLogger(__name__)

_tasks = []  # (name, callable) run with an app context on each tick


_wake_models = set()  # a commit that inserted one of these wakes the runner early


def register_task(name, func):
    if any(existing == name for existing, _ in _tasks):
        return  # create_app runs once per app; the registry is per process
    _tasks.append((name, func))


def wake_after_commit_of(model):
    _wake_models.add(model)


def registered_tasks():
    return list(_tasks)


def run_tasks_once(app):
    """Run every registered task once; one failing task does not stop the others."""
    for name, func in list(_tasks):
        run_task(app, name, func)


# SQLite has one writer: a job that meets the write lock (a request publishing, approving) waits
# (busy timeout), then tries again after these pauses. Waiting is not an error.
LOCKED_RETRY_DELAYS = (0.2, 0.5, 1.0)


def is_database_locked(exc):
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig or exc)


def run_task(app, name, func, delays=LOCKED_RETRY_DELAYS):
    """Run one task in its own app context. A locked database is retried quietly; if the lock
    outlasts the tries, one WARNING line (the next round tries again). Anything else: ERROR."""
    for attempt in range(len(delays) + 1):
        with app.app_context():
            try:
                func()
                return
            except OperationalError as exc:
                _db.session.rollback()
                if not is_database_locked(exc):
                    log.exception("job failed", extra={"job": name})
                    return
            except Exception:
                log.exception("job failed", extra={"job": name})
                return
        if attempt < len(delays):
            time.sleep(delays[attempt])
    log.warning("job postponed: the database stayed locked; next round tries again",
                extra={"job": name, "tries": len(delays) + 1})


class InProcessRunner:
    def __init__(self, app, interval=5.0):
        self.app = app
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="bbt-jobs", daemon=True)
            self._thread.start()

    def kick(self):
        self._wake.set()

    def stop(self):
        self._stop.set()
        self._wake.set()

    def _loop(self):
        while not self._stop.is_set():
            run_tasks_once(self.app)
            self._wake.wait(self.interval)
            self._wake.clear()


def created_by_a_command():
    """True when a `flask` command other than `flask run` is creating the app (bbt init, demo, backup,
    restore, worker, db upgrade, the command lookup itself): the web process's runner is not theirs. Started
    there it ran the jobs before `bbt init` had made their tables (a traceback per job on a first start), and
    beside a restore or a migration. gunicorn and `flask run` create the app outside any other command."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.info_name != "run"


def install_in_process_runner(app, db):
    """Start the thread and wake it after any commit that queued mail or deliveries."""
    runner = InProcessRunner(app)
    app.extensions["bbt_jobs"] = runner
    note_queued_work(db, runner.kick)
    runner.start()
    return runner


def note_queued_work(db, on_commit):
    """Call `on_commit()` after any commit that inserted a watched row (mail, deliveries, tasks):
    the in-process runner's Event, or a Redis wakeup (redis_jobs.py)."""
    wake_after_commit_of(OutboundEmail)

    @event.listens_for(db.session, "after_flush")
    def _note_queued_mail(session, flush_context):
        # In after_flush, session.new still lists what this flush inserted (mail, outbox rows).
        watched = tuple(_wake_models)
        if any(isinstance(obj, watched) for obj in session.new):
            session.info["bbt_kick"] = True

    @event.listens_for(db.session, "after_rollback")
    def _forget_after_rollback(session):
        session.info.pop("bbt_kick", None)

    @event.listens_for(db.session, "after_commit")
    def _kick_after_commit(session):
        if session.info.pop("bbt_kick", False):
            on_commit()


def run_worker(app, interval=1.0):
    """`flask bbt worker`: the same tasks in the foreground, until interrupted."""
    log.info("worker started", extra={"interval": interval})
    try:
        while True:
            run_tasks_once(app)
            time.sleep(interval)
    except KeyboardInterrupt:
        log.info("worker stopped")
