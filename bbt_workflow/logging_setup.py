"""Structured logging: one JSON object per line, with the request id when there is one."""
import json
import logging
import re
import sys
import uuid

from flask import g, has_request_context, request

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            data["request_id"] = getattr(g, "request_id", None)
            data["path"] = request.path
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


# A caller's (a proxy's, a load balancer's) id is kept when it is short and plain; else a new one.
_CALLER_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def current_request_id():
    """The id of the request being served (on its log lines, its X-Request-Id header, the 500 page)."""
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Puts the request id on every record the handler writes (`-` outside a request)."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id() or "-"
        return True


def configure_logging(app):
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if app.config.get("LOG_JSON"):
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"))
    root = logging.getLogger("bbt_workflow")
    root.handlers[:] = [handler]
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    root.propagate = False

    @app.before_request
    def _assign_request_id():
        asked = request.headers.get("X-Request-Id", "")
        g.request_id = asked if _CALLER_ID.fullmatch(asked) else uuid.uuid4().hex

    @app.after_request
    def _log_request(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        logging.getLogger("bbt_workflow.request").info(
            "request", extra={"method": request.method, "status": response.status_code,
                              "request_id": current_request_id()}
        )
        return response
