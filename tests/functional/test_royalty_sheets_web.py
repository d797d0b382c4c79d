"""Royalty sheet pages as accountants, approvers and contributors use them."""
import io
from datetime import datetime, time, timedelta

from sqlalchemy import select

from bbt_workflow.accounts.models import User
from bbt_workflow.domain.royalty_rules import VIETNAM
from bbt_workflow.extensions import db
from bbt_workflow.royalties.importing.services import import_items
from bbt_workflow.royalties.sheets.transitions import create_sheet
from bbt_workflow.royalties.models import RoyaltySheet
from bbt_workflow.submissions.models import Submission
from tests.conftest import csrf_from, login


def _setup(make, client):
    site = make.site("tinh", kind="portal", name="Cổng TTĐT tỉnh")
    unit = make.unit("so-tttt", "Sở Thông tin và Truyền thông")
    make.user("quantri", is_admin=True)
    make.user("ketoan", roles={site: ["accountant"]})
    make.user("lanhdao", roles={site: ["approver"]})
    make.user("ctv_x", roles={site: ["contributor"]}, unit=unit.code, full_name="Nguyễn Văn X")
    return site


CSV = ("external_id,content_type,category,unit,title,author_username,published_at,royalty_settled,genre,coefficient,payees\n"
       "a1,tin,van-ban,so-tttt,Tin tháng ba,ctv_x,2025-03-10T09:00:00+07:00,,tin_anh,,ctv_x:100\n"
       "a2,tin,van-ban,so-tttt,Tin cũ năm 2024,ctv_x,2024-05-02T09:00:00+07:00,1,,,\n")


def _import_csv(client, text):
    page = client.get("/admin/sites/tinh/import-items")
    return client.post("/admin/sites/tinh/import-items", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        "file": (io.BytesIO(text.encode("utf-8")), "items.csv")}, content_type="multipart/form-data")


def test_import_compute_check_approve_pay_in_the_pages(app, make):
    _setup(make, None)
    admin = app.test_client()
    login(admin, "quantri")
    bad = _import_csv(admin, CSV.replace("tin_anh", "khong_co"))
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert "Nothing was imported" in body or "Không nhập" in body
    assert "<td>2</td>" in body  # the refused CSV line, counting the header as line 1
    assert db.session.scalar(select(Submission.id)) is None
    ok = _import_csv(admin, CSV)
    assert ok.status_code == 200 and db.session.scalar(select(Submission.id).where(Submission.external_id == "a2"))

    accountant = app.test_client()
    login(accountant, "ketoan")
    page = accountant.get("/sites/tinh/royalties")
    assert page.status_code == 200
    created = accountant.post("/sites/tinh/royalties", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                                             "period": "2025-03", "payment_date": "2025-04-05"})
    assert created.status_code == 302
    sheet = db.session.scalar(select(RoyaltySheet))
    page = accountant.get(f"/royalties/sheets/{sheet.id}").get_data(as_text=True)
    assert "Nguyễn Văn X" in page and "351.000" in page and "Sở Thông tin và Truyền thông" in page
    assert "Tin cũ năm 2024" not in page  # settled: never on a sheet
    # Bad month → a field error, nothing created. (03/2025 is a month now: mm/yyyy is the board's format.)
    listing = accountant.get("/sites/tinh/royalties").get_data(as_text=True)
    for bad_month in ("13/2025", "2025/03", "tháng 3"):
        again = accountant.post("/sites/tinh/royalties", data={"csrf_token": csrf_from(listing), "period": bad_month})
        assert again.status_code == 422 and db.session.query(RoyaltySheet).count() == 1
        assert "Nhập tháng theo dạng mm/yyyy, ví dụ 11/2026." in again.get_data(as_text=True)
    # A payment date that is missing or not a date: the page again with the error, nothing changed.
    for bad in ("", "2025-02-30"):
        refused = accountant.post(f"/royalties/sheets/{sheet.id}/payment-date", data={
            "csrf_token": csrf_from(page), "payment_date": bad, "version": str(sheet.version)})
        assert refused.status_code == 422 and 'class="invalid-feedback d-block"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RoyaltySheet, sheet.id).payment_date.isoformat() == "2025-04-05"
    accountant.post(f"/royalties/sheets/{sheet.id}/act", data={"csrf_token": csrf_from(page), "action": "check",
                                                               "version": str(sheet.version)})
    db.session.expire_all()
    assert db.session.get(RoyaltySheet, sheet.id).state == "checked"
    approver = app.test_client()
    login(approver, "lanhdao")
    page = approver.get(f"/royalties/sheets/{sheet.id}").get_data(as_text=True)
    # A stale version is refused with a message, nothing changes.
    stale = approver.post(f"/royalties/sheets/{sheet.id}/act", data={"csrf_token": csrf_from(page), "action": "approve",
                                                                     "version": "1"}, follow_redirects=True)
    assert "changed by someone else" in stale.get_data(as_text=True) or "người khác" in stale.get_data(as_text=True)
    assert db.session.get(RoyaltySheet, sheet.id).state == "checked"
    approver.post(f"/royalties/sheets/{sheet.id}/act", data={"csrf_token": csrf_from(page), "action": "approve",
                                                             "version": str(db.session.get(RoyaltySheet, sheet.id).version)})
    db.session.expire_all()
    assert db.session.get(RoyaltySheet, sheet.id).state == "approved"
    export = accountant.get(f"/royalties/sheets/{sheet.id}/export.xlsx")
    assert export.status_code == 200 and export.headers["Content-Disposition"].endswith('.xlsx"')

    contributor = app.test_client()
    login(contributor, "ctv_x")
    assert contributor.get(f"/royalties/sheets/{sheet.id}").status_code == 404
    assert contributor.get("/sites/tinh/royalties").status_code == 403
    mine = contributor.get("/my/royalties?from=2025-01-01").get_data(as_text=True)
    assert "Tin tháng ba" in mine and "351.000" in mine


