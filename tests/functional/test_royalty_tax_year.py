"""The payees' tax year (issue 17): the summary over the PAID sheets by payment date, its XLSX, the
withholding statement PDF, permissions. Hand-computed values (ROYALTIES.md E1, E2, E4, E7); the data
years are past years used as data, never compared with the clock."""
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import api_token, bearer, simple_grading

E1, E4 = 351_000, 46_800  # tin_anh 1.5 × 234,000; tin_ngan 1.0 × 0.2 × 234,000


@pytest.fixture
def year_board(make, client):
    tinh = make.site("tinh", kind="portal", approval_levels=2, name="Cổng TTĐT tỉnh")
    budang = make.site("budang", kind="component", approval_levels=1, name="Trang huyện Bù Đăng")
    unit = make.unit("so-tttt", "Sở Thông tin và Truyền thông")
    people = {
        "admin": make.user("quantri", is_admin=True),
        "ketoan": make.user("ketoan", roles={tinh: ["accountant"], budang: ["accountant"]}),
        "ketoan_huyen": make.user("ketoan_huyen", roles={budang: ["accountant"]}),
        "lanhdao": make.user("lanhdao", roles={tinh: ["approver"]}),
        "x": make.user("ctv_x", roles={tinh: ["contributor"]}, unit=unit.code, full_name="Nguyễn Văn Xuân"),
        "a": make.user("ctv_a", roles={tinh: ["contributor"]}, full_name="Trần Thị Ánh"),
        "b": make.user("ctv_b", roles={tinh: ["contributor"]}, full_name="Lê Văn Bình"),
    }
    h = {name: bearer(api_token(client, user.username)) for name, user in people.items()}
    admin = h["admin"]

    def item(ext, published_at, grading):
        return {"external_id": ext, "content_type": "tin", "category": "van-ban", "title": f"Tin {ext}",
                "author_name": "Cộng tác viên", "published_at": published_at, "grading": grading}

    def load(site, items):
        response = client.post(f"/api/v1/admin/sites/{site}/import", json={"items": items}, headers=admin)
        assert response.status_code == 200, response.get_json()

    def sheet(site, period, payment_date, pay=True):
        response = client.post("/api/v1/royalty/sheets", headers=h["ketoan"],
                               json={"site": site, "period": period, "payment_date": payment_date})
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        if pay:
            for action, who in (("check", "ketoan"), ("approve", "admin"), ("pay", "ketoan")):
                body = client.post(f"/api/v1/royalty/sheets/{body['id']}/transitions", headers=h[who],
                                   json={"action": action, "version": body["version"]}).get_json()
            assert body["state"] == "paid", body
        return body

    # Portal, March 2025: six E1 items for X (E7: 2,106,000, tax 210,600), paid 5 April.
    load("tinh", [item(f"mar-{i}", "2025-03-10T09:00:00+07:00", simple_grading("ctv_x")) for i in range(6)])
    # Portal, April 2025: two E1 for X (no tax) and E2 for A 60% / B 40%, paid 10 May.
    load("tinh", [item(f"apr-{i}", "2025-04-08T09:00:00+07:00", simple_grading("ctv_x")) for i in range(2)]
         + [item("apr-e2", "2025-04-09T09:00:00+07:00", {"parts": [{
             "genre": "bai_phan_anh", "coefficient": "2.2", "factors": [],
             "payees": [{"username": "ctv_a", "share": "60"}, {"username": "ctv_b", "share": "40"}]}]})])
    # District site, March 2025: E4 for X, paid on the default date (31 March).
    load("budang", [item("bd-mar", "2025-03-05T09:00:00+07:00", simple_grading("ctv_x", genre="tin_ngan",
                                                                              coefficient="1.0"))])
    # Portal, June 2025: a draft sheet that must not count.
    load("tinh", [item("jun-0", "2025-06-03T09:00:00+07:00", simple_grading("ctv_x"))])
    # Portal, December 2025: paid on 10 January 2026, so it belongs to 2026.
    load("tinh", [item("dec-0", "2025-12-15T09:00:00+07:00", simple_grading("ctv_x"))])
    sheets = {
        "tinh-03": sheet("tinh", "2025-03", "2025-04-05"),
        "tinh-04": sheet("tinh", "2025-04", "2025-05-10"),
        "budang-03": sheet("budang", "2025-03", None),
        "tinh-06": sheet("tinh", "2025-06", "2025-07-05", pay=False),
    }
    # May (nothing published) is paid empty so that December is the next open one; December is paid in 2026.
    sheets["tinh-12"] = sheet("tinh", "2025-12", "2026-01-10")
    return {"h": h, "people": people, "sheets": sheets, "client": client}


def _payee(summary, name):
    return next(p for p in summary["payees"] if p["full_name"] == name)


