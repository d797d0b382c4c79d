"""Numbers and dates in the reader's format (1,5 · 1,30–1,50 · 02/12/2026 in Vietnamese; 1.5 in English);
inputs take 1,5 and 1.5 alike, and dates as dd/mm/yyyy."""
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bbt_workflow.extensions import db
from bbt_workflow.submissions import services
from bbt_workflow.submissions.models import Submission
from tests.conftest import api_token, bearer, csrf_from, login, simple_grading
from tests.forms import action_form

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def item(make):
    site = make.site("tinh", kind="portal", approval_levels=2)
    author = make.user("ctv", roles={site: ["contributor"]}, full_name="Nguyễn Thị Hồng")
    editor = make.user("bientap", roles={site: ["editor"]})
    make.user("lanhdao", roles={site: ["approver"]})
    publish = (datetime.now(VIETNAM) + timedelta(days=40)).replace(hour=8, minute=30, second=0, microsecond=0)
    sub = services.create_submission(author, site, {
        "content_type": "tin", "title": "Tin có ảnh", "category": "van-ban", "summary": "Tóm tắt",
        "body_html": "<p>Nội dung</p>", "publish_at": publish})
    services.transition_submission(author, sub, "submit", sub.version)
    services.transition_submission(editor, sub, "claim", sub.version)
    db.session.commit()
    return sub


def _option(html, genre):
    return re.search(rf'<option value="{genre}"[^>]*>([^<]*)</option>', html).group(1)


def test_grading_form_numbers_in_vietnamese_and_english(client, item):
    login(client, "bientap")
    vi = client.get(f"/submissions/{item.id}?lang=vi").get_data(as_text=True)
    assert _option(vi, "tin_anh").endswith("(1,5)")
    assert "1,30–1,50" in vi and "1.30–1.50" not in vi
    assert re.search(r"Khung cho phép: từ \d+(,\d+)? đến \d+(,\d+)?<", vi)
    en = client.get(f"/submissions/{item.id}?lang=en").get_data(as_text=True)
    assert _option(en, "tin_anh").endswith("(1.5)")
    assert "1.30–1.50" in en


def test_service_messages_format_numbers_for_the_reader(client, item):
    h = bearer(api_token(client, "bientap"))
    grading = simple_grading("ctv", coefficient="2")
    vi = client.post("/api/v1/royalty/quote?lang=vi", json={"site": "tinh", "grading": grading}, headers=h)
    assert vi.status_code == 422
    message = vi.get_json()["error"]["message"]
    assert "1,5" in message and "1.5" not in message
    en = client.post("/api/v1/royalty/quote?lang=en", json={"site": "tinh", "grading": grading}, headers=h)
    assert "1.5" in en.get_json()["error"]["message"]


@pytest.mark.parametrize("typed", ["1,5", "1.5", " 1,50 "])
def test_coefficients_and_shares_take_either_decimal_separator(client, item, typed):
    h = bearer(api_token(client, "bientap"))
    grading = simple_grading("ctv", coefficient=typed)
    grading["parts"][0]["payees"][0]["share"] = "100,0" if "," in typed else "100.0"
    quote = client.post("/api/v1/royalty/quote", json={"site": "tinh", "grading": grading}, headers=h)
    assert quote.status_code == 200, quote.get_json()


