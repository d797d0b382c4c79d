"""Admin services for portal endpoints: create (the secret is shown once), change, rotate, pause, test.

Services take the actor, flush, and never commit.
"""
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..db_types import utcnow
from ..domain import webhook_signing
from ..errors import Forbidden, NotFound, field_error
from ..audit.services import record, snapshot
from ..extensions import db
from ..permissions import can_manage_installation
from ..secret_box import SecretUnreadable, readable
from .address_policy import AddressRefused, Unresolvable, checked_address, internal_address
from .delivery_errors import SECRET_UNREADABLE
from .delivery_result import DeliveryResult
from .models import ENDPOINT_KINDS, PortalEndpoint
from .webhook import WebhookAdapter, check_url
from .wordpress import WordPressAdapter

# How long the previous secret stays valid after a rotation (receivers accept either).
ROTATION_OVERLAP = timedelta(hours=24)


def _admin(actor):
    if actor is not None and not can_manage_installation(actor):
        raise Forbidden(_l("Only administrators manage portal endpoints."))


def _check(kind, url, username, has_password):
    if kind not in ENDPOINT_KINDS:
        raise field_error("kind", _l("Unknown endpoint kind."))
    if not check_url(url):
        raise field_error("url", _l("Give an absolute http:// or https:// URL."))
    if not private_endpoints_allowed() and internal_address(url):
        raise field_error("url", _l("This address is on an internal network (loopback, link-local or private); "
                                    "endpoints may not point there unless the installation allows it."))
    if kind == "wordpress" and not (username and has_password):
        raise field_error("username", _l("A WordPress endpoint needs a username and an Application Password."))


def _wordpress_id(value):
    """A WordPress category id (a positive whole number, or its digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return value if isinstance(value, int) and value > 0 else None


def _category_map(value):
    if value in (None, ""):
        return None
    # The ids must be numbers now: the WordPress adapter would fail on every delivery otherwise.
    if not isinstance(value, dict) or not all(isinstance(k, str) and _wordpress_id(v) for k, v in value.items()):
        raise field_error("category_map", _l("The category mapping is an object {category code: WordPress category id}."))
    return {k: _wordpress_id(v) for k, v in value.items()}


def private_endpoints_allowed():
    return bool(current_app.config.get("ALLOW_PRIVATE_ENDPOINTS"))


def connect_address(url, allow_private):
    """Where a send to `url` connects: (address, None), or (None, a DeliveryResult saying why not).
    The host is resolved here once and every address checked (again at each send: DNS changes); the
    adapters then connect to exactly this address (pinned_http.py), never to a later DNS answer."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    if not host:
        return None, None  # not an http(s) URL with a host: the adapter says so, and sends nothing
    try:
        return checked_address(host, allow_private), None
    except AddressRefused as exc:
        return None, DeliveryResult(status=None, error=f"Refused: the host resolves to the private address {exc.address}.")
    except Unresolvable as exc:
        # Worded like the HTTP client's own DNS failures, which delivery_errors recognises.
        return None, DeliveryResult(status=None, error=f"NameResolutionError: Failed to resolve '{host}' ({exc})"[:500])


def get_endpoint(site, endpoint_id):
    endpoint = db.session.get(PortalEndpoint, endpoint_id)
    if endpoint is None or endpoint.site_id != site.id:
        raise NotFound(_l("Not found."))
    return endpoint


def endpoints_of(site):
    return select(PortalEndpoint).where(PortalEndpoint.site_id == site.id).order_by(PortalEndpoint.id)


def create_endpoint(actor, site, *, name, kind, url, active=True, username=None, app_password=None,
                    category_map=None):
    """Returns (endpoint, secret): the webhook secret is shown to the admin this once."""
    _admin(actor)
    name = (name or "").strip()
    if not name:
        raise field_error("name", _l("This field is required."))
    url = (url or "").strip()
    _check(kind, url, username, bool(app_password))
    secret = webhook_signing.generate_secret() if kind == "webhook" else None
    now = utcnow()
    endpoint = PortalEndpoint(site_id=site.id, name=name[:255], kind=kind, url=url, active=bool(active),
                              secret=secret, username=username or None, app_password=app_password or None,
                              category_map=_category_map(category_map), created_at=now, updated_at=now)
    db.session.add(endpoint)
    db.session.flush()
    record(actor, "endpoint.created", "endpoint", endpoint.id, None, snapshot(endpoint))
    return endpoint, secret


