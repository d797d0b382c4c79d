"""Public XSS payloads through the create and edit paths: none survives in stored or rendered HTML."""
import re

from sqlalchemy import select

from bbt_workflow.extensions import db
from bbt_workflow.submissions.models import Revision, Submission
from tests.conftest import api_token, bearer, login
from tests.xss_check import dangerous_parts, payloads


def test_payloads_through_api_and_pages(client, make):
    site = make.site("tinh", kind="portal")
    make.user("ctv", roles={site: ["contributor"]})
    h = bearer(api_token(client, "ctv"))
    corpus = payloads()
    sample = corpus[:: max(1, len(corpus) // 60)][:60]
    assert len(sample) >= 50
    ids = []
    for payload in sample:
        created = client.post("/api/v1/submissions", json={
            "site": "tinh", "content_type": "tin", "title": "XSS", "body_html": payload}, headers=h)
        assert created.status_code == 201
        sub = created.get_json()
        edited = client.patch(f"/api/v1/submissions/{sub['id']}", json={
            "version": sub["version"], "body_html": "<p>sửa</p>" + payload, "title": payload[:500]}, headers=h)
        assert edited.status_code == 200
        ids.append(sub["id"])
    for sub in db.session.scalars(select(Submission).where(Submission.id.in_(ids))):
        assert dangerous_parts(sub.body_html) == [], sub.body_html
    for rev in db.session.scalars(select(Revision).where(Revision.submission_id.in_(ids))):
        assert dangerous_parts(rev.body_html) == []
    login(client, "ctv")
    for sub_id in ids:
        response = client.get(f"/submissions/{sub_id}")
        assert response.status_code == 200, response.get_data(as_text=True)[-1500:]
        page = response.get_data(as_text=True)
        body = re.search(r'<article class="card body[^"]*">(.*?)</article>', page, re.S).group(1)
        assert dangerous_parts(body) == [], body
        # The title (a payload too) is escaped text wherever it appears.
        # The page's own scripts (base.html's Bootstrap, the item page's files) are the only <script> tags.
        own = re.sub(r'<script src="/static/(vendor/[\w.-]+/)?(js/)?[\w.-]+\.js\?v=[0-9a-f]{12}"( defer)?></script>', "", page)
        assert "<script" not in own.lower().replace("&lt;script", "")
