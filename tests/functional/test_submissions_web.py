import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bbt_workflow.extensions import db
from bbt_workflow.mailqueue.models import OutboundEmail
from bbt_workflow.submissions import services
from bbt_workflow.submissions.models import Notification, Submission
from tests.conftest import csrf_from, login
from tests.forms import action_form

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def _item(make):
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    editor = make.user("bientap", roles={site: ["editor"]})
    sub = services.create_submission(author, site, {"content_type": "tin", "title": "Hội nghị tổng kết",
                                                    "category": "van-ban", "body_html": "<p>Năm 2025</p>"})
    db.session.commit()
    return site, author, editor, sub


def test_detail_history_revisions_and_diff_pages(client, make):
    site, author, editor, sub = _item(make)
    services.edit_submission(author, sub, sub.version, {"title": "Hội nghị sơ kết", "body_html": "<p>Năm 2026</p>"})
    services.transition_submission(author, sub, "submit", sub.version)
    db.session.commit()
    login(client, "ctv")
    page = client.get(f"/submissions/{sub.id}").get_data(as_text=True)
    assert "Chờ biên tập" in page and "Gửi biên tập" in page  # state and history in Vietnamese
    assert f"/submissions/{sub.id}/diff?to=2" in page
    diff = client.get(f"/submissions/{sub.id}/diff?to=2").get_data(as_text=True)
    assert "<del>tổng</del>" in diff and "<ins>sơ</ins>" in diff and "<ins>2026</ins>" in diff
    assert "Hội nghị sơ kết" in client.get("/my/submissions").get_data(as_text=True)


def test_queue_shows_counts_and_searches_without_accents(client, make):
    site, author, editor, sub = _item(make)
    services.transition_submission(author, sub, "submit", sub.version)
    db.session.commit()
    login(client, "bientap")
    page = client.get("/sites/tinh/queue").get_data(as_text=True)
    assert "Chờ biên tập (1)" in page and "Hội nghị tổng kết" in page
    assert "Hội nghị tổng kết" in client.get("/sites/tinh/queue?q=tong+ket").get_data(as_text=True)
    assert "Hội nghị tổng kết" not in client.get("/sites/tinh/queue?q=du+lich").get_data(as_text=True)


def test_notifications_unread_count_and_email_opt_out(client, make):
    site, author, editor, sub = _item(make)
    login(client, "bientap")
    settings = client.get("/settings/notifications").get_data(as_text=True)
    # Turn off email for new submissions only.
    data = {"csrf_token": csrf_from(settings), "email_forward": "y", "email_return": "y"}
    assert client.post("/settings/notifications", data=data).status_code == 302
    services.transition_submission(author, sub, "submit", sub.version)
    db.session.commit()
    assert db.session.scalars(select(OutboundEmail)).all() == []  # opted out: no email
    assert db.session.scalar(select(Notification).where(Notification.user_id == editor.id)).kind == "submit"
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="badge[^"]*" data-unread aria-label="1 ', home)
    # Opening the list shows the notification as new once, and clears the count in the menu.
    listing = client.get("/notifications").get_data(as_text=True)
    assert "Tin bài mới chờ biên tập: Hội nghị tổng kết" in listing
    assert 'class="list-group-item unread' in listing and "data-unread" not in listing
    assert db.session.scalar(select(Notification)).read_at is not None
    assert "data-unread" not in client.get("/").get_data(as_text=True)
    assert 'class="list-group-item unread' not in client.get("/notifications").get_data(as_text=True)
    # "Mark all as read" (POST with the CSRF token) clears what arrived since, from any page.
    db.session.add(Notification(user_id=editor.id, kind="submit", submission_id=sub.id, message="Tin bài mới"))
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "data-unread" in home
    assert client.post("/notifications/read", data={}).status_code == 400  # no token, nothing marked
    assert "data-unread" in client.get("/").get_data(as_text=True)
    client.post("/notifications/read", data={"csrf_token": csrf_from(home)})
    assert db.session.scalars(select(Notification).where(Notification.read_at.is_(None))).all() == []
    assert "data-unread" not in client.get("/").get_data(as_text=True)


