"""The relay: claim due outbox rows with a lease, send them, record what happened.

PostgreSQL: several relays at once, each claims with `FOR UPDATE SKIP LOCKED`.
SQLite: one relay; the claim is a single UPDATE, so it takes the write lock at once.
Rows of one item and endpoint go strictly in order: a row is due only when no earlier
row of the same item and endpoint is still pending or being delivered.
A lease that expires (the worker died) makes the row due again: delivery is
at-least-once, and the receiver de-duplicates on `webhook-id`.
"""
import json
import logging
import os
import secrets as pysecrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, exists, or_, select, text, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.exc import StaleDataError

from ..db_types import utcnow
from ..domain import delivery_policy
from ..domain import workflow as wf
from ..errors import ServiceError
from ..extensions import db
from .delivery_result import DeliveryResult
from .models import Delivery, DeliveryAttempt, PortalEndpoint, RemoteItem
from .outbox import PUBLISHED, cycle_publish_rows, feature_image_of, is_due, last_unpublished_at, publish_now

log = logging.getLogger(__name__)

BATCH = 40
SEND_THREADS = 8
ATTEMPT_SECONDS = 2 * 15  # an adapter's worst case: 15 s timeouts, WordPress makes two calls (media, post)


def lease_for(limit):
    """Long enough for a whole batch to time out, so a live relay never loses its rows to another."""
    rounds = -(-limit // SEND_THREADS)
    return timedelta(seconds=rounds * ATTEMPT_SECONDS + 30)


LEASE = lease_for(BATCH)  # 3 minutes: a dead worker's rows are sent again after this
MAX_PASSES = 20  # per job run, so the other jobs get their turn


@dataclass
class Job:
    """Everything one send needs, as plain values (no database access while sending)."""

    delivery_id: int
    token: str
    attempt: int
    webhook_id: str
    event: str
    body: bytes
    kind: str
    url: str
    secrets: list = field(default_factory=list)
    username: str | None = None
    app_password: str | None = None
    category_map: dict | None = None
    remote_id: str | None = None
    media: list = field(default_factory=list)


def _write_transaction():
    """SQLite: take the write lock before reading. A transaction that read first and writes later
    fails ("database is locked") when another connection committed in between; one that starts
    with a write waits for the lock instead (busy timeout). PostgreSQL: nothing to do."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("UPDATE outbox_deliveries SET id = id WHERE 0"))


# --- claim -------------------------------------------------------------------

def _due_condition(now):
    earlier = aliased(Delivery)
    blocked = exists().where(
        earlier.submission_id == Delivery.submission_id, earlier.endpoint_id == Delivery.endpoint_id,
        earlier.id < Delivery.id, earlier.state.in_(("pending", "delivering")),
    )
    endpoint_active = exists().where(PortalEndpoint.id == Delivery.endpoint_id, PortalEndpoint.active.is_(True))
    return and_(
        or_(and_(Delivery.state == "pending", Delivery.next_attempt_at <= now),
            and_(Delivery.state == "delivering", Delivery.lease_until < now)),
        ~blocked, endpoint_active,
    )


def claim_due(limit=BATCH, now=None, lease=None):
    """Claim up to `limit` due rows for this relay and commit; returns [(id, token, attempt)]."""
    now = now or utcnow()
    lease = lease or lease_for(limit)
    db.session.commit()
    # A plain read first: an idle relay takes no lock (SQLite has one writer for everyone).
    anything_due = db.session.scalar(select(Delivery.id).where(_due_condition(now)).limit(1))
    db.session.commit()
    if anything_due is None:
        return []
    ids = select(Delivery.id).where(_due_condition(now)).order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        ids = ids.with_for_update(skip_locked=True)
    token = pysecrets.token_hex(16)
    stmt = (
        update(Delivery).where(Delivery.id.in_(ids.scalar_subquery()))
        .values(state="delivering", lease_until=now + lease, lease_token=token, attempts=Delivery.attempts + 1)
        .returning(Delivery.id, Delivery.attempts)
        .execution_options(synchronize_session=False)
    )
    claimed = [(row.id, token, row.attempts) for row in db.session.execute(stmt)]
    db.session.commit()
    return sorted(claimed)


def load_jobs(claimed):
    jobs = []
    for delivery_id, token, attempt in claimed:
        row = db.session.get(Delivery, delivery_id)
        endpoint = row.endpoint
        job = Job(delivery_id=row.id, token=token, attempt=attempt, webhook_id=row.webhook_id, event=row.event,
                  body=bytes(row.body), kind=endpoint.kind, url=endpoint.url)
        if endpoint.kind == "webhook":
            from .endpoints import secrets_in_use

            job.secrets = secrets_in_use(endpoint)
        else:
            remote = db.session.scalar(select(RemoteItem).where(
                RemoteItem.submission_id == row.submission_id, RemoteItem.endpoint_id == endpoint.id))
            job.remote_id = remote.remote_id if remote else None
            job.username, job.app_password = endpoint.username, endpoint.app_password
            job.category_map = endpoint.category_map
            job.media = _media_files(row.submission, json.loads(row.body)["data"]) if row.event != "article.canceled" else []
        jobs.append(job)
    db.session.commit()  # end the read transaction before any network I/O
    return jobs


def _media_files(sub, document):
    attachment = feature_image_of(sub)
    if attachment is None:
        return []
    from ..submissions.attachments import attachment_path
    from .media import MediaFile

    assoc = next((a for a in document.get("associations", []) if a.get("name") == "featureimage"), None)
    path = attachment_path(attachment)
    if not os.path.exists(path):
        return []
    # The path, not the bytes: the sending thread reads them only if WordPress lacks the image.
    return [MediaFile(uri=assoc["uri"] if assoc else f"urn:bbt:media:{attachment.id}", filename=attachment.filename,
                      content_type=attachment.mime, path=path)]


# --- send --------------------------------------------------------------------

def send(job):
    try:
        if job.kind == "webhook":
            from .webhook import WebhookAdapter

            return WebhookAdapter(job.url, job.secrets).deliver(webhook_id=job.webhook_id, body=job.body)
        from .wordpress import WordPressAdapter

        adapter = WordPressAdapter(job.url, job.username, job.app_password, category_map=job.category_map)
        return adapter.deliver(event_type=job.event, document=json.loads(job.body)["data"],
                               remote_id=job.remote_id, media=job.media)
    except Exception as exc:  # an adapter bug must not kill the relay; retried like a network error
        log.exception("adapter failed", extra={"delivery_id": job.delivery_id})
        return DeliveryResult(status=None, error=f"{type(exc).__name__}: {exc}"[:500])


def send_all(jobs):
    if len(jobs) <= 1:
        return [send(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=min(SEND_THREADS, len(jobs))) as pool:
        return list(pool.map(send, jobs))


# --- record ------------------------------------------------------------------

def record(job, result, now=None):
    """Apply one result, if this relay still holds the lease. Returns the outcome kind or None."""
    return record_all([job], [result], now)[0]


def record_all(jobs, results, now=None):
    """Apply a batch of results (rows and remote ids loaded in two queries); does not commit."""
    now = now or utcnow()
    _write_transaction()
    ids = [job.delivery_id for job in jobs]
    stmt = select(Delivery).where(Delivery.id.in_(ids)).execution_options(populate_existing=True)
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    rows = {row.id: row for row in db.session.scalars(stmt)}
    pairs = {(row.submission_id, row.endpoint_id) for row in rows.values()}
    remotes = {}
    if pairs:
        submission_ids = {p[0] for p in pairs}
        for remote in db.session.scalars(select(RemoteItem).where(RemoteItem.submission_id.in_(submission_ids))):
            remotes[(remote.submission_id, remote.endpoint_id)] = remote
    return [_apply(rows.get(job.delivery_id), job, result, now, remotes) for job, result in zip(jobs, results)]


def _apply(row, job, result, now, remotes):
    if row is None or row.state != "delivering" or row.lease_token != job.token:
        return None  # the lease expired and another attempt took over: its result counts, not ours
    outcome = delivery_policy.decide(result.status, row.attempts, now, retry_after=result.retry_after)
    db.session.add(DeliveryAttempt(
        delivery_id=row.id, attempt=row.attempts, started_at=now, duration_ms=result.duration_ms,
        status=result.status, error=result.error, response_excerpt=result.response_excerpt or None,
        outcome=outcome.kind))
    row.last_status, row.lease_until, row.lease_token = result.status, None, None
    if outcome.kind == delivery_policy.DELIVERED:
        row.state, row.delivered_at, row.last_error = "delivered", now, None
        row.portal_url = result.portal_url
        row.remote_id = result.remote_id
        _remember_remote(row, result, now, remotes)
    elif outcome.kind == delivery_policy.RETRY:
        row.state, row.next_attempt_at, row.last_error = "pending", outcome.next_attempt_at, result.error
    else:
        row.state, row.dead_at, row.last_error = "dead", now, result.error or outcome.reason
        if outcome.disable_endpoint:
            endpoint = row.endpoint
            endpoint.active = False
            endpoint.disabled_reason = f"410 Gone ({now:%Y-%m-%d %H:%M} UTC)"
        # Told in a digest per endpoint and outage (notifications.send_dead_digests), not one email a row.
    return outcome.kind


def _remember_remote(row, result, now, remotes):
    if result.remote_id is None and result.portal_url is None:
        return
    key = (row.submission_id, row.endpoint_id)
    remote = remotes.get(key)
    if remote is None:
        remote = remotes[key] = RemoteItem(submission_id=row.submission_id, endpoint_id=row.endpoint_id)
        db.session.add(remote)
    if result.remote_id is not None:
        remote.remote_id = str(result.remote_id)
    if result.portal_url is not None:
        remote.portal_url = result.portal_url
    remote.updated_at = now


# --- publication -------------------------------------------------------------

def finish_publication(submission_id):
    """approved → published once every active endpoint has delivered this cycle's publish event."""
    from ..submissions.models import Submission
    from ..submissions.services import transition_submission

    # Two relays may finish the same item at once (each delivered one endpoint): the row lock
    # makes the second wait, then see the item already published.
    sub = db.session.get(Submission, submission_id, populate_existing=True,
                         with_for_update=db.engine.dialect.name == "postgresql")
    if sub is None or sub.state != wf.APPROVED:
        return False
    rows = cycle_publish_rows(submission_id)
    if not rows:
        return False
    latest = {}
    for row in rows:
        latest[row.endpoint_id] = row
    active = [r for r in latest.values() if r.endpoint.active]
    if any(r.state != "delivered" for r in active):
        return False
    url = next((r.portal_url for r in sorted(active, key=lambda r: r.endpoint_id) if r.portal_url), None)
    with db.session.no_autoflush:
        if url:
            sub.portal_url = url
        transition_submission(None, sub, "publish", None, system=True)
    return True


def _finish_quietly(submission_ids):
    for submission_id in sorted(set(submission_ids)):
        try:
            _write_transaction()
            if finish_publication(submission_id):
                db.session.commit()
            else:
                db.session.rollback()
        except (ServiceError, StaleDataError):  # changed meanwhile: the scheduler tries again
            db.session.rollback()


def relay_due_deliveries(limit=BATCH, now=None):
    """One relay pass. Returns {"claimed": n, "delivered": n, "retry": n, "dead": n}."""
    counts = {"claimed": 0, "delivered": 0, "retry": 0, "dead": 0}
    claimed = claim_due(limit, now)
    if not claimed:
        return counts
    counts["claimed"] = len(claimed)
    jobs = load_jobs(claimed)
    results = send_all(jobs)
    published = []
    for job, kind in zip(jobs, record_all(jobs, results, now)):
        if kind:
            counts[kind] += 1
            if kind == "delivered" and job.event == PUBLISHED:
                published.append(job.delivery_id)
    db.session.commit()
    if published:
        from ..submissions.models import Submission

        waiting = db.session.scalars(
            select(Delivery.submission_id).join(Submission, Submission.id == Delivery.submission_id)
            .where(Delivery.id.in_(published), Submission.state == wf.APPROVED).distinct()).all()
        db.session.commit()
        _finish_quietly(waiting)
    return counts


def run_relay():
    """The periodic job: passes until nothing is due (bounded, so other jobs get their turn)."""
    for _ in range(MAX_PASSES):
        counts = relay_due_deliveries()
        if counts["claimed"] < BATCH:
            break


# --- scheduler ---------------------------------------------------------------

def publish_scheduled(now=None, limit=200):
    """Approved items whose publish time has come are enqueued (or published when no endpoint).

    Also finishes items whose deliveries all came back (e.g. after an endpoint was paused).
    Returns the number of items enqueued or published.
    """
    from ..submissions.models import Submission

    now = now or utcnow()
    db.session.commit()
    stmt = (select(Submission).where(Submission.state == wf.APPROVED, Submission.publish_at.is_not(None),
                                     Submission.publish_at <= now)
            .order_by(Submission.publish_at, Submission.id).limit(limit))
    done = 0
    if db.session.scalar(select(stmt.with_only_columns(Submission.id).subquery().c.id).limit(1)) is not None:
        db.session.commit()
        _write_transaction()  # only when there is something to do: an idle scheduler takes no lock
        if db.engine.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        for sub in db.session.scalars(stmt).all():
            if not is_due(sub, now) or cycle_publish_rows(sub.id):
                continue
            publish_now(sub, now)
            done += 1
    db.session.commit()
    waiting = db.session.scalars(
        select(Delivery.submission_id).join(Submission, Submission.id == Delivery.submission_id)
        .where(Submission.state == wf.APPROVED, Delivery.event == PUBLISHED, Delivery.state == "delivered")
        .distinct().limit(limit)
    ).all()
    db.session.commit()
    _finish_quietly(waiting)
    return done


__all__ = ["claim_due", "load_jobs", "send", "send_all", "record", "record_all", "relay_due_deliveries", "run_relay",
           "publish_scheduled", "finish_publication", "last_unpublished_at"]