def update_endpoint(actor, endpoint, **changes):
    _admin(actor)
    before = snapshot(endpoint)
    if "name" in changes:
        name = (changes["name"] or "").strip()
        if not name:
            raise field_error("name", _l("This field is required."))
        endpoint.name = name[:255]
    if "url" in changes:
        endpoint.url = (changes["url"] or "").strip()
    for key in ("username", "app_password"):
        if key in changes and (changes[key] or key == "username"):
            setattr(endpoint, key, changes[key] or None)
    if "category_map" in changes:
        endpoint.category_map = _category_map(changes["category_map"])
    # Whether a password is stored, not its value: pausing an endpoint must not need SECRETS_KEYS.
    _check(endpoint.kind, endpoint.url, endpoint.username, endpoint.app_password_token is not None)
    if "active" in changes:
        endpoint.active = bool(changes["active"])
        if endpoint.active:
            endpoint.disabled_reason = None
    endpoint.updated_at = utcnow()
    db.session.flush()
    after = snapshot(endpoint)
    if "app_password" in changes and changes["app_password"]:
        after["app_password_changed"] = True  # that it changed, never the value
    record(actor, "endpoint.updated", "endpoint", endpoint.id, before, after)
    return endpoint


def rotate_secret(actor, endpoint, overlap=ROTATION_OVERLAP):
    """A new secret; the old one stays valid for `overlap` (both signatures are sent). Returns the new secret."""
    _admin(actor)
    if endpoint.kind != "webhook":
        raise field_error("kind", _l("Only webhook endpoints have a secret."))
    now = utcnow()
    if readable(endpoint.secret_token):
        # The token moves as it is: rotating does not need to read the old secret.
        endpoint.previous_secret_token = endpoint.secret_token
        endpoint.previous_secret_valid_until = now + overlap
    else:
        # SECRETS_KEYS lost the old secret: nothing can be signed with it, so it is not kept. Rotating
        # is how an admin gets the endpoint sending again without the old key.
        endpoint.previous_secret_token = endpoint.previous_secret_valid_until = None
    endpoint.secret = webhook_signing.generate_secret()
    endpoint.updated_at = now
    db.session.flush()
    until = endpoint.previous_secret_valid_until
    record(actor, "endpoint.secret_rotated", "endpoint", endpoint.id, None,
           {"previous_secret_valid_until": until.isoformat() if until else None})
    return endpoint.secret


def secrets_in_use(endpoint, now=None):
    """The webhook secrets to sign with (decrypted: raises SecretUnreadable)."""
    now = now or utcnow()
    found = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_valid_until and endpoint.previous_secret_valid_until > now:
        found.append(endpoint.previous_secret)
    return [s for s in found if s]


def unreadable_secret():
    """The result of a send that needed a stored secret SECRETS_KEYS cannot decrypt. No answer
    (status None): a delivery is retried like after a network error, so it goes out once the key
    is back; the endpoint page and delivery_errors say what to do in the reader's language."""
    return DeliveryResult(status=None, error=f"{SECRET_UNREADABLE}: the endpoint's stored secret cannot be decrypted "
                                             "with SECRETS_KEYS (a key changed without `flask bbt rotate-secrets`?)")


def with_unreadable_secrets(endpoints):
    """The ids of the endpoints with a stored secret SECRETS_KEYS cannot decrypt (for the admin page)."""
    return {e.id for e in endpoints
            if not all(readable(t) for t in (e.secret_token, e.previous_secret_token, e.app_password_token))}


def prepare_test(actor, endpoint):
    """A test event for the endpoint: returns a function that sends it and returns the receiver's
    answer (a DeliveryResult). The function reads nothing from the database, so the caller ends
    its transaction first: no lock is held while a slow receiver answers (SQLite has one writer)."""
    _admin(actor)
    now = utcnow()
    address, refused = connect_address(endpoint.url, private_endpoints_allowed())
    if refused is not None:
        return lambda: refused
    try:
        if endpoint.kind == "webhook":
            adapter = WebhookAdapter(endpoint.url, secrets_in_use(endpoint, now), address=address)
            msg_id = "msg_test_" + uuid.uuid4().hex
            return lambda: adapter.test(msg_id, now)
        return WordPressAdapter(endpoint.url, endpoint.username, endpoint.app_password,
                                category_map=endpoint.category_map, address=address).test
    except SecretUnreadable:
        failed = unreadable_secret()
        return lambda: failed
