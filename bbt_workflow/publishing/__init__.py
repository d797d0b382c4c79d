"""Pushing approved items to the public portal: outbox, relay, adapters, feeds (PUBLISHING.md).

Publishing listens to the workflow (submissions/hooks.py) and moves items to `published` through
submissions.system_steps; nothing in submissions imports it.
"""
from types import SimpleNamespace

from .. import jobs
from ..domain import delivery_policy
from ..permissions import may_watch_deliveries, register_rule
from ..submissions import hooks
from .deliveries import delivery_status_for, delivery_watcher_rule
from .delivery_errors import describe_delivery_error, is_own_code
from .models import Delivery
from .outbox import after_edit, after_transition
from .views import bp, public
from .worker import publish_scheduled, run_relay, send_dead_digests

# The delivery states for templates (`DELIVERY.RETRYING`, `DELIVERY.shown_state(d.state, d.attempts)`).
DELIVERY = SimpleNamespace(
    PENDING=delivery_policy.PENDING, RETRYING=delivery_policy.RETRYING, DELIVERING=delivery_policy.DELIVERING,
    DELIVERED=delivery_policy.DELIVERED, DEAD=delivery_policy.DEAD, SHOWN_STATES=delivery_policy.SHOWN_STATES,
    shown_state=delivery_policy.shown_state,
)


def init_app(app):
    """The workflow's after-transition and after-edit steps, pages, feeds, the submission page's
    delivery status, and the periodic jobs."""
    hooks.on_transition(after_transition)
    hooks.on_edit(after_edit)
    register_rule("delivery_watcher", delivery_watcher_rule, 404)
    app.register_blueprint(bp)
    app.register_blueprint(public)
    app.jinja_env.filters["delivery_error"] = describe_delivery_error
    app.jinja_env.tests["own_delivery_code"] = is_own_code
    app.jinja_env.globals["portal_deliveries"] = delivery_status_for
    app.jinja_env.globals["may_watch_deliveries"] = may_watch_deliveries
    app.jinja_env.globals["DELIVERY"] = DELIVERY
    jobs.register_task("publish_scheduled", publish_scheduled)
    jobs.register_task("relay_deliveries", run_relay)
    jobs.register_task("dead_delivery_digests", send_dead_digests)
    jobs.wake_after_commit_of(Delivery)

