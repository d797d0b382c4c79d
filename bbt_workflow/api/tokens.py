from flask import request

from ..auth import services as auth_services
from ..auth.current import current_actor
from ..auth.login_setup import bearer_token
from ..errors import ServiceError
from ..extensions import db
from ..permissions import requires
from ..rate_limits import token_limit
from .blueprint import BEARER, blp
from .schemas import ErrorSchema, MeSchema, TokenRequestSchema, TokenSchema


@blp.route("/tokens", methods=["POST"])
@requires("public")
@token_limit
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Wrong username or password")
@blp.alt_response(429, schema=ErrorSchema, description="Too many failed attempts")
def create_token(data):
    """Exchange a username and password for a bearer token."""
    try:
        user = auth_services.authenticate(data["username"], data["password"], request.remote_addr or "unknown")
    except ServiceError:
        db.session.commit()  # keep the recorded attempt and lockout counters
        raise
    raw, token = auth_services.issue_api_token(user)
    db.session.commit()
    return {"token": raw, "expires_at": token.expires_at}


@blp.route("/tokens/current", methods=["DELETE"])
@requires("authenticated")
@blp.response(204)
@blp.doc(security=BEARER)
def revoke_current_token():
    """Revoke the bearer token this request carries."""
    raw = bearer_token()
    if raw:
        auth_services.revoke_api_token(raw)
        db.session.commit()
    return None


@blp.route("/me", methods=["GET"])
@requires("authenticated")
@blp.response(200, MeSchema)
@blp.doc(security=BEARER)
def me():
    """The caller, with their memberships."""
    return current_actor()


