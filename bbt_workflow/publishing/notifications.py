"""A dead delivery emails the site's approvers and the administrators (queued in the same transaction)."""
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..links import absolute_url
from ..mailqueue.services import queue_email
from ..submissions.notifications import _site_members_with

LABEL = _l("A delivery to the portal failed for good")


def recipients_for_dead(site_id):
    users = {u.id: u for u in _site_members_with(site_id, "approver")}
    for admin in db.session.scalars(select(User).where(User.is_admin.is_(True), User.active.is_(True))):
        users.setdefault(admin.id, admin)
    return [users[k] for k in sorted(users)]


def notify_dead(delivery):
    sub, endpoint = delivery.submission, delivery.endpoint
    link = absolute_url("publishing_web.deliveries", site=sub.site.code, state="dead")
    for user in recipients_for_dead(delivery.site_id):
        locale = user.preferred_language or "vi"
        with force_locale(locale):
            label = str(LABEL)
        queue_email(user.email, "delivery_dead", locale=locale, user=user, submission=sub, endpoint=endpoint,
                    delivery=delivery, label=label, link=link)
