"""The signed-webhook adapter (Standard Webhooks 1.0): one POST per event, exact bytes signed.

Only http(s) URLs, 15 s connect+read timeout, redirects are not followed (a 3xx is an
answer like any other, and not a success). The connection goes to the address the caller
checked (address_policy.checked_address, pinned_http.py). Knows nothing about the database:
the relay gives it plain values and turns the DeliveryResult into an outcome.
"""
import json
import threading
import time
from urllib.parse import urlsplit

import requests

from ..domain import webhook_signing
from .delivery_result import DeliveryResult
from .pinned_http import pinned_session

TIMEOUT = 15
EXCERPT = 500
KEPT_SESSIONS = 16  # per thread; beyond, the kept sessions are dropped (and their connections closed)
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


def _session(url, address):
    """A pinned session per thread, host and address: kept-alive connections are reused from one send
    to the next, and a host that now resolves elsewhere gets a new session, never the old connection."""
    sessions = getattr(_local, "sessions", None)
    if sessions is None:
        sessions = _local.sessions = {}
    key = (urlsplit(url).hostname, address)
    session = sessions.get(key)
    if session is None:
        if len(sessions) >= KEPT_SESSIONS:
            for old in sessions.values():
                old.close()
            sessions.clear()
        session = sessions[key] = pinned_session(url, address)
    return session


def _portal_url(response):
    try:
        data = response.json()
    except ValueError:
        return None
    url = data.get("url") if isinstance(data, dict) else None
    return url[:1000] if isinstance(url, str) and check_url(url) else None


class WebhookAdapter:
    def __init__(self, url, secrets, timeout=TIMEOUT, *, address=None):
        """`address`: where to connect, checked by the caller; None only for a URL whose host is an IP."""
        self.url = url
        self.secrets = [s for s in secrets if s]
        self.timeout = timeout
        self.address = address

    def post(self, webhook_id, body: bytes, timestamp=None):
        if not check_url(self.url):
            return DeliveryResult(status=None, error="The URL is not an http(s) URL.")
        timestamp = int(timestamp if timestamp is not None else time.time())
        headers = webhook_signing.headers(self.secrets, webhook_id, timestamp, body)
        started = time.monotonic()
        try:
            response = _session(self.url, self.address).post(self.url, data=body, headers=headers, timeout=self.timeout,
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
