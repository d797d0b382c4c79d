"""Portal endpoints (admins) and the outbox deliveries (approvers, admins): API.md."""
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import selectinload

from ..auth.current import current_actor
from ..accounts.services import get_site
from ..extensions import db
from ..permissions import can_approve, requires
from ..publishing import deliveries as deliveries_service
from ..publishing import endpoints as endpoint_service
from ..publishing.models import ENDPOINT_KINDS, Delivery
from ..errors import Forbidden
from .blueprint import BEARER, blp
from .pagination import paginate, seek_by_newest
from .partial_updates import require_changes
from .site_references import visible_site
from .schemas import JsonBoolean, PageArgs, page_of


class EndpointSchema(Schema):
    id = fields.Integer()
    site = fields.Function(lambda e: e.site.code)
    name = fields.String()
    kind = fields.String()
    url = fields.String()
    active = JsonBoolean()
    username = fields.String(allow_none=True)
    category_map = fields.Dict(allow_none=True)
    disabled_reason = fields.String(allow_none=True)
    previous_secret_valid_until = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class EndpointWithSecretSchema(EndpointSchema):
    secret = fields.String(allow_none=True, metadata={"description": "Shown in this response only."})


class EndpointCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    kind = fields.String(required=True, validate=validate.OneOf(ENDPOINT_KINDS))
    url = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    active = JsonBoolean(load_default=True)
    username = fields.String(allow_none=True, validate=validate.Length(max=255))
    app_password = fields.String(allow_none=True, load_only=True, validate=validate.Length(max=255))
    category_map = fields.Dict(keys=fields.String(), allow_none=True)


class EndpointUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=255))
    url = fields.String(validate=validate.Length(min=1, max=1000))
    active = JsonBoolean()
    username = fields.String(allow_none=True, validate=validate.Length(max=255))
    app_password = fields.String(allow_none=True, load_only=True, validate=validate.Length(max=255))
    category_map = fields.Dict(keys=fields.String(), allow_none=True)


class TestResultSchema(Schema):
    status = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer(allow_none=True)
    response_excerpt = fields.String()
    accepted = fields.Function(lambda r: r.status is not None and 200 <= r.status <= 299)
    missing_capabilities = fields.List(fields.String(), metadata={
        "description": "WordPress: what the signed-in user may not do (publish_posts, upload_files)."})


class DeliverySchema(Schema):
    id = fields.Integer()
    submission_id = fields.Integer()
    site = fields.Function(lambda d: d.site.code)
    endpoint = fields.Function(lambda d: {"id": d.endpoint_id, "name": d.endpoint.name, "kind": d.endpoint.kind})
    event = fields.String()
    item_version = fields.Integer()
    webhook_id = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    last_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    portal_url = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class DeliveryListArgs(PageArgs):
    cursor = fields.String(validate=validate.Length(max=400))  # next_cursor of the previous page
    site = fields.String(validate=validate.Length(max=40))
    state = fields.String(validate=validate.OneOf(deliveries_service.STATE_FILTERS))


@blp.route("/admin/sites/<site>/endpoints", methods=["GET"])
@requires("admin")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(EndpointSchema))
@blp.doc(security=BEARER)
def admin_list_endpoints(args, site):
    return paginate(endpoint_service.endpoints_of(get_site(site)), args)


@blp.route("/admin/sites/<site>/endpoints", methods=["POST"])
@requires("admin")
@blp.arguments(EndpointCreateSchema)
@blp.response(201, EndpointWithSecretSchema)
@blp.doc(security=BEARER)
def admin_create_endpoint(data, site):
    """Create a webhook or WordPress endpoint; a webhook's `secret` is in this response only."""
    endpoint, _secret = endpoint_service.create_endpoint(current_actor(), get_site(site), **data)
    db.session.commit()
    return endpoint  # EndpointWithSecretSchema shows the new secret in this response only


@blp.route("/admin/sites/<site>/endpoints/<int:endpoint_id>", methods=["PATCH"])
@requires("admin")
@blp.arguments(EndpointUpdateSchema)
@blp.response(200, EndpointSchema)
@blp.doc(security=BEARER)
def admin_update_endpoint(data, site, endpoint_id):
    """Change, pause (`active: false`) or resume an endpoint."""
    endpoint = endpoint_service.get_endpoint(get_site(site), endpoint_id)
    endpoint_service.update_endpoint(current_actor(), endpoint, **require_changes(data))
    db.session.commit()
    return endpoint


@blp.route("/admin/sites/<site>/endpoints/<int:endpoint_id>/rotate", methods=["POST"])
@requires("admin")
@blp.response(200, EndpointWithSecretSchema)
@blp.doc(security=BEARER)
def admin_rotate_endpoint_secret(site, endpoint_id):
    """A new secret (in this response only); the previous one stays valid for 24 hours."""
    endpoint = endpoint_service.get_endpoint(get_site(site), endpoint_id)
    endpoint_service.rotate_secret(current_actor(), endpoint)
    db.session.commit()
    return endpoint


@blp.route("/admin/sites/<site>/endpoints/<int:endpoint_id>/test", methods=["POST"])
@requires("admin")
@blp.response(200, TestResultSchema)
@blp.doc(security=BEARER)
def admin_test_endpoint(site, endpoint_id):
    """Send a test event now; the answer is the receiver's."""
    endpoint = endpoint_service.get_endpoint(get_site(site), endpoint_id)
    send = endpoint_service.prepare_test(current_actor(), endpoint)
    db.session.commit()  # no transaction (on SQLite: no write lock) held while the receiver answers
    return send()


@blp.route("/deliveries", methods=["GET"])
@requires("authenticated")
@blp.arguments(DeliveryListArgs, location="query")
@blp.response(200, page_of(DeliverySchema))
@blp.doc(security=BEARER)
def list_deliveries(args):
    """Outbox rows of the sites where the caller approves (admins: all), newest first."""
    user = current_actor()
    site = None
    if args.get("site"):
        site = visible_site(args["site"])
        if not can_approve(user, site):
            raise Forbidden(_l("Only the site's approvers and administrators see its deliveries."), code="not_allowed")
    # Their sites' codes with the page's rows (an admin's list spans sites).
    rows = deliveries_service.deliveries_query(user, site, args.get("state")).options(selectinload(Delivery.site))
    return seek_by_newest(rows, Delivery.id, args)


@blp.route("/deliveries/<int:delivery_id>/retry", methods=["POST"])
@requires("delivery_watcher")
@blp.response(200, DeliverySchema)
@blp.doc(security=BEARER)
def retry_delivery(delivery_id):
    """Put a dead row back to pending (sent again from the start of the retry schedule)."""
    row = deliveries_service.get_delivery_for(current_actor(), delivery_id)
    deliveries_service.replay_delivery(current_actor(), row)
    db.session.commit()
    return row
