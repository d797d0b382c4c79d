"""The home page says what waits for the signed-in user on each of their sites (issue 13): counts and
links by role, counted with a few grouped queries whatever the number of sites."""
import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from bbt_workflow.extensions import db
from bbt_workflow.publishing.models import Delivery
from bbt_workflow.royalties.sheets.transitions import create_sheet, transition_sheet
from bbt_workflow.submissions.services import create_submission, transition_submission
from tests.conftest import login
from tests.publishing_helpers import add_endpoint, grading_for

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TASK_RE = re.compile(r'<li[^>]*><a href="([^"]+)">([^<]+)</a> <(?:strong|span) class="badge" data-count>([^<]+)<')


def tasks(body):
    """{label: (link, count text)} of the "waiting for you" lists."""
    return {label: (html.unescape(link), count) for link, label, count in TASK_RE.findall(body)}


@pytest.fixture
def board(make):
    cong = make.site("cong", kind="portal", approval_levels=2, name="Cổng tỉnh")
    people = {
        "ctv": make.user("ctv", roles={cong: ["contributor"]}),
        "bientap": make.user("bientap", roles={cong: ["editor"]}),
        "lanhdao": make.user("lanhdao", roles={cong: ["approver"]}),
        "ketoan": make.user("ketoan", roles={cong: ["accountant"]}),
    }
    ctv, bientap, lanhdao = people["ctv"], people["bientap"], people["lanhdao"]

    def new(title, *steps):
        sub = create_submission(ctv, cong, {"content_type": "tin", "title": title, "category": cong.categories[0].code,
                                            "summary": "Tóm tắt", "body_html": "<p>Nội dung</p>"})
        db.session.commit()
        for who, action, extra in steps:
            transition_submission(who, sub, action, sub.version, **extra)
            db.session.commit()
        return sub

    submit, claim = (ctv, "submit", {}), (bientap, "claim", {})
    forward = (bientap, "forward", {"grading": grading_for(ctv)})
    add_endpoint(cong, "http://127.0.0.1:9/hook")
    new("Bài nháp")
    new("Bài chờ nhận", submit)
    new("Bài đang xử lý", submit, claim)
    new("Bài chờ duyệt", submit, claim, forward)
    new("Bài bị trả", submit, claim, (bientap, "return", {"comment": "Sửa lại tít"}))
    published = new("Bài đã đăng", submit, claim, forward, (lanhdao, "approve", {"grading": grading_for(ctv)}))
    # The relay gave up on the item's delivery (what dead_at/state record after the last retry).
    for row in db.session.scalars(select(Delivery).where(Delivery.submission_id == published.id)):
        row.state, row.dead_at = "dead", datetime.now(VN)
    db.session.commit()

    # Three months' sheets: one draft, one checked, one approved.
    ketoan = people["ketoan"]
    month = datetime.now(VN).replace(day=1)
    periods = [(month - timedelta(days=31 * k)).strftime("%Y-%m") for k in (3, 4, 5)]
    sheets = [create_sheet(ketoan, cong, period) for period in periods]
    db.session.commit()
    transition_sheet(ketoan, sheets[1], "check", sheets[1].version)
    transition_sheet(ketoan, sheets[2], "check", sheets[2].version)
    db.session.commit()
    transition_sheet(lanhdao, sheets[2], "approve", sheets[2].version)
    db.session.commit()
    return cong, people


def home(app, username, lang):
    client = app.test_client()
    login(client, username)
    response = client.get(f"/?lang={lang}")
    assert response.status_code == 200
    return client, response.get_data(as_text=True)


QUEUE = "/sites/cong/queue"


@pytest.mark.parametrize("lang,labels", [
    ("vi", ("Bài chờ nhận", "Bài tôi đang xử lý", "Bài chờ duyệt", "Bài của tôi bị trả lại")),
    ("en", ("Items to claim", "Items I hold", "Items to approve", "My returned items")),
])
def test_editor_sees_items_to_claim_and_held(app, board, lang, labels):
    client, body = home(app, "bientap", lang)
    got = tasks(body)
    to_claim, held, to_approve, returned = labels
    assert got[to_claim] == (f"{QUEUE}?state=submitted", "1")
    assert got[held] == (f"{QUEUE}?view=claimed&state=in_review", "1")
    assert to_approve not in got  # editors do not approve
    assert got[returned] == ("/my/submissions?site=cong&state=returned", "0")
    assert not any("heet" in label or "bảng" in label.lower() for label in got)
    queue = client.get(got[to_claim][0]).get_data(as_text=True)
    assert "Bài chờ nhận" in queue and "Bài đang xử lý" not in queue
    held_page = client.get(got[held][0]).get_data(as_text=True)
    assert "Bài đang xử lý" in held_page and "Bài chờ nhận" not in held_page


