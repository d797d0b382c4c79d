"""The dashboard pages (issue 13): GET /reports/<site> and /reports/all, every figure read back from the HTML
(elements marked data-figure) against the hand-computed values of test_reports_summary.py's data set, the
period chooser, who may open them, the exports and the links to them."""
from datetime import date

import pytest
from lxml import html
from sqlalchemy import select

from bbt_workflow.accounts.models import Site

from bbt_workflow.db_types import utcnow
from bbt_workflow.domain.report_periods import current_quarter, period_days
from bbt_workflow.domain.royalty_rules import local_date
from bbt_workflow.extensions import db
from tests.conftest import login
from tests.functional.test_reports_summary import (  # noqa: F401 (board: the shared data set, a fixture)
    CAT_A, CAT_B, P, Y, _expected_spending, board, local,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _vn(n):
    """16533 → "16.533" (the Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def _vn_decimal(x):
    """15.5 → "15,5"; -14.3 → "-14,3"; 5.0 → "5" (a percent shows the decimal it has, as in the DOCX)."""
    return f"{x:.1f}".replace(".", ",").removesuffix(",0")


@pytest.fixture
def browse(app):
    clients = {}

    def get(who, url):
        if who not in clients:
            clients[who] = app.test_client()
            # The board's people by role name; their user names are the same but for the admin's.
            assert login(clients[who], {"admin": "quantri"}.get(who, who)).status_code == 302, who
        return clients[who].get(url)

    return get


def _figures(response):
    doc = html.fromstring(response.get_data(as_text=True))
    return {el.get("data-figure"): " ".join(el.text_content().split()) for el in doc.xpath("//*[@data-figure]")}, doc


Q1 = f"period=q1&year={Y}"


def test_every_figure_of_a_site_on_the_page(board, browse):
    response = browse("ketoan", f"/reports/cong?{Q1}")
    assert response.status_code == 200
    figures, doc = _figures(response)
    spending = _expected_spending(10_000_000)
    expected = {
        "published.total": "6",
        "by_content_type.tin": "5", "by_content_type.bai": "1", "by_content_type.video": "0",
        f"by_category.{CAT_A}": "5", f"by_category.{CAT_B}": "1",
        "by_unit.stttt": "4", "by_unit.dai": "2", "by_unit.cuc-thue": "0",
        # 6 / 37 = 16.22 %; last year 7 → (6 - 7) / 7 = -14.29 %.
        "target.percent": "16,2%", "target.published_year_to_date": "6", "target.plan_items": "37",
        "previous_year.total": "7", "previous_year.change_percent": "-14,3%",
        "contributors.reviewed": "5", "contributors.approved": "2", "contributors.returned": "3",
        "contributors.rejected": "1",
        # Lead times [10, 26, 58] h: median 26, p90 51.6.
        "lead_time_hours.median": "26,0", "lead_time_hours.median.table": "26,0", "lead_time_hours.p90": "51,6",
        "waiting.submitted": "1", "waiting.in_review": "1", "waiting.pending_approval": "1",
        "spending.royalties": _vn(spending["royalties"]), "spending.fees": _vn(spending["fees"]),
        "spending.spent": _vn(spending["royalties"] + spending["fees"]),
        "spending.budget": _vn(10_000_000) + " đ", "spending.percent": _vn_decimal(spending["percent"]) + "%",
        # The year's months on the portal (local days): i1 January; i2, w1, w2 February; i3 (31 March 23:30)
        # and w6 March; i4 (1 April 00:10, still 31 March in UTC) April; i6 was taken down.
        "month.1": "1", "month.2": "3", "month.3": "2", "month.4": "1",
        "cumulative.1": "1", "cumulative.2": "4", "cumulative.3": "6", "cumulative.4": "7", "cumulative.12": "7",
    }
    assert {k: figures.get(k) for k in expected} == expected
    assert all(figures[f"month.{m}"] == "0" for m in range(5, 13))
    # Every content type and category appears, zeros included (the API's maps).
    assert len([k for k in figures if k.startswith("by_category.")]) == len(board["categories"])
    # Units by name, and the one that sent nothing.
    assert doc.xpath("//*[@id='units-without-items']/li/@data-unit") == ["cuc-thue"]
    assert [tuple(td.text_content() for td in tr.xpath("td")) for tr in doc.xpath("//tr[@data-reason]")] == \
        [("Thiếu nguồn", "2"), ("Ảnh mờ", "1")]
    assert doc.xpath("string(//*[@id='report-period'])").strip() == f"Từ 01/01/{Y} đến 31/03/{Y}"
    site_name = db.session.scalar(select(Site.name).where(Site.code == "cong"))
    assert doc.xpath("string(//*[@id='report-site'])") == site_name
    # The chart: an SVG with a title, the target line and the line of the twelve months.
    svg = doc.xpath("//svg[@id='progress-chart']")[0]
    assert svg.get("role") == "img" and svg.xpath("./title")[0].text_content().strip()
    assert len(svg.xpath(".//polyline")[0].get("points").split()) == 13
    assert len(svg.xpath(".//line[@class='target-line']")) == 1
    assert len(doc.xpath("//svg[@id='spending-bar']/title")) == 1
    # The exports of the same period.
    links = {a.get("id"): a.get("href") for a in doc.xpath("//*[@id='report-exports']//a")}
    assert set(links) == {"export-xlsx", "export-docx"}
    assert "/reports/cong/export.xlsx?" in links["export-xlsx"]


def test_every_figure_of_all_sites_on_the_page(board, browse):
    response = browse("lanhdao", f"/reports/all?{Q1}")
    assert response.status_code == 200
    figures, doc = _figures(response)
    spending = _expected_spending(12_000_000)
    expected = {
        "published.total": "7", f"by_category.{CAT_A}": "6", "by_unit.stttt": "4",
        # 7 / (37 + 10) = 14.89 %; last year 7 → 0 %.
        "target.plan_items": "47", "target.published_year_to_date": "7", "target.percent": "14,9%",
        "previous_year.total": "7", "previous_year.change_percent": "0%",
        "spending.budget": _vn(12_000_000) + " đ", "spending.percent": _vn_decimal(spending["percent"]) + "%",
        "month.1": "2",  # h1 on the district site too
    }
    assert {k: figures.get(k) for k in expected} == expected
    assert doc.xpath("string(//*[@id='report-site'])") in ("Tất cả các trang", "All sites")
    # Every site has no queue: the states are not links.
    assert doc.xpath("//table[@id='table-waiting']//a") == []


def test_a_year_without_target_and_links_into_the_queue(board, browse):
    # Last year's first quarter: no target, no budget.
    figures, doc = _figures(browse("admin", f"/reports/cong?period=q1&year={P}"))
    assert figures["published.total"] == "7"
    assert figures["target.plan_items"] == f"Chưa đặt chỉ tiêu kế hoạch năm {P}."
    assert figures["target.percent"] == "—" and figures["previous_year.change_percent"] == "—"
    assert figures["spending.budget"] == "chưa đặt" and figures["spending.percent"] == "—"
    assert doc.xpath("//line[@class='target-line']") == []
    # The admin works the queue: each waiting state links into it.
    assert sorted(doc.xpath("//table[@id='table-waiting']//a/@href")) == sorted(
        f"/sites/cong/queue?state={s}" for s in ("submitted", "in_review", "pending_approval"))
    # The accountant has no queue: no links.
    _, doc = _figures(browse("ketoan", f"/reports/cong?period=q1&year={P}"))
    assert doc.xpath("//table[@id='table-waiting']//a") == []


@pytest.mark.parametrize("query,start,end", [
    (f"period=m2&year={Y}", date(Y, 2, 1), date(Y, 2, 28 + (Y % 4 == 0))),
    (f"period=h2&year={Y}", date(Y, 7, 1), date(Y, 12, 31)),
    (f"period=year&year={Y}", date(Y, 1, 1), date(Y, 12, 31)),
    (f"period=custom&from_=05/02/{Y}&to=2/3/{Y}", date(Y, 2, 5), date(Y, 3, 2)),
])
def test_the_period_chooser(board, browse, query, start, end):
    response = browse("lanhdao", f"/reports/cong?{query}")
    assert response.status_code == 200
    _, doc = _figures(response)
    assert doc.xpath("string(//*[@id='report-period'])").strip() == f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"
    # The custom fields show the days, ready to be changed.
    assert doc.xpath("//input[@name='from_']/@value") == [f"{start:%d/%m/%Y}"]
    assert doc.xpath("//input[@name='to']/@value") == [f"{end:%d/%m/%Y}"]


def test_the_custom_period_counts_by_local_day(board, browse):
    # 1 April: i4 (00:10 local). 31 March alone: i3 (23:30 local).
    figures, _ = _figures(browse("lanhdao", f"/reports/cong?period=custom&from_=01/04/{Y}&to=01/04/{Y}"))
    assert figures["published.total"] == "1" and figures["by_content_type.video"] == "1"
    figures, _ = _figures(browse("lanhdao", f"/reports/cong?period=custom&from_=31/03/{Y}&to=31/03/{Y}"))
    assert figures["published.total"] == "1" and figures["by_content_type.bai"] == "1"


def test_the_default_period_is_the_quarter_of_the_clock(board, browse, monkeypatch):
    # Today's quarter with the real clock (its day in Vietnam).
    today = local_date(utcnow())
    start, end = period_days(*current_quarter(today))
    _, doc = _figures(browse("lanhdao", "/reports/cong"))
    assert doc.xpath("string(//*[@id='report-period'])").strip() == f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"
    # With the clock on 10 May of Y: the second quarter of Y; i4 (1 April) is in it.
    monkeypatch.setattr("bbt_workflow.reports.views.utcnow", lambda: local(Y, 5, 10))
    figures, doc = _figures(browse("lanhdao", "/reports/cong"))
    assert doc.xpath("string(//*[@id='report-period'])").strip() == f"Từ 01/04/{Y} đến 30/06/{Y}"
    assert figures["published.total"] == "1"
    assert doc.xpath("//select[@name='period']//option[@selected]/@value") == ["q2"]
    assert doc.xpath("//input[@name='year']/@value") == [str(Y)]
    # The chart of a year under way stops at the clock's month: January to May.
    assert len(doc.xpath("//svg[@id='progress-chart']//polyline")[0].get("points").split()) == 1 + 5


@pytest.mark.parametrize("query,message", [
    (f"period=custom&from_=02/03/{Y}&to=01/03/{Y}", "Ngày bắt đầu của kỳ báo cáo sau ngày kết thúc."),
    (f"period=custom&from_=01/01/{Y - 5}&to=01/01/{Y}", "Kỳ báo cáo dài tối đa năm năm."),
    (f"period=custom&from_=30/02/{Y}&to=01/03/{Y}", "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 02/12/2026."),
    (f"period=custom&from_=hôm qua&to=01/03/{Y}", "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 02/12/2026."),
    (f"period=custom&from_=01/03/{Y}", "Nhập ngày cuối của kỳ."),
    ("period=q5", "Lựa chọn không hợp lệ."),
    ("period=q1&year=hai", "Không phải là số nguyên hợp lệ."),
    ("period=q1&year=1200", "Số phải nằm trong khoảng 1990 đến 2100."),
])
def test_bad_periods_are_said_on_the_page(board, browse, query, message):
    response = browse("lanhdao", f"/reports/cong?{query}")
    assert response.status_code == 422
    doc = html.fromstring(response.get_data(as_text=True))
    alert = " ".join(doc.xpath("string(//*[@id='period-errors'])").split())
    assert message in alert, alert
    assert doc.xpath("//*[@data-figure]") == []  # no figures for a period that is not one
    # The export link of a bad period says the same, not a file.
    response = browse("lanhdao", f"/reports/cong/export.xlsx?{query}")
    assert response.status_code == 422 and response.mimetype == "text/html"


def test_who_may_open_the_pages(board, browse):
    # Members without the approver or accountant role: 403; another site's approver: 404; unknown: 404.
    for who in ("bientap", "ctv1", "mixed"):
        assert browse(who, f"/reports/cong?{Q1}").status_code == 403, who
        assert browse(who, f"/reports/cong/export.xlsx?{Q1}").status_code == 403, who
    assert browse("huyen_ld", f"/reports/cong?{Q1}").status_code == 404
    assert browse("huyen_ld", f"/reports/cong/export.docx?{Q1}").status_code == 404
    assert browse("admin", "/reports/khong-co").status_code == 404
    # Every site: admins and the portal's approvers only.
    for who in ("ketoan", "huyen_ld", "huyen_ketoan", "ctv1", "bientap"):
        assert browse(who, f"/reports/all?{Q1}").status_code == 403, who
        assert browse(who, f"/reports/all/export.xlsx?{Q1}").status_code == 403, who
    for who in ("admin", "lanhdao"):
        assert browse(who, f"/reports/all?{Q1}").status_code == 200, who
    for who in ("huyen_ld", "huyen_ketoan"):
        assert browse(who, f"/reports/huyen?{Q1}").status_code == 200, who


def test_signed_out_readers_go_to_the_login_page(client):
    response = client.get("/reports/all")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_export_buttons_give_the_files_of_the_period(board, browse):
    _, doc = _figures(browse("ketoan", f"/reports/cong?{Q1}"))
    for fmt in ("xlsx", "docx"):
        href = doc.xpath(f"//a[@id='export-{fmt}']/@href")[0]
        response = browse("ketoan", href)
        assert response.status_code == 200, href
        assert response.headers["Content-Disposition"] == \
            f'attachment; filename="bao-cao-cong-{Y}-01-01-{Y}-03-31.{fmt}"'
    assert browse("ketoan", f"/reports/cong/export.xlsx?{Q1}").mimetype == XLSX
    assert browse("ketoan", f"/reports/cong/export.pdf?{Q1}").status_code == 404


def test_links_from_the_home_page_and_the_menu(board, browse):
    # The accountant reads the portal's reports: a link on the home page and the menu; not every site.
    page = browse("ketoan", "/").get_data(as_text=True)
    doc = html.fromstring(page)
    assert "/reports/cong" in doc.xpath("//a[@data-report-link]/@href")
    assert doc.xpath("//*[@id='all-sites-reports']") == []
    assert "/reports" in doc.xpath("//header//nav//a/@href")
    # The portal's approver: every site too; the index lists the dashboards.
    doc = html.fromstring(browse("lanhdao", "/").get_data(as_text=True))
    assert doc.xpath("//*[@id='all-sites-reports']/@href") == ["/reports/all"]
    doc = html.fromstring(browse("lanhdao", "/reports").get_data(as_text=True))
    assert doc.xpath("//*[@id='report-pages']//a/@href") == ["/reports/all", "/reports/cong"]
    # A contributor and an editor: no links, and the index is refused.
    for who in ("ctv1", "bientap"):
        doc = html.fromstring(browse(who, "/").get_data(as_text=True))
        assert doc.xpath("//a[@data-report-link]") == [] and "/reports" not in doc.xpath("//header//nav//a/@href")
        assert browse(who, "/reports").status_code == 403


def test_english_page_numbers(board, browse):
    figures, _ = _figures(browse("ketoan", f"/reports/cong?{Q1}&lang=en"))
    assert figures["target.percent"] == "16.2%" and figures["lead_time_hours.p90"] == "51.6"
    assert figures["spending.budget"] == "10,000,000 đ"

