"""The create/edit form's scripted side (issue 14): autosave through the edit service with its version
check, files uploaded one at a time with a JSON answer, the plain multi-file input, captions and the
feature image, and pasted HTML cleaned by the server."""
import io
import re
from pathlib import Path

from sqlalchemy import select

from bbt_workflow.extensions import db
from bbt_workflow.publishing.outbox import document_for
from bbt_workflow.submissions.models import Attachment, HistoryEntry, Submission
from tests.conftest import csrf_from, login
from tests.functional.test_uploads import png_bytes

JSON = {"Accept": "application/json"}
WORD = (Path(__file__).parent.parent / "data" / "word_clipboard.html").read_text(encoding="utf-8")


def _base(page, **values):
    return dict({"csrf_token": csrf_from(page), "content_type": "tin", "title": "", "language": "vi",
                 "category": "", "summary": "", "body_html": ""}, **values)


def _fresh(sub_id):
    db.session.rollback()
    return db.session.get(Submission, sub_id)


def test_autosave_creates_the_draft_then_edits_it_with_the_version(client, make):
    site = make.site("tinh", kind="portal")
    make.user("ctv", roles={site: ["contributor"]})
    login(client, "ctv")
    page = client.get("/sites/tinh/submissions/new").get_data(as_text=True)
    first = client.post("/sites/tinh/submissions/new", data=_base(page, title="Bản nháp"), headers=JSON)
    assert first.status_code == 200, first.get_data(as_text=True)
    answer = first.get_json()
    sub_id = answer["id"]
    assert answer["edit_url"] == f"/submissions/{sub_id}/edit" and answer["upload_url"] == f"/submissions/{sub_id}/attachments"
    assert len(answer["saved_at"]) == 5 and answer["saved_at"][2] == ":"  # HH:MM, shown as "Đã lưu lúc HH:MM"
    assert _fresh(sub_id).state == "draft" and _fresh(sub_id).title == "Bản nháp"

    second = client.post(answer["edit_url"], data=_base(page, title="Bản nháp hai", version=answer["version"]),
                         headers=JSON)
    assert second.status_code == 200 and second.get_json()["version"] > answer["version"]
    assert _fresh(sub_id).title == "Bản nháp hai"
    # The version the page saw first is stale now: a conflict, nothing overwritten.
    stale = client.post(answer["edit_url"], data=_base(page, title="Cũ", version=answer["version"]), headers=JSON)
    assert stale.status_code == 409
    assert "phiên bản" in stale.get_json()["message"]
    assert _fresh(sub_id).title == "Bản nháp hai"
    actions = db.session.scalars(select(HistoryEntry.action).where(HistoryEntry.submission_id == sub_id)).all()
    assert actions == ["create"]


def test_autosave_of_an_item_the_user_may_not_edit_is_refused_in_json(client, make):
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    from bbt_workflow.submissions import services

    sub = services.create_submission(author, site, {"content_type": "tin", "title": "T", "category": "van-ban",
                                                    "summary": "S", "body_html": "<p>x</p>"})
    services.transition_submission(author, sub, "submit", sub.version)
    db.session.commit()
    login(client, "ctv")
    page = client.get(f"/submissions/{sub.id}").get_data(as_text=True)
    refused = client.post(f"/submissions/{sub.id}/edit", data=_base(page, title="Đổi", version=sub.version),
                          headers=JSON)
    assert refused.status_code == 403 and refused.get_json()["message"]
    assert _fresh(sub.id).title == "T"


def test_files_uploaded_one_by_one_answer_json_and_run_the_content_checks(client, make):
    site = make.site("tinh", kind="portal")
    make.user("ctv", roles={site: ["contributor"]})
    login(client, "ctv")
    page = client.get("/sites/tinh/submissions/new").get_data(as_text=True)
    sub_id = client.post("/sites/tinh/submissions/new", data=_base(page), headers=JSON).get_json()["id"]
    token = csrf_from(page)
    ok = client.post(f"/submissions/{sub_id}/attachments", headers=JSON,
                     data={"csrf_token": token, "file": (io.BytesIO(png_bytes()), "anh.png")})
    assert ok.status_code == 201
    body = ok.get_json()
    assert body["filename"] == "anh.png" and body["kind"] == "image" and body["preview_url"].endswith("/preview")
    bad = client.post(f"/submissions/{sub_id}/attachments", headers=JSON,
                      data={"csrf_token": token, "file": (io.BytesIO(b"MZ\x90\x00not an image"), "anh.jpg")})
    assert bad.status_code == 422 and "không được chấp nhận" in bad.get_json()["message"]
    assert len(db.session.scalars(select(Attachment).where(Attachment.submission_id == sub_id)).all()) == 1