@pytest.mark.parametrize("lang,labels", [
    ("vi", ("Bài chờ nhận", "Bài tôi đang xử lý", "Bài chờ duyệt", "Bảng nhuận bút chờ duyệt", "Lượt gửi thất bại")),
    ("en", ("Items to claim", "Items I hold", "Items to approve", "Sheets to approve", "Failed deliveries")),
])
def test_approver_sees_approvals_sheets_and_dead_deliveries(app, board, lang, labels):
    client, body = home(app, "lanhdao", lang)
    got = tasks(body)
    to_claim, held, to_approve, sheets, dead = labels
    assert got[to_claim] == (f"{QUEUE}?state=submitted", "1")
    assert got[held] == (f"{QUEUE}?view=claimed&state=in_review", "0")
    assert got[to_approve] == (f"{QUEUE}?state=pending_approval", "1")
    # The link lands on the sheets waiting for this step only (issue 14).
    assert got[sheets] == ("/sites/cong/royalties?state=checked", "1")
    assert got[dead] == ("/sites/cong/deliveries?state=dead", "1")
    approve_page = client.get(got[to_approve][0]).get_data(as_text=True)
    assert "Bài chờ duyệt" in approve_page and "Bài chờ nhận" not in approve_page
    dead_page = client.get(got[dead][0])
    assert dead_page.status_code == 200 and "Bài đã đăng" in dead_page.get_data(as_text=True)
    assert client.get(got[sheets][0]).status_code == 200


@pytest.mark.parametrize("lang,labels", [
    ("vi", ("Bảng nhuận bút chờ kiểm tra", "Bảng nhuận bút chờ chi trả", "Bài chờ nhận", "Lượt gửi thất bại")),
    ("en", ("Sheets to check", "Sheets to pay", "Items to claim", "Failed deliveries")),
])
def test_accountant_sees_sheets_to_check_and_pay(app, board, lang, labels):
    client, body = home(app, "ketoan", lang)
    got = tasks(body)
    check, pay, to_claim, dead = labels
    assert got[check] == ("/sites/cong/royalties?state=draft", "1")
    assert got[pay] == ("/sites/cong/royalties?state=approved", "1")
    assert to_claim not in got and dead not in got
    assert len(got) == 2
    assert client.get(got[check][0]).status_code == 200


@pytest.mark.parametrize("lang,returned,mine,states", [
    ("vi", "Bài của tôi bị trả lại", "Bài của tôi", ("Nháp", "Trả lại để sửa")),
    ("en", "My returned items", "My items", ("Draft", "Returned for changes")),
])
def test_contributor_sees_returned_items_and_own_counts(app, board, lang, returned, mine, states):
    client, body = home(app, "ctv", lang)
    got = tasks(body)
    assert got == {returned: ("/my/submissions?site=cong&state=returned", "1")}
    assert f"<strong>{mine}:</strong>" in body
    mine_html = body.split(f"<strong>{mine}:</strong>")[1].split("</p>")[0]
    draft, returned_label = states
    assert f'<a href="/my/submissions?site=cong&amp;state=draft">{draft}</a> <span class="badge">1</span>' in mine_html
    assert (f'<a href="/my/submissions?site=cong&amp;state=returned">{returned_label}</a> '
            f'<span class="badge">1</span>') in mine_html
    page = client.get(got[returned][0]).get_data(as_text=True)
    assert "Bài bị trả" in page and "Bài nháp" not in page and "Bài chờ nhận" not in page


def _statements_for_home(app, make, prefix, n_sites):
    """SQL statements run by GET / for a user with every role on n sites (the sign-in not counted)."""
    sites = [make.site(f"{prefix}{k}", name=f"Trang {prefix}{k}") for k in range(n_sites)]
    make.user(f"{prefix}user", roles={s: ["contributor", "editor", "approver", "accountant"] for s in sites})
    client = app.test_client()
    login(client, f"{prefix}user")
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get("/")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert len(TASK_RE.findall(response.get_data(as_text=True))) == 8 * n_sites
    return len(statements)


def test_home_page_statements_do_not_grow_with_the_sites(app, make):
    one = _statements_for_home(app, make, "a", 1)
    four = _statements_for_home(app, make, "b", 4)
    assert four == one, (one, four)
    assert one <= 12, one
