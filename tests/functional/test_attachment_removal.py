"""Removing an attachment (API.md: DELETE /submissions/{id}/attachments/{aid}, who may edit it now):
a new revision and a history entry; on a published item a correction pushed to the portal
(`article.updated` without the file). The stored file goes only after the commit."""
import io
import json
import os

import pytest
from sqlalchemy import select

from bbt_workflow.errors import NotFound
from bbt_workflow.extensions import db
from bbt_workflow.publishing.models import Delivery
from bbt_workflow.publishing.outbox import enqueue
from bbt_workflow.submissions import services
from bbt_workflow.submissions.attachments import add_attachment, attachment_path
from bbt_workflow.submissions.models import Attachment, HistoryEntry
from tests.conftest import api_token, bearer, csrf_from, login
from tests.functional.test_uploads import docx_bytes, png_bytes
from tests.publishing_helpers import People, add_endpoint, create_approved


@pytest.fixture
def draft(make):
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    make.user("khac", roles={site: ["contributor"]})
    make.user("bientap", roles={site: ["editor"]})
    sub = services.create_submission(author, site, {"content_type": "tin", "title": "Tin", "category": "van-ban",
                                                    "body_html": "<p>x</p>"})
    db.session.commit()
    wrong = add_attachment(author, sub, io.BytesIO(png_bytes()), "nham.png")
    keep = add_attachment(author, sub, io.BytesIO(docx_bytes()), "dung.docx")
    db.session.commit()
    return {"sub": sub, "author": author, "wrong": wrong, "keep": keep}


_PATHS = {}


def _files(attachment):
    """The attachment's files still on disk (its path remembered from the first call, made while
    the row exists)."""
    if attachment not in _PATHS:
        _PATHS[attachment] = attachment_path(attachment)
    path = _PATHS[attachment]
    return [p for p in (path, path + ".preview.jpg") if os.path.exists(p)]


def _history(sub):
    return db.session.scalars(select(HistoryEntry).where(HistoryEntry.submission_id == sub.id)
                              .order_by(HistoryEntry.id)).all()


def test_api_removes_a_file_of_a_draft_with_a_revision_and_history(client, draft):
    sub, wrong = draft["sub"], draft["wrong"]
    wrong_id = wrong.id
    assert len(_files(wrong)) == 2  # the image and its preview
    revision = sub.revision
    h = bearer(api_token(client, "ctv"))
    response = client.delete(f"/api/v1/submissions/{sub.id}/attachments/{wrong.id}", headers=h)
    assert response.status_code == 204, response.get_json()
    db.session.expire_all()
    assert [a.filename for a in sub.attachments] == ["dung.docx"]
    assert sub.revision == revision + 1
    last = _history(sub)[-1]
    assert (last.action, last.comment, last.revision, last.to_state) == ("remove_attachment", "nham.png", sub.revision,
                                                                        "draft")
    assert _files(wrong) == [] and len(_files(draft["keep"])) == 1
    assert client.get(f"/api/v1/submissions/{sub.id}/attachments/{wrong_id}", headers=h).status_code == 404
    # Gone already, or never there: 404.
    assert client.delete(f"/api/v1/submissions/{sub.id}/attachments/{wrong_id}", headers=h).status_code == 404
    assert client.delete(f"/api/v1/submissions/{sub.id}/attachments/99999", headers=h).status_code == 404


def test_not_allowed_callers_and_foreign_attachments(client, make, draft):
    sub = draft["sub"]
    url = f"/api/v1/submissions/{sub.id}/attachments/{draft['wrong'].id}"
    # Another contributor does not see the draft: 404.
    assert client.delete(url, headers=bearer(api_token(client, "khac"))).status_code == 404
    services.transition_submission(draft["author"], sub, "submit", sub.version)
    db.session.commit()
    # Submitted: the author may no longer edit it, nor may an editor who has not claimed it.
    for who in ("ctv", "bientap"):
        response = client.delete(url, headers=bearer(api_token(client, who)))
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "not_editable"
    assert len(_files(draft["wrong"])) == 2 and db.session.get(Attachment, draft["wrong"].id) is not None
    # An attachment of another item, addressed through this one: 404.
    other = services.create_submission(draft["author"], sub.site, {"content_type": "tin", "title": "Khác"})
    db.session.commit()
    h = bearer(api_token(client, "ctv"))
    assert client.delete(f"/api/v1/submissions/{other.id}/attachments/{draft['keep'].id}", headers=h).status_code == 404
    assert db.session.get(Attachment, draft["keep"].id) is not None


