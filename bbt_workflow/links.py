"""Absolute links for emails, from a request or from a background job.

A link never comes from an unchecked Host header (a forged Host would otherwise put an
attacker's address in a password-reset mail): EXTERNAL_BASE_URL when set; the request's host
only when TRUSTED_HOSTS is set (Flask refuses other hosts with 400); else the development address.
"""
from flask import current_app, has_request_context, url_for

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def _path(endpoint, values):
    if has_request_context():
        return url_for(endpoint, **values)
    # Jobs have no request: build the path from the URL map directly.
    return current_app.url_map.bind("localhost").build(endpoint, values)


def absolute_url(endpoint, **values):
    base = current_app.config.get("EXTERNAL_BASE_URL")
    if base:
        return base.rstrip("/") + _path(endpoint, values)
    if has_request_context() and current_app.config.get("TRUSTED_HOSTS"):
        return url_for(endpoint, _external=True, **values)
    # No configured base: the development address (production refuses to start so: config.py).
    return DEVELOPMENT_BASE_URL + _path(endpoint, values)
