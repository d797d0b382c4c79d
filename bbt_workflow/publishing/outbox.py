"""The transactional outbox: rows written in the transaction of the change that makes an item due.

The workflow announces transitions and edits (submissions/hooks.py); publishing.init_app registers
`after_transition` and `after_edit` there. They add one row per endpoint with the exact bytes to
send, and never commit. With no active endpoint, an approved item that is due is published at once
(the system's `publish` transition, through submissions.system_steps).
"""
import json
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..db_types import utcnow
from ..domain import delivery_policy as dp
from ..domain import workflow as wf
from ..domain.ninjs import FeatureImage, Item, build_ninjs, envelope
from ..extensions import db
from ..links import absolute_url
from ..submissions.models import HistoryEntry
from ..submissions.system_steps import publish_submission
from .models import Delivery, PortalEndpoint

PUBLISHED, UPDATED, CANCELED = "article.published", "article.updated", "article.canceled"


# --- the ninjs document of a submission --------------------------------------

def feature_image_of(sub):
    """The image the author chose as the feature image, else the first image attachment, or None."""
    images = [a for a in sub.attachments if a.kind == "image"]
    for attachment in images:
        if attachment.is_feature:
            return attachment
    for attachment in images:
        if attachment.kind == "image":
            return attachment
    return None


def media_url(attachment):
    return absolute_url("publishing_public.media", attachment_id=attachment.id, key=attachment.sha256[:16])


def by_line(sub):
    names = [a.pen_name or a.name for a in sub.authors if (a.pen_name or a.name)]
    return ", ".join(names) or (sub.author.pen_name or sub.author.full_name if sub.author else None)


def document_for(sub, *, canceled=False, now=None):
    image = feature_image_of(sub)
    feature = None
    if image is not None:
        feature = FeatureImage(media_id=image.id, href=media_url(image), content_type=image.mime,
                               width=image.width, height=image.height, title=image.caption or image.filename)
    category = sub.category
    return build_ninjs(Item(
        site_code=sub.site.code, submission_id=sub.id, revision=sub.revision, content_type=sub.content_type,
        title=sub.title, summary=sub.summary, body_html=sub.body_html, language=sub.language,
        by=by_line(sub), category_name=category.name if category else None,
        category_code=category.code if category else None,
        first_created=sub.created_at, version_created=sub.updated_at or now or utcnow(),
        embargoed_until=sub.publish_at, canceled=canceled, feature_image=feature,
    ))


def encode_body(event, document, now):
    """The exact bytes sent and signed: compact UTF-8 JSON."""
    return json.dumps(envelope(event, now, document), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- enqueue -----------------------------------------------------------------

def active_endpoints(site_id):
    return db.session.scalars(
        select(PortalEndpoint).where(PortalEndpoint.site_id == site_id, PortalEndpoint.active.is_(True))
        .order_by(PortalEndpoint.id)
    ).all()


def endpoints_that_know(sub):
    """Endpoints that were sent this item before (for updates and takedowns), paused ones too:
    their rows wait until the endpoint is turned on again (the relay only sends to active ones),
    so a portal paused for maintenance still gets the takedown of an item it shows."""
    known = select(Delivery.endpoint_id).where(Delivery.submission_id == sub.id).distinct()
    return db.session.scalars(
        select(PortalEndpoint).where(PortalEndpoint.id.in_(known)).order_by(PortalEndpoint.id)
    ).all()


def enqueue(sub, event, endpoints, now=None):
    """One row per endpoint, in the caller's transaction; returns the rows."""
    now = now or utcnow()
    body = encode_body(event, document_for(sub, canceled=event == CANCELED, now=now), now)
    rows = []
    for endpoint in endpoints:
        row = Delivery(webhook_id="msg_" + uuid.uuid4().hex, site_id=sub.site_id, submission_id=sub.id,
                       endpoint_id=endpoint.id, event=event, item_version=sub.revision, body=body,
                       state=dp.PENDING, attempts=0, next_attempt_at=now, created_at=now)
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def publish_now(sub, now=None):
    """The item is due: rows for every active endpoint, or with none, publish at once."""
    endpoints = active_endpoints(sub.site_id)
    if endpoints:
        return enqueue(sub, PUBLISHED, endpoints, now)
    publish_submission(sub)
    return []


def is_due(sub, now):
    return sub.publish_at is None or sub.publish_at <= now


def after_transition(sub, action, now=None, actor=None):
    """The workflow's after-transition step (same transaction); the actor does not matter here."""
    now = now or utcnow()
    if action in ("approve", "republish") and sub.state == wf.APPROVED and is_due(sub, now):
        publish_now(sub, now)
    elif action == "unpublish":
        endpoints = endpoints_that_know(sub)
        if endpoints:
            enqueue(sub, CANCELED, endpoints, now)


def after_edit(sub, now=None):
    """The workflow's after-edit step: a correction of a published item goes out as an update (same uri, higher version)."""
    if sub.state == wf.PUBLISHED:
        endpoints = endpoints_that_know(sub)
        if endpoints:
            enqueue(sub, UPDATED, endpoints, now)


# --- the current publication cycle ------------------------------------------

def last_unpublished_at(submission_id):
    return db.session.scalar(select(func.max(HistoryEntry.at)).where(
        HistoryEntry.submission_id == submission_id, HistoryEntry.action == "unpublish"))


def cycle_publish_rows(submission_id):
    """The publish rows written since the item was last taken down (or ever)."""
    stmt = select(Delivery).where(Delivery.submission_id == submission_id, Delivery.event == PUBLISHED)
    since = last_unpublished_at(submission_id)
    if since is not None:
        stmt = stmt.where(Delivery.created_at > since)
    return db.session.scalars(stmt.order_by(Delivery.id)).all()


def delivery_status(sub):
    """What the submission page shows: the latest row per endpoint, with its endpoint (the page names it)."""
    rows = db.session.scalars(
        select(Delivery).where(Delivery.submission_id == sub.id).order_by(Delivery.id.desc()).limit(50)
        .options(joinedload(Delivery.endpoint))
    ).all()
    latest = {}
    for row in rows:
        latest.setdefault(row.endpoint_id, row)
    return sorted(latest.values(), key=lambda r: r.endpoint_id)
