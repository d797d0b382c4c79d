"""The queue's keyboard (static/js/queue.js) in Chromium: j/k move, o opens, c claims and opens,
x ticks for "claim selected"; letters typed in the search box stay in the search box."""
import re

import pytest
from sqlalchemy import select

from bbt_workflow.extensions import db
from bbt_workflow.submissions import services
from bbt_workflow.submissions.models import Submission

expect = pytest.importorskip("playwright.sync_api").expect


def _queue(make, titles):
    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    make.user("bientap", roles={site: ["editor"]})
    ids = {}
    for title in titles:
        sub = services.create_submission(author, site, {"content_type": "tin", "title": title, "category": "van-ban",
                                                        "summary": "Tóm tắt", "body_html": "<p>x</p>"})
        services.transition_submission(author, sub, "submit", sub.version)
        ids[title] = sub.id
    db.session.commit()
    return ids


def _states(ids):
    db.session.rollback()
    return {title: db.session.scalar(select(Submission.state).where(Submission.id == sub_id)) for title, sub_id in ids.items()}


def test_keys_move_open_and_claim(make, open_page):
    ids = _queue(make, ["Tin thứ nhất", "Tin thứ hai", "Tin thứ ba"])
    page = open_page("bientap")
    page.goto(f"{page.base}/sites/tinh/queue?sort=title")
    titles = page.locator("tbody tr a[data-open]").all_inner_texts()
    current = page.locator("tbody tr.is-current a[data-open]")
    # Typing in the search box is typing, not moving.
    page.get_by_label("Tìm kiếm").press("j")
    assert page.get_by_label("Tìm kiếm").input_value() == "j" and page.locator("tbody tr.is-current").count() == 0
    page.locator("h1").click()
    page.keyboard.press("j")
    expect(current).to_have_text(titles[0])
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(current).to_have_text(titles[2])
    page.keyboard.press("k")
    expect(current).to_have_text(titles[1])
    # o opens the current item; nothing changes.
    with page.expect_navigation():
        page.keyboard.press("o")
    assert page.url.endswith(f"/submissions/{ids[titles[1]]}")
    assert set(_states(ids).values()) == {"submitted"}
    # c claims the current item and opens it.
    page.goto(f"{page.base}/sites/tinh/queue?sort=title")
    page.locator("h1").click()
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("c")
    assert page.url.endswith(f"/submissions/{ids[titles[0]]}")
    assert _states(ids)[titles[0]] == "in_review"


def test_ticked_rows_are_claimed_together(make, open_page):
    ids = _queue(make, ["Tin A", "Tin B", "Tin C"])
    page = open_page("bientap")
    page.goto(f"{page.base}/sites/tinh/queue?state=submitted&sort=title")
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")
    with page.expect_navigation():
        page.get_by_role("button", name="Nhận xử lý các tin đã chọn").click()
    assert re.search(r"/sites/tinh/queue\?state=submitted&sort=title$", page.url)
    expect(page.locator(".alert-success")).to_contain_text("Đã nhận xử lý 2")
    assert _states(ids) == {"Tin A": "in_review", "Tin B": "submitted", "Tin C": "in_review"}
