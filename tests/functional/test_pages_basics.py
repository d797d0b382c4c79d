"""What every page has: a favicon, a request id to quote on a server error; the published item's page."""
import logging
import re
from datetime import datetime, time, timedelta

from sqlalchemy import select

from bbt_workflow.accounts.models import User
from bbt_workflow.domain.royalty_rules import VIETNAM
from bbt_workflow.extensions import db
from bbt_workflow.permissions import requires
from bbt_workflow.royalties.importing.services import import_items
from bbt_workflow.submissions.models import Submission
from tests.conftest import login


def test_server_error_page_shows_the_logged_request_id(app, client, caplog):
    @requires("public")
    def boom():
        raise RuntimeError("kaputt")

    app.add_url_rule("/boom-for-test", "boom_for_test", boom)
    with caplog.at_level(logging.INFO, logger="bbt_workflow"):
        response = client.get("/boom-for-test")
    assert response.status_code == 500
    request_id = response.headers.get("X-Request-Id")
    assert request_id and re.fullmatch(r"[0-9a-f]{32}", request_id)
    body = response.get_data(as_text=True)
    assert request_id in body and "Mã yêu cầu" in body
    # The same id is on the log lines of that request (the error and the request line).
    ids = {getattr(r, "request_id", None) for r in caplog.records if r.name.startswith("bbt_workflow")}
    assert request_id in ids
    english = client.get("/boom-for-test?lang=en").get_data(as_text=True)
    assert "Request id" in english


def test_a_caller_given_request_id_is_kept_only_when_harmless(app, client):
    assert client.get("/healthz", headers={"X-Request-Id": "lb-1234.abc"}).headers["X-Request-Id"] == "lb-1234.abc"
    odd = client.get("/healthz", headers={"X-Request-Id": "<script>x</script>"}).headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", odd)


def test_favicon_is_served_and_linked(app, client, make):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype in ("image/x-icon", "image/vnd.microsoft.icon")
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert match and client.get(match.group(1)).status_code == 200


def test_published_item_says_when_and_where(app, client, make):
    site = make.site("tinh", kind="portal")
    make.user("quantri", is_admin=True)
    admin = db.session.scalar(select(User).where(User.username == "quantri"))
    published = datetime.combine((datetime.now(VIETNAM) - timedelta(days=3)).date(), time(21, 5), VIETNAM)
    import_items(admin, site, [{
        "external_id": "p1", "content_type": "tin", "category": "van-ban", "title": "Tin đã đăng",
        "author_username": "quantri", "published_at": published.isoformat(), "royalty_settled": True,
        "portal_url": "https://binhphuoc.gov.vn/tin/p1"}])
    db.session.commit()
    sub = db.session.scalar(select(Submission))
    login(client, "quantri")
    page = client.get(f"/submissions/{sub.id}").get_data(as_text=True)
    # Local time (UTC+7), Vietnamese format: 21:05 stays 21:05, not 14:05 UTC.
    assert f"{published:%d/%m/%Y} 21:05" in page
    assert "Đã đăng lúc" in page
    assert 'href="https://binhphuoc.gov.vn/tin/p1"' in page
