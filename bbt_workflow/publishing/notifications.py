"""Dead deliveries are told to the site's approvers and the administrators as one digest per endpoint
and outage (a dead WordPress password over a batch of 40 was 40 emails to each of them).

Nothing is sent when a row dies: the row keeps `dead_notified_at` empty. The periodic job
`send_dead_digests` (publishing/worker.py, one transaction per endpoint) looks at each endpoint with such rows and, once the first of them has been dead
for DIGEST_DELAY (so a batch dying over a few minutes is gathered), queues ONE email per recipient
listing every unlisted dead row of that endpoint, and stamps them in the same transaction — every dead
row is listed in exactly one email, and a crash before the commit only sends the digest later.
While the outage lasts (the endpoint delivered nothing since the last digest), a row dying later
waits for a follow-up, at most one per FOLLOW_UP_DELAY; once the endpoint has delivered again, the
next outage gets its own digest after DIGEST_DELAY. A replayed row that dies again is listed again.
"""
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..accounts.models import User
from ..domain import delivery_policy as dp
from ..extensions import db
from ..links import absolute_url
from ..mailqueue.services import queue_email
from ..submissions.models import Submission
from ..submissions.notifications import _site_members_with
from .models import Delivery, PortalEndpoint

LABEL = _l("Deliveries to the portal failed for good")
DIGEST_DELAY = timedelta(minutes=5)
FOLLOW_UP_DELAY = timedelta(hours=1)


def recipients_for_dead(site_id):
    users = {u.id: u for u in _site_members_with(site_id, "approver")}
    for admin in db.session.scalars(select(User).where(User.is_admin.is_(True), User.active.is_(True))):
        users.setdefault(admin.id, admin)
    return [users[k] for k in sorted(users)]


def _digest_due(endpoint_id, first_dead, now):
    if first_dead > now - DIGEST_DELAY:
        return False
    last_sent = db.session.scalar(select(func.max(Delivery.dead_notified_at))
                                  .where(Delivery.endpoint_id == endpoint_id))
    if last_sent is None or now >= last_sent + FOLLOW_UP_DELAY:
        return True
    # A new outage (the endpoint delivered since the last digest) is told without waiting the hour.
    return db.session.scalar(select(Delivery.id).where(
        Delivery.endpoint_id == endpoint_id, Delivery.state == dp.DELIVERED,
        Delivery.delivered_at > last_sent).limit(1)) is not None


def endpoints_with_unlisted_dead():
    """[(endpoint_id, when its first unlisted row died)] for every endpoint with dead rows no digest listed."""
    return db.session.execute(select(Delivery.endpoint_id, func.min(Delivery.dead_at))
                              .where(_unlisted()).group_by(Delivery.endpoint_id)).all()


def _unlisted():
    return (Delivery.state == dp.DEAD) & Delivery.dead_notified_at.is_(None)


def queue_dead_digest(endpoint_id, first_dead, now):
    """If this endpoint's digest is due: one email per recipient listing its unlisted dead rows, and the
    rows stamped, in the caller's transaction (no commit). Returns whether a digest was queued."""
    if first_dead is not None and not _digest_due(endpoint_id, first_dead, now):
        return False
    endpoint = db.session.get(PortalEndpoint, endpoint_id)
    dead = db.session.execute(
        select(Delivery, Submission.title).join(Submission, Submission.id == Delivery.submission_id)
        .where(_unlisted(), Delivery.endpoint_id == endpoint_id).order_by(Delivery.id)
    ).all()
    if not dead:
        return False
    site = endpoint.site
    link = absolute_url("publishing_web.deliveries", site=site.code, state=dp.DEAD)
    for user in recipients_for_dead(site.id):
        locale = user.preferred_language or "vi"
        with force_locale(locale):
            label = str(LABEL)
        queue_email(user.email, "delivery_dead", locale=locale, user=user, site=site, endpoint=endpoint,
                    deliveries=dead, label=label, link=link)
    db.session.execute(update(Delivery).where(Delivery.id.in_([d.id for d, _title in dead]))
                       .values(dead_notified_at=now).execution_options(synchronize_session=False))
    return True
