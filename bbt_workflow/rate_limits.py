"""Request rate limits (issue 16, finding 7), with Flask-Limiter.

A shield in front of the login throttle (auth/services.py, which counts failures per account and per
address in the database): whatever the outcome, an address may only try so often. Limits are settings
read at each request (config.py, RATELIMIT_*); storage is memory by default (one count per process)
and Redis at scale (RATELIMIT_STORAGE_URI=redis://...). A refused request never reaches the view, so
it is not recorded as a login failure either. 429 answers carry Retry-After; web_errors.py renders
them (the caller's language on pages, the API's error shape under /api/).
"""
import hashlib

from flask import current_app, request
from flask_limiter.util import get_remote_address

from .extensions import limiter


def _setting(name):
    return lambda: current_app.config[name]


def api_caller_key():
    """The API counts per bearer token (many callers share an office's address), else per address."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    return "address:" + get_remote_address()


# Only the POSTs are attempts: showing the form is free.
login_limit = limiter.limit(_setting("RATELIMIT_LOGIN"), methods=["POST"])
password_reset_limit = limiter.limit(_setting("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
token_limit = limiter.limit(_setting("RATELIMIT_TOKENS"), methods=["POST"])


def limit_api(blueprint):
    """Every API route: RATELIMIT_API per caller."""
    limiter.limit(_setting("RATELIMIT_API"), key_func=api_caller_key)(blueprint)


def init_app(app):
    limiter.init_app(app)
