"""The signed-webhook adapter (Standard Webhooks 1.0): one POST per event, exact bytes signed.

Only http(s) URLs, 15 s connect+read timeout, redirects are not followed (a 3xx is an
answer like any other, and not a success). Knows nothing about the database: the relay
gives it plain values and turns the DeliveryResult into an outcome.
"""
import json
import threading
import time
from urllib.parse import urlsplit

import requests

from ..domain import webhook_signing
from .delivery_result import DeliveryResult

TIMEOUT = 15
EXCERPT = 500
_local = threading.local()


def check_url(url):
    """True for an absolute http(s) URL with a host, a valid port and no spaces or control characters."""
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError when out of range)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _session():
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
        session.trust_env = False  # no proxies or .netrc credentials picked up from the environment
    return session


def _portal_url(response):
    try:
        data = response.json()
    except ValueError:
        return None
    url = data.get("url") if isinstance(data, dict) else None
    return url[:1000] if isinstance(url, str) and check_url(url) else None


class WebhookAdapter:
    def __init__(self, url, secrets, timeout=TIMEOUT):
        self.url = url
        self.secrets = [s for s in secrets if s]
        self.timeout = timeout

    def post(self, webhook_id, body: bytes, timestamp=None):
        if not check_url(self.url):
            return DeliveryResult(status=None, error="The URL is not an http(s) URL.")
        timestamp = int(timestamp if timestamp is not None else time.time())
        headers = webhook_signing.headers(self.secrets, webhook_id, timestamp, body)
        started = time.monotonic()
        try:
            response = _session().post(self.url, data=body, headers=headers, timeout=self.timeout,
                                       allow_redirects=False)
        except requests.Timeout:
            return DeliveryResult(status=None, error="Timed out", duration_ms=_ms(started))
        except requests.RequestException as exc:
            return DeliveryResult(status=None, error=f"{type(exc).__name__}: {exc}"[:500], duration_ms=_ms(started))
        excerpt = response.text[:EXCERPT] if response.content else ""
        ok = 200 <= response.status_code <= 299
        return DeliveryResult(
            status=response.status_code,
            error=None if ok else f"HTTP {response.status_code} {response.reason or ''}".strip(),
            portal_url=_portal_url(response) if ok else None,
            retry_after=response.headers.get("Retry-After"),
            duration_ms=_ms(started),
            response_excerpt=excerpt,
        )

    def deliver(self, *, webhook_id, body, **_ignored):
        return self.post(webhook_id, body)

    def test(self, webhook_id, now):
        body = json.dumps({"type": "endpoint.test", "timestamp": now.isoformat(),
                           "data": {"message": "BBT Workflow test event"}}, separators=(",", ":")).encode()
        return self.post(webhook_id, body)


def _ms(started):
    return int((time.monotonic() - started) * 1000)
