"""Crawl every GET route of the URL map after a realistic month, as every demo role and anonymously,
in Vietnamese and in English: no page may answer 5xx, and every view declares its rule.

The routes come from `app.url_map`, so a route added later is crawled without editing this file;
its URL arguments are filled from ARGUMENTS (argument name -> real values of the month). A route
with an argument this file cannot fill fails `test_every_route_argument_can_be_filled` by name,
rather than being skipped. Pages fetched as a role are read for same-origin links (tabs, filters,
pages), which are fetched too, up to LINKS_PER_CALLER.
"""
import io
import re
from datetime import timedelta
from urllib.parse import urldefrag, urlsplit

import pytest
from flask import url_for
from sqlalchemy import select

from bbt_workflow import create_app
from bbt_workflow.accounts.models import Membership, Site, Unit, User
from bbt_workflow.auth.services import request_password_reset
from bbt_workflow.db_types import utcnow
from bbt_workflow.demo_data import DEMO_PASSWORDS, load_demo_data
from bbt_workflow.domain.royalty_rules import local_date
from bbt_workflow.extensions import db
from bbt_workflow.publishing import relay, worker
from bbt_workflow.publishing.delivery_result import DeliveryResult
from bbt_workflow.publishing.endpoints import create_endpoint
from bbt_workflow.publishing.models import Delivery
from bbt_workflow.royalties.importing.services import import_items
from bbt_workflow.royalties.grading.services import regrade_submission
from bbt_workflow.royalties.models import AdjustmentType, Genre, Payee, Regulation, RoyaltyLine
from bbt_workflow.royalties.sheets.background import enqueue_sheet
from bbt_workflow.royalties.sheets.transitions import create_sheet, transition_sheet
from bbt_workflow.royalties.rules.views import KINDS
from bbt_workflow.submissions import services as workflow
from bbt_workflow.submissions.attachments import add_attachment
from bbt_workflow.submissions.models import Submission
from config import TestConfig
from tests.conftest import api_token, bearer, login
from tests.functional.test_uploads import png_bytes

CALLERS = ("anonymous",) + tuple(DEMO_PASSWORDS)
LINKS_PER_CALLER = 60
HREF_RE = re.compile(r'href="([^"]+)"')
# Arguments filled from the month (see `month`); per-endpoint meanings where a name is reused.
KNOWN_ARGUMENTS = {"site", "submission_id", "attachment_id", "number", "sheet_id", "fmt", "payee_id",
                   "unit_id", "user_id", "kind", "row_id", "genre_id", "adjustment_id", "regulation_id",
                   "token", "filename", "key", "membership_id", "code", "category_id", "year", "endpoint_id",
                   "delivery_id", "task_id"}
STATIC_FILES = ("css/app.css", "js/editor.js", "js/grading.js", "favicon.ico")


def _app():
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    return create_app(Cfg)


def _get_rules(app):
    return [r for r in app.url_map.iter_rules() if "GET" in r.methods]


def test_every_view_declares_its_rule():
    """Every view function, page, API, feed, static and the OpenAPI document, says who may call it."""
    app = _app()
    missing = sorted(f"{r.endpoint} ({r.rule})" for r in app.url_map.iter_rules()
                     if getattr(app.view_functions[r.endpoint], "bbt_rule", None) is None)
    assert missing == [], "declare a rule with @requires (bbt_workflow/permissions.py) for: " + ", ".join(missing)


def test_every_route_argument_can_be_filled():
    """A new route with an argument the crawl cannot fill fails here, by name: teach ARGUMENTS about it."""
    app = _app()
    unknown = sorted(f"{r.endpoint} ({r.rule}): <{arg}>" for r in _get_rules(app)
                     for arg in r.arguments if arg not in KNOWN_ARGUMENTS)
    assert unknown == [], "the crawl does not know how to fill: " + "; ".join(unknown)


# --- the month -------------------------------------------------------------------

def _user(username):
    return db.session.scalar(select(User).where(User.username == username))


def _grading(username, genre="tin_anh", coefficient="1.5"):
    return {"parts": [{"genre": genre, "coefficient": coefficient, "factors": [],
                       "payees": [{"username": username, "share": "100"}]}]}


def _relay_with(monkeypatch, answer):
    """One relay pass where the portal answers `answer(job)` (no network)."""
    monkeypatch.setattr(relay, "send_all", lambda jobs: [answer(job) for job in jobs])
    return worker.relay_due_deliveries()