def test_the_summary_adds_up_the_paid_sheets_by_payment_month(year_board):
    client, h = year_board["client"], year_board["h"]
    assert year_board["sheets"]["budang-03"]["payment_date"] == "2025-03-31"
    response = client.get("/api/v1/royalty/tax-summary?year=2025", headers=h["ketoan"])
    assert response.status_code == 200, response.get_json()
    summary = response.get_json()
    assert summary["year"] == 2025 and sorted(summary["sites"]) == ["budang", "tinh"]
    x = _payee(summary, "Nguyễn Văn Xuân")
    # 46,800 (district, March) + 2,106,000 (portal, March sheet paid in April) + 702,000 (April sheet paid in May);
    # the June draft (351,000) and the December sheet paid in January 2026 do not count.
    assert x["months"] == {
        "03": {"gross": E4, "tax": 0, "net": E4},
        "04": {"gross": 6 * E1, "tax": 210_600, "net": 6 * E1 - 210_600},
        "05": {"gross": 2 * E1, "tax": 0, "net": 2 * E1},
    }
    assert (x["gross"], x["tax"], x["net"]) == (2_854_800, 210_600, 2_644_200)
    assert x["staff"] is False and "tax_code" in x and "id_number" in x
    assert _payee(summary, "Trần Thị Ánh")["months"] == {"05": {"gross": 308_880, "tax": 0, "net": 308_880}}
    assert _payee(summary, "Lê Văn Bình")["gross"] == 205_920
    assert summary["totals"] == {"gross": 2_854_800 + 514_800, "tax": 210_600,
                                 "net": 2_854_800 + 514_800 - 210_600}
    assert len(summary["payees"]) == 3

    one_site = client.get("/api/v1/royalty/tax-summary?year=2025&site=budang", headers=h["ketoan"]).get_json()
    assert [(p["full_name"], p["months"]) for p in one_site["payees"]] == [
        ("Nguyễn Văn Xuân", {"03": {"gross": E4, "tax": 0, "net": E4}})]
    assert one_site["totals"] == {"gross": E4, "tax": 0, "net": E4}


def test_a_december_sheet_paid_in_january_counts_in_the_next_year(year_board):
    client, h = year_board["client"], year_board["h"]
    summary = client.get("/api/v1/royalty/tax-summary?year=2026", headers=h["admin"]).get_json()
    assert [(p["full_name"], p["months"]) for p in summary["payees"]] == [
        ("Nguyễn Văn Xuân", {"01": {"gross": E1, "tax": 0, "net": E1}})]
    mine = client.get("/api/v1/royalty/my-tax-year?year=2026", headers=h["x"]).get_json()
    assert (mine["gross"], list(mine["months"])) == (E1, ["01"])
    assert client.get("/api/v1/royalty/my-tax-year?year=2024", headers=h["x"]).get_json()["gross"] == 0


def test_who_may_read_the_summary(year_board):
    client, h = year_board["client"], year_board["h"]
    for who in ("lanhdao", "x"):
        assert client.get("/api/v1/royalty/tax-summary?year=2025", headers=h[who]).status_code == 403, who
        assert client.get("/api/v1/royalty/tax-summary.xlsx?year=2025", headers=h[who]).status_code == 403, who
    assert client.get("/api/v1/royalty/tax-summary?year=2025").status_code == 401
    # An accountant of the district only: its site without site=, and 403 on the portal's.
    own = client.get("/api/v1/royalty/tax-summary?year=2025", headers=h["ketoan_huyen"]).get_json()
    assert own["sites"] == ["budang"] and own["totals"]["gross"] == E4
    assert client.get("/api/v1/royalty/tax-summary?year=2025&site=tinh",
                      headers=h["ketoan_huyen"]).status_code == 403
    assert client.get("/api/v1/royalty/tax-summary?year=2025&site=nowhere", headers=h["ketoan"]).status_code == 404
    for bad in ("1999", "abc", ""):
        assert client.get(f"/api/v1/royalty/tax-summary?year={bad}", headers=h["ketoan"]).status_code == 422, bad
    assert client.get("/api/v1/royalty/tax-summary", headers=h["ketoan"]).status_code == 422


