"""The WordPress adapter against a real WordPress (Debian's package, `php -S`, MariaDB).

Every outcome is checked by reading the posts back through WordPress's own REST API
(authenticated, context=edit, so drafts and scheduled posts are visible too). Without the
packages or MariaDB these tests are skipped by the `wordpress_site` fixture, which says what is
missing. The first tests need no WordPress: the mapping from ninjs to post fields.
"""
import io
import json
import secrets
import socket
from datetime import datetime, timedelta, timezone

import jsonschema
import pytest
import requests
from PIL import Image

from bbt_workflow.publishing.delivery_result import DeliveryResult
from bbt_workflow.publishing.media import MediaFile
from bbt_workflow.publishing.wordpress import (WordPressAdapter, item_marker, map_categories, media_slug,
                                               post_payload, upload_filename)
from tests.wordpress_site import wordpress_site  # noqa: F401  (the session fixture)
from tests.shared_data import NINJS_SCHEMA

SCHEMA = json.loads(NINJS_SCHEMA.read_text())
VIETNAM = timezone(timedelta(hours=7))


def ninjs(*, item_id=None, version=1, title="Khánh thành cầu Cửa Việt mới", body="<p>Sáng nay, tỉnh đã khánh thành.</p>",
          summary="Cây cầu nối hai bờ sông Thạch Hãn.", category="thoi-su", image_id=None, embargoed_until=None,
          canceled=False, site="qt"):
    """A small ninjs 3.1 document like the outbox sends (PUBLISHING.md), valid against the schema."""
    item_id = item_id or secrets.randbelow(10**9)
    doc = {
        "uri": f"urn:bbt:{site}:submission:{item_id}",
        "standard": {"name": "ninjs", "version": "3.1", "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"},
        "type": "text", "version": str(version),
        "firstCreated": "2026-11-20T08:00:00+07:00", "versionCreated": f"2026-11-2{version}T09:30:00+07:00",
        "pubStatus": "canceled" if canceled else "usable", "language": "vi",
        "headlines": [{"role": "main", "value": title}],
        "descriptions": [{"role": "summary", "contentType": "text/plain", "value": summary}],
        "bodies": [{"role": "main", "contentType": "text/html", "value": body}],
        "by": "Nguyễn Văn A",
    }
    if category:
        doc["subjects"] = [{"name": "Thời sự", "uri": f"urn:bbt:{site}:category:{category}"}]
    if image_id:
        doc["associations"] = [{"name": "featureimage", "uri": f"urn:bbt:{site}:media:{image_id}", "type": "picture",
                                "headlines": [{"role": "main", "value": "Cầu Cửa Việt"}],
                                "renditions": [{"name": "original", "href": f"https://bbt.example.vn/media/{image_id}",
                                                "contentType": "image/png", "width": 64, "height": 48}]}]
    if embargoed_until:
        doc["embargoedUntil"] = embargoed_until.astimezone(VIETNAM).replace(microsecond=0).isoformat()
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)
    return doc


