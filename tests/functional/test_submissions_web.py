from sqlalchemy import select

from bbt_workflow.extensions import db
from bbt_workflow.mailqueue.models import OutboundEmail
from bbt_workflow.submissions import services
from bbt_workflow.submissions.models import Notification
from tests.conftest import csrf_from, login


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
    assert 'class="badge" aria-label' in home
    listing = client.get("/notifications").get_data(as_text=True)
    assert "Tin bài mới chờ biên tập: Hội nghị tổng kết" in listing
    client.post("/notifications/read", data={"csrf_token": csrf_from(listing)})
    assert db.session.scalar(select(Notification)).read_at is not None


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
    editor.post(f"/submissions/{sub_id}/act", data={"csrf_token": csrf_from(page), "action": "approve",
                                                     "version": "3", "publish_at": "2026-12-01T08:00"})
    page = editor.get(detail_url).get_data(as_text=True)
    assert "Đã duyệt" in page and "01/12/2026 08:00" in page
