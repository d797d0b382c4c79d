"""Reading the outbox (per site, per state) and replaying dead rows."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Membership, MembershipRole, Site
from ..db_types import utcnow
from ..domain import delivery_policy as dp
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..permissions import is_admin, may_watch_deliveries
from ..submissions.keyset import CappedCount, counted
from .models import Delivery
from .outbox import delivery_status

# The screen's filter: "retrying" is a pending row that has failed before.
STATE_FILTERS = dp.SHOWN_STATES


def delivery_watcher_rule(user, kwargs):
    """The route rule "delivery_watcher" (registered in init_app): the delivery's site's
    approvers and admins; anyone else 404."""
    row = db.session.get(Delivery, kwargs["delivery_id"])
    return row is not None and may_watch_deliveries(user, row.site)


def delivery_status_for(user, sub):
    """The item page's delivery rows (the latest per endpoint) for those who watch the site's
    deliveries; others see none (the endpoints and the receivers' answers are internal)."""
    if not may_watch_deliveries(user, sub.site):
        return []
    return delivery_status(sub)


def shown_state_counts(site):
    """{shown state: rows} of a site's outbox, as the deliveries page's filters list them: "retrying" rows are
    counted apart from the pending ones that never failed (the "pending" filter leaves them out too). The
    states from the (site_id, state) index alone; the failed-before share of the pending rows, which are few."""
    counts = dict(db.session.execute(select(Delivery.state, func.count(Delivery.id))
                                     .where(Delivery.site_id == site.id).group_by(Delivery.state)).all())
    retrying = counts.get(dp.PENDING) and db.session.scalar(select(func.count(Delivery.id)).where(
        Delivery.site_id == site.id, Delivery.state == dp.PENDING, Delivery.attempts > 0))
    if retrying:
        counts[dp.RETRYING], counts[dp.PENDING] = retrying, counts[dp.PENDING] - retrying
    return {state: n for state, n in counts.items() if n}


def dead_counts_by_site(site_ids):
    """{site_id: dead outbox rows}, one grouped query for every site of the home page."""
    counts = {site_id: 0 for site_id in site_ids}
    if site_ids:
        counts.update(db.session.execute(
            select(Delivery.site_id, func.count(Delivery.id))
            .where(Delivery.site_id.in_(site_ids), Delivery.state == dp.DEAD).group_by(Delivery.site_id)).all())
    return counts


def deliveries_query(user, site=None, state=None):
    """The outbox rows the user watches, newest first, with their endpoints (the page and the API show them:
    a page across sites lazily loaded each row's endpoint, up to 50 statements)."""
    stmt = select(Delivery).options(selectinload(Delivery.endpoint)).order_by(Delivery.id.desc())
    if site is not None:
        stmt = stmt.where(Delivery.site_id == site.id)
    if not is_admin(user):
        approver_sites = (select(Membership.site_id).join(MembershipRole, MembershipRole.membership_id == Membership.id)
                          .where(Membership.user_id == user.id, MembershipRole.role == "approver"))
        stmt = stmt.where(Delivery.site_id.in_(approver_sites))
    if state == dp.RETRYING:
        stmt = stmt.where(Delivery.state == dp.PENDING, Delivery.attempts > 0)
    elif state == dp.PENDING:
        stmt = stmt.where(Delivery.state == dp.PENDING, Delivery.attempts == 0)
    elif state in dp.DELIVERY_STATES:
        stmt = stmt.where(Delivery.state == state)
    elif state:
        raise ValidationFailed(_l("Unknown state."), details={"state": [str(_l("Unknown state."))]})
    return stmt


def site_deliveries(user, site, state, counts):
    """deliveries_query for a site the user watches (every row of it is theirs to see), marked with its total
    (keyset.counted): `counts`, the site's shown_state_counts, already says how many rows each filter lists and,
    summed, the unfiltered list, so the page counts nothing again."""
    total = counts.get(state, 0) if state else sum(counts.values())
    return counted(deliveries_query(user, site, state), CappedCount(total))


def get_delivery_for(user, delivery_id):
    """The row if the user watches its site, else 404 (no existence leak)."""
    row = db.session.get(Delivery, delivery_id)
    if row is None or not may_watch_deliveries(user, db.session.get(Site, row.site_id)):
        raise NotFound(_l("Not found."))
    return row


def replay_delivery(actor, row, now=None):
    """A dead row back to pending, sent again from the start of the retry schedule."""
    if not may_watch_deliveries(actor, db.session.get(Site, row.site_id)):
        raise Forbidden(_l("Only approvers and administrators replay deliveries."))
    if row.state != dp.DEAD:
        raise Conflict(_l("Only a dead delivery can be replayed."), code="not_dead")
    newer = set(db.session.scalars(select(Delivery.state).where(
        Delivery.submission_id == row.submission_id, Delivery.endpoint_id == row.endpoint_id,
        Delivery.id > row.id, Delivery.state.in_((dp.DELIVERED, dp.DELIVERING)))))
    if dp.DELIVERED in newer:
        raise Conflict(_l("A newer version of this item was already delivered to this endpoint; "
                          "sending this older one now would overwrite it."), code="superseded")
    if newer:  # in flight: this older row, pending again, would reach the portal after it
        raise Conflict(_l("A newer version of this item is being sent to this endpoint; "
                          "sending this older one now would overwrite it."), code="superseded")
    if not row.endpoint.active:
        raise Conflict(_l("The endpoint is paused or disabled; turn it on first."), code="endpoint_inactive")
    row.state, row.attempts, row.next_attempt_at, row.dead_at = dp.PENDING, 0, now or utcnow(), None
    row.dead_notified_at = None  # dead again: listed in a digest again
    row.lease_until = row.lease_token = None
    db.session.flush()
    return row
