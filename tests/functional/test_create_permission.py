"""Creating items needs the contributor, editor or approver role on that site (WORKFLOW.md);
accountants only read. The service decides (permissions.can_create_on); API and pages follow."""
import pytest
from sqlalchemy import func, select

from bbt_workflow.errors import Forbidden
from bbt_workflow.extensions import db
from bbt_workflow.permissions import can_create_on
from bbt_workflow.submissions import services
from bbt_workflow.submissions.models import Submission
from tests.conftest import api_token, bearer, csrf_from, login


@pytest.fixture
def site(make):
    site = make.site("tinh", kind="portal")
    for role in ("contributor", "editor", "approver", "accountant"):
        make.user(role, roles={site: [role]})
    make.user("admin", is_admin=True)
    return site


BODY = {"site": "tinh", "content_type": "tin", "title": "Tin", "category": "van-ban", "body_html": "<p>x</p>"}


def _count():
    return db.session.scalar(select(func.count(Submission.id)))


def test_accountant_cannot_create_through_the_api(client, site):
    response = client.post("/api/v1/submissions", json=BODY, headers=bearer(api_token(client, "accountant")))
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["error"]["code"] == "not_allowed"
    assert _count() == 0
    for who in ("contributor", "editor", "approver", "admin"):
        created = client.post("/api/v1/submissions", json=BODY, headers=bearer(api_token(client, who)))
        assert created.status_code == 201, (who, created.get_json())
    assert _count() == 4


def test_service_refuses_an_accountant(site):
    from bbt_workflow.accounts.models import User

    accountant = db.session.scalar(select(User).where(User.username == "accountant"))
    assert not can_create_on(accountant, site)
    with pytest.raises(Forbidden):
        services.create_submission(accountant, site, {"content_type": "tin", "title": "x"})


def test_accountant_has_no_create_button_and_the_page_is_403(app, site):
    browser = app.test_client()
    login(browser, "accountant")
    overview = browser.get("/sites/tinh").get_data(as_text=True)
    assert "/sites/tinh/submissions/new" not in overview
    assert browser.get("/sites/tinh/submissions/new").status_code == 403
    posted = browser.post("/sites/tinh/submissions/new", data={
        "csrf_token": csrf_from(overview), "content_type": "tin", "title": "Tin", "body_html": "<p>x</p>"})
    assert posted.status_code == 403 and _count() == 0
    contributor = app.test_client()
    login(contributor, "contributor")
    assert "/sites/tinh/submissions/new" in contributor.get("/sites/tinh").get_data(as_text=True)
    assert contributor.get("/sites/tinh/submissions/new").status_code == 200
