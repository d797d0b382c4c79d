"""The grading form in Vietnamese: its number inputs show 1,8 (not 1.8), a coefficient typed with a
comma still gives the live total, and the quote call gets the decimals as the API takes them (a dot)."""
import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bbt_workflow.extensions import db
from bbt_workflow.royalties.rules.queries import unit_value_on

expect = pytest.importorskip("playwright.sync_api").expect
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def _vnd(amount):
    return f"{int(amount):,}".replace(",", ".") + " đ"


def test_live_total_with_a_vietnamese_comma_coefficient(make, open_page):
    from bbt_workflow.submissions import services

    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    editor = make.user("bientap", roles={site: ["editor"]})
    make.user("lanhdao", roles={site: ["approver"]})
    publish = (datetime.now(VIETNAM) + timedelta(days=40)).replace(hour=8, minute=30, second=0, microsecond=0)
    sub = services.create_submission(author, site, {"content_type": "tin", "title": "Tin tổng hợp", "category": "van-ban",
                                                    "summary": "Tóm tắt", "body_html": "<p>x</p>", "publish_at": publish})
    services.transition_submission(author, sub, "submit", sub.version)
    services.transition_submission(editor, sub, "claim", sub.version)
    db.session.commit()
    unit = unit_value_on(publish.date())

    page = open_page("bientap")
    quotes = []
    page.on("request", lambda r: quotes.append(json.loads(r.post_data)) if r.url.endswith("/api/v1/royalty/quote") else None)
    page.goto(f"{page.base}/submissions/{sub.id}")
    form = page.locator("form.action", has=page.get_by_role("button", name="Trình duyệt", exact=True))
    part = form.locator("[data-part]").first
    part.locator("select[data-genre]").select_option("tin_tong_hop")
    assert part.locator("[data-coefficient]").input_value() == "1,8"  # the genre's default, in Vietnamese
    assert part.locator("input[name$='-f-translation-value']").input_value() == "0,5"
    part.locator("[data-coefficient]").fill("2,5")
    part.locator("input[name$='-p-0-share']").fill("100,0")
    expect(form.locator("[data-total]")).to_have_text(_vnd(Decimal("2.5") * unit))
    expect(form.locator("[data-share-total]")).to_have_text("100%")
    sent = quotes[-1]["grading"]["parts"][0]
    assert (sent["coefficient"], sent["payees"][0]["share"]) == ("2.5", "100.0")  # the API's decimals
    # A multiplier with a comma too: 2,5 × 0,45 (a translation).
    row = part.locator("[data-factor=translation]")
    row.locator("input[type=checkbox]").check()
    row.locator("input[name$='-value']").fill("0,45")
    row.locator("input[name$='-reason']").fill("Dịch")
    expect(form.locator("[data-total]")).to_have_text(_vnd(Decimal("2.5") * Decimal("0.45") * unit))
    assert quotes[-1]["grading"]["parts"][0]["factors"][0]["value"] == "0.45"
    with page.expect_navigation():
        form.get_by_role("button", name="Trình duyệt", exact=True).click()

    # The approver sees the editor's grading in Vietnamese (2,5 · 0,45), types a publication time
    # (dd/mm/yyyy hh:mm: the quote is for that day) and the total is computed as before.
    boss = open_page("lanhdao")
    boss.goto(f"{boss.base}/submissions/{sub.id}")
    form = boss.locator("form.action", has=boss.get_by_role("button", name="Duyệt", exact=True))
    part = form.locator("[data-part]").first
    assert part.locator("[data-coefficient]").input_value() == "2,5"
    assert part.locator("input[name$='-f-translation-value']").input_value() == "0,45"
    expect(form.locator("[data-total]")).to_have_text(_vnd(Decimal("2.5") * Decimal("0.45") * unit))
    form.locator("input[name=publish_at]").fill(publish.strftime("%d/%m/%Y %H:%M"))
    part.locator("[data-coefficient]").fill("2,0")
    expect(form.locator("[data-total]")).to_have_text(_vnd(Decimal("2") * Decimal("0.45") * unit))
    expect(form.locator(".grading-error")).to_be_hidden()
