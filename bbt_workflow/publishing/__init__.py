"""Pushing approved items to the public portal: outbox, relay, adapters, feeds (PUBLISHING.md)."""


def init_app(app):
    """Pages, feeds, the submission page's delivery status, and the periodic jobs."""
    from .. import jobs
    from ..permissions import register_rule
    from ..submissions import hooks
    from .delivery_errors import describe_delivery_error
    from .deliveries import delivery_status_for, delivery_watcher_rule, may_watch_deliveries
    from .models import Delivery
    from .outbox import after_edit, after_transition
    from .notifications import send_dead_digests
    from .relay import publish_scheduled, run_relay
    from .views import bp, public

    hooks.on_transition(after_transition)
    hooks.on_edit(after_edit)
    register_rule("delivery_watcher", delivery_watcher_rule, 404)
    app.register_blueprint(bp)
    app.register_blueprint(public)
    app.jinja_env.filters["delivery_error"] = describe_delivery_error
    app.jinja_env.globals["portal_deliveries"] = delivery_status_for
    app.jinja_env.globals["may_watch_deliveries"] = may_watch_deliveries
    jobs.register_task("publish_scheduled", publish_scheduled)
    jobs.register_task("relay_deliveries", run_relay)
    jobs.register_task("dead_delivery_digests", send_dead_digests)
    jobs.wake_after_commit_of(Delivery)