def test_the_file_stays_on_disk_until_the_commit(app, draft):
    sub, wrong = draft["sub"], draft["wrong"]
    services.remove_attachment(draft["author"], sub, wrong.id)
    assert len(_files(wrong)) == 2  # not yet: the transaction may still roll back
    db.session.rollback()
    assert len(_files(wrong)) == 2 and db.session.get(Attachment, wrong.id) is not None
    services.remove_attachment(draft["author"], sub, wrong.id)
    assert len(_files(wrong)) == 2
    db.session.commit()
    assert _files(wrong) == []
    with pytest.raises(NotFound):
        services.remove_attachment(draft["author"], sub, wrong.id)


def test_removing_from_a_published_item_is_a_correction_for_the_portal(client, make):
    people = People(make)
    sub = create_approved(people, image=True)
    assert sub.state == "published"
    # A portal that was sent the item (the relay is not run here).
    endpoint, _secret = add_endpoint(people.site, "http://127.0.0.1:9/hook")
    enqueue(sub, "article.published", [endpoint])
    db.session.commit()
    [photo] = sub.attachments
    assert len(_files(photo)) == 2
    published = db.session.scalar(select(Delivery).where(Delivery.event == "article.published"))
    assert b"featureimage" in published.body
    h = bearer(api_token(client, people.approver.username))
    response = client.delete(f"/api/v1/submissions/{sub.id}/attachments/{photo.id}", headers=h)
    assert response.status_code == 204
    db.session.expire_all()
    assert sub.attachments == [] and sub.revision == 2
    update = db.session.scalar(select(Delivery).where(Delivery.event == "article.updated"))
    assert update is not None and update.item_version == sub.revision
    document = json.loads(update.body)["data"]
    assert "featureimage" not in json.dumps(document)
    assert _history(sub)[-1].action == "remove_attachment"
    assert _files(photo) == []


def test_the_page_offers_removal_to_who_may_edit(app, draft):
    sub, wrong = draft["sub"], draft["wrong"]
    wrong_id = wrong.id
    assert len(_files(wrong)) == 2
    browser = app.test_client()
    login(browser, "ctv")
    page = browser.get(f"/submissions/{sub.id}").get_data(as_text=True)
    action = f"/submissions/{sub.id}/attachments/{wrong.id}/remove"
    assert f'action="{action}"' in page
    # Without the CSRF token nothing happens.
    assert browser.post(action).status_code == 400
    assert db.session.get(Attachment, wrong.id) is not None
    done = browser.post(action, data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "Đã gỡ tệp nham.png." in text
    db.session.expire_all()
    assert db.session.get(Attachment, wrong_id) is None and _files(wrong) == []
    assert "Gỡ tệp đính kèm" in text  # the history names the step
    # Once submitted, the author sees no remove button and a forged post changes nothing.
    services.transition_submission(draft["author"], sub, "submit", sub.version)
    db.session.commit()
    page = browser.get(f"/submissions/{sub.id}").get_data(as_text=True)
    keep_action = f"/submissions/{sub.id}/attachments/{draft['keep'].id}/remove"
    assert keep_action not in page
    refused = browser.post(keep_action, data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "Bạn không thể sửa tin bài ở trạng thái hiện tại." in refused.get_data(as_text=True)
    assert db.session.get(Attachment, draft["keep"].id) is not None


def test_openapi_lists_the_delete(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/submissions/{submission_id}/attachments/{attachment_id}"]["delete"]
    assert "204" in operation["responses"] and "404" in operation["responses"]
