"""The daily journeys in a real browser: write with the rich-text editor, review, return, fix, approve."""
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import select

from bbt_workflow.extensions import db
from bbt_workflow.royalties.models import Grading
from bbt_workflow.submissions.models import HistoryEntry, Submission

expect = pytest.importorskip("playwright.sync_api").expect
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def _png(path):
    Image.new("RGB", (64, 48), (200, 30, 30)).save(path, "PNG")
    return path


def _act(page, label, comment=None, publish_at=None):
    form = page.locator("form.action", has=page.get_by_role("button", name=label, exact=True, include_hidden=True))
    details = page.locator("details.secondary-action", has=form)  # return, reject…: confirmed behind <details>
    if details.count() and details.get_attribute("open") is None:
        details.locator("summary").click()
    if comment is not None:
        form.locator("textarea").fill(comment)
    if publish_at is not None:
        form.locator("input[name=publish_at][placeholder='dd/mm/yyyy hh:mm']").fill(publish_at)
    with page.expect_navigation():
        form.get_by_role("button", name=label, exact=True).click()
    assert page.locator(".flash-success").count() == 1, page.locator(".flash").all_inner_texts()


def _fresh(sub_id):
    """Re-read after the browser's requests: end our transaction so we see what they committed."""
    db.session.rollback()
    return db.session.get(Submission, sub_id)


def _state(sub_id):
    return _fresh(sub_id).state


