"""The grading form's "Remove this part" button: shown only when there is a part to spare."""
import pytest

from bbt_workflow.extensions import db

expect = pytest.importorskip("playwright.sync_api").expect


def test_remove_part_button_only_with_two_parts_and_never_removes_the_last(make, open_page):
    from bbt_workflow.submissions import services

    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    editor = make.user("bientap", roles={site: ["editor"]})
    sub = services.create_submission(author, site, {"content_type": "tin", "title": "Tin một phần",
                                                    "category": "van-ban", "summary": "Tóm tắt", "body_html": "<p>x</p>"})
    services.transition_submission(author, sub, "submit", sub.version)
    services.transition_submission(editor, sub, "claim", sub.version)
    db.session.commit()

    page = open_page("bientap")
    page.goto(f"{page.base}/submissions/{sub.id}")
    form = page.locator("form.action", has=page.get_by_role("button", name="Trình duyệt", exact=True))
    parts = form.locator("[data-part]")
    expect(parts).to_have_count(1)
    # One part: the button is there for the script but not shown (static CSS must not override [hidden]).
    expect(parts.nth(0).locator("[data-remove-part]")).to_be_hidden()
    assert parts.nth(0).locator("[data-remove-part]").evaluate("b => getComputedStyle(b).display") == "none"

    form.locator("[data-add-part]").click()
    expect(parts).to_have_count(2)
    expect(parts.nth(0).get_by_role("button", name="Bỏ phần này")).to_be_visible()
    expect(parts.nth(1).get_by_role("button", name="Bỏ phần này")).to_be_visible()

    parts.nth(1).get_by_role("button", name="Bỏ phần này").click()
    expect(parts).to_have_count(1)
    expect(parts.nth(0).locator("[data-remove-part]")).to_be_hidden()
    # Even a click that reaches the hidden button (a script, an old page) keeps the last part.
    parts.nth(0).locator("[data-remove-part]").dispatch_event("click")
    expect(parts).to_have_count(1)
