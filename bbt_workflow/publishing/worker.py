"""The publishing jobs: the worker entry points that own the transactions.

`run_relay` (claim with a lease, send outside any transaction, record, finish items every
endpoint has), `publish_scheduled` (approved items whose time has come) and `send_dead_digests`
are registered with the job runner by publishing.init_app. The services they call flush only.

PostgreSQL: several relays at once, each claims with `FOR UPDATE SKIP LOCKED`.
SQLite: one relay; each write transaction takes the write lock before it reads
(leases.take_write_lock), and an idle job takes no lock at all.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..db_types import utcnow
from ..domain import delivery_policy as dp
from ..errors import ServiceError
from ..extensions import db
from ..submissions.models import Submission
from ..leases import claim_due_rows, is_postgresql, new_token, take_write_lock
from . import notifications, relay
from .models import Delivery
from .outbox import PUBLISHED, cycle_publish_rows, is_due, publish_now
from .relay import BATCH

MAX_PASSES = 20  # per job run, so the other jobs get their turn


def claim_due(limit=BATCH, now=None, lease=None):
    """Claim up to `limit` due rows for this relay and commit; returns [(id, token, attempt)]."""
    now = now or utcnow()
    lease = lease or relay.lease_for(limit)
    token = new_token()
    rows = claim_due_rows(Delivery, relay.due_condition(now), order_by=relay.CLAIM_ORDER, limit=limit,
                          values=relay.lease_values(now, lease, token), returning=(Delivery.id, Delivery.attempts))
    return sorted((row.id, token, row.attempts) for row in rows)


def load_jobs(claimed):
    jobs = relay.jobs_for(claimed)
    db.session.commit()  # end the read transaction before any network I/O
    return jobs


def finish_quietly(submission_ids):
    """Each item in its own transaction: published if every endpoint has it, else left as it is."""
    for submission_id in sorted(set(submission_ids)):
        try:
            take_write_lock(Delivery)
            if relay.finish_publication(submission_id):
                db.session.commit()
            else:
                db.session.rollback()
        except (ServiceError, StaleDataError):  # changed meanwhile: the scheduler tries again
            db.session.rollback()


def relay_due_deliveries(limit=BATCH, now=None, lease=None):
    """One relay pass. Returns {"claimed": n, "delivered": n, "retry": n, "dead": n}."""
    counts = {"claimed": 0, dp.DELIVERED: 0, dp.RETRY: 0, dp.DEAD: 0}
    claimed = claim_due(limit, now, lease)
    if not claimed:
        return counts
    counts["claimed"] = len(claimed)
    jobs = load_jobs(claimed)
    results = relay.send_all(jobs)
    take_write_lock(Delivery)
    published = []
    for job, kind in zip(jobs, relay.record_all(jobs, results, now)):
        if kind:
            counts[kind] += 1
            if kind == dp.DELIVERED and job.event == PUBLISHED:
                published.append(job.delivery_id)
    db.session.commit()
    if published:
        waiting = relay.approved_items_of(published)
        db.session.commit()
        finish_quietly(waiting)
    return counts


def run_relay():
    """The periodic job: passes until nothing is due (bounded, so other jobs get their turn).

    RELAY_BATCH / RELAY_LEASE_SECONDS (settings) shorten the batch and the lease: with several
    workers, a smaller batch spreads the rows; a shorter lease retries a killed worker's rows sooner
    (it must still outlast a live worker's slowest batch, or a row is sent by two at once)."""
    limit = current_app.config.get("RELAY_BATCH") or BATCH
    seconds = current_app.config.get("RELAY_LEASE_SECONDS")
    lease = timedelta(seconds=seconds) if seconds else relay.lease_for(limit)
    for _ in range(MAX_PASSES):
        counts = relay_due_deliveries(limit, lease=lease)
        if counts["claimed"] < limit:
            break


def publish_scheduled(now=None, limit=200):
    """Approved items whose publish time has come are enqueued (or published when no endpoint).

    Also finishes items whose deliveries all came back (e.g. after an endpoint was paused).
    Returns the number of items enqueued or published.
    """
    now = now or utcnow()
    db.session.commit()
    stmt = relay.scheduled_due(now, limit)
    done = 0
    if db.session.scalar(select(stmt.with_only_columns(Submission.id).subquery().c.id).limit(1)) is not None:
        db.session.commit()
        take_write_lock(Delivery)  # only when there is something to do: an idle scheduler takes no lock
        if is_postgresql():
            stmt = stmt.with_for_update(skip_locked=True)
        for sub in db.session.scalars(stmt).all():
            if not is_due(sub, now) or cycle_publish_rows(sub.id):
                continue
            publish_now(sub, now)
            done += 1
    db.session.commit()
    waiting = relay.approved_items_with_a_delivered_publish(limit)
    db.session.commit()
    finish_quietly(waiting)
    return done


def send_dead_digests(now=None):
    """Queue the dead-delivery digests that are due, each endpoint's in its own transaction.
    Returns how many endpoints were told."""
    now = now or utcnow()
    told = 0
    for endpoint_id, first_dead in notifications.endpoints_with_unlisted_dead():
        if notifications.queue_dead_digest(endpoint_id, first_dead, now):
            db.session.commit()
            told += 1
    db.session.commit()
    return told