def test_contributor_editor_approver_journey(make, open_page, tmp_path):
    site = make.site("tinh", kind="portal", approval_levels=2)
    make.user("ctv", roles={site: ["contributor"]}, full_name="Nguyễn Thị Hồng")
    make.user("bientap", roles={site: ["editor"]}, full_name="Trần Văn Minh")
    make.user("lanhdao", roles={site: ["approver"]}, full_name="Lê Quang Duyệt")

    # The contributor writes a news item with the rich-text editor.
    ctv = open_page("ctv")
    ctv.goto(f"{ctv.base}/sites/tinh/submissions/new")
    ctv.select_option("#content_type", "tin")
    ctv.select_option("#category", "chuyen-doi-so")
    ctv.fill("#title", "Chuyển đổi số ở cấp xã")
    editor = ctv.get_by_role("textbox", name="Nội dung")
    editor.click()
    ctv.keyboard.type("Tỉnh đẩy mạnh ")
    ctv.get_by_role("button", name="In đậm").click()
    ctv.keyboard.type("chuyển đổi số")
    ctv.get_by_role("button", name="In đậm").click()
    ctv.keyboard.type(" trong năm nay.")
    ctv.keyboard.press("Enter")
    ctv.get_by_role("button", name="Danh sách dấu chấm").click()
    ctv.keyboard.type("Dịch vụ công trực tuyến")
    ctv.get_by_role("button", name="Lưu", exact=True).click()
    ctv.wait_for_url(re.compile(r"/submissions/\d+$"))
    sub_id = int(ctv.url.rsplit("/", 1)[1])
    body = _fresh(sub_id).body_html
    assert body == ("<p>Tỉnh đẩy mạnh <strong>chuyển đổi số</strong> trong năm nay.</p>"
                    "<ul><li>Dịch vụ công trực tuyến</li></ul>")

    # ... attaches a photo (previewed) and submits.
    ctv.set_input_files("#file", _png(tmp_path / "anh-hien-truong.png"))
    with ctv.expect_navigation():
        ctv.get_by_role("button", name="Tải lên").click()
    assert ctv.locator("img.thumb").evaluate("img => img.naturalWidth") == 64
    _act(ctv, "Gửi biên tập")
    assert _state(sub_id) == "submitted"

    # The editor finds it in "awaiting me", claims it, improves a word and returns it with a comment.
    ed = open_page("bientap")
    ed.goto(f"{ed.base}/sites/tinh/queue?view=awaiting")
    ed.get_by_role("link", name="Chuyển đổi số ở cấp xã").click()
    _act(ed, "Nhận xử lý")
    assert _state(sub_id) == "in_review"
    ed.get_by_role("link", name="Sửa", exact=True).click()
    text = ed.get_by_role("textbox", name="Nội dung")
    text.locator("p").first.click()
    ed.keyboard.press("Home")
    ed.keyboard.type("UBND ")
    ed.get_by_role("button", name="Lưu", exact=True).click()
    ed.wait_for_url(re.compile(rf"/submissions/{sub_id}$"))
    _act(ed, "Trả lại", comment="Bổ sung số liệu năm 2025.")
    assert _state(sub_id) == "returned"

    # The contributor sees the comment and what the editor changed, fixes it, and submits again.
    ctv.goto(f"{ctv.base}/submissions/{sub_id}")
    assert "Bổ sung số liệu năm 2025." in ctv.content()
    # The newest change (autosave may have written the contributor's own revisions before it).
    ctv.locator("table a", has_text="Thay đổi so với phiên bản").first.click()
    assert ctv.locator(".diff ins").all_inner_texts() == ["UBND "] or ctv.locator(".diff ins").all_inner_texts() == ["UBND"]
    ctv.goto(f"{ctv.base}/submissions/{sub_id}/edit")
    ctv.get_by_role("textbox", name="Nội dung").locator("li").click()
    ctv.keyboard.press("End")
    ctv.keyboard.type(": 1.250 hồ sơ năm 2025")
    ctv.get_by_role("button", name="Lưu", exact=True).click()
    ctv.wait_for_url(re.compile(rf"/submissions/{sub_id}$"))
    _act(ctv, "Gửi biên tập")

    # The editor claims it again and grades it: a news item with a photo (1.5), the contributor 70% and
    # the photographer, an outsider, 30%. The amount shows live, computed by the server.
    ed.goto(f"{ed.base}/submissions/{sub_id}")
    _act(ed, "Nhận xử lý")
    form = ed.locator("form.action", has=ed.get_by_role("button", name="Trình duyệt", exact=True))
    part = form.locator("[data-part]").first
    part.locator("select[data-genre]").select_option("tin_anh")
    # The genre's default, preselected, in the page's (Vietnamese) format ("1.5" before issue 11, point 9).
    assert part.locator("[data-coefficient]").input_value() == "1,5"
    rows = part.locator("[data-payee]")
    rows.nth(0).locator("input[name$='-share']").fill("70")
    rows.nth(1).locator("input[name$='-name']").fill("Phạm Văn Ảnh")
    rows.nth(1).locator("input[name$='-pen_name']").fill("PVA")
    rows.nth(1).locator("input[name$='-share']").fill("30")
    # 1.5 × 253,000 (base salary from 1 July 2026) on the portal (factor 1): 379,500 = 265,650 + 113,850.
    expect(form.locator("[data-total]")).to_have_text("379.500 đ")
    expect(rows.nth(1).locator("[data-payee-amount]")).to_have_text("113.850 đ")
    # A coefficient outside the genre's range: the server's message appears next to the form.
    part.locator("[data-coefficient]").fill("2")
    expect(form.locator(".grading-error")).to_contain_text("1,5")  # in the page's (Vietnamese) format
    expect(form.locator("[data-total]")).to_have_text("")
    part.locator("[data-coefficient]").fill("1.5")
    expect(form.locator("[data-total]")).to_have_text("379.500 đ")
    _act(ed, "Trình duyệt")
    assert _state(sub_id) == "pending_approval"
    boss = open_page("lanhdao")
    boss.goto(f"{boss.base}/sites/tinh/queue?view=awaiting")
    boss.get_by_role("link", name="Chuyển đổi số ở cấp xã").click()
    # The approver starts from the editor's grading, adds a part for the photo and approves.
    form = boss.locator("form.action", has=boss.get_by_role("button", name="Duyệt", exact=True))
    expect(form.locator("[data-total]")).to_have_text("379.500 đ")
    form.locator("[data-add-part]").click()
    photo = form.locator("[data-part]").nth(1)
    photo.locator("select[data-genre]").select_option("anh_dong_bang")
    photo.locator("input[name$='-username']").first.fill("ctv")
    photo.locator("input[name$='-share']").first.fill("100")
    # 379,500 + 1.2 × 253,000 = 379,500 + 303,600.
    expect(form.locator("[data-total]")).to_have_text("683.100 đ")
    expect(photo.locator("[data-payee-label]").first).to_have_text("Nguyễn Thị Hồng")  # who "ctv" is
    # Scheduled a month ahead of now (a fixed date would one day be in the past and publish at once).
    publish = (datetime.now(VIETNAM) + timedelta(days=30)).replace(hour=8, minute=30, second=0, microsecond=0)
    _act(boss, "Duyệt", publish_at=publish.strftime("%d/%m/%Y %H:%M"))
    sub = _fresh(sub_id)
    assert sub.state == "approved"
    grading = db.session.scalar(select(Grading).where(Grading.submission_id == sub_id, Grading.is_current.is_(True)))
    assert grading.action == "approve" and [p.genre_code for p in grading.parts] == ["tin_anh", "anh_dong_bang"]
    assert sorted((gp.payee.full_name, str(gp.share)) for gp in grading.parts[0].payees) == [
        ("Nguyễn Thị Hồng", "70.00"), ("Phạm Văn Ảnh", "30.00")]
    assert "683.100" in boss.locator(".grading-summary").inner_text()
    assert sub.publish_at == publish  # 08:30 in Hà Nội time, stored as the same instant
    assert sub.body_html.startswith("<p>UBND Tỉnh đẩy mạnh")
    assert "1.250 hồ sơ năm 2025</li>" in sub.body_html
    actions = db.session.scalars(select(HistoryEntry.action).where(HistoryEntry.submission_id == sub_id)
                                 .order_by(HistoryEntry.id)).all()
    assert actions == ["create", "submit", "claim", "return", "submit", "claim", "forward", "approve"]


