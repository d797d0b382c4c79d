"""Accessibility of the main pages (issue 14), in Debian's Chromium: axe-core (axe-playwright-python)
finds no serious or critical violation on any of them, in Vietnamese and English, at 1280 px and
at 360 px, and no page is wider than a 360 px screen. The contributor's journey (log in, write a
draft, submit it) is done with the keyboard only.

BBT_SCREENSHOTS=1 also writes a screenshot of each page, language and width to docs/screenshots/
(after-<page>-<lang>-<width>.png, 256 colours to keep them small)."""
import os
import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from bbt_workflow.domain.royalty_rules import VIETNAM
from bbt_workflow.extensions import db
from bbt_workflow.royalties.importing.services import import_items
from bbt_workflow.royalties.sheets.transitions import create_sheet
from bbt_workflow.submissions import services
from bbt_workflow.submissions.models import Submission

from .conftest import STEP_TIMEOUT_MS

sync_api = pytest.importorskip("playwright.sync_api")
Axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe
SCREENSHOTS = os.environ.get("BBT_SCREENSHOTS") == "1"
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "screenshots")
WIDTHS = {"desktop": (1280, 900), "360": (360, 780)}
BLOCKING = ("serious", "critical")
# The outermost elements sticking out of the window (what to fix when a page is too wide).
WIDEST = """() => Array.from(document.querySelectorAll('main *')).filter(el => {
  const r = el.getBoundingClientRect(), p = el.parentElement.getBoundingClientRect();
  return r.right > window.innerWidth + 1 && p.right <= window.innerWidth + 1;
}).slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : ''))"""


@pytest.fixture
def board(make):
    """A portal with an item waiting, one in review, a graded published item and its month's sheet."""
    site = make.site("tinh", kind="portal", approval_levels=2, name="Cổng Thông tin điện tử tỉnh")
    unit = make.unit("so-tttt", "Sở Thông tin và Truyền thông")
    admin = make.user("quantri", is_admin=True, full_name="Quản trị hệ thống")
    author = make.user("ctv", roles={site: ["contributor"]}, unit=unit.code, full_name="Nguyễn Thị Hồng")
    editor = make.user("bientap", roles={site: ["editor"]}, full_name="Trần Văn Minh")
    make.user("lanhdao", roles={site: ["approver"]}, full_name="Lê Quang Duyệt")
    accountant = make.user("ketoan", roles={site: ["accountant"]}, full_name="Phạm Thu Ngân")
    subs = {}
    for key, title in (("waiting", "Khai mạc Hội chợ thương mại – du lịch"), ("review", "Chuyển đổi số ở cấp xã")):
        sub = services.create_submission(author, site, {"content_type": "tin", "title": title, "category": "van-ban",
                                                        "summary": "Tóm tắt", "body_html": "<p>Nội dung tin.</p>"})
        services.transition_submission(author, sub, "submit", sub.version)
        subs[key] = sub
    services.transition_submission(editor, subs["review"], "claim", subs["review"].version)
    published = datetime.combine((datetime.now(VIETNAM) - timedelta(days=40)).date(), time(9, 0), VIETNAM)
    import_items(admin, site, [{
        "external_id": "a1", "content_type": "tin", "category": "van-ban", "title": "Tin đã đăng có nhuận bút",
        "author_username": "ctv", "published_at": published.isoformat(),
        "grading": {"parts": [{"genre": "tin_anh", "coefficient": "1.5", "factors": [],
                               "payees": [{"username": "ctv", "share": "100"}]}]}}])
    sheet = create_sheet(accountant, site, f"{published:%Y-%m}")
    db.session.commit()
    return {"site": site, "review": subs["review"], "sheet": sheet}


def _pages(board):
    """(name, user, path) of every main page; None: signed out."""
    return [
        ("login", None, "/login"),
        ("home", "bientap", "/"),
        ("queue", "bientap", "/sites/tinh/queue"),
        ("item", "bientap", f"/submissions/{board['review'].id}"),
        ("notifications", "bientap", "/notifications"),
        ("create", "ctv", "/sites/tinh/submissions/new"),
        ("my-submissions", "ctv", "/my/submissions"),
        ("my-royalties", "ctv", "/my/royalties"),
        ("sheets", "ketoan", "/sites/tinh/royalties"),
        ("sheet", "ketoan", f"/royalties/sheets/{board['sheet'].id}"),
        ("admin-users", "quantri", "/admin/users"),
        ("admin-user-form", "quantri", "/admin/users/new"),
        ("admin-sites", "quantri", "/admin/sites"),
        ("admin-site", "quantri", "/admin/sites/tinh"),
        ("admin-site-form", "quantri", "/admin/sites/tinh/edit"),
        ("admin-units", "quantri", "/admin/units"),
        ("admin-rates", "quantri", "/admin/royalties"),
        ("admin-payees", "quantri", "/admin/payees"),
        ("admin-endpoints", "quantri", "/admin/sites/tinh/endpoints"),
    ]


