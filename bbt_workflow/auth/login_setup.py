"""Flask-Login wiring: session users and bearer-token users."""
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from ..accounts.models import User, with_roles
from ..extensions import db, login_manager
from ..permissions import is_api_request
from .services import user_for_token


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id):
        try:
            uid, stamp = user_id.split(":", 1)
            user = db.session.get(User, int(uid), options=with_roles())
        except (ValueError, TypeError):
            return None
        if user is None or not user.active or user.get_id() != f"{uid}:{stamp}":
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        if is_api_request():
            abort(401)
        flash(login_manager.login_message, "warning")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def bearer_token():
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def load_bearer_user():
    """For API requests with a bearer token: the token's user, ignoring any session.

    Returns None when there is no bearer header; raises TokenRejected for a bad one.
    """
    raw = bearer_token()
    if raw is None:
        return None
    user = user_for_token(raw)
    # Flask-Login keeps the request's user here; setting it makes current_user the token's user.
    g._login_user = user
    return user


