"""Benchmark (not a test): portal delivery throughput and approve → published time.

    .venv/bin/python bench/publishing_bench.py [--items 1000] [--latency-items 40] [--interval 1.0]
                                               [--database-url postgresql://...]

1. Throughput: `--items` items, one `article.published` row each, to a local receiver
   (http.server in a thread on 127.0.0.1 that verifies every signature with the
   `standardwebhooks` package); the relay (`relay_due_deliveries`, batches of 100, 8 send
   threads) runs until the outbox is empty. Reports deliveries per second.
2. Latency: a worker thread runs the same loop as `flask bbt worker` (`jobs.run_tasks_once`
   every `--interval` seconds; it is NOT woken by the commit), while items are approved one
   by one at random moments; reports p50/p95 of published_at − approved_at.

Targets (issue 5): ≥ 200 deliveries/s; p95 under 2 s with the worker polling.
Default database: a fresh SQLite file in a temporary folder, migrated from empty. On SQLite the
latency run (approvals committed while the worker writes) needs --sqlite-begin-immediate: with
the app's deferred BEGIN an approval fails with "database is locked" when the worker commits
between its reads and its first write (see README, Performance).
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("BBT_NO_RUNNER", "1")

from config import TestConfig  # noqa: E402


def make_app(url):
    from flask_migrate import upgrade

    from bbt_workflow import create_app
    from bbt_workflow.extensions import db

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        LOG_LEVEL = "WARNING"

    app = create_app(Cfg)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
    return app


def begin_immediate(app):
    """Swap create_app's SQLite `BEGIN` for `BEGIN IMMEDIATE`: a transaction takes the write lock
    when it starts, so a request that reads then writes cannot find its snapshot outdated by the
    worker's commit in between (SQLITE_BUSY_SNAPSHOT, "database is locked")."""
    from sqlalchemy import event

    from bbt_workflow.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            return
        for listener in [f for f in engine.dispatch.begin if getattr(f, "__name__", "") == "_on_begin"]:
            event.remove(engine, "begin", listener)

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def quiet_mail(app):
    """Mail goes to the console by default: keep the figures readable."""
    import bbt_workflow.mailqueue.services as mail_services

    mail_services._deliver = lambda row: None


def throughput(app, items):
    from sqlalchemy import func, select

    from bbt_workflow.extensions import db
    from bbt_workflow.publishing.models import Delivery
    from bbt_workflow.publishing.outbox import PUBLISHED, enqueue
    from bbt_workflow.publishing.worker import relay_due_deliveries
    from bbt_workflow.submissions import services
    from tests.conftest import Factory
    from tests.publishing_helpers import Receiver, add_endpoint

    with app.app_context():
        make = Factory(app)
        site = make.site("bench", kind="portal")
        author = make.user("bench_ctv", roles={site: ["contributor"]})
        receiver = Receiver().start()
        endpoint, receiver.secret = add_endpoint(site, receiver.url)
        for i in range(items):
            sub = services.create_submission(author, site, {
                "content_type": "tin", "title": f"Tin số {i}", "category": site.categories[0].code,
                "summary": "Tóm tắt", "body_html": "<p>" + "Nội dung tin bài. " * 60 + "</p>"})
            enqueue(sub, PUBLISHED, [endpoint])
            if i % 200 == 199:
                db.session.commit()
        db.session.commit()
        started = time.perf_counter()
        delivered = 0
        while True:
            counts = relay_due_deliveries(limit=100)
            delivered += counts["delivered"]
            if not counts["claimed"]:
                break
        elapsed = time.perf_counter() - started
        left = db.session.scalar(select(func.count(Delivery.id)).where(Delivery.state != "delivered"))
        receiver.stop()
        assert left == 0 and delivered == items and len(receiver.accepted) == items and not receiver.duplicates
        return delivered, elapsed


def latency(app, n, interval):
    from sqlalchemy import select

    from bbt_workflow import jobs
    from bbt_workflow.extensions import db
    from bbt_workflow.submissions.models import Submission
    from tests.conftest import Factory
    from tests.publishing_helpers import People, Receiver, add_endpoint, approve, create_submitted

    stop = threading.Event()

    def worker():  # the loop of `flask bbt worker` (jobs.run_worker), stoppable
        while not stop.is_set():
            jobs.run_tasks_once(app)
            stop.wait(interval)

    with app.app_context():
        people = People(Factory(app), site_code="lat")
        receiver = Receiver().start()
        _endpoint, receiver.secret = add_endpoint(people.site, receiver.url)
        waiting = [create_submitted(people, title=f"Tin {i}") for i in range(n)]
        for sub in waiting:  # forward now so that only `approve` is timed
            from tests.publishing_helpers import grading_for
            from bbt_workflow.submissions import services

            services.transition_submission(people.editor, sub, "forward", sub.version, grading=grading_for(people.author))
            db.session.commit()
        thread = threading.Thread(target=worker, daemon=True)
        thread.start()
        rng = random.Random(5)
        for sub in waiting:
            time.sleep(rng.uniform(0, interval))  # approvals land at random points of the poll cycle
            approve(people, sub)
        deadline = time.monotonic() + 30
        ids = [s.id for s in waiting]
        while time.monotonic() < deadline:
            db.session.rollback()
            rows = db.session.execute(select(Submission.approved_at, Submission.published_at)
                                      .where(Submission.id.in_(ids))).all()
            db.session.rollback()  # hold no transaction while waiting
            if all(p is not None for _, p in rows):
                break
            time.sleep(0.1)
        stop.set()
        thread.join(10)
        receiver.stop()
        delays = sorted((p - a).total_seconds() for a, p in rows if p is not None)
        assert len(delays) == n, f"only {len(delays)} of {n} published"
        return delays


def percentile(values, q):
    index = max(0, min(len(values) - 1, round(q * (len(values) - 1))))
    return values[index]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--latency-items", type=int, default=40)
    parser.add_argument("--interval", type=float, default=1.0, help="worker poll interval (s)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sqlite-begin-immediate", action="store_true",
                        help="SQLite: start every transaction with BEGIN IMMEDIATE (the proposed fix, see README)")
    args = parser.parse_args()
    url = args.database_url or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    app = make_app(url)
    if args.sqlite_begin_immediate:
        begin_immediate(app)
    app.config["UPLOAD_FOLDER"] = tempfile.mkdtemp()
    quiet_mail(app)
    print(f"database: {url.split('@')[-1]}")
    delivered, elapsed = throughput(app, args.items)
    print(f"throughput: {delivered} deliveries in {elapsed:.2f} s = {delivered / elapsed:.0f} deliveries/s")
    delays = latency(app, args.latency_items, args.interval)
    print(f"approve -> published ({len(delays)} items, worker polling every {args.interval:g} s): "
          f"p50 {percentile(delays, 0.5):.2f} s, p95 {percentile(delays, 0.95):.2f} s, max {delays[-1]:.2f} s, "
          f"mean {statistics.mean(delays):.2f} s")


if __name__ == "__main__":
    main()