@pytest.fixture
def month(app, monkeypatch):
    """The demo installation after a month of use, made through the services."""
    load_demo_data()
    db.session.commit()
    portal = db.session.scalar(select(Site).where(Site.code == "binhphuoc"))
    admin, ctv, bientap, lanhdao, ketoan = (_user(u) for u in ("admin", "ctv", "bientap", "lanhdao", "ketoan"))

    # A portal endpoint; a photo item delivered to it, and a notice it refuses (dead).
    endpoint, _secret = create_endpoint(None, portal, name="Cổng TTĐT tỉnh", kind="webhook",
                                        url="http://127.0.0.1:9/hook")
    db.session.commit()
    photo = workflow.create_submission(ctv, portal, {"content_type": "anh", "category": "tin-tuc-su-kien",
                                                     "title": "Ảnh: Thác Mơ mùa nước nổi"})
    attachment = add_attachment(ctv, photo, io.BytesIO(png_bytes()), "thac-mo.png")
    notice = workflow.create_submission(ctv, portal, {"content_type": "thong_bao", "category": "thong-bao",
                                                      "title": "Thông báo nghỉ lễ", "body_html": "<p>Nghỉ lễ.</p>"})
    for sub in (photo, notice):
        for actor, action, kw in ((ctv, "submit", {}), (bientap, "claim", {}),
                                  (bientap, "forward", {"grading": _grading("ctv", "anh_dong_bang", "1.2")}),
                                  (lanhdao, "approve", {})):
            workflow.transition_submission(actor, sub, action, sub.version, **kw)
    db.session.commit()
    photo_id, notice_id = photo.id, notice.id

    def portal_answers(job):
        row = db.session.get(Delivery, job.delivery_id)
        if row.submission_id == photo_id:
            return DeliveryResult(status=200, portal_url="https://binhphuoc.gov.vn/anh/thac-mo", duration_ms=40)
        return DeliveryResult(status=400, error="HTTP 400 Bad Request", duration_ms=20)

    _relay_with(monkeypatch, portal_answers)
    db.session.commit()
    assert db.session.get(Submission, photo_id).state == "published"
    assert {d.state for d in db.session.scalars(select(Delivery))} >= {"delivered", "dead"}

    # Royalties: two months ago imported and paid; one of its items regraded after payment, so last
    # month's sheet carries an adjustment line.
    today = local_date(utcnow())
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    two_months_ago = (last_month - timedelta(days=1)).replace(day=1)
    published = f"{two_months_ago + timedelta(days=9)}T09:00:00+07:00"
    import_items(admin, portal, [
        {"external_id": "crawl-1", "content_type": "bai", "category": "chuyen-doi-so", "unit": "so-tttt",
         "title": "Bài cũ đã trả nhuận bút", "author_username": "ctv", "published_at": published,
         "grading": _grading("ctv", "tin_tong_hop", "1.8")},
        {"external_id": "crawl-2", "content_type": "tin", "category": "van-ban", "unit": "vp-ubnd",
         "title": "Tin cũ gỡ sau khi trả", "author_username": "ctv", "published_at": published,
         "grading": _grading("ctv")}])
    old = create_sheet(ketoan, portal, f"{two_months_ago:%Y-%m}")
    db.session.commit()
    for actor, action in ((ketoan, "check"), (lanhdao, "approve"), (ketoan, "pay")):
        transition_sheet(actor, old, action, old.version)
        db.session.commit()
    regraded = db.session.scalar(select(Submission).where(Submission.external_id == "crawl-1"))
    regrade_submission(lanhdao, regraded, regraded.version, _grading("ctv", "tin_tong_hop", "2.2"))
    taken_down = db.session.scalar(select(Submission).where(Submission.external_id == "crawl-2"))
    workflow.transition_submission(lanhdao, taken_down, "unpublish", taken_down.version, comment="Sai số liệu.")
    db.session.commit()
    new = create_sheet(ketoan, portal, f"{last_month:%Y-%m}")
    # And this month's draft (the items published this month): the current year always has royalties.
    current = create_sheet(ketoan, portal, f"{today:%Y-%m}")
    db.session.commit()
    assert current.gross > 0
    assert old.state == "paid" and new.gross > 0
    assert db.session.scalar(select(RoyaltyLine.id).where(RoyaltyLine.sheet_id == new.id,
                                                         RoyaltyLine.kind == "adjustment").limit(1))

    task = enqueue_sheet(ketoan, portal, f"{(two_months_ago - timedelta(days=62)):%Y-%m}")
    db.session.commit()

    # A password reset link, as the email carries it.
    raw = []
    request_password_reset("ctv@demo-bbt.vn", reset_url_for=lambda token: raw.append(token) or token)
    db.session.commit()

    regulation = db.session.scalar(select(Regulation).order_by(Regulation.id))
    ids = {
        "site": [c for c in db.session.scalars(select(Site.code).order_by(Site.id))],
        # One item of every state (and the photo): each role sees some and is refused others.
        "submission_id": sorted({db.session.scalar(select(Submission.id).where(Submission.state == s).limit(1))
                                 for s in db.session.scalars(select(Submission.state).distinct())} | {photo_id}),
        "number": ["1", "2"],
        "sheet_id": [old.id, new.id, current.id],
        "fmt": ["xlsx", "csv", "pdf"],
        "payee_id": list(db.session.scalars(select(Payee.id).order_by(Payee.id))),
        "unit_id": [db.session.scalar(select(Unit.id).order_by(Unit.id))],
        "user_id": [ctv.id, admin.id],
        "kind": sorted(KINDS),
        "genre_id": [db.session.scalar(select(Genre.id).order_by(Genre.id))],
        "adjustment_id": [db.session.scalar(select(AdjustmentType.id).order_by(AdjustmentType.id))],
        "regulation_id": [regulation.id],
        "token": [raw[0], "not-a-token"],
        "filename": list(STATIC_FILES),
        "membership_id": [db.session.scalar(select(Membership.id).order_by(Membership.id))],
        "code": ["chuyen-doi-so"],
        "category_id": [1],
        "year": [str(today.year), str(last_month.year)],
        "endpoint_id": [endpoint.id],
        "delivery_id": list(db.session.scalars(select(Delivery.id).order_by(Delivery.id))),
        # A queued sheet computation of the accountant's (the runner is not running in the crawl).
        "task_id": [task.id],
    }
    # Arguments that only make sense together: the attachment of its item, with its media key.
    linked = {"attachment_id": {"attachment_id": attachment.id, "submission_id": photo_id,
                                "key": attachment.sha256[:16]}}
    # A name reused with another meaning on one endpoint.
    per_endpoint = {"royalty_admin.regulation": {"row_id": [regulation.id]},
                    # The reports pages take a site code or "all" (every site).
                    "reports_web.dashboard": {"site": ids["site"] + ["all"]},
                    "reports_web.export": {"site": ids["site"] + ["all"], "fmt": ["xlsx", "docx", "csv"]}}
    row_ids = {kind: db.session.scalar(select(k.model.id).order_by(k.model.id)) for kind, k in KINDS.items()}
    return {"ids": ids, "linked": linked, "per_endpoint": per_endpoint, "row_ids": row_ids}