def test_grading_summary_day_is_dd_mm_yyyy(client, item):
    login(client, "bientap")
    fields = action_form(client.get(f"/submissions/{item.id}").get_data(as_text=True), "forward")
    fields["g-0-genre"], fields["g-0-coefficient"], fields["g-0-p-0-share"] = "tin_anh", "1,5", "100"
    response = client.post(f"/submissions/{item.id}/act", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    html = client.get(f"/submissions/{item.id}").get_data(as_text=True)
    summary = html[html.index("grading-summary"):]
    day = db.session.get(Submission, item.id).publish_at.astimezone(VIETNAM).strftime("%d/%m/%Y")
    assert day in summary and not re.search(r"\d{4}-\d{2}-\d{2}", summary[:summary.index("</table>")])


def _new(client, lang, publish_at):
    page = client.get(f"/sites/tinh/submissions/new?lang={lang}").get_data(as_text=True)
    return page, client.post(f"/sites/tinh/submissions/new?lang={lang}", data={
        "csrf_token": csrf_from(page), "content_type": "tin", "category": "van-ban", "title": "Tin hẹn giờ",
        "summary": "", "body_html": "<p>x</p>", "language": "vi", "publish_at": publish_at})


def test_publish_time_is_typed_as_dd_mm_yyyy_hh_mm(client, item):
    login(client, "ctv")
    when = (datetime.now(VIETNAM) + timedelta(days=60)).replace(hour=9, minute=15, second=0, microsecond=0)
    page, response = _new(client, "vi", when.strftime("%d/%m/%Y %H:%M"))
    assert 'type="datetime-local"' not in page and 'placeholder="dd/mm/yyyy hh:mm"' in page
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    sub_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert db.session.get(Submission, sub_id).publish_at == when
    assert when.strftime("%d/%m/%Y %H:%M") in client.get(f"/submissions/{sub_id}/edit").get_data(as_text=True)
    _, response = _new(client, "vi", when.strftime("%Y-%m-%dT%H:%M"))  # the ISO form still works
    assert response.status_code == 302


@pytest.mark.parametrize("lang,message", [("vi", "Nhập ngày giờ theo dạng dd/mm/yyyy hh:mm"),
                                          ("en", "Enter a date and time as dd/mm/yyyy hh:mm")])
def test_a_bad_publish_time_is_refused_with_a_message(client, item, lang, message):
    login(client, "ctv")
    before = db.session.query(Submission).count()
    _, response = _new(client, lang, f"31/02/{datetime.now(VIETNAM).year + 1} 08:00")
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.query(Submission).count() == before


@pytest.mark.parametrize("factor,day", [("0,8", "01/01/2025"), ("0.8", "2025-01-01")])
def test_rule_admin_takes_either_separator_and_dd_mm_yyyy(client, make, factor, day):
    from decimal import Decimal

    from bbt_workflow.royalties.models import SiteFactor
    from tests.forms import form_with

    site = make.site("tinh", kind="portal")
    make.user("admin", is_admin=True)
    login(client, "admin")
    url = "/admin/royalties/site-factors/new"
    page = client.get(url).get_data(as_text=True)
    assert 'placeholder="dd/mm/yyyy"' in page and 'type="date"' not in page
    data = dict(form_with(page, "factor"), site="tinh", factor=factor, effective_from=day, source_text="QĐ riêng")
    assert client.post(url, data=data).status_code == 302
    row = db.session.scalar(db.select(SiteFactor).where(SiteFactor.site_id == site.id))
    assert row.factor == Decimal("0.8") and row.effective_from.isoformat() == "2025-01-01"
    listing = client.get("/admin/royalties/site-factors?lang=vi").get_data(as_text=True)
    assert "0,8" in listing and "01/01/2025" in listing
    data.update(effective_from="31/02/2025", factor="0,9")
    refused = client.post(url + "?lang=vi", data=data).get_data(as_text=True)
    assert "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 02/12/2026." in refused
    assert db.session.query(SiteFactor).filter(SiteFactor.site_id == site.id).count() == 1


def test_payment_date_and_my_royalties_dates_as_dd_mm_yyyy(client, make):
    from bbt_workflow.royalties.models import RoyaltySheet

    site = make.site("tinh", kind="portal")
    make.user("ketoan", roles={site: ["accountant"]})
    login(client, "ketoan")
    page = client.get("/sites/tinh/royalties").get_data(as_text=True)
    assert 'placeholder="dd/mm/yyyy"' in page and 'type="date"' not in page
    created = client.post("/sites/tinh/royalties", data={"csrf_token": csrf_from(page), "period": "2025-03",
                                                         "payment_date": "05/04/2025"})
    assert created.status_code == 302
    sheet = db.session.scalar(db.select(RoyaltySheet))
    assert sheet.payment_date.isoformat() == "2025-04-05"
    page = client.get(f"/royalties/sheets/{sheet.id}").get_data(as_text=True)
    assert "05/04/2025" in page
    refused = client.post(f"/royalties/sheets/{sheet.id}/payment-date?lang=vi", data={
        "csrf_token": csrf_from(page), "payment_date": "30/02/2025", "version": str(sheet.version)})
    assert refused.status_code == 422
    assert "Nhập ngày theo dạng dd/mm/yyyy, ví dụ 02/12/2026." in refused.get_data(as_text=True)
    moved = client.post(f"/royalties/sheets/{sheet.id}/payment-date", data={
        "csrf_token": csrf_from(page), "payment_date": "10/04/2025", "version": str(sheet.version)})
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(RoyaltySheet, sheet.id).payment_date.isoformat() == "2025-04-10"
    mine = client.get("/my/royalties?from=01/03/2025&to=31/03/2025").get_data(as_text=True)
    assert 'value="01/03/2025"' in mine and 'value="31/03/2025"' in mine
    bad = client.get("/my/royalties?from=2025-13-01&lang=en").get_data(as_text=True)
    assert "Enter a date as dd/mm/yyyy, e.g. 02/12/2026." in bad


# Inputs too: what a number input shows is in the reader's format, and sending it back unchanged
# gives the same number (the parsers take 1,5 and 1.5 alike).

def _in_language(client, lang):
    page = client.get("/").get_data(as_text=True)
    client.post(f"/language/{lang}", data={"csrf_token": csrf_from(page), "next": "/"})


def _option_attr(html, genre, attr):
    return re.search(rf'<option value="{genre}"[^>]*\b{attr}="([^"]*)"', html).group(1)


@pytest.mark.parametrize("lang,mark", [("vi", ","), ("en", ".")])
def test_grading_inputs_show_the_readers_format_and_round_trip(client, app, item, lang, mark):
    from decimal import Decimal

    from bbt_workflow.royalties.models import Grading

    login(client, "bientap")
    _in_language(client, lang)
    page = client.get(f"/submissions/{item.id}").get_data(as_text=True)
    fields = action_form(page, "forward")
    # The adjustments' default multiplier and the genres' defaults (written by the script on a change).
    assert fields["g-0-f-translation-value"] == f"0{mark}5"
    assert _option_attr(page, "tin_anh", "data-default") == f"1{mark}5"
    fields.update({"g-0-genre": "tin_anh", "g-0-coefficient": "1.5", "g-0-f-translation-on": "y",
                   "g-0-f-translation-value": "0.45", "g-0-f-translation-reason": "Dịch",
                   "g-0-p-0-share": "66.5", "g-0-p-1-name": "Trần Văn B", "g-0-p-1-share": "33.5"})
    assert client.post(f"/submissions/{item.id}/act", data=fields).status_code == 302
    forwarded = db.session.scalar(db.select(Grading).where(Grading.is_current.is_(True)))

    boss = app.test_client()
    login(boss, "lanhdao")
    _in_language(boss, lang)
    fields = action_form(boss.get(f"/submissions/{item.id}").get_data(as_text=True), "approve")
    assert fields["g-0-coefficient"] == f"1{mark}5"
    assert fields["g-0-f-translation-value"] == f"0{mark}45"
    assert (fields["g-0-p-0-share"], fields["g-0-p-1-share"]) == (f"66{mark}5", f"33{mark}5")
    # Sent back unchanged: the same grading.
    assert boss.post(f"/submissions/{item.id}/act", data=fields).status_code == 302
    db.session.expire_all()
    approved = db.session.scalar(db.select(Grading).where(Grading.is_current.is_(True)))
    assert approved.action == "approve" and approved.id != forwarded.id

    def numbers(grading):
        return [(p.genre_code, Decimal(p.coefficient), [Decimal(f.value) for f in p.factors],
                 [Decimal(gp.share) for gp in p.payees]) for p in grading.parts]

    assert numbers(approved) == numbers(forwarded) == [
        ("tin_anh", Decimal("1.5"), [Decimal("0.45")], [Decimal("66.5"), Decimal("33.5")])]


@pytest.mark.parametrize("lang,mark", [("vi", ","), ("en", ".")])
def test_rule_admin_inputs_show_the_readers_format_and_round_trip(client, make, lang, mark):
    from decimal import Decimal

    from bbt_workflow.royalties.models import AdjustmentType, BaseSalary, SiteFactor
    from tests.forms import form_with

    site = make.site("tinh", kind="portal")
    make.user("admin", is_admin=True)
    login(client, "admin")
    _in_language(client, lang)
    page = client.get("/admin/royalties/site-factors/new").get_data(as_text=True)
    data = dict(form_with(page, "factor"), site="tinh", factor="0.25", effective_from="01/01/2025", source_text="QĐ")
    assert client.post("/admin/royalties/site-factors/new", data=data).status_code == 302
    row = db.session.scalar(db.select(SiteFactor).where(SiteFactor.site_id == site.id))
    url = f"/admin/royalties/site-factors/{row.id}/edit"
    fields = form_with(client.get(url).get_data(as_text=True), "factor")
    assert fields["factor"] == f"0{mark}25"
    assert client.post(url, data=fields).status_code == 302
    db.session.expire_all()
    assert db.session.get(SiteFactor, row.id).factor == Decimal("0.25")

    # An adjustment's multipliers (0.40–0.65 stored with two places).
    adjustment = db.session.scalar(db.select(AdjustmentType).where(AdjustmentType.code == "translation"))
    url = f"/admin/royalties/adjustments/{adjustment.id}/edit"
    fields = form_with(client.get(url).get_data(as_text=True), "min_factor")
    assert (fields["min_factor"], fields["max_factor"], fields["default_factor"]) == (
        f"0{mark}4", f"0{mark}65", f"0{mark}5")
    assert client.post(url, data=fields).status_code == 302
    db.session.expire_all()
    adjustment = db.session.get(AdjustmentType, adjustment.id)
    assert (adjustment.min_factor, adjustment.max_factor, adjustment.default_factor) == (
        Decimal("0.4"), Decimal("0.65"), Decimal("0.5"))

    # Amounts in VND have no thousands separator in an input (16.533 would read back as 16,533).
    salary = db.session.scalar(db.select(BaseSalary).order_by(BaseSalary.effective_from.desc()))
    url = f"/admin/royalties/base-salaries/{salary.id}/edit"
    fields = form_with(client.get(url).get_data(as_text=True), "amount")
    assert fields["amount"] == str(int(salary.amount))
    assert client.post(url, data=fields).status_code == 302
    db.session.expire_all()
    assert db.session.get(BaseSalary, salary.id).amount == int(salary.amount)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("value,vi,en", [
    ("1.5", "1,5", "1.5"), ("0.50", "0,5", "0.5"), ("2340000", "2340000", "2340000"), ("100.00", "100", "100"),
    ("1E+2", "100", "100"), ("0.045", "0,045", "0.045"), ("-0.2", "-0,2", "-0.2")])
def test_input_number_reads_back_as_the_same_number(app, lang, value, vi, en):
    from decimal import Decimal

    from flask_babel import force_locale

    from bbt_workflow.formatting import input_number, parse_decimal

    with app.test_request_context("/"), force_locale(lang):
        shown = input_number(Decimal(value))
        assert shown == (vi if lang == "vi" else en)
        assert parse_decimal(shown) == Decimal(value)
        assert input_number("abc") == "abc"  # what someone typed is kept


@pytest.mark.parametrize("value,vi,en", [
    (0, "0", "0"), (7, "7", "7"), (999, "999", "999"), (-999, "-999", "-999"), (1000, "1.000", "1,000"),
    (-1000, "-1.000", "-1,000"), (16533, "16.533", "16,533")])
def test_whole_numbers_small_and_large_in_each_language(app, value, vi, en):
    # Small whole numbers skip Babel (a queue page formats ~100 of them); the result must not change.
    from flask_babel import force_locale

    from bbt_workflow.formatting import format_number

    for lang, expected in (("vi", vi), ("en", en)):
        with app.test_request_context("/"), force_locale(lang):
            assert format_number(value) == expected
            assert format_number(value, 0) == expected


@pytest.mark.parametrize("instant", [
    datetime(2026, 12, 4, 16, 59, tzinfo=ZoneInfo("UTC")),  # 23:59 in Vietnam
    datetime(2026, 12, 4, 17, 0, tzinfo=ZoneInfo("UTC")),  # the next day in Vietnam
    datetime(2026, 1, 1, 0, 5),  # naive: read as UTC
    datetime(2027, 3, 9, 8, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))])
def test_dates_and_times_read_as_babel_formats_them(app, instant):
    # format_datetime and format_date use strftime in the app's zone (a queue page formats ~100 instants);
    # they must give what Babel's formatter gives for the same digits-only patterns, in both languages.
    from flask_babel import force_locale
    from flask_babel import format_datetime as babel_format

    from bbt_workflow.formatting import format_date, format_datetime

    for lang in ("vi", "en"):
        with app.test_request_context("/"), force_locale(lang):
            assert format_datetime(instant) == babel_format(instant, "dd/MM/yyyy HH:mm")
            assert format_date(instant) == babel_format(instant, "dd/MM/yyyy")
