"""One error handler for the app: JSON in the API's format under /api/, HTML pages elsewhere."""
import logging

from flask import Response, jsonify, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from .errors import ServiceError, retry_after_seconds
from .extensions import db
from .logging_setup import current_request_id
from .permissions import is_api_request
from .validation_messages import translate_details

log = logging.getLogger(__name__)

ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "internal_error",
}


def _messages():
    # Called at response time so the text is in the request's language.
    return {
        400: _("The request is malformed."),
        401: _("Authentication is required."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("Conflict with the current state."),
        413: _("The request is too large."),
        415: _("Unsupported media type: send application/json."),
        422: _("The input breaks a rule."),
        429: _("Too many requests."),
        500: _("An internal error occurred. It has been logged."),
    }


def api_error(status, code, message, details=None):
    response = jsonify({"error": {"code": code, "message": str(message), "details": details or {}}})
    response.status_code = status
    return response


def _with_headers_of(exc, response):
    """The headers werkzeug gives the status, on our own page: `Allow` on a 405 (RFC 9110 requires it;
    schemathesis found it missing), `WWW-Authenticate`, `Retry-After`. Not its Content-Type."""
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _without_params(names):
    """This GET page's URL without the named query parameters (the same filters, from the start), or None:
    built by url_for from the request's endpoint like the pager's "First page" link (_macros.seek_pager)."""
    if not names or request.method != "GET" or request.endpoint is None:
        return None
    kept = {k: v for k, v in request.args.to_dict(flat=False).items() if k not in names}
    return url_for(request.endpoint, **(request.view_args or {}), **kept)


def register_error_handlers(app):
    @app.errorhandler(ServiceError)
    def _service_error(exc):
        db.session.rollback()
        if is_api_request():
            response = api_error(exc.status, exc.code, exc.message, exc.details)
        else:
            status = exc.page_status or exc.status
            response = make_response(
                render_template("errors/error.html", status=status, message=str(exc.message),
                                retry_url=_without_params(exc.page_params_to_drop)), status)
        if retry_after_seconds(exc):
            response.headers["Retry-After"] = str(retry_after_seconds(exc))
        return response

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        db.session.rollback()
        message = _("The form has expired or lacks its security token. Reload the page and try again.")
        if is_api_request():
            return api_error(400, "csrf_failed", message)
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        db.session.rollback()
        status = exc.code or 500
        if isinstance(exc, SecurityError):
            # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page with links.
            return Response(_messages().get(400, exc.description), 400, mimetype="text/plain")
        if is_api_request():
            data = getattr(exc, "data", None) or {}
            details = data.get("messages") or {}
            message = _messages().get(status, exc.description)
            if status in (400, 422) and details:
                # webargs/marshmallow: {"json": {"field": ["msg"]}} -> {"field": ["msg"]}
                if set(details) <= {"json", "query", "form", "files", "headers"} and len(details) == 1:
                    details = next(iter(details.values()))
                # marshmallow/webargs speak English: their messages in the caller's language.
                details = translate_details(details)
                if not isinstance(details, dict):
                    # Malformed JSON comes as a bare list of messages: details are an object everywhere.
                    details = {"body": details}
            if status == 400 and "json" in str(data.get("messages", "")).lower():
                message = _("The body is not valid JSON in UTF-8.")
            return _with_headers_of(exc, api_error(status, ERROR_CODES.get(status, "error"), message, details))
        if status in (401, 403, 404, 500):
            template = f"errors/{status}.html"
        else:
            template = "errors/error.html"
        page = render_template(template, status=status, message=_messages().get(status, exc.description),
                               request_id=current_request_id())
        return _with_headers_of(exc, make_response(page, status))

    @app.errorhandler(Exception)
    def _unexpected(exc):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        log.exception("unhandled error", extra={"request_id": current_request_id()})
        db.session.rollback()
        if is_api_request():
            return api_error(500, "internal_error", _messages()[500])
        return render_template("errors/500.html", status=500, message=_messages()[500],
                               request_id=current_request_id()), 500

