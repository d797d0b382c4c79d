"""Uploads are checked by content, size and dimensions; a refused one leaves nothing behind."""
import io
import os
import zipfile

import pytest
from PIL import Image
from sqlalchemy import func, select

from bbt_workflow.extensions import db
from bbt_workflow.submissions.models import Attachment
from tests.conftest import api_token, bearer


def png_bytes(width=64, height=48):
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def docx_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.fixture
def item(client, make):
    site = make.site("tinh", kind="portal")
    make.user("ctv", roles={site: ["contributor"]})
    make.user("khac", roles={site: ["contributor"]})
    h = bearer(api_token(client, "ctv"))
    sub = client.post("/api/v1/submissions", json={"site": "tinh", "content_type": "tin", "title": "Ảnh",
                                                    "category": "van-ban", "body_html": "<p>x</p>"}, headers=h).get_json()
    return sub, h


def _upload(client, sub, h, data, name):
    return client.post(f"/api/v1/submissions/{sub['id']}/attachments", headers=h,
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _nothing_stored(app):
    folder = app.config["UPLOAD_FOLDER"]
    files = os.listdir(folder) if os.path.isdir(folder) else []
    return files == [] and db.session.scalar(select(func.count(Attachment.id))) == 0


def test_image_is_stored_under_a_generated_name_with_dimensions(client, app, item):
    sub, h = item
    response = _upload(client, sub, h, png_bytes(640, 480), "../../Ảnh hội nghị.png")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["filename"] == "Ảnh hội nghị.png" and body["content_type"] == "image/png"
    assert (body["width"], body["height"]) == (640, 480) and len(body["sha256"]) == 64
    stored = db.session.scalar(select(Attachment))
    assert stored.stored_name != body["filename"] and "/" not in stored.stored_name
    folder = app.config["UPLOAD_FOLDER"]
    # The original and its small JPEG preview, both under generated names.
    assert sorted(os.listdir(folder)) == [stored.stored_name, stored.stored_name + ".preview.jpg"]
    assert not os.path.abspath(folder).startswith(os.path.abspath(app.static_folder))
    got = client.get(f"/api/v1/submissions/{sub['id']}/attachments/{body['id']}", headers=h)
    assert got.status_code == 200 and got.data == png_bytes(640, 480)
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    assert got.headers["Content-Type"] == "image/png"


def test_image_preview_is_a_small_jpeg(app, client, item):
    from tests.conftest import login

    sub, h = item
    body = _upload(client, sub, h, png_bytes(2000, 1000), "lon.png").get_json()
    browser = app.test_client()
    login(browser, "ctv")
    preview = browser.get(f"/submissions/{sub['id']}/attachments/{body['id']}/preview")
    assert preview.status_code == 200 and preview.headers["Content-Type"] == "image/jpeg"
    assert preview.headers["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(preview.data)) as img:
        assert img.size == (480, 240) and img.format == "JPEG"
    page = browser.get(f"/submissions/{sub['id']}").get_data(as_text=True)
    assert f"/attachments/{body['id']}/preview" in page
    # Another contributor of the site sees neither the item nor its preview.
    other = app.test_client()
    login(other, "khac")
    assert other.get(f"/submissions/{sub['id']}/attachments/{body['id']}/preview").status_code == 404


def test_document_downloads_as_attachment(client, item):
    sub, h = item
    body = _upload(client, sub, h, docx_bytes(), "Quyết định.docx").get_json()
    got = client.get(f"/api/v1/submissions/{sub['id']}/attachments/{body['id']}", headers=h)
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in got.headers["Content-Disposition"]


@pytest.mark.parametrize("data,name,code", [
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100, "anh.jpg", "upload_unrecognised"),  # renamed .exe
    (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100, "baocao.pdf", "upload_unrecognised"),  # renamed ELF
    (b"<script>alert(1)</script>", "tin.png", "upload_unrecognised"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.svg", "upload_unrecognised"),
    (b"GIF89a/*<script>alert(1)</script>*/=1;", "polyglot.gif", "upload_bad_image"),  # GIF/JS polyglot
    (b"", "rong.png", "upload_empty"),
])
def test_refused_uploads_leave_nothing(client, app, item, data, name, code):
    sub, h = item
    response = _upload(client, sub, h, data, name)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == code
    assert _nothing_stored(app)


def test_oversize_is_413_and_leaves_nothing(client, app, item):
    sub, h = item
    app.config["MAX_IMAGE_MB"] = 1
    big = png_bytes(1500, 1500)
    big += b"\x00" * (1024 * 1024 + 1 - len(big)) if len(big) <= 1024 * 1024 else b""
    response = _upload(client, sub, h, big, "lon.png")
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "upload_too_large"
    assert _nothing_stored(app)


def test_request_over_the_global_limit(client, app, item):
    sub, h = item
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = _upload(client, sub, h, png_bytes(300, 300) + b"\x00" * 20_000, "x.png")
    assert response.status_code == 413
    assert _nothing_stored(app)


def test_image_with_absurd_dimensions_is_refused(client, app, item):
    sub, h = item
    app.config["MAX_IMAGE_PIXELS"] = 1000
    response = _upload(client, sub, h, png_bytes(100, 100), "to.png")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "upload_bad_image"
    assert _nothing_stored(app)


def test_wrong_kind_for_content_type(client, app, make, item):
    _, h = item
    photo = client.post("/api/v1/submissions", json={"site": "tinh", "content_type": "anh", "title": "Ảnh", "category": "van-ban"},
                        headers=h).get_json()
    response = _upload(client, photo, h, docx_bytes(), "x.docx")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "upload_not_allowed_here"
    assert _nothing_stored(app)
    # A photo item needs an attachment to be submitted; with one, it can.
    submit = client.post(f"/api/v1/submissions/{photo['id']}/transitions",
                         json={"action": "submit", "version": photo["version"]}, headers=h)
    assert submit.status_code == 422 and "attachment" in submit.get_json()["error"]["details"]
    assert _upload(client, photo, h, png_bytes(), "anh.png").status_code == 201
    submit = client.post(f"/api/v1/submissions/{photo['id']}/transitions",
                         json={"action": "submit", "version": photo["version"]}, headers=h)
    assert submit.status_code == 200


def test_only_who_may_edit_can_upload_and_others_cannot_see(client, item):
    sub, h = item
    other = bearer(api_token(client, "khac"))
    assert _upload(client, sub, other, png_bytes(), "a.png").status_code == 404
    body = _upload(client, sub, h, png_bytes(), "a.png").get_json()
    assert client.get(f"/api/v1/submissions/{sub['id']}/attachments/{body['id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/submissions/{sub['id']}/attachments/999", headers=h).status_code == 404


def test_json_body_on_upload_is_415(client, item):
    sub, h = item
    response = client.post(f"/api/v1/submissions/{sub['id']}/attachments", json={"file": "x"}, headers=h)
    assert response.status_code == 415


def test_rollback_after_store_removes_the_file(app, make, tmp_path):
    from bbt_workflow.submissions import services
    from bbt_workflow.submissions.attachments import add_attachment

    site = make.site("tinh", kind="portal")
    user = make.user("ctv", roles={site: ["contributor"]})
    sub = services.create_submission(user, site, {"content_type": "tin", "title": "x"})
    db.session.commit()
    add_attachment(user, sub, io.BytesIO(png_bytes()), "a.png")
    assert len(os.listdir(app.config["UPLOAD_FOLDER"])) == 2  # the image and its preview
    db.session.rollback()  # e.g. a later step of the same request failed
    assert os.listdir(app.config["UPLOAD_FOLDER"]) == []


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"\x00" * 64


def test_renamed_file_is_reported_through_the_api_in_the_callers_language(client, item):
    sub, h = item
    url = f"/api/v1/submissions/{sub['id']}/attachments"
    body = client.post(url + "?lang=en", headers=h, data={"file": (io.BytesIO(PDF), "fake.jpg")},
                       content_type="multipart/form-data").get_json()
    assert body["filename"] == "fake.pdf" and body["renamed_from"] == "fake.jpg"
    assert body["notice"] == "This file is a PDF document, stored as fake.pdf."
    body = _upload(client, sub, h, PDF, "fake.jpg").get_json()  # Vietnamese by default
    assert body["notice"] == "Tệp này là tài liệu PDF, được lưu với tên fake.pdf."
    body = _upload(client, sub, h, png_bytes(), "dung.PNG").get_json()  # named for what it is
    assert body["filename"] == "dung.png" and body["renamed_from"] is None and body["notice"] is None
    body = _upload(client, sub, h, docx_bytes(), "bao-cao.png").get_json()
    assert body["notice"] == "Tệp này là tài liệu Word, được lưu với tên bao-cao.docx."


def test_renamed_file_is_reported_on_the_page(app, client, item):
    from tests.conftest import csrf_from, login

    sub, _ = item
    browser = app.test_client()
    login(browser, "ctv")
    page = browser.get(f"/submissions/{sub['id']}").get_data(as_text=True)
    done = browser.post(f"/submissions/{sub['id']}/attachments", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(PDF), "fake.jpg")},
        content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "Tệp này là tài liệu PDF, được lưu với tên fake.pdf." in done
    done = browser.post(f"/submissions/{sub['id']}/attachments?lang=en", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(png_bytes()), "photo.jpeg")},
        content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "This file is a PNG image, stored as photo.png." in done