def _context(browser, base, user, lang, size):
    width, height = size
    context = browser.new_context(locale="vi-VN" if lang == "vi" else "en-GB", timezone_id="Asia/Ho_Chi_Minh",
                                  viewport={"width": width, "height": height})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    if user:
        page.goto(f"{base}/login?lang={lang}")
        page.fill("#username", user)
        page.fill("#password", "Matkhau-2026")
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
    return context, page


def _shot(page, name):
    from PIL import Image

    path = os.path.join(OUT, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    with Image.open(path) as image:
        image.convert("RGB").quantize(256).save(path, optimize=True)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_main_pages_pass_axe_and_fit_a_small_screen(browser, live_server, board, lang, width):
    axe, problems, contexts, errors = Axe(), [], {}, []
    try:
        for name, user, path in _pages(board):
            if user not in contexts:
                contexts[user] = _context(browser, live_server, user, lang, WIDTHS[width])
                contexts[user][1].on("pageerror", lambda exc: errors.append(str(exc)))
            page = contexts[user][1]
            response = page.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={lang}")
            assert response.status == 200, (name, response.status)
            assert page.evaluate("document.documentElement.lang") == lang, name
            blocking = [v for v in axe.run(page).response["violations"] if v["impact"] in BLOCKING]
            for v in blocking:
                problems.append(f"{name}: {v['id']} ({v['impact']}) {v['help']}: "
                                + " | ".join(n["html"][:120] for n in v["nodes"][:3]))
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{name}: {overflow} px wider than the {WIDTHS[width][0]} px window: "
                                + ", ".join(page.evaluate(WIDEST)))
            if SCREENSHOTS:
                _shot(page, f"after-{name}-{lang}-{width}")
    finally:
        for context, _page in contexts.values():
            context.close()
    assert problems == [], "\n".join(problems)
    assert errors == [], errors


def _tab_to(page, selector, limit=80):
    """Press Tab until the focused element matches the selector: reachable by keyboard, in order."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("sel => document.activeElement && document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"{selector} not reached with Tab")


def test_contributor_journey_with_the_keyboard_only(browser, live_server, board):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        assert page.evaluate("document.activeElement.id") == "username"  # autofocus
        page.keyboard.type("ctv")
        page.keyboard.press("Tab")
        page.keyboard.type("Matkhau-2026")
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/login" not in url)
        # The skip link comes first and moves the focus to the content.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        # From home to the site, then to "new item", by Tab and Enter.
        _tab_to(page, "a[href='/sites/tinh']")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        _tab_to(page, "a[href='/sites/tinh/submissions/new']")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        _tab_to(page, "#content_type")
        page.keyboard.type("Tin")  # a closed select takes the typed option
        _tab_to(page, "#category")
        page.keyboard.type("Văn bản")
        _tab_to(page, "#title")
        page.keyboard.type("Gõ bằng bàn phím")
        _tab_to(page, "#summary")
        page.keyboard.type("Tóm tắt bằng bàn phím")
        _tab_to(page, ".ql-editor, #body_html")
        page.keyboard.type("Nội dung viết bằng bàn phím.")
        _tab_to(page, "main button[type=submit]:not([name])")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert re.search(r"/submissions/\d+$", page.url), page.url
        sub_id = int(page.url.rsplit("/", 1)[1])
        db.session.rollback()
        sub = db.session.get(Submission, sub_id)
        assert (sub.content_type, sub.title, sub.state) == ("tin", "Gõ bằng bàn phím", "draft")
        assert "Nội dung viết bằng bàn phím." in sub.body_html
        # Submit it: the action's button reached with Tab.
        _tab_to(page, "form.action:has(input[name=action][value=submit]) button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        db.session.rollback()
        assert db.session.scalar(select(Submission.state).where(Submission.id == sub_id)) == "submitted"
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["vi-VN", "en-US"])
def test_the_date_picker_writes_dd_mm_yyyy_whatever_the_browser(browser, live_server, board, locale):
    context = browser.new_context(locale=locale, timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("#username", "bientap")
        page.fill("#password", "Matkhau-2026")
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"{live_server}/sites/tinh/queue")
        page.get_by_role("button", name="Bộ lọc", exact=True).click()
        sync_api.expect(page.locator("#more-filters")).to_have_class(re.compile(r"\bshow\b"))  # opened, not animating
        field = page.locator("#from_")
        # Without JavaScript it is a text input saying the format; the picker keeps it so.
        assert (field.get_attribute("type"), field.get_attribute("placeholder")) == ("text", "dd/mm/yyyy")
        field.click()
        calendar = page.locator(".flatpickr-calendar.open")
        sync_api.expect(calendar).to_be_visible()
        weekdays = [d.strip() for d in calendar.locator(".flatpickr-weekday").all_inner_texts()]
        assert weekdays == ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]  # the page's language, weeks from Monday
        calendar.locator(".flatpickr-day.today").click()
        today = datetime.now(VIETNAM).date()
        assert field.input_value() == f"{today:%d/%m/%Y}"
        with page.expect_navigation(url=re.compile(r"from_=")):
            page.get_by_role("button", name="Lọc", exact=True).click()
        assert page.locator("#from_").input_value() == f"{today:%d/%m/%Y}"  # the server read it as dd/mm/yyyy
    finally:
        context.close()
