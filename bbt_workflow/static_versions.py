"""Static files addressed by their content, kept by browsers for a year.

Flask serves static files with no cache lifetime by default, so every page made the browser revalidate
its ten stylesheets and scripts (~100 ms a page here, more on a provincial office's line). Instead
`url_for("static", filename=...)` adds `?v=<digest of the file's bytes>`, and a request carrying the
file's current digest is answered with a year's lifetime, marked immutable: a changed file gets a new
URL, so nobody keeps an old script. A request without `v`, or with a stale one, keeps Flask's default
(revalidate), so a page cached before a deployment still gets the current file.
"""
import hashlib
import os

from flask import request

YEAR_SECONDS = 365 * 24 * 3600
_DIGEST_LENGTH = 12

# filename -> (mtime_ns, size, digest): hashed once per file version, stat'ed on each url_for.
_digests = {}


def digest(static_folder, filename):
    """The short content digest of a static file, or None when there is no such file."""
    path = os.path.join(static_folder, filename)
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    key = (static_folder, filename)
    cached = _digests.get(key)
    if cached and cached[:2] == (stat.st_mtime_ns, stat.st_size):
        return cached[2]
    with open(path, "rb") as handle:
        value = hashlib.sha256(handle.read()).hexdigest()[:_DIGEST_LENGTH]
    _digests[key] = (stat.st_mtime_ns, stat.st_size, value)
    return value


def init_app(app):
    @app.url_defaults
    def add_static_version(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = digest(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def cache_versioned_static(response):
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        filename = (request.view_args or {}).get("filename")
        version = request.args.get("v")
        if version and filename and version == digest(app.static_folder, filename):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR_SECONDS
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