def test_a_contributor_and_an_editor_work_an_item_through_the_pages(client, app, make):
    import io

    from tests.functional.test_uploads import png_bytes

    site = make.site("huyen", approval_levels=1)
    make.user("ctv", roles={site: ["contributor"]})
    make.user("bientap", roles={site: ["editor"]})
    login(client, "ctv")
    page = client.get("/sites/huyen/submissions/new").get_data(as_text=True)
    response = client.post("/sites/huyen/submissions/new", data={
        "csrf_token": csrf_from(page), "content_type": "tin", "category": "chuyen-doi-so", "title": "Tin mới",
        "summary": "", "body_html": "<p>Nội dung<script>x()</script></p>", "language": "vi", "publish_at": ""})
    assert response.status_code == 302
    detail_url = response.headers["Location"]
    detail = client.get(detail_url).get_data(as_text=True)
    assert "Nội dung" in detail and "<script>x()" not in detail
    sub_id = int(detail_url.rstrip("/").rsplit("/", 1)[1])
    client.post(f"/submissions/{sub_id}/attachments", data={
        "csrf_token": csrf_from(detail), "file": (io.BytesIO(png_bytes()), "anh.png")},
        content_type="multipart/form-data")
    detail = client.get(detail_url).get_data(as_text=True)
    assert "anh.png" in detail and 'class="thumb"' in detail
    client.post(f"/submissions/{sub_id}/act", data={"csrf_token": csrf_from(detail), "action": "submit", "version": "1"})
    assert "Chờ biên tập" in client.get(detail_url).get_data(as_text=True)
    # A stale form (version 1 again) is refused with a clear message and changes nothing.
    stale = client.post(f"/submissions/{sub_id}/act", data={"csrf_token": csrf_from(detail), "action": "withdraw",
                                                             "version": "1"}, follow_redirects=True)
    assert "đã được người khác thay đổi" in stale.get_data(as_text=True)
    # A tampered version is refused the same way, never a server error.
    tampered = client.post(f"/submissions/{sub_id}/act", data={"csrf_token": csrf_from(detail), "action": "withdraw",
                                                                "version": "x"}, follow_redirects=True)
    assert tampered.status_code == 200 and "đã được người khác thay đổi" in tampered.get_data(as_text=True)
    # Once submitted, the author can no longer open the edit form.
    blocked = client.get(f"/submissions/{sub_id}/edit")
    assert blocked.status_code == 302 and blocked.headers["Location"].endswith(f"/submissions/{sub_id}")
    editor = app.test_client()
    login(editor, "bientap")
    page = editor.get(detail_url).get_data(as_text=True)
    editor.post(f"/submissions/{sub_id}/act", data={"csrf_token": csrf_from(page), "action": "claim", "version": "2"})
    page = editor.get(detail_url).get_data(as_text=True)
    bad = editor.post(f"/submissions/{sub_id}/act", data={"csrf_token": csrf_from(page), "action": "return",
                                                           "version": "3", "comment": ""}, follow_redirects=True)
    assert "Thao tác này cần có ý kiến." in bad.get_data(as_text=True)
    # Approving needs a grading: the form offers the genre of a news item and the author at 100%;
    # the editor keeps those and sets the time.
    fields = action_form(page, "approve")
    assert fields["g-0-genre"] == "tin_ngan" and fields["g-0-coefficient"] == "1"
    assert fields["g-0-p-0-username"] == "ctv" and fields["g-0-p-0-share"] == "100"
    # A publish time a month ahead of now (a fixed date would be in the past one day).
    publish = (datetime.now(VIETNAM) + timedelta(days=30)).replace(hour=8, minute=0, second=0, microsecond=0)
    editor.post(f"/submissions/{sub_id}/act", data=dict(fields, publish_at=publish.strftime("%Y-%m-%dT%H:%M")))
    page = editor.get(detail_url).get_data(as_text=True)
    assert "Đã duyệt" in page and publish.strftime("%d/%m/%Y 08:00") in page
    # The grading shows on the page: 1.0 × unit value × 0.2 (a component site); from July 2026 on the
    # base salary 2,530,000 applies (open-ended): 1.0 × 253,000 × 0.2 = 50,600.
    assert "grading-summary" in page and "50.600" in page


