"""Security headers on every response (issue 16, finding 4), set in one place.

The Content-Security-Policy allows no inline script and no inline style: the templates keep their
JavaScript in static/js and their styling in static/ CSS (Quill 2 and flatpickr set styles through
the CSSOM, which style-src does not govern). Images come from this app (attachments), data: URLs
(Bootstrap's icons in its CSS) and the IMAGE_HOSTS allow-list, which the body sanitizer enforces too.
"""
from flask import request

# Pages and files with tax codes, bank accounts or money: never kept in a browser or proxy cache.
_NO_STORE_SEGMENTS = frozenset({"royalties", "royalty", "payees"})


def content_security_policy(image_hosts):
    img_src = " ".join(["'self'", "data:"] + [f"https://{host}" for host in image_hosts])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {img_src}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
        "object-src 'none'"
    )


def _holds_personal_money_data(path):
    return bool(_NO_STORE_SEGMENTS.intersection(segment.split(".")[0] for segment in path.split("/")))


def init_app(app):
    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy(app.config["IMAGE_HOSTS"]))
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("HSTS_SECONDS"):
            headers.setdefault("Strict-Transport-Security", f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains")
        if _holds_personal_money_data(request.path):
            # The same value as the downloads (downloads.py): never stored, by no cache at all.
            headers["Cache-Control"] = "private, no-store"
        return response
