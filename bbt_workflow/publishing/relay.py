"""The relay's services: which outbox rows are due, what one send needs, send, record the result.

Nothing here commits: the worker entry points (publishing/worker.py) own the transactions, claim
with a lease (leases.py) and call these in between.
Rows of one item and endpoint go strictly in order: a row is due only when no earlier
row of the same item and endpoint is still pending or being delivered.
A lease that expires (the worker died) makes the row due again: delivery is
at-least-once, and the receiver de-duplicates on `webhook-id`.
"""
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import aliased

from ..db_types import utcnow
from ..domain import delivery_policy as dp
from ..domain import workflow as wf
from ..extensions import db
from ..leases import is_postgresql
from ..secret_box import SecretUnreadable
from ..submissions.attachments import attachment_path
from ..submissions.models import Submission
from ..submissions.system_steps import publish_submission
from .delivery_result import DeliveryResult
from .endpoints import connect_address, private_endpoints_allowed, secrets_in_use, unreadable_secret
from .media import MediaFile
from .models import Delivery, DeliveryAttempt, PortalEndpoint, RemoteItem
from .outbox import CANCELED, PUBLISHED, cycle_publish_rows, feature_image_of
from .webhook import WebhookAdapter
from .wordpress import WordPressAdapter

log = logging.getLogger(__name__)

BATCH = 40
SEND_THREADS = 8
ATTEMPT_SECONDS = 2 * 15  # an adapter's worst case: 15 s timeouts, WordPress makes two calls (media, post)


