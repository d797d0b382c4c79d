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