def test_without_javascript_a_draft_and_its_photos_in_one_post(client, make):
    site = make.site("tinh", kind="portal")
    make.user("ctv", roles={site: ["contributor"]})
    login(client, "ctv")
    page = client.get("/sites/tinh/submissions/new").get_data(as_text=True)
    assert 'name="files" multiple' in page and 'enctype="multipart/form-data"' in page
    data = _base(page, title="Hai ảnh")
    data["files"] = [(io.BytesIO(png_bytes(64, 48)), "mot.png"), (io.BytesIO(png_bytes(80, 60)), "hai.png")]
    response = client.post("/sites/tinh/submissions/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    sub = db.session.scalars(select(Submission)).one()
    assert [(a.filename, a.width) for a in sub.attachments] == [("mot.png", 64), ("hai.png", 80)]


def test_captions_and_the_feature_image_go_through_the_edit_and_to_the_portal_document(client, make):
    site = make.site("tinh", kind="portal")
    make.user("ctv", roles={site: ["contributor"]})
    login(client, "ctv")
    page = client.get("/sites/tinh/submissions/new").get_data(as_text=True)
    data = _base(page, title="Ảnh")
    data["files"] = [(io.BytesIO(png_bytes(64, 48)), "mot.png"), (io.BytesIO(png_bytes(80, 60)), "hai.png")]
    client.post("/sites/tinh/submissions/new", data=data, content_type="multipart/form-data")
    sub = db.session.scalars(select(Submission)).one()
    first, second = sub.attachments
    assert document_for(sub)["associations"][0]["uri"].endswith(f":media:{first.id}")  # none chosen: the first
    edit = client.get(f"/submissions/{sub.id}/edit").get_data(as_text=True)
    assert f'name="caption-{second.id}"' in edit and f'name="feature" value="{second.id}"' in edit
    saved = client.post(f"/submissions/{sub.id}/edit", data=_base(
        edit, title="Ảnh", version=sub.version, **{f"caption-{second.id}": "Toàn cảnh hội nghị", "feature": str(second.id)}))
    assert saved.status_code == 302
    sub = _fresh(sub.id)
    first, second = sub.attachments
    assert (first.is_feature, second.is_feature, second.caption) == (False, True, "Toàn cảnh hội nghị")
    association = document_for(sub)["associations"][0]
    assert association["uri"].endswith(f":media:{second.id}")
    assert association["headlines"] == [{"role": "main", "value": "Toàn cảnh hội nghị"}]
    detail = client.get(f"/submissions/{sub.id}").get_data(as_text=True)
    assert "Toàn cảnh hội nghị" in detail and "Ảnh đại diện" in detail


def test_pasted_word_html_is_cleaned_by_the_server(client, make):
    site = make.site("tinh", kind="portal")
    make.user("ctv", roles={site: ["contributor"]})
    login(client, "ctv")
    page = client.get("/sites/tinh/submissions/new").get_data(as_text=True)
    cleaned = client.post("/submissions/clean-html", data={"csrf_token": csrf_from(page), "html": WORD}, headers=JSON)
    assert cleaned.status_code == 200
    html = cleaned.get_json()["html"]
    assert html.startswith("<p><strong>Hội nghị chuyển đổi số</strong></p>")
    assert "<ul><li>Dịch vụ công trực tuyến</li><li>Chữ ký số</li></ul>" in html and "mso-" not in html
    # Without the CSRF token: refused like any other form post.
    assert client.post("/submissions/clean-html", data={"html": WORD}, headers=JSON).status_code == 400


def test_item_page_puts_the_return_comment_on_top_and_the_primary_action_first(client, make):
    from bbt_workflow.submissions import services

    site = make.site("tinh", kind="portal", approval_levels=2)
    author = make.user("ctv", roles={site: ["contributor"]})
    editor = make.user("bientap", roles={site: ["editor"]})
    sub = services.create_submission(author, site, {"content_type": "tin", "title": "Tin", "category": "van-ban",
                                                    "summary": "S", "body_html": "<p>x</p>"})
    services.transition_submission(author, sub, "submit", sub.version)
    services.transition_submission(editor, sub, "claim", sub.version)
    db.session.commit()
    login(client, "bientap")
    page = client.get(f"/submissions/{sub.id}").get_data(as_text=True)
    panel = page[page.index('id="actions-h"'):]
    buttons = re.findall(r'<button type="submit" class="(btn [^"]*)">([^<]*)</button>', panel)
    # Forward (with its grading) first and prominent; release and return only behind their <details>.
    assert buttons[0] == ("btn btn-primary btn-lg w-100", "Trình duyệt")
    assert {label for _, label in buttons[1:]} == {"Trả về hàng chờ", "Trả lại", "Từ chối"}
    assert all("btn-primary" not in cls for cls, _ in buttons[1:])
    assert panel.index("Trình duyệt") < panel.index("<details") < panel.index("Trả lại…")
    services.transition_submission(editor, _fresh(sub.id), "return", _fresh(sub.id).version,
                                   comment="Bổ sung số liệu năm 2025.")
    db.session.commit()
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, "ctv")
    page = client.get(f"/submissions/{sub.id}").get_data(as_text=True)
    top = page[:page.index("<h1")]
    assert "Bổ sung số liệu năm 2025." in top and "Sửa theo góp ý rồi gửi lại." in top