def lease_for(limit):
    """Long enough for a whole batch to time out, so a live relay never loses its rows to another."""
    rounds = -(-limit // SEND_THREADS)
    return timedelta(seconds=rounds * ATTEMPT_SECONDS + 30)


LEASE = lease_for(BATCH)  # 3 minutes: a dead worker's rows are sent again after this


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
    allow_private: bool = False  # ALLOW_PRIVATE_ENDPOINTS, read when the job is built (in the app)
    secret_unreadable: bool = False  # SECRETS_KEYS cannot decrypt the endpoint's secret: nothing is sent


# --- what is due ---------------------------------------------------------------

def due_condition(now):
    earlier = aliased(Delivery)
    blocked = exists().where(
        earlier.submission_id == Delivery.submission_id, earlier.endpoint_id == Delivery.endpoint_id,
        earlier.id < Delivery.id, earlier.state.in_(dp.IN_FLIGHT),
    )
    endpoint_active = exists().where(PortalEndpoint.id == Delivery.endpoint_id, PortalEndpoint.active.is_(True))
    return and_(
        or_(and_(Delivery.state == dp.PENDING, Delivery.next_attempt_at <= now),
            and_(Delivery.state == dp.DELIVERING, Delivery.lease_until < now)),
        ~blocked, endpoint_active,
    )


def lease_values(now, lease, token):
    """What a claim writes on each row it takes."""
    return {"state": dp.DELIVERING, "lease_until": now + lease, "lease_token": token,
            "attempts": Delivery.attempts + 1}


CLAIM_ORDER = (Delivery.next_attempt_at, Delivery.id)


# --- what one send needs -------------------------------------------------------

def jobs_for(claimed):
    """The claimed rows [(id, token, attempt)] as plain Jobs (reads only)."""
    return [_job_for(db.session.get(Delivery, delivery_id), token, attempt) for delivery_id, token, attempt in claimed]


def _job_for(row, token, attempt):
    endpoint = row.endpoint
    job = Job(delivery_id=row.id, token=token, attempt=attempt, webhook_id=row.webhook_id, event=row.event,
              body=bytes(row.body), kind=endpoint.kind, url=endpoint.url,
              allow_private=private_endpoints_allowed())
    try:
        if endpoint.kind == "webhook":
            job.secrets = secrets_in_use(endpoint)
            return job
        job.app_password = endpoint.app_password
    except SecretUnreadable:
        # Recorded as a failed attempt (send), not raised: the other rows of the batch go out,
        # and this one is retried, so it is sent once the right key is back.
        log.warning("endpoint secret cannot be decrypted with SECRETS_KEYS",
                    extra={"delivery_id": row.id, "endpoint_id": endpoint.id})
        job.secret_unreadable = True
        return job
    remote = db.session.scalar(select(RemoteItem).where(
        RemoteItem.submission_id == row.submission_id, RemoteItem.endpoint_id == endpoint.id))
    job.remote_id = remote.remote_id if remote else None
    job.username = endpoint.username
    job.category_map = endpoint.category_map
    job.media = _media_files(row.submission, json.loads(row.body)["data"]) if row.event != CANCELED else []
    return job


def _media_files(sub, document):
    attachment = feature_image_of(sub)
    if attachment is None:
        return []
    assoc = next((a for a in document.get("associations", []) if a.get("name") == "featureimage"), None)
    path = attachment_path(attachment)
    if not os.path.exists(path):
        return []
    # The path, not the bytes: the sending thread reads them only if WordPress lacks the image.
    return [MediaFile(uri=assoc["uri"] if assoc else f"urn:bbt:media:{attachment.id}", filename=attachment.filename,
                      content_type=attachment.mime, path=path)]


# --- send ----------------------------------------------------------------------

def send(job):
    if job.secret_unreadable:
        return unreadable_secret()
    address, refused = connect_address(job.url, job.allow_private)
    if refused is not None:
        return refused
    try:
        if job.kind == "webhook":
            return WebhookAdapter(job.url, job.secrets, address=address).deliver(webhook_id=job.webhook_id,
                                                                                body=job.body)
        adapter = WordPressAdapter(job.url, job.username, job.app_password, category_map=job.category_map,
                                   address=address)
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


# --- record --------------------------------------------------------------------

def record(job, result, now=None):
    """Apply one result, if this relay still holds the lease. Returns the outcome kind or None."""
    return record_all([job], [result], now)[0]


def record_all(jobs, results, now=None):
    """Apply a batch of results (rows and remote ids loaded in two queries); does not commit."""
    now = now or utcnow()
    ids = [job.delivery_id for job in jobs]
    stmt = select(Delivery).where(Delivery.id.in_(ids)).execution_options(populate_existing=True)
    if is_postgresql():
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
    if row is None or row.state != dp.DELIVERING or row.lease_token != job.token:
        return None  # the lease expired and another attempt took over: its result counts, not ours
    outcome = dp.decide(result.status, row.attempts, now, retry_after=result.retry_after)
    db.session.add(DeliveryAttempt(
        delivery_id=row.id, attempt=row.attempts, started_at=now, duration_ms=result.duration_ms,
        status=result.status, error=result.error, response_excerpt=result.response_excerpt or None,
        outcome=outcome.kind))
    row.last_status, row.lease_until, row.lease_token = result.status, None, None
    if outcome.kind == dp.DELIVERED:
        row.state, row.delivered_at, row.last_error = dp.DELIVERED, now, None
        row.portal_url = result.portal_url
        row.remote_id = result.remote_id
        _remember_remote(row, result, now, remotes)
    elif outcome.kind == dp.RETRY:
        row.state, row.next_attempt_at, row.last_error = dp.PENDING, outcome.next_attempt_at, result.error
    else:
        row.state, row.dead_at, row.last_error = dp.DEAD, now, result.error or outcome.reason
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


# --- publication ---------------------------------------------------------------

def finish_publication(submission_id):
    """approved → published once every active endpoint has delivered this cycle's publish event."""
    # Two relays may finish the same item at once (each delivered one endpoint): the row lock
    # makes the second wait, then see the item already published.
    sub = db.session.get(Submission, submission_id, populate_existing=True, with_for_update=is_postgresql())
    if sub is None or sub.state != wf.APPROVED:
        return False
    rows = cycle_publish_rows(submission_id)
    if not rows:
        return False
    latest = {}
    for row in rows:
        latest[row.endpoint_id] = row
    active = [r for r in latest.values() if r.endpoint.active]
    if any(r.state != dp.DELIVERED for r in active):
        return False
    url = next((r.portal_url for r in sorted(active, key=lambda r: r.endpoint_id) if r.portal_url), None)
    with db.session.no_autoflush:
        publish_submission(sub, portal_url=url)
    return True


def approved_items_of(delivery_ids):
    """The still-approved items that these delivered publish rows belong to."""
    return db.session.scalars(
        select(Delivery.submission_id).join(Submission, Submission.id == Delivery.submission_id)
        .where(Delivery.id.in_(delivery_ids), Submission.state == wf.APPROVED).distinct()).all()


def approved_items_with_a_delivered_publish(limit):
    return db.session.scalars(
        select(Delivery.submission_id).join(Submission, Submission.id == Delivery.submission_id)
        .where(Submission.state == wf.APPROVED, Delivery.event == PUBLISHED, Delivery.state == dp.DELIVERED)
        .distinct().limit(limit)
    ).all()


def scheduled_due(now, limit):
    """Approved items whose publish time has come, oldest first (a statement: the worker decides locking)."""
    return (select(Submission).where(Submission.state == wf.APPROVED, Submission.publish_at.is_not(None),
                                     Submission.publish_at <= now)
            .order_by(Submission.publish_at, Submission.id).limit(limit))