def png_bytes(color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------- mapping, no WordPress needed

def test_payload_maps_headline_summary_body_and_categories():
    doc = ninjs(item_id=7, category="thoi-su")
    payload = post_payload(doc, {"thoi-su": "5", "kinh-te": 9})
    assert payload["title"] == "Khánh thành cầu Cửa Việt mới"
    assert payload["excerpt"] == "Cây cầu nối hai bờ sông Thạch Hãn."
    assert payload["content"].startswith("<p>Sáng nay, tỉnh đã khánh thành.</p>")
    assert payload["content"].endswith(item_marker("urn:bbt:qt:submission:7"))
    assert payload["status"] == "publish" and "date_gmt" not in payload
    assert payload["categories"] == [5]


def test_categories_by_uri_literal_or_code_and_unknown_ones_left_out():
    subjects = [{"uri": "urn:bbt:qt:category:kinh-te"}, {"literal": "van-hoa"}, {"uri": "urn:bbt:qt:category:khac"},
                {"uri": "urn:bbt:qt:category:kinh-te"}]
    assert map_categories(subjects, {"kinh-te": 3, "van-hoa": "4"}) == [3, 4]
    assert map_categories(subjects, {"urn:bbt:qt:category:khac": 8}) == [8]
    assert "categories" not in post_payload(ninjs(category="khong-co"), {"thoi-su": 5})
    assert "categories" not in post_payload(ninjs(), None)


def test_embargo_in_the_future_is_scheduled_in_utc_and_a_past_one_publishes_with_that_date():
    now = datetime(2026, 11, 27, 14, 0, tzinfo=timezone.utc)
    future = post_payload(ninjs(embargoed_until=datetime(2026, 11, 28, 8, 0, tzinfo=VIETNAM)), now=now)
    assert future["status"] == "future" and future["date_gmt"] == "2026-11-28T01:00:00"
    past = post_payload(ninjs(embargoed_until=datetime(2026, 11, 27, 8, 0, tzinfo=VIETNAM)), now=now)
    assert past["status"] == "publish" and past["date_gmt"] == "2026-11-27T01:00:00"


def test_plain_text_body_is_escaped_into_paragraphs():
    doc = ninjs()
    doc["bodies"] = [{"role": "main", "contentType": "text/plain", "value": "Dòng <1>\n\nĐoạn 2 & 3"}]
    assert post_payload(doc)["content"].startswith("<p>Dòng &lt;1&gt;</p>\n<p>Đoạn 2 &amp; 3</p>")


def test_names_for_wordpress():
    assert media_slug("urn:bbt:qt:media:42") == "bbt-urn-bbt-qt-media-42"
    assert upload_filename("Ảnh cầu Đông Hà.JPG", "image/jpeg") == "Anh-cau-Dong-Ha.JPG"
    assert upload_filename("ảnh", "image/jpeg") == "anh.jpg"
    assert item_marker("urn:x--y") == "<!-- bbt-item: urn:xy -->"  # cannot close the comment early


def test_only_http_urls_and_known_events():
    with pytest.raises(ValueError):
        WordPressAdapter("ftp://portal.example.vn", "u", "p")
    with pytest.raises(ValueError):
        WordPressAdapter("http://127.0.0.1:9", "u", "p").deliver(event_type="article.deleted", document=ninjs(),
                                                                 remote_id=None, media=())


def test_network_errors_are_reported_not_raised():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = WordPressAdapter(f"http://127.0.0.1:{port}", "u", "p", timeout=2).deliver(
        event_type="article.published", document=ninjs(), remote_id=None, media=())
    assert isinstance(result, DeliveryResult)
    assert result.status is None and "ConnectionError" in result.error and result.duration_ms is not None


def test_redirects_are_reported_not_followed():
    """An http:// endpoint of an https-only site: WordPress redirects; the adapter does not follow."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen = []

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(301)
            self.send_header("Location", "https://portal.example.vn" + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = WordPressAdapter(f"http://127.0.0.1:{server.server_port}", "u", "p").deliver(
            event_type="article.published", document=ninjs(), remote_id=None, media=())
    finally:
        server.shutdown()
        server.server_close()
    assert result.status == 301
    assert "https://portal.example.vn/" in result.error and "not followed" in result.error
    assert len(seen) == 2  # /wp-json/ and /?rest_route=/, nothing more


# ---------------------------------------------------------------- against the real WordPress

@pytest.fixture
def adapter(wordpress_site):  # noqa: F811
    categories = {"thoi-su": wordpress_site.create_category(f"Thời sự {secrets.token_hex(3)}")}
    adapter = WordPressAdapter(wordpress_site.url, wordpress_site.editor, wordpress_site.app_password,
                               category_map=categories)
    yield adapter
    adapter.close()


def _posts_of(site, uri):
    return [p for p in site.posts(search=uri) if item_marker(uri) in p["content"]["raw"]]


def test_publish_creates_a_public_post(wordpress_site, adapter):  # noqa: F811
    doc = ninjs(title="Khánh thành cầu Cửa Việt mới")
    result = adapter.deliver(event_type="article.published", document=doc, remote_id=None, media=())
    assert result.status == 201, result
    assert result.error is None and result.remote_id and result.duration_ms >= 0
    assert adapter.api_style == "wp-json"  # pretty permalinks: /wp-json/ routes

    post = wordpress_site.post(result.remote_id)
    assert post["status"] == "publish"
    assert post["title"]["raw"] == "Khánh thành cầu Cửa Việt mới"
    assert "<p>Sáng nay, tỉnh đã khánh thành.</p>" in post["content"]["raw"]
    assert post["excerpt"]["raw"] == "Cây cầu nối hai bờ sông Thạch Hãn."
    assert post["categories"] == [adapter.category_map["thoi-su"]]
    assert post["link"] == result.portal_url
    # Anyone can read it: the REST API without credentials, and the post's own page.
    public = wordpress_site.rest("GET", f"/wp/v2/posts/{result.remote_id}", auth=False)
    assert public.status_code == 200 and public.json()["title"]["rendered"] == "Khánh thành cầu Cửa Việt mới"
    page = requests.get(result.portal_url, timeout=30)
    assert page.status_code == 200 and "Khánh thành cầu Cửa Việt mới" in page.text


def test_update_changes_the_same_post(wordpress_site, adapter):  # noqa: F811
    doc = ninjs(title="Bản đầu", body="<p>Nội dung cũ.</p>")
    first = adapter.deliver(event_type="article.published", document=doc, remote_id=None, media=())
    assert first.status == 201, first
    corrected = ninjs(item_id=doc["uri"].rsplit(":", 1)[1], version=2, title="Bản đã sửa", body="<p>Nội dung mới.</p>")
    second = adapter.deliver(event_type="article.updated", document=corrected, remote_id=first.remote_id, media=())
    assert second.status == 200, second
    assert second.remote_id == first.remote_id and second.portal_url

    post = wordpress_site.post(first.remote_id)
    assert post["title"]["raw"] == "Bản đã sửa"
    assert "<p>Nội dung mới.</p>" in post["content"]["raw"] and "Nội dung cũ" not in post["content"]["raw"]
    assert post["status"] == "publish"
    assert [p["id"] for p in _posts_of(wordpress_site, doc["uri"])] == [int(first.remote_id)]


def test_a_resend_without_the_post_id_updates_instead_of_duplicating(wordpress_site, adapter):  # noqa: F811
    """At-least-once delivery: the first answer was lost, so the relay has no post id yet."""
    doc = ninjs(title="Gửi lại")
    first = adapter.deliver(event_type="article.published", document=doc, remote_id=None, media=())
    again = adapter.deliver(event_type="article.published", document=doc, remote_id=None, media=())
    assert (first.status, again.status) == (201, 200)
    assert again.remote_id == first.remote_id
    assert len(_posts_of(wordpress_site, doc["uri"])) == 1


def test_the_resend_finds_its_own_post_among_similar_uris(wordpress_site, adapter):  # noqa: F811
    item = secrets.randbelow(10**6) + 10
    others = {n: adapter.deliver(event_type="article.published", document=ninjs(item_id=n, title=f"Bài {n}"),
                                 remote_id=None, media=()).remote_id for n in (item * 10, item * 10 + 1, item * 100)}
    first = adapter.deliver(event_type="article.published", document=ninjs(item_id=item, title="Bài gốc"),
                            remote_id=None, media=())
    again = adapter.deliver(event_type="article.published", document=ninjs(item_id=item, title="Bài gốc, gửi lại"),
                            remote_id=None, media=())
    assert first.status == 201 and again.status == 200 and again.remote_id == first.remote_id
    assert first.remote_id not in others.values()
    assert wordpress_site.post(first.remote_id)["title"]["raw"] == "Bài gốc, gửi lại"
    assert all(wordpress_site.post(post_id)["title"]["raw"] == f"Bài {n}" for n, post_id in others.items())


def test_takedown_sets_the_post_to_draft(wordpress_site, adapter):  # noqa: F811
    doc = ninjs(title="Sẽ gỡ xuống")
    published = adapter.deliver(event_type="article.published", document=doc, remote_id=None, media=())
    assert published.status == 201, published
    canceled = dict(doc, version="2", pubStatus="canceled")
    result = adapter.deliver(event_type="article.canceled", document=canceled, remote_id=published.remote_id, media=())
    assert result.status == 200, result
    assert result.remote_id == published.remote_id

    post = wordpress_site.post(published.remote_id)
    assert post["status"] == "draft"
    assert post["title"]["raw"] == "Sẽ gỡ xuống"  # kept in WordPress, just no longer public
    public = wordpress_site.rest("GET", f"/wp/v2/posts/{published.remote_id}", auth=False)
    assert public.status_code in (401, 403, 404)


def test_takedown_of_an_item_never_delivered_finds_nothing_to_do(wordpress_site, adapter):  # noqa: F811
    doc = ninjs(canceled=True)
    result = adapter.deliver(event_type="article.canceled", document=doc, remote_id=None, media=())
    assert result.status == 200 and result.remote_id is None and "nothing to take down" in result.response_excerpt
    assert _posts_of(wordpress_site, doc["uri"]) == []


def test_feature_image_is_uploaded_once_and_set(wordpress_site, adapter):  # noqa: F811
    image_id = secrets.randbelow(10**9)
    doc = ninjs(image_id=image_id, title="Có ảnh")
    data = png_bytes()
    media = [MediaFile(uri=f"urn:bbt:qt:media:{image_id}", filename="Ảnh cầu.png", content_type="image/png", data=data)]
    result = adapter.deliver(event_type="article.published", document=doc, remote_id=None, media=media)
    assert result.status == 201, result

    post = wordpress_site.post(result.remote_id)
    assert post["featured_media"] > 0
    attachment = wordpress_site.media(post["featured_media"])
    assert attachment["mime_type"] == "image/png"
    assert attachment["slug"] == media_slug(f"urn:bbt:qt:media:{image_id}")
    assert attachment["alt_text"] == "Cầu Cửa Việt"
    assert (wordpress_site.uploads / attachment["media_details"]["file"]).read_bytes() == data

    # A correction re-sends the same image: WordPress keeps the one it has.
    corrected = ninjs(item_id=doc["uri"].rsplit(":", 1)[1], version=2, image_id=image_id, title="Có ảnh, đã sửa")
    updated = adapter.deliver(event_type="article.updated", document=corrected, remote_id=result.remote_id, media=media)
    assert updated.status == 200, updated
    assert wordpress_site.post(result.remote_id)["featured_media"] == post["featured_media"]
    same_slug = wordpress_site.rest("GET", "/wp/v2/media", params={"slug": attachment["slug"], "context": "edit"})
    assert len(same_slug.json()) == 1

    # A correction without the image removes it from the post.
    without = ninjs(item_id=doc["uri"].rsplit(":", 1)[1], version=3, title="Bỏ ảnh")
    assert adapter.deliver(event_type="article.updated", document=without, remote_id=result.remote_id, media=()).status == 200
    assert wordpress_site.post(result.remote_id)["featured_media"] == 0


def test_embargoed_item_is_scheduled(wordpress_site, adapter):  # noqa: F811
    when = (datetime.now(timezone.utc) + timedelta(days=2)).replace(second=0, microsecond=0)
    doc = ninjs(embargoed_until=when, title="Đăng sau")
    result = adapter.deliver(event_type="article.published", document=doc, remote_id=None, media=())
    assert result.status == 201, result

    post = wordpress_site.post(result.remote_id)
    assert post["status"] == "future"
    assert post["date_gmt"] == when.replace(tzinfo=None).isoformat()
    assert wordpress_site.rest("GET", f"/wp/v2/posts/{result.remote_id}", auth=False).status_code in (401, 403, 404)


def test_bad_credentials_are_a_401_and_nothing_is_created(wordpress_site):  # noqa: F811
    doc = ninjs(title="Không được đăng")
    bad = WordPressAdapter(wordpress_site.url, wordpress_site.editor, "wrong password 1234")
    result = bad.deliver(event_type="article.published", document=doc, remote_id=None, media=())
    # WordPress 6.1 treats a wrong Application Password as an anonymous request; the adapter
    # reports the 401 WordPress gives for it, so the relay marks the row dead at once.
    assert result.status == 401, result
    assert "Application Password" in result.error
    checked = bad.test()
    assert checked.status == 401 and "rest_not_logged_in" in checked.error
    assert _posts_of(wordpress_site, doc["uri"]) == []
    # An update with a wrong password: 401 too, and the post is untouched.
    good = WordPressAdapter(wordpress_site.url, wordpress_site.editor, wordpress_site.app_password)
    post_id = good.deliver(event_type="article.published", document=doc, remote_id=None, media=()).remote_id
    changed = dict(doc, version="2", headlines=[{"role": "main", "value": "Đổi tiêu đề"}])
    result = bad.deliver(event_type="article.updated", document=changed, remote_id=post_id, media=())
    assert result.status == 401, result
    assert wordpress_site.post(post_id)["title"]["raw"] == "Không được đăng"


def test_an_unavailable_wordpress_is_a_503_with_retry_after_and_nothing_is_created(wordpress_site, adapter):  # noqa: F811
    doc = ninjs(title="Đợi trang hoạt động lại")
    wordpress_site.fail_rest_api(503, "120")
    try:
        result = adapter.deliver(event_type="article.published", document=doc, remote_id=None, media=())
    finally:
        wordpress_site.fail_rest_api(None)
    assert result.status == 503 and result.retry_after == "120", result
    assert _posts_of(wordpress_site, doc["uri"]) == []
    # WordPress is back: the retry creates the post.
    assert adapter.deliver(event_type="article.published", document=doc, remote_id=None, media=()).status == 201
    assert len(_posts_of(wordpress_site, doc["uri"])) == 1


def test_send_test_event_checks_the_credentials(wordpress_site, adapter):  # noqa: F811
    result = adapter.test()
    assert result.status == 200 and result.error is None
    assert f"signed in as {wordpress_site.editor}" in result.response_excerpt and "editor" in result.response_excerpt


def test_plain_permalinks_use_rest_route(wordpress_site):  # noqa: F811
    """A WordPress without pretty permalinks has no /wp-json/: the adapter falls back to ?rest_route=."""
    wordpress_site.run_php("global $wp_rewrite; $wp_rewrite->set_permalink_structure(''); flush_rewrite_rules(false);")
    try:
        assert "application/json" not in requests.get(wordpress_site.url + "/wp-json/", timeout=30).headers.get("Content-Type", "")
        adapter = WordPressAdapter(wordpress_site.url, wordpress_site.editor, wordpress_site.app_password)
        doc = ninjs(title="Không có đường dẫn đẹp")
        result = adapter.deliver(event_type="article.published", document=doc, remote_id=None, media=())
        assert result.status == 201, result
        assert adapter.api_style == "rest_route"
        assert wordpress_site.post(result.remote_id)["title"]["raw"] == "Không có đường dẫn đẹp"
        assert "?p=" in result.portal_url
    finally:
        wordpress_site.run_php("global $wp_rewrite; $wp_rewrite->set_permalink_structure('/%year%/%monthnum%/%postname%/');"
                               " flush_rewrite_rules(false);")


# ---------------------------------------------------------------- end to end: workflow -> outbox -> relay -> WordPress

def test_approved_item_goes_through_the_relay_to_wordpress(app, make, wordpress_site):  # noqa: F811
    """Approve on a site with a WordPress endpoint, run the relay: the post is there, the item is
    published with the post's URL; a correction updates the same post; unpublishing makes it a draft."""
    from sqlalchemy import select

    from bbt_workflow.extensions import db
    from bbt_workflow.publishing.endpoints import create_endpoint
    from bbt_workflow.publishing.models import Delivery, RemoteItem
    from bbt_workflow.publishing.worker import relay_due_deliveries
    from bbt_workflow.submissions import services
    from bbt_workflow.submissions.attachments import add_attachment
    from tests.conftest import simple_grading

    site = make.site("qt", kind="portal", approval_levels=1)
    author = make.user("ctv", roles={site: ["contributor"]})
    editor = make.user("bientap", roles={site: ["editor", "approver"]})
    category_id = wordpress_site.create_category(f"Văn bản {secrets.token_hex(3)}")
    create_endpoint(None, site, name="Cổng WordPress", kind="wordpress", url=wordpress_site.url,
                    username=wordpress_site.editor, app_password=wordpress_site.app_password,
                    category_map={"van-ban": category_id})
    title = f"Tỉnh ban hành kế hoạch {secrets.token_hex(3)}"
    sub = services.create_submission(author, site, {
        "content_type": "tin", "title": title, "category": "van-ban", "summary": "Tóm tắt kế hoạch.",
        "body_html": "<p>Nội dung kế hoạch năm 2027.</p>"})
    db.session.commit()
    image = png_bytes((20, 120, 200))
    add_attachment(author, sub, io.BytesIO(image), "ảnh kế hoạch.png")
    db.session.commit()  # the upload is its own request
    services.transition_submission(author, sub, "submit", sub.version)
    services.transition_submission(editor, sub, "claim", sub.version)
    services.transition_submission(editor, sub, "approve", sub.version,
                                   grading=simple_grading("ctv", genre="tin_ngan", coefficient="1"))
    db.session.commit()
    assert sub.state == "approved"

    assert relay_due_deliveries()["delivered"] == 1
    db.session.expire_all()
    assert sub.state == "published"
    remote = db.session.scalar(select(RemoteItem).where(RemoteItem.submission_id == sub.id))
    post = wordpress_site.post(remote.remote_id)
    assert post["status"] == "publish" and post["title"]["raw"] == title
    assert "<p>Nội dung kế hoạch năm 2027.</p>" in post["content"]["raw"]
    assert post["categories"] == [category_id]
    assert sub.portal_url == post["link"] == remote.portal_url
    attachment = wordpress_site.media(post["featured_media"])
    assert (wordpress_site.uploads / attachment["media_details"]["file"]).read_bytes() == image

    # A correction of the published item: the same post changes.
    services.edit_submission(editor, sub, sub.version, {"title": title + " (đã sửa)"})
    db.session.commit()
    assert relay_due_deliveries()["delivered"] == 1
    assert wordpress_site.post(remote.remote_id)["title"]["raw"] == title + " (đã sửa)"

    # Unpublishing takes it down: the post is a draft again.
    services.transition_submission(editor, sub, "unpublish", sub.version, comment="Sai số liệu")
    db.session.commit()
    assert relay_due_deliveries()["delivered"] == 1
    assert wordpress_site.post(remote.remote_id)["status"] == "draft"
    events = db.session.scalars(select(Delivery.event).where(Delivery.submission_id == sub.id).order_by(Delivery.id)).all()
    assert events == ["article.published", "article.updated", "article.canceled"]
    assert len(_posts_of(wordpress_site, f"urn:bbt:qt:submission:{sub.id}")) == 1