def test_sheets_list_renders_the_years_fund_figures(app, make):
    """The list with a computed sheet in the year shows the fund (fees as a percent of royalties, limit 50 %).

    It answered 500 (Jinja's gettext %-formats every msgid: "limit 50%" is an incomplete format)."""
    site = _setup(make, None)
    admin = db.session.scalar(select(User).where(User.username == "quantri"))
    accountant = db.session.scalar(select(User).where(User.username == "ketoan"))
    published = datetime.combine((datetime.now(VIETNAM) - timedelta(days=40)).date(), time(9, 0), VIETNAM)
    import_items(admin, site, [{
        "external_id": "f1", "content_type": "tin", "category": "van-ban", "title": "Tin có nhuận bút",
        "author_username": "ctv_x", "published_at": published.isoformat(),
        "grading": {"parts": [{"genre": "tin_anh", "coefficient": "1.5", "factors": [],
                               "payees": [{"username": "ctv_x", "share": "100"}]}]}}])
    create_sheet(accountant, site, f"{published:%Y-%m}")
    db.session.commit()

    client = app.test_client()
    login(client, "ketoan")
    vi = client.get(f"/sites/tinh/royalties?year={published.year}")
    assert vi.status_code == 200
    body = vi.get_data(as_text=True)
    assert f"BK-tinh-{published:%Y-%m}" in body
    assert "giới hạn 50%" in body and "50%%" not in body
    en = client.get(f"/sites/tinh/royalties?year={published.year}&lang=en")
    assert en.status_code == 200
    assert "of royalties; limit 50%" in en.get_data(as_text=True)


def test_the_month_is_typed_as_mm_yyyy_and_offers_last_month(app, make):
    """<input type=month> showed the browser's format ("--------- ----" in Chromium); the month is a text
    input in the board's mm/yyyy, last month by default (what an accountant computes most)."""
    _setup(make, None)
    accountant = app.test_client()
    login(accountant, "ketoan")
    page = accountant.get("/sites/tinh/royalties").get_data(as_text=True)
    assert 'type="month"' not in page and 'placeholder="mm/yyyy"' in page
    last = (datetime.now(VIETNAM).replace(day=1) - timedelta(days=1))
    assert f'value="{last:%m/%Y}"' in page
    created = accountant.post("/sites/tinh/royalties", data={"csrf_token": csrf_from(page), "period": f"{last:%m/%Y}"})
    assert created.status_code == 302
    sheet = db.session.scalar(select(RoyaltySheet))
    assert (sheet.period_start.year, sheet.period_start.month) == (last.year, last.month)