def test_the_summary_xlsx_reads_back(year_board):
    client, h = year_board["client"], year_board["h"]
    response = client.get("/api/v1/royalty/tax-summary.xlsx?year=2025", headers=h["ketoan"])
    assert response.status_code == 200 and response.data[:2] == b"PK"
    ws = load_workbook(io.BytesIO(response.data)).active
    header = [ws.cell(5, c).value for c in range(1, ws.max_column + 1)]
    sub = [ws.cell(6, c).value for c in range(1, ws.max_column + 1)]
    april = header.index("Tháng 04/2025") + 1
    year_col = header.index("Cả năm 2025") + 1
    assert sub[april - 1:april + 2] == ["Tổng", "Thuế TNCN", "Thực nhận"]
    rows = {ws.cell(r, 2).value: r for r in range(7, ws.max_row + 1)}
    x = rows["Nguyễn Văn Xuân"]
    assert [ws.cell(x, april + i).value for i in range(3)] == [6 * E1, 210_600, 6 * E1 - 210_600]
    assert [ws.cell(x, year_col + i).value for i in range(3)] == [2_854_800, 210_600, 2_644_200]
    assert ws.cell(x, april).number_format.startswith("#,##0")
    total = rows["TỔNG CỘNG"]
    assert total == ws.max_row
    assert [ws.cell(total, year_col + i).value for i in range(3)] == [3_369_600, 210_600, 3_159_000]
    assert ws.print_title_rows == "$5:$6" and ws.page_setup.orientation == "landscape"
    # Each payee row is as tall as its wrapped unit name needs (a long name must not print over the next row).
    unit = ws.cell(x, 4).value
    assert ws.cell(x, 4).alignment.wrap_text and ws.row_dimensions[x].height is not None
    assert ws.row_dimensions[x].height >= 12 * (1 + len(unit) // 26), (unit, ws.row_dimensions[x].height)


def _pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_withholding_statement_pdf(year_board):
    client, h = year_board["client"], year_board["h"]
    x = year_board["people"]["x"]
    summary = client.get("/api/v1/royalty/tax-summary?year=2025", headers=h["ketoan"]).get_json()
    payee_id = _payee(summary, "Nguyễn Văn Xuân")["payee_id"]
    response = client.get(f"/api/v1/royalty/payees/{payee_id}/statement.pdf?year=2025", headers=h["ketoan"])
    assert response.status_code == 200 and response.mimetype == "application/pdf", response.data[:300]
    reader = PdfReader(io.BytesIO(response.data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait, in points
    text = _pdf_text(response.data)
    assert "NĂM 2025" in text and "Nguyễn Văn Xuân" in text
    for figure in ("2.854.800", "210.600", "2.644.200", "2.106.000", "1.895.400", "46.800", "702.000"):
        assert figure in text, figure
    assert "Hai trăm mười nghìn sáu trăm đồng" in text  # the tax in words
    # The payee's own statement (every site) has the same figures; others may not read it.
    own = client.get("/api/v1/royalty/my-tax-year/statement.pdf?year=2025", headers=h["x"])
    assert own.status_code == 200 and "2.854.800" in _pdf_text(own.data)
    assert client.get(f"/api/v1/royalty/payees/{payee_id}/statement.pdf?year=2025",
                      headers=h["x"]).status_code == 403
    assert client.get(f"/api/v1/royalty/payees/{payee_id}/statement.pdf?year=2025",
                      headers=h["lanhdao"]).status_code == 403
    assert x.username == "ctv_x"


def test_the_pages(year_board, client):
    from tests.conftest import login

    login(client, "ketoan")
    page = client.get("/royalties/tax-year?year=2025&site=tinh")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Nguyễn Văn Xuân" in html and "2.106.000" in html and "Trần Thị Ánh" in html
    assert "46.800" not in html  # the district's payment is not in the portal's summary
    assert client.get("/sites/tinh/royalties").get_data(as_text=True).count("/royalties/tax-year?site=tinh") == 1
    download = client.get("/royalties/tax-year.xlsx?year=2025")
    assert download.status_code == 200 and download.data[:2] == b"PK"
    assert client.get("/royalties/tax-year?year=2025&site=nowhere").status_code == 404
    client = client.application.test_client()
    login(client, "ctv_x")
    assert client.get("/royalties/tax-year?year=2025").status_code == 403
    mine = client.get("/my/royalties?year=2025").get_data(as_text=True)
    assert "2.854.800" in mine and "/my/royalties/statement.pdf?year=2025" in mine
    pdf = client.get("/my/royalties/statement.pdf?year=2025")
    assert pdf.status_code == 200 and "2.854.800" in _pdf_text(pdf.data)


def test_the_summary_is_grouped_sql_not_a_query_per_sheet(year_board):
    """2025 has four paid sheets and three payees, 2026 one of each: the same number of statements."""
    from sqlalchemy import event

    from bbt_workflow.extensions import db

    client, h = year_board["client"], year_board["h"]

    def statements(year):
        count = [0]

        def count_it(*args):
            count[0] += 1

        event.listen(db.engine, "before_cursor_execute", count_it)
        try:
            response = client.get(f"/api/v1/royalty/tax-summary?year={year}", headers=h["ketoan"])
        finally:
            event.remove(db.engine, "before_cursor_execute", count_it)
        assert response.status_code == 200
        return count[0], len(response.get_json()["payees"])

    busy, quiet = statements(2025), statements(2026)
    assert (busy[1], quiet[1]) == (3, 1)
    assert busy[0] == quiet[0], (busy, quiet)
