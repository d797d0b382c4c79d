"""Rate administration (admins) and payees (accountants and admins) through the pages."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bbt_workflow.errors import Forbidden
from bbt_workflow.extensions import db
from bbt_workflow.royalties.rules import services as rules_admin
from bbt_workflow.royalties.models import (
    BaseSalary, FeeRule, NationalCap, Payee, Regulation, SiteFactor, TaxRule,
)
from bbt_workflow.royalties.payees.services import payee_view
from bbt_workflow.royalties.rules.queries import regulation_on, unit_value_on
from tests.conftest import csrf_from, login
from tests.forms import form_with


@pytest.fixture
def people(make):
    site = make.site("tinh", kind="portal")
    make.unit("so-tt", "Sở TT&TT")
    return {
        "site": site,
        "admin": make.user("admin", is_admin=True),
        "ketoan": make.user("ketoan", roles={site: ["accountant"]}),
        "ctv": make.user("ctv", roles={site: ["contributor"]}, full_name="Nguyễn Thị Hồng"),
        "bientap": make.user("bientap", roles={site: ["editor"]}),
        "lanhdao": make.user("lanhdao", roles={site: ["approver"]}),
    }


def _english(client):
    page = client.get("/").get_data(as_text=True)
    client.post("/language/en", data={"csrf_token": csrf_from(page), "next": "/"})


def _as(client, username, english=True):
    login(client, username)
    if english:
        _english(client)
    return client


def _post_form(client, url, changes, field=None):
    """Open the form page, change some fields as a person would, send it."""
    page = client.get(url)
    assert page.status_code == 200
    data = form_with(page.get_data(as_text=True), field or next(iter(changes)))
    data.update(changes)
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- rates ---------------------------------------------------------------------------

def test_admin_finds_the_rates_with_source_period_and_to_verify(client, people):
    _as(client, "admin")
    assert "/admin/royalties" in client.get("/admin/").get_data(as_text=True)
    index = client.get("/admin/royalties").get_data(as_text=True)
    for title in ("Regulations (rate tables)", "National caps", "Site factors", "Base salary", "Tax rules", "Fee rules"):
        assert title in index
    salaries = client.get("/admin/royalties/base-salaries").get_data(as_text=True)
    assert "NĐ 73/2024/NĐ-CP" in salaries and "01/07/2024 – until replaced" in salaries
    assert "2.530.000 đ" in salaries or "2,530,000 đ" in salaries
    # The 2026 row ships "to verify", with a confirm button; confirming clears it.
    assert salaries.count('class="to-verify"') == 1
    row = db.session.scalar(select(BaseSalary).where(BaseSalary.effective_from == date(2026, 7, 1)))
    response = client.post(f"/admin/royalties/base-salaries/{row.id}/confirm", data={"csrf_token": csrf_from(salaries)})
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.to_verify is False
    assert 'class="to-verify"' not in client.get("/admin/royalties/base-salaries").get_data(as_text=True)


def test_regulation_with_its_genres_within_the_national_cap(client, people):
    _as(client, "admin")
    response = _post_form(client, "/admin/royalties/regulations/new", {
        "code": "binh-phuoc-2027", "name": "Bảng nhuận bút Cổng TTĐT Bình Phước", "site": "tinh",
        "effective_from": "2026-11-01", "source_text": "QĐ 12/2026/QĐ-UBND", "copy_from": "ninh-thuan-23-2020"})
    assert response.status_code == 302
    regulation = db.session.scalar(select(Regulation).where(Regulation.code == "binh-phuoc-2027"))
    assert len(regulation.genres) == 11 and len(regulation.adjustments) == 4
    assert regulation_on(people["site"], date(2026, 11, 15)).id == regulation.id
    assert regulation_on(people["site"], date(2026, 10, 31)).code == "ninh-thuan-23-2020"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "QĐ 12/2026/QĐ-UBND" in page and "tin_tong_hop" in page
    genre = next(g for g in regulation.genres if g.code == "tin_tong_hop")
    url = f"/admin/royalties/genres/{genre.id}/edit"
    # Above the national cap for news (10, NĐ 18/2014): refused, nothing changed.
    refused = _post_form(client, url, {"max_coefficient": "12"})
    assert refused.status_code == 200
    text = refused.get_data(as_text=True)
    assert "Genre tin_tong_hop: the maximum 12 exceeds the national cap 10 in force on 01/11/2026." in text
    assert 'id="max_coefficient-errors"' in text
    # A default outside the range, a minimum of 0, a word for a number: each said on its field.
    text = _post_form(client, url, {"default_coefficient": "3"}).get_data(as_text=True)
    assert "The default must be between the minimum and the maximum." in text and 'id="default_coefficient-errors"' in text
    assert "Must be above 0." in _post_form(client, url, {"min_coefficient": "0"}).get_data(as_text=True)
    assert "Enter a number, e.g. 1.5." in _post_form(client, url, {"max_coefficient": "hai"}).get_data(as_text=True)
    db.session.refresh(genre)
    assert (genre.min_coefficient, genre.max_coefficient, genre.default_coefficient) == (
        Decimal("1.2"), Decimal("2.5"), Decimal("1.8"))
    # Within the cap: saved (a comma as the decimal mark is fine).
    assert _post_form(client, url, {"max_coefficient": "3,0", "default_coefficient": "2"}).status_code == 302
    db.session.refresh(genre)
    assert (genre.max_coefficient, genre.default_coefficient) == (Decimal("3"), Decimal("2"))
    # A new genre and a new adjustment.
    assert _post_form(client, f"/admin/royalties/regulations/{regulation.id}/genres/new", {
        "code": "phong_su", "label": "Phóng sự", "min_coefficient": "3", "max_coefficient": "6",
        "default_coefficient": "4", "cap_group": "phong_su"}).status_code == 302
    assert _post_form(client, f"/admin/royalties/regulations/{regulation.id}/adjustments/new", {
        "code": "exclusive", "label": "Tin độc quyền", "min_factor": "1.1", "max_factor": "1.3",
        "default_factor": "1.5"}).status_code == 200  # default outside the range
    assert _post_form(client, f"/admin/royalties/regulations/{regulation.id}/adjustments/new", {
        "code": "exclusive", "label": "Tin độc quyền", "min_factor": "1.1", "max_factor": "1.3",
        "default_factor": "1.2"}).status_code == 302
    db.session.refresh(regulation)
    assert [g.code for g in regulation.genres][-1] == "phong_su"
    assert "exclusive" in [a.code for a in regulation.adjustments]


def test_a_regulation_moved_before_the_national_caps_is_refused(client, people):
    _as(client, "admin")
    text = _post_form(client, "/admin/royalties/regulations/1/edit", {"effective_from": "2010-01-01"}).get_data(as_text=True)
    assert "Genre tin_ngan: no national cap of the group tin is in force on 01/01/2010." in text
    assert db.session.get(Regulation, 1).effective_from == date(2014, 6, 1)
    # Its other fields are kept as stored when the form is shown.
    fields = form_with(client.get("/admin/royalties/regulations/1/edit").get_data(as_text=True), "name")
    assert (fields["code"], fields["effective_from"], fields["site"]) == ("ninh-thuan-23-2020", "01/06/2014", "")  # dates shown dd/mm/yyyy


def test_a_second_default_regulation_starting_the_same_day_is_refused(client, people):
    _as(client, "admin")
    response = _post_form(client, "/admin/royalties/regulations/new", {
        "code": "khac", "name": "Bảng khác", "site": "", "effective_from": "2014-06-01", "source_text": "QĐ khác"})
    assert response.status_code == 200
    assert "Another row of the same kind already starts on 01/06/2014." in response.get_data(as_text=True)
    assert _count(Regulation) == 1


def test_overlapping_periods_are_refused_and_an_open_end_is_replaced(client, people):
    _as(client, "admin")
    before = _count(TaxRule)
    # Closed after the 2026 row began: refused on its end date.
    text = _post_form(client, "/admin/royalties/tax-rules/new", {
        "threshold": "3000000", "rate_percent": "10", "effective_from": "2025-01-01", "effective_to": "2026-11-30",
        "source_text": "Thử"}).get_data(as_text=True)
    assert "The period overlaps the row from 01/07/2026: end this one before it." in text
    # An end before the start.
    text = _post_form(client, "/admin/royalties/tax-rules/new", {
        "threshold": "3000000", "rate_percent": "10", "effective_from": "2025-01-01", "effective_to": "2024-12-31",
        "source_text": "Thử"}).get_data(as_text=True)
    assert "The end must be on or after the start." in text
    # A rate above 100%.
    text = _post_form(client, "/admin/royalties/tax-rules/new", {
        "threshold": "3000000", "rate_percent": "120", "effective_from": "2026-11-01", "source_text": "Thử"}
    ).get_data(as_text=True)
    assert "Must be between 0 and 100." in text
    assert _count(TaxRule) == before
    # A new base salary from October 2026 takes over from the open-ended 2026 row.
    assert _post_form(client, "/admin/royalties/base-salaries/new", {
        "amount": "2.700.000", "effective_from": "2026-10-01", "source_text": "NĐ mới", "to_verify": "y"}
    ).status_code == 302
    assert unit_value_on(date(2026, 10, 1)) == 270_000 and unit_value_on(date(2026, 9, 30)) == 253_000
    salaries = client.get("/admin/royalties/base-salaries").get_data(as_text=True)
    assert salaries.count('class="to-verify"') == 2


def test_site_factors_and_fee_rules(client, people):
    _as(client, "admin")
    text = _post_form(client, "/admin/royalties/site-factors/new", {
        "site": "tinh", "site_kind": "component", "factor": "0.5", "effective_from": "2025-01-01",
        "source_text": "Thử"}).get_data(as_text=True)
    assert "Choose either a site or a kind of site." in text
    text = _post_form(client, "/admin/royalties/site-factors/new", {
        "site": "tinh", "factor": "0", "effective_from": "2025-01-01", "source_text": "Thử"}).get_data(as_text=True)
    assert "Must be above 0 and at most 10." in text
    assert _post_form(client, "/admin/royalties/site-factors/new", {
        "site": "tinh", "factor": "0.8", "effective_from": "2025-01-01", "source_text": "QĐ riêng"}).status_code == 302
    assert db.session.scalar(select(SiteFactor).where(SiteFactor.site_id == people["site"].id)).factor == Decimal("0.8")
    text = _post_form(client, "/admin/royalties/fee-rules/new", {
        "site": "tinh", "role": "editor", "kind": "percent", "value": "150", "effective_from": "2025-01-01",
        "source_text": "QĐ 1763/QĐ-BBT"}).get_data(as_text=True)
    assert "A percent is between 0 and 100" in text
    assert _post_form(client, "/admin/royalties/fee-rules/new", {
        "site": "tinh", "role": "editor", "kind": "percent", "value": "10", "effective_from": "2025-01-01",
        "source_text": "QĐ 1763/QĐ-BBT"}).status_code == 302
    rule = db.session.scalar(select(FeeRule))
    assert (rule.role, rule.kind, rule.value, rule.source_text) == ("editor", "percent", Decimal("10"), "QĐ 1763/QĐ-BBT")
    listing = client.get("/admin/royalties/fee-rules").get_data(as_text=True)
    assert "QĐ 1763/QĐ-BBT" in listing and "01/01/2025 – until replaced" in listing
    # Editing shows the stored values.
    fields = form_with(client.get(f"/admin/royalties/fee-rules/{rule.id}/edit").get_data(as_text=True), "value")
    assert (fields["site"], fields["role"], fields["kind"], fields["value"], fields["effective_from"]) == (
        "tinh", "editor", "percent", "10", "01/01/2025")


def test_lowering_a_national_cap_below_a_rate_table_in_force_is_refused(client, people):
    _as(client, "admin")
    cap = db.session.scalar(select(NationalCap).where(NationalCap.cap_group == "tin"))
    text = _post_form(client, f"/admin/royalties/caps/{cap.id}/edit", {"max_coefficient": "2"}).get_data(as_text=True)
    assert "above this cap" in text
    db.session.refresh(cap)
    assert cap.max_coefficient == Decimal("10")


def test_only_admins_manage_rates(client, app, people):
    for username in ("ketoan", "lanhdao", "bientap", "ctv"):
        other = app.test_client()
        login(other, username)
        assert other.get("/admin/royalties").status_code == 403
        assert other.get("/admin/royalties/caps/new").status_code == 403
    with pytest.raises(Forbidden):
        rules_admin.save_base_salary(people["ketoan"], None, {"amount": "3000000", "effective_from": date(2030, 1, 1),
                                                               "source_text": "x"})
    _as(client, "admin")
    assert client.get("/admin/royalties/nothing").status_code == 404


# --- payees ----------------------------------------------------------------------------

def test_accountant_creates_searches_and_edits_payees(client, people):
    _as(client, "ketoan")
    assert "/admin/payees" in client.get("/").get_data(as_text=True)  # in the top bar
    response = _post_form(client, "/admin/payees/new", {
        "full_name": "Trần Văn B", "pen_name": "TVB", "unit": "so-tt", "tax_code": "8123456789",
        "id_number": "079123456789", "bank_account": "0123456789012", "bank_name": "Vietcombank",
        "labour_contract": None, "commitment_years": "2025, 2026"})
    assert response.status_code == 302
    payee = db.session.scalar(select(Payee).where(Payee.full_name == "Trần Văn B"))
    assert (payee.pen_name, payee.unit.code, payee.tax_code, payee.commitment_years) == ("TVB", "so-tt", "8123456789",
                                                                                       [2025, 2026])
    listing = client.get("/admin/payees?q=Trần+Văn").get_data(as_text=True)
    assert "Trần Văn B" in listing and "8123456789" in listing and "Nguyễn Thị Hồng" not in listing
    url = f"/admin/payees/{payee.id}/edit"
    # Saving the form again with a year added keeps the others.
    assert _post_form(client, url, {"commitment_years": "2025, 2026, 2027"}).status_code == 302
    db.session.refresh(payee)
    assert payee.commitment_years == [2025, 2026, 2027]
    text = _post_form(client, url, {"tax_code": "81-234"}).get_data(as_text=True)
    assert "Digits only." in text and 'id="tax_code-errors"' in text
    assert "Years must be whole numbers." in _post_form(client, url, {"commitment_years": "năm ngoái"}).get_data(as_text=True)
    assert _post_form(client, url, {"commitment_years": "", "labour_contract": "y", "bank_account": ""}).status_code == 302
    db.session.refresh(payee)
    assert payee.labour_contract is True and payee.commitment_years == [] and payee.bank_account is None
    # A user's payee: name and unit come from the account, only the personal fields change here.
    user_payee = db.session.scalar(select(Payee).where(Payee.user_id == people["ctv"].id))
    assert _post_form(client, f"/admin/payees/{user_payee.id}/edit", {"full_name": "Tên khác",
                                                                     "tax_code": "8000000001"},
                      field="tax_code").status_code == 302
    db.session.refresh(user_payee)
    assert (user_payee.full_name, user_payee.tax_code) == ("Nguyễn Thị Hồng", "8000000001")


def test_payees_list_pages(client, people):
    from bbt_workflow.royalties.payees.services import create_payee

    for n in range(60):
        create_payee(people["admin"], {"full_name": f"Người ngoài {n:02d}"})
    db.session.commit()
    _as(client, "admin")
    first = client.get("/admin/payees").get_data(as_text=True)
    assert "Người ngoài 00" in first and "Người ngoài 59" not in first and "page=2" in first
    assert "Người ngoài 59" in client.get("/admin/payees?page=2").get_data(as_text=True)


def test_nobody_else_sees_personal_payee_fields(client, app, people):
    payee = db.session.scalar(select(Payee).where(Payee.user_id == people["ctv"].id))
    payee.tax_code, payee.id_number, payee.bank_account = "8111222333", "079999888777", "9704001122334455"
    db.session.commit()
    for username in ("ctv", "bientap", "lanhdao"):
        other = app.test_client()
        login(other, username)
        assert other.get("/admin/payees").status_code == 403
        assert other.get(f"/admin/payees/{payee.id}/edit").status_code == 403
        assert "/admin/payees" not in other.get("/").get_data(as_text=True)
        view = payee_view(payee, people[username])
        assert "8111222333" not in str(view) and "079999888777" not in str(view) and "9704001122334455" not in str(view)
        assert view["bank_account"].endswith("455")  # masked, the last digits kept to tell records apart
    assert payee_view(payee, people["ketoan"])["tax_code"] == "8111222333"
    # The grading on an item shows names only, even to the editor grading it.
    from bbt_workflow.submissions import services
    from tests.conftest import simple_grading

    sub = services.create_submission(people["ctv"], people["site"], {
        "content_type": "tin", "title": "Tin", "category": "van-ban", "body_html": "<p>x</p>"})
    services.transition_submission(people["ctv"], sub, "submit", sub.version)
    services.transition_submission(people["bientap"], sub, "claim", sub.version)
    services.transition_submission(people["bientap"], sub, "forward", sub.version, grading=simple_grading("ctv"))
    db.session.commit()
    editor = app.test_client()
    login(editor, "bientap")
    page = editor.get(f"/submissions/{sub.id}").get_data(as_text=True)
    assert "Nguyễn Thị Hồng" in page and "8111222333" not in page and "9704001122334455" not in page


def test_every_page_opens_and_unknown_rows_answer_404(client, app, people):
    _as(client, "admin", english=False)
    for url in ("/admin/royalties", "/admin/royalties/regulations", "/admin/royalties/caps", "/admin/royalties/site-factors",
                "/admin/royalties/base-salaries", "/admin/royalties/tax-rules", "/admin/royalties/fee-rules",
                "/admin/royalties/regulations/1", "/admin/royalties/regulations/new", "/admin/royalties/site-factors/1/edit",
                "/admin/royalties/genres/1/edit", "/admin/royalties/adjustments/1/edit", "/admin/payees/new", "/admin/payees"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Mức nhuận bút" in response.get_data(as_text=True), url  # Vietnamese, with the link back
    for url in ("/admin/royalties/caps/9999/edit", "/admin/royalties/genres/9999/edit", "/admin/royalties/regulations/9999",
                "/admin/royalties/regulations/9999/genres/new", "/admin/payees/9999/edit"):
        assert client.get(url).status_code == 404, url
    accountant = app.test_client()
    login(accountant, "ketoan")
    assert accountant.get("/admin/payees/9999/edit").status_code == 404
    assert accountant.get("/admin/payees?page=999").status_code == 200
    assert accountant.get("/admin/payees?q=%25_").status_code == 200