def _urls(app, month):
    """Every GET route with every combination of real values (bounded by the short value lists)."""
    urls = []
    for rule in _get_rules(app):
        args = sorted(rule.arguments)
        fixed = {}
        for name, link in month["linked"].items():
            if name in args:
                fixed.update({k: v for k, v in link.items() if k in args})
        choices = [{}]
        for arg in args:
            if arg in fixed:
                values = [fixed[arg]]
            elif arg in month["per_endpoint"].get(rule.endpoint, {}):
                values = month["per_endpoint"][rule.endpoint][arg]
            elif arg == "row_id":
                values = [None]  # filled from the kind below
            else:
                assert arg in month["ids"], f"{rule.endpoint} ({rule.rule}): no value for <{arg}>"
                values = month["ids"][arg]
            choices = [dict(c, **{arg: v}) for c in choices for v in values]
        for values in choices:
            if values.get("row_id", 0) is None:
                values["row_id"] = month["row_ids"][values["kind"]]
            with app.test_request_context():
                urls.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return urls


def _same_origin_links(html):
    for href in HREF_RE.findall(html):
        href = urldefrag(href.replace("&amp;", "&"))[0]
        parts = urlsplit(href)
        if href.startswith("/") and not href.startswith("//") and not parts.netloc \
                and not parts.path.startswith(("/static/", "/logout")):
            yield href


def _crawl(app, caller, urls, failures, *, lang=None, accept=None, follow=False):
    client = app.test_client()
    token = None
    if caller != "anonymous":
        assert login(client, caller, DEMO_PASSWORDS[caller]).status_code == 302, caller
        token = api_token(app.test_client(), caller, DEMO_PASSWORDS[caller])
    seen = set()
    queue = [url for _endpoint, url in urls]
    followed = 0
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        headers = {}
        if accept:
            headers["Accept-Language"] = accept
        if url.startswith("/api/") and token:
            headers.update(bearer(token))
        asked = url if not lang else url + ("&" if "?" in url else "?") + f"lang={lang}"
        response = client.get(asked, headers=headers)
        if response.status_code >= 500:
            failures.append(f"{caller} {lang or accept or 'vi'} GET {asked} -> {response.status_code}")
        if follow and response.mimetype == "text/html" and response.status_code == 200:
            for link in _same_origin_links(response.get_data(as_text=True)):
                if link not in seen and followed < LINKS_PER_CALLER:
                    followed += 1
                    queue.append(link)
    return len(seen)


def test_crawl_every_get_route_as_every_role(app, month):
    urls = _urls(app, month)
    endpoints = {endpoint for endpoint, _url in urls}
    assert endpoints == {r.endpoint for r in _get_rules(app)}, "every GET route is crawled"
    failures = []
    fetched = 0
    for caller in CALLERS:
        fetched += _crawl(app, caller, urls, failures, follow=True)
        fetched += _crawl(app, caller, urls, failures, lang="en")
    # English asked by the browser rather than ?lang=: a pass over the pages as the busiest roles.
    for caller in ("anonymous", "admin", "ketoan"):
        fetched += _crawl(app, caller, urls, failures, accept="en-US,en;q=0.9")
    assert fetched > 8 * len(urls)
    assert failures == [], "server errors:\n" + "\n".join(failures)