def _queue_rows(client, query):
    page = client.get(f"/sites/tinh/queue?{query}")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_queue_filters_by_type_category_unit_author_dates_and_awaiting(client, make):
    site = make.site("tinh", kind="portal")
    make.unit("so-a", "Sở A"), make.unit("so-b", "Sở B")
    ctv_a = make.user("ctv_a", roles={site: ["contributor"]}, unit="so-a")
    ctv_b = make.user("ctv_b", roles={site: ["contributor"]}, unit="so-b")
    make.user("bientap", roles={site: ["editor"]})
    editor2 = make.user("bientap2", roles={site: ["editor"]})
    items = {}
    for author, title, ctype, category in ((ctv_a, "Tin về giao thông", "tin", "van-ban"),
                                           (ctv_b, "Bài về du lịch", "bai", "tin-tuc-su-kien")):
        sub = services.create_submission(author, site, {"content_type": ctype, "title": title, "category": category,
                                                        "summary": "Tóm tắt", "body_html": "<p>Nội dung</p>"})
        services.transition_submission(author, sub, "submit", sub.version)
        items[title] = sub
    services.transition_submission(editor2, items["Bài về du lịch"], "claim", items["Bài về du lịch"].version)
    db.session.commit()
    login(client, "bientap")

    def shows(query):
        page = _queue_rows(client, query)
        return {title for title in items if title in page}

    assert shows("") == set(items)
    assert shows("content_type=bai") == {"Bài về du lịch"}
    assert shows("category=van-ban") == {"Tin về giao thông"}
    assert shows("unit=so-b") == {"Bài về du lịch"}
    assert shows("author=ctv_a") == {"Tin về giao thông"}
    assert shows("state=in_review") == {"Bài về du lịch"}
    # Awaiting me: the unclaimed item, not the one another editor holds.
    assert shows("view=awaiting") == {"Tin về giao thông"}
    assert shows("view=claimed") == set()
    assert shows("from_=2000-01-01&to=2000-12-31") == set()
    assert shows("from_=2000-01-01&sort=title") == set(items)
    # Bad filter values are reported on the field and ignored, never a 500.
    page = _queue_rows(client, "from_=2026-13-45&sort=drop+table&state=nonsense")
    assert "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 02/12/2026." in page
    assert all(title in page for title in items)
    # Filters survive paging: the pager keeps the query string.
    assert "Không có tin bài nào khớp bộ lọc." in _queue_rows(client, "q=khong+co+gi")


def test_co_authors_from_the_form(client, make):
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]}, full_name="Nguyễn Văn Tác")
    colleague = make.user("ctv2", roles={site: ["contributor"]}, full_name="Lê Thị Hợp")
    login(client, "ctv")
    page = client.get("/sites/tinh/submissions/new").get_data(as_text=True)
    assert "Lê Thị Hợp (ctv2)" in page  # members of the site are offered
    base = {"csrf_token": csrf_from(page), "content_type": "tin", "title": "Đồng tác giả", "language": "vi",
            "category": "van-ban", "body_html": "<p>x</p>"}
    rows = {"authors-0-user_id": str(author.id), "authors-0-share": "50",
            "authors-1-user_id": str(colleague.id), "authors-1-share": "30",
            "authors-2-user_id": "", "authors-2-name": "Phạm Ngoài", "authors-2-pen_name": "P.N", "authors-2-share": "10"}
    refused = client.post("/sites/tinh/submissions/new", data=dict(base, **rows))
    assert refused.status_code == 200
    assert "Tổng tỷ lệ của các tác giả phải bằng 100 (hiện là 90)" in refused.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Submission)) == 0
    rows["authors-2-share"] = "20,0"  # a Vietnamese decimal comma is accepted
    saved = client.post("/sites/tinh/submissions/new", data=dict(base, **rows))
    assert saved.status_code == 302
    sub = db.session.scalars(select(Submission)).one()
    assert [(a.user_id, a.name, a.pen_name, str(a.share)) for a in sub.authors] == [
        (author.id, "Nguyễn Văn Tác", None, "50.00"), (colleague.id, "Lê Thị Hợp", None, "30.00"),
        (None, "Phạm Ngoài", "P.N", "20.00")]
    detail = client.get(f"/submissions/{sub.id}").get_data(as_text=True)
    assert "Phạm Ngoài (P.N): 20%" in detail
    edit = client.get(f"/submissions/{sub.id}/edit").get_data(as_text=True)
    assert 'name="authors-2-name" type="text" value="Phạm Ngoài"' in edit
    assert 'name="authors-4-share"' in edit  # two empty rows to add more
