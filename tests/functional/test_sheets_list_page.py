"""The accountant's screens (issue 14): the sheets list filtered by ?state= with counts and totals,
the home page's "sheets to check/approve/pay" landing on the filtered list, and the sheet page with
its next step as the one primary button and the downloads."""
import re
from datetime import datetime, time, timedelta

from sqlalchemy import select

from bbt_workflow.accounts.models import User
from bbt_workflow.domain.royalty_rules import VIETNAM
from bbt_workflow.extensions import db
from bbt_workflow.royalties.importing.services import import_items
from bbt_workflow.royalties.sheets.transitions import create_sheet, transition_sheet
from tests.conftest import login


def _two_sheets(make):
    """Two months' sheets: the older one checked, the newer one still a draft."""
    site = make.site("tinh", kind="portal", name="Cổng TTĐT tỉnh")
    unit = make.unit("so-tttt", "Sở Thông tin và Truyền thông")
    admin = make.user("quantri", is_admin=True)
    accountant = make.user("ketoan", roles={site: ["accountant"]})
    make.user("lanhdao", roles={site: ["approver"]})
    make.user("ctv_x", roles={site: ["contributor"]}, unit=unit.code, full_name="Nguyễn Văn X")
    sheets = []
    for months_back, external_id in ((70, "old"), (40, "new")):
        published = datetime.combine((datetime.now(VIETNAM) - timedelta(days=months_back)).date(), time(9, 0), VIETNAM)
        import_items(admin, site, [{
            "external_id": external_id, "content_type": "tin", "category": "van-ban", "title": f"Tin {external_id}",
            "author_username": "ctv_x", "published_at": published.isoformat(),
            "grading": {"parts": [{"genre": "tin_anh", "coefficient": "1.5", "factors": [],
                                   "payees": [{"username": "ctv_x", "share": "100"}]}]}}])
        sheets.append(create_sheet(accountant, site, f"{published:%Y-%m}"))
    if sheets[0].period_start == sheets[1].period_start:  # both in one month: keep one sheet
        sheets = sheets[1:]
    db.session.commit()
    transition_sheet(accountant, sheets[0], "check", sheets[0].version)
    db.session.commit()
    return site, sheets


def _numbers(page):
    return re.findall(r'<a href="/royalties/sheets/\d+">([^<]+)</a>', page)


def test_the_list_filters_by_state_with_counts_and_totals(app, make):
    site, sheets = _two_sheets(make)
    checked = sheets[0]
    client = app.test_client()
    login(client, "ketoan")
    page = client.get("/sites/tinh/royalties?state=checked").get_data(as_text=True)
    assert _numbers(page) == [checked.number]
    assert re.search(r'class="nav-link active" href="/sites/tinh/royalties\?state=checked" aria-current="page">Đã kiểm tra \(1\)', page)
    assert f'<span class="badge sheet-state-checked">' in page
    footer = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S).group(1)
    assert re.findall(r'class="num[^"]*">([\d.]+)</td>', footer) == [f"{checked.gross:,}".replace(",", "."),
                                                                     f"{checked.tax:,}".replace(",", "."),
                                                                     f"{checked.net:,}".replace(",", ".")]
    everything = client.get("/sites/tinh/royalties").get_data(as_text=True)
    assert sorted(_numbers(everything)) == sorted(s.number for s in sheets)
    assert 'aria-current="page">Tất cả (%d)' % len(sheets) in everything
    assert "Không có bảng kê nào ở bước này." in client.get("/sites/tinh/royalties?state=paid").get_data(as_text=True)
    # An unknown state is ignored: the whole list.
    assert sorted(_numbers(client.get("/sites/tinh/royalties?state=bogus").get_data(as_text=True))) == sorted(s.number for s in sheets)


def test_home_links_land_on_the_filtered_list(app, make):
    _two_sheets(make)
    client = app.test_client()
    login(client, "lanhdao")
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<a href="/sites/tinh/royalties\?state=checked">Bảng nhuận bút chờ duyệt</a>', home), home
    accountant = app.test_client()
    login(accountant, "ketoan")
    home = accountant.get("/").get_data(as_text=True)
    assert '<a href="/sites/tinh/royalties?state=draft">' in home and '<a href="/sites/tinh/royalties?state=approved">' in home


def test_the_sheet_page_offers_its_next_step_as_the_one_primary_button(app, make):
    site, sheets = _two_sheets(make)
    checked = sheets[0]
    client = app.test_client()
    login(client, "lanhdao")
    page = client.get(f"/royalties/sheets/{checked.id}").get_data(as_text=True)
    primary = re.findall(r'<button type="submit" class="btn btn-primary">([^<]+)</button>', page)
    assert primary == ["Duyệt bảng kê"]
    assert f'href="/royalties/sheets/{checked.id}/export.xlsx"' in page and f'href="/royalties/sheets/{checked.id}/export.csv"' in page
    # Grouped by unit then payee, with the payee's subtotal.
    assert re.search(r'<tr class="group"><th scope="rowgroup" colspan="8">Sở Thông tin và Truyền thông</th>', page)
    assert '<tr class="subtotal">' in page
