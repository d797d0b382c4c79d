"""Absolute links for emails, from a request or from a background job."""
from flask import current_app, has_request_context, url_for


def _path(endpoint, values):
    if has_request_context():
        return url_for(endpoint, **values)
    # Jobs have no request: build the path from the URL map directly.
    return current_app.url_map.bind("localhost").build(endpoint, values)


def absolute_url(endpoint, **values):
    base = current_app.config.get("EXTERNAL_BASE_URL")
    if base:
        return base.rstrip("/") + _path(endpoint, values)
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    # No request and no configured base: the development address.
    return "http://127.0.0.1:5000" + _path(endpoint, values)