def test_tables_open_in_html_view_and_survive_saving(make, open_page):
    from bbt_workflow.submissions import services

    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    table = "<table><tbody><tr><td>Xã A</td><td>12</td></tr></tbody></table>"
    sub = services.create_submission(author, site, {"content_type": "tin", "title": "Bảng số liệu",
                                                    "body_html": "<p>Số liệu:</p>" + table})
    db.session.commit()
    page = open_page("ctv")
    page.goto(f"{page.base}/submissions/{sub.id}/edit")
    assert page.locator(".editor-wrap").is_hidden()
    assert "bảng hoặc hình ảnh" in page.locator(".editor-toggle + [role=status]").inner_text()  # the editor's note
    page.locator("#body_html").fill(page.locator("#body_html").input_value().replace("12", "15"))
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.wait_for_url(re.compile(rf"/submissions/{sub.id}$"))
    assert "<td>15</td>" in _fresh(sub.id).body_html


def test_queue_filters_in_the_browser(make, open_page):
    from bbt_workflow.submissions import services

    site = make.site("tinh", kind="portal")
    author = make.user("ctv", roles={site: ["contributor"]})
    make.user("bientap", roles={site: ["editor"]})
    for title, ctype in (("Tin giao thông", "tin"), ("Bài du lịch", "bai")):
        sub = services.create_submission(author, site, {"content_type": ctype, "title": title, "category": "van-ban",
                                                        "summary": "Tóm tắt", "body_html": "<p>x</p>"})
        services.transition_submission(author, sub, "submit", sub.version)
    db.session.commit()
    page = open_page("bientap")
    page.goto(f"{page.base}/sites/tinh/queue")
    # The filters other than the search box are collapsed behind "Bộ lọc" (issue 14).
    expect(page.get_by_label("Loại tin bài")).to_be_hidden()
    page.get_by_role("button", name="Bộ lọc", exact=True).click()
    # Bootstrap's collapse animates for ~0.35 s; act on the panel once it is open ("show"), and tie the
    # click to the navigation it starts (a CI run once lost it under load: the wait saw no navigation).
    expect(page.locator("#more-filters")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_label("Loại tin bài").select_option("bai")
    with page.expect_navigation(url=re.compile(r"content_type=bai")):
        page.get_by_role("button", name="Lọc", exact=True).click()
    # A row's title is its link (the first cell holds the claim checkbox).
    assert page.locator("tbody tr").count() == 1
    assert page.locator("tbody tr a[data-open]").all_inner_texts() == ["Bài du lịch"]
    page.get_by_label("Tìm kiếm").fill("giao thong")
    page.get_by_label("Loại tin bài").select_option("")  # shown: a filter is active
    with page.expect_navigation(url=re.compile(r"q=giao\+thong")):
        page.get_by_role("button", name="Lọc", exact=True).click()
    assert page.locator("tbody tr").count() == 1
    assert page.locator("tbody tr a[data-open]").all_inner_texts() == ["Tin giao thông"]
