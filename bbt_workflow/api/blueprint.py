from flask import abort, request
from flask_login import current_user
from flask_smorest import Blueprint

from ..auth.login_setup import load_bearer_user
from ..extensions import csrf
from ..rate_limits import limit_api

blp = Blueprint("api_v1", __name__, url_prefix="/api/v1", description="BBT Workflow API v1")

limit_api(blp)

BEARER = [{"bearerAuth": []}]

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# Endpoints that take multipart uploads instead of JSON.
MULTIPART_ENDPOINTS = {"api_v1.upload_attachment"}


@blp.before_request
def _authenticate_and_guard():
    user = load_bearer_user()  # raises TokenRejected (401) for a bad token
    # Anonymous callers learn only that they must authenticate (the route's rule says 401).
    may_send_body = current_user.is_authenticated or request.endpoint == "api_v1.create_token"
    # A request without a body (no Content-Length, or 0, and not chunked) needs no Content-Type: actions
    # such as .../rotate or .../retry take none (schemathesis: a bodiless POST answered 415).
    has_body = bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if may_send_body and request.method in {"POST", "PUT", "PATCH"} and has_body:
        expected = "multipart/form-data" if request.endpoint in MULTIPART_ENDPOINTS else "application/json"
        if request.mimetype != expected:
            abort(415)
    if user is None and request.method in UNSAFE_METHODS and current_user.is_authenticated:
        # Cookie-authenticated calls (from our own pages) need the CSRF token.
        csrf.protect()
