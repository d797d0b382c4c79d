"""The home page and the reports dashboard in a real browser, with a realistic installation: the demo data,
two years of items imported on the provincial portal, a plan target and a budget, last month's royalty sheet
paid. In Vietnamese and English, at 1280 px and at 360 px: the chart is there and nothing scrolls sideways.

With BBT_SCREENSHOTS=1 the pages are also written to docs/screenshots/ (README "Dashboards and reports");
without it nothing is written, so CI does not rewrite the committed images.
"""
import os
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bbt_workflow.accounts.models import Category, Site, User
from bbt_workflow.accounts.services import set_plan_target
from bbt_workflow.db_types import utcnow
from bbt_workflow.demo_data import DEMO_PASSWORDS, UNITS, load_demo_data
from bbt_workflow.domain.royalty_rules import VIETNAM, local_date
from bbt_workflow.extensions import db
from bbt_workflow.royalties.importing.services import import_items
from bbt_workflow.royalties.sheets.transitions import create_sheet, transition_sheet
from bbt_workflow.submissions import services as workflow

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "360": {"width": 360, "height": 780}}
# Kinds as often as a provincial portal publishes them (most are news items).
KINDS = ("tin",) * 8 + ("bai",) * 3 + ("anh", "anh", "video", "van_ban", "van_ban", "thong_bao", "infographic")
WRITERS = ("Nguyễn Văn Sơn", "Trần Thị Mai", "Lê Hoàng Phúc", "Phạm Minh Tâm", "Vũ Thị Thu")


def _user(username):
    return db.session.scalar(select(User).where(User.username == username))


# (days ago submitted, hours to publish, return reason or None, rejected?): contributors' items of the last weeks.
WORKED = ((40, 26, None, False), (35, 5, None, False), (30, 50, "Thiếu nguồn trích dẫn", False),
          (24, 20, None, False), (18, 72, "Ảnh chưa rõ tác giả", False), (12, 9, None, False),
          (9, 0, "Thiếu nguồn trích dẫn", False), (6, 0, None, True), (3, 30, None, False))


def _worked_items(portal, monkeypatch):
    """Items through the workflow at past instants (the workflow service's clock moved), so the lead times
    and the contributors' figures have values."""
    ctv, bientap, lanhdao = _user("ctv"), _user("bientap"), _user("lanhdao")
    now = utcnow()
    clock = {"at": now}
    monkeypatch.setattr("bbt_workflow.submissions.services.utcnow", lambda: clock["at"])
    grading = {"parts": [{"genre": "tin_anh", "coefficient": "1.5", "factors": [],
                          "payees": [{"username": "ctv", "share": "100"}]}]}
    for n, (days, hours, reason, rejected) in enumerate(WORKED):
        start = now - timedelta(days=days)
        steps = [(ctv, "submit", start, {}), (bientap, "claim", start + timedelta(minutes=40), {})]
        if reason:
            steps += [(bientap, "return", start + timedelta(hours=1), {"comment": reason})]
        elif rejected:
            steps += [(bientap, "reject", start + timedelta(hours=1), {"comment": "Trùng lặp"})]
        else:
            steps += [(bientap, "forward", start + timedelta(hours=hours / 2), {"grading": grading}),
                      (lanhdao, "approve", start + timedelta(hours=hours), {})]
        clock["at"] = start - timedelta(minutes=30)
        sub = workflow.create_submission(ctv, portal, {
            "content_type": "tin", "category": "tin-tuc-su-kien", "title": f"Tin cộng tác viên {n + 1}",
            "summary": "Tóm tắt.", "body_html": "<p>Nội dung.</p>"})
        for actor, action, at, extra in steps:
            clock["at"] = at
            workflow.transition_submission(actor, sub, action, sub.version, **extra)
        db.session.commit()
    monkeypatch.undo()


def _realistic_portal(monkeypatch):
    """Items of last year and of this year until yesterday on the portal (about 45 and 50 a month, spread over
    kinds, categories and units, deterministic), a plan of 600 items and a budget; last month's sheet paid."""
    load_demo_data()
    db.session.commit()
    portal = db.session.scalar(select(Site).where(Site.code == "binhphuoc"))
    admin = _user("admin")
    categories = sorted(db.session.scalars(select(Category.code).where(Category.site_id == portal.id,
                                                                       Category.active.is_(True))))
    # Two units send nothing, as in the board's reports.
    units = [code for code, _ in UNITS if code not in ("cuc-thue", "so-noi-vu")]
    today = local_date(utcnow())
    first = today.replace(year=today.year - 1, month=1, day=1)
    rows, n, day = [], 0, first
    while day < today:
        per_day = 1 + (day.toordinal() * 7 + day.month) % 3 - (1 if day.weekday() >= 5 else 0)
        for k in range(max(per_day, 0)):
            n += 1
            rows.append({"external_id": f"shot-{n}", "content_type": KINDS[(n * 7) % len(KINDS)],
                         "category": categories[(n * 5 + day.month) % len(categories)],
                         "unit": units[(n * 3 + k) % len(units)], "title": f"Tin số {n}",
                         "author_name": WRITERS[n % len(WRITERS)], "royalty_settled": True,
                         "published_at": datetime.combine(day, time(8 + k * 3, 15), VIETNAM).isoformat()})
        day += timedelta(days=1)
    for start in range(0, len(rows), 500):
        import_items(admin, portal, rows[start:start + 500])
        db.session.commit()
    _worked_items(portal, monkeypatch)
    set_plan_target(admin, portal, today.year, plan_items=600, royalty_budget=30_000_000)
    set_plan_target(admin, portal, today.year - 1, plan_items=550, royalty_budget=28_000_000)
    last_month = today.replace(day=1) - timedelta(days=1)
    sheet = create_sheet(_user("ketoan"), portal, f"{last_month:%Y-%m}")
    db.session.commit()
    for who, action in (("ketoan", "check"), ("lanhdao", "approve"), ("ketoan", "pay")):
        transition_sheet(_user(who), sheet, action, sheet.version)
        db.session.commit()
    return len(rows)


def _no_sideways_scroll(page, width):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url}: the page is {scroll} px wide at {width} px"


def _shoot(page, name):
    if os.environ.get("BBT_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_home_and_dashboard_in_both_languages_and_sizes(open_page, lang, monkeypatch):
    assert _realistic_portal(monkeypatch) > 500
    page = open_page("lanhdao", DEMO_PASSWORDS["lanhdao"])
    for size, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.goto(f"{page.base}/?lang={lang}")
        link = page.locator("a[data-report-link][href='/reports/binhphuoc']")
        assert link.count() == 1
        _no_sideways_scroll(page, viewport["width"])
        _shoot(page, f"home-{lang}-{size}")

        page.goto(f"{page.base}/reports/binhphuoc?lang={lang}")
        chart = page.locator("svg#progress-chart")
        assert chart.is_visible() and chart.bounding_box()["width"] <= viewport["width"]
        assert page.locator("svg#spending-bar").is_visible()
        assert int(page.locator("[data-figure='published.total']").inner_text().replace(".", "").replace(",", "")) > 0
        assert page.locator("#export-xlsx").is_visible() and page.locator("#export-docx").is_visible()
        _no_sideways_scroll(page, viewport["width"])
        _shoot(page, f"dashboard-{lang}-{size}")
