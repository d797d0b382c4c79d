"""Shared helpers for the publishing tests: people on a site, items taken to `approved`,
portal endpoints, and a real HTTP receiver that verifies Standard Webhooks signatures."""
import io
import json
import threading
from collections import defaultdict
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from bbt_workflow.extensions import db
from bbt_workflow.submissions import services


def grading_for(user):
    """The grading shape of API.md, sent with every forward/approve."""
    return {"parts": [{"genre": "tin_anh", "coefficient": "1.5", "factors": [],
                       "payees": [{"username": user.username, "share": "100"}]}]}


class People:
    def __init__(self, make, site_code="tinh", approval_levels=2):
        self.site = make.site(site_code, kind="portal", approval_levels=approval_levels)
        self.author = make.user(f"ctv_{site_code}", roles={self.site: ["contributor"]})
        self.editor = make.user(f"bientap_{site_code}", roles={self.site: ["editor"]})
        self.approver = make.user(f"lanhdao_{site_code}", roles={self.site: ["approver"]})
        self.admin = make.user(f"admin_{site_code}", is_admin=True)


def create_submitted(people, *, content_type="tin", title="Tin thử", image=False, body="<p>Nội dung</p>",
                     summary="Tóm tắt"):
    """create → (attach) → submit → claim, committed; returns the item in review."""
    from tests.functional.test_uploads import png_bytes

    site = people.site
    sub = services.create_submission(people.author, site, {
        "content_type": content_type, "title": title, "category": site.categories[0].code,
        "summary": summary, "body_html": body})
    db.session.commit()
    if image or content_type in ("anh", "video", "infographic", "banner"):
        from bbt_workflow.submissions.attachments import add_attachment

        add_attachment(people.author, sub, io.BytesIO(png_bytes()), "anh.png")
        db.session.commit()
    services.transition_submission(people.author, sub, "submit", sub.version)
    db.session.commit()
    services.transition_submission(people.editor, sub, "claim", sub.version)
    db.session.commit()
    return sub


def approve(people, sub, publish_at=None):
    """forward (two-level sites) and approve, with a grading; committed."""
    grading = grading_for(people.author)
    if people.site.approval_levels == 2 and sub.state == "in_review":
        services.transition_submission(people.editor, sub, "forward", sub.version, grading=grading)
        db.session.commit()
    services.transition_submission(people.approver, sub, "approve", sub.version, grading=grading,
                                   publish_at=publish_at)
    db.session.commit()
    return sub


def create_approved(people, publish_at=None, **kw):
    """create → submit → claim → approve (the shared path of the publishing tests)."""
    return approve(people, create_submitted(people, **kw), publish_at=publish_at)


def add_endpoint(site, url, *, name="Cổng", kind="webhook", **kw):
    from bbt_workflow.publishing.endpoints import create_endpoint

    endpoint, secret = create_endpoint(None, site, name=name, kind=kind, url=url, **kw)
    db.session.commit()
    return endpoint, secret


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


# --- a real receiver ------------------------------------------------------------

class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # socketserver's default backlog of 5 drops parallel connects (1 s SYN retry)
    daemon_threads = True


class Receiver:
    """A webhook receiver on 127.0.0.1 in a thread.

    It verifies each request with the `standardwebhooks` package (not our code), keeps the
    first copy of each webhook-id (later copies are duplicates, answered 200 and counted),
    and answers what it is told: a fixed status for the next n requests, then 200.
    """

    def __init__(self, secret=None):
        self.secret = secret
        self.lock = threading.Lock()
        self.accepted = []  # (webhook_id, envelope) in arrival order, first copies only
        self.duplicates = defaultdict(int)
        self.requests = 0
        self.hosts = []  # the Host header of each request
        self.bad_signatures = 0
        self.plan = []  # statuses to answer next, then 200
        self.headers_extra = {}
        self.delay = 0.0  # seconds spent on each request (widens the window for overlap checks)
        self.in_flight = set()
        self.overlaps = 0  # the same webhook-id being received twice at the same time
        self.on_request = None  # called (no arguments) while each request is being received
        self.portal_base = "https://cong.example.vn/bai/"
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, status, times, **headers):
        with self.lock:
            self.plan.extend([status] * times)
            self.headers_extra = headers

    def documents(self):
        return [env["data"] for _, env in self.accepted]

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            # Headers and body go out in separate writes: without this, Nagle's algorithm and the
            # client's delayed ACK add ~40 ms to every answer.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_POST(self):
                msg_id = self.headers.get("webhook-id")
                with receiver.lock:
                    if msg_id in receiver.in_flight:
                        receiver.overlaps += 1
                    receiver.in_flight.add(msg_id)
                try:
                    if receiver.on_request:
                        receiver.on_request()
                    if receiver.delay:
                        import time

                        time.sleep(receiver.delay)
                    return self._receive()
                finally:
                    with receiver.lock:
                        receiver.in_flight.discard(msg_id)

            def _receive(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.requests += 1
                    receiver.hosts.append(self.headers.get("Host"))
                    status = receiver.plan.pop(0) if receiver.plan else 200
                    extra = dict(receiver.headers_extra) if status != 200 else {}
                if status != 200:
                    return self._answer(status, {"error": "told to fail"}, extra)
                try:
                    envelope = Webhook(receiver.secret).verify(body, {
                        "webhook-id": self.headers.get("webhook-id"),
                        "webhook-timestamp": self.headers.get("webhook-timestamp"),
                        "webhook-signature": self.headers.get("webhook-signature")})
                except WebhookVerificationError:
                    with receiver.lock:
                        receiver.bad_signatures += 1
                    return self._answer(401, {"error": "bad signature"})
                msg_id = self.headers["webhook-id"]
                with receiver.lock:
                    if any(m == msg_id for m, _ in receiver.accepted):
                        receiver.duplicates[msg_id] += 1
                    else:
                        receiver.accepted.append((msg_id, envelope))
                uri = envelope.get("data", {}).get("uri", "")
                return self._answer(200, {"url": receiver.portal_base + uri.rsplit(":", 1)[-1]})

            def _answer(self, status, payload, headers=None):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler
