"""Royalty sheets end to end through the API: import published items, compute, tax, check,
approve, pay, lock, adjustments after payment, fees, personal fields, my lines (ROYALTIES.md)."""
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from bbt_workflow.extensions import db
from bbt_workflow.royalties.models import FeeRule
from bbt_workflow.submissions.models import HistoryEntry, Submission
from tests.conftest import api_token, bearer, simple_grading


@pytest.fixture
def board(make, client):
    site = make.site("tinh", kind="portal", approval_levels=2)
    district = make.site("budang", kind="component", approval_levels=1)
    unit_a = make.unit("so-tttt", "Sở Thông tin và Truyền thông")
    unit_b = make.unit("dai-ptth", "Đài Phát thanh - Truyền hình")
    people = {
        "admin": make.user("quantri", is_admin=True),
        "ketoan": make.user("ketoan", roles={site: ["accountant"], district: ["accountant"]}),
        "lanhdao": make.user("lanhdao", roles={site: ["approver"]}),
        "bientap": make.user("bientap", roles={site: ["editor"]}),
        "x": make.user("ctv_x", roles={site: ["contributor"]}, unit=unit_a.code, full_name="Nguyễn Văn X"),
        "a": make.user("ctv_a", roles={site: ["contributor"]}, unit=unit_b.code, full_name="Trần Thị A"),
        "b": make.user("ctv_b", roles={site: ["contributor"]}, unit=unit_b.code, full_name="Lê Văn B"),
    }
    h = {name: bearer(api_token(client, user.username)) for name, user in people.items()}
    return {"site": site, "district": district, "people": people, "h": h}


def _item(external_id, published_at, grading, **over):
    return {"external_id": external_id, "content_type": "tin", "category": "van-ban", "title": f"Tin {external_id}",
            "author_username": "ctv_x", "published_at": published_at, "grading": grading, **over}


def _import(client, h, items, site="tinh"):
    return client.post(f"/api/v1/admin/sites/{site}/import", json={"items": items}, headers=h)


def _sheet(client, h, period, payment_date=None, site="tinh"):
    body = {"site": site, "period": period}
    if payment_date:
        body["payment_date"] = payment_date
    response = client.post("/api/v1/royalty/sheets", json=body, headers=h)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _act(client, h, sheet, action):
    return client.post(f"/api/v1/royalty/sheets/{sheet['id']}/transitions",
                       json={"action": action, "version": sheet["version"]}, headers=h)


def _payee(sheet, full_name):
    return next(p for p in sheet["payees"] if p["payee"]["full_name"] == full_name)


def test_march_2025_sheet_reproduces_the_worked_examples(client, board):
    h = board["h"]
    items = [_item(f"old-{i}", "2025-03-10T09:00:00+07:00", simple_grading("ctv_x")) for i in range(6)]
    # E2: 2.2 × 234,000 = 514,800 split 60/40.
    items.append(_item("old-e2", "2025-03-12T09:00:00+07:00", {"parts": [{
        "genre": "bai_phan_anh", "coefficient": "2.2", "factors": [],
        "payees": [{"username": "ctv_a", "share": "60"}, {"username": "ctv_b", "share": "40"}]}]},
        content_type="bai"))
    # E3: binh_luan 2.5 translated at 0.5 → 292,500, paid to an outsider.
    items.append(_item("old-e3", "2025-03-15T09:00:00+07:00", {"parts": [{
        "genre": "binh_luan", "coefficient": "2.5",
        "factors": [{"code": "translation", "value": "0.5", "reason": "Bản dịch từ tiếng Anh"}],
        "payees": [{"name": "Phạm Dịch Giả", "pen_name": "PDG", "share": "100"}]}]}, author_name="Phạm Dịch Giả"))
    # Outside the period (E5 boundary, 2025-03-31T17:30Z is 1 April in Vietnam) and a settled one: not on it.
    items.append(_item("old-april", "2025-03-31T17:30:00Z", simple_grading("ctv_x")))
    items.append(_item("old-settled", "2025-03-20T09:00:00+07:00", None, royalty_settled=True))
    response = _import(client, h["admin"], items)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"created": 10, "skipped_existing": 0, "errors": []}

    sheet = _sheet(client, h["ketoan"], "2025-03", "2025-04-05")
    assert sheet["state"] == "draft" and sheet["period"] == "2025-03"
    x = _payee(sheet, "Nguyễn Văn X")
    assert (x["gross"], x["tax"], x["net"]) == (2_106_000, 210_600, 1_895_400)  # E1 ×6, E7
    assert (_payee(sheet, "Trần Thị A")["gross"], _payee(sheet, "Lê Văn B")["gross"]) == (308_880, 205_920)  # E2
    assert _payee(sheet, "Phạm Dịch Giả")["gross"] == 292_500  # E3
    assert sheet["totals"] == {"gross": 2_106_000 + 514_800 + 292_500, "tax": 210_600,
                               "net": 2_106_000 + 514_800 + 292_500 - 210_600}
    assert len(sheet["lines"]) == 6 + 2 + 1
    line = next(l for l in sheet["lines"] if l["genre"] == "binh_luan")
    assert (line["coefficient"], line["unit_value"], line["site_factor"], line["amount"]) == ("2.5", 234000, "1", 292500)
    assert line["factors"] == [{"code": "translation", "value": "0.5", "reason": "Bản dịch từ tiếng Anh"}]
    # A year-old March item is long past 60 days unpaid: flagged.
    assert all(l["overdue"] for l in sheet["lines"])

    # A 2025 commitment (08/CK-TNCN) removes the withholding once recomputed.
    payee_id = x["payee"]["id"]
    patched = client.patch(f"/api/v1/royalty/payees/{payee_id}", json={"commitment_years": [2025]},
                           headers=h["ketoan"])
    assert patched.status_code == 200 and patched.get_json()["commitment_years"] == [2025]
    sheet = _act(client, h["ketoan"], sheet, "recompute").get_json()
    assert _payee(sheet, "Nguyễn Văn X")["tax"] == 0 and _payee(sheet, "Nguyễn Văn X")["commitment"] is True

    # The April sheet holds the item published at 00:30 on 1 April, Vietnam time.
    april = _sheet(client, h["ketoan"], "2025-04")
    assert [l["title"] for l in april["lines"]] == ["Tin old-april"]
    assert april["payment_date"] == "2025-04-30"


def test_sheet_states_lock_and_adjustments_after_payment(client, board):
    h = board["h"]
    items = [_item(f"m-{i}", "2025-03-10T09:00:00+07:00", simple_grading("ctv_x")) for i in range(5)]
    assert _import(client, h["admin"], items).status_code == 200
    sheet = _sheet(client, h["ketoan"], "2025-03", "2025-04-05")
    assert _payee(sheet, "Nguyễn Văn X")["tax"] == 0  # E8: 1,755,000 < 2,000,000
    assert _payee(sheet, "Nguyễn Văn X")["gross"] == 1_755_000
    # Only an approver approves; only a checked sheet can be approved.
    assert _act(client, h["lanhdao"], sheet, "approve").status_code == 422
    assert _act(client, h["ketoan"], sheet, "approve").status_code == 403
    sheet = _act(client, h["ketoan"], sheet, "check").get_json()
    assert sheet["state"] == "checked"
    stale = client.post(f"/api/v1/royalty/sheets/{sheet['id']}/transitions",
                        json={"action": "approve", "version": sheet["version"] - 1}, headers=h["lanhdao"])
    assert stale.status_code == 409
    sheet = _act(client, h["lanhdao"], sheet, "approve").get_json()
    assert sheet["state"] == "approved"
    sheet = _act(client, h["ketoan"], sheet, "pay").get_json()
    assert sheet["state"] == "paid" and not any(l["overdue"] for l in sheet["lines"])

    # Paid: every change is refused and the files stay byte-identical.
    for who, action in (("ketoan", "recompute"), ("ketoan", "check"), ("lanhdao", "approve"), ("ketoan", "pay"),
                        ("ketoan", "reopen"), ("lanhdao", "reopen")):
        response = _act(client, h[who], sheet, action)
        assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_transition", action
    assert client.patch(f"/api/v1/royalty/sheets/{sheet['id']}", json={"payment_date": "2025-04-10",
                        "version": sheet["version"]}, headers=h["ketoan"]).status_code == 422
    first = client.get(f"/api/v1/royalty/sheets/{sheet['id']}/export.xlsx", headers=h["ketoan"])
    second = client.get(f"/api/v1/royalty/sheets/{sheet['id']}/export.xlsx", headers=h["ketoan"])
    assert first.status_code == 200 and first.data == second.data and first.data[:2] == b"PK"
    csv_a = client.get(f"/api/v1/royalty/sheets/{sheet['id']}/export.csv", headers=h["ketoan"]).data
    assert csv_a.startswith(b"\xef\xbb\xbf")
    assert client.get(f"/api/v1/royalty/sheets/{sheet['id']}/export.csv", headers=h["ketoan"]).data == csv_a
    # One charset parameter (issue 16 finding 10: it was repeated).
    assert client.get(f"/api/v1/royalty/sheets/{sheet['id']}/export.csv",
                      headers=h["ketoan"]).headers["Content-Type"] == "text/csv; charset=utf-8"

    # After payment, one item is taken down and another regraded: adjustments on the next sheet.
    subs = db.session.scalars(select(Submission).where(Submission.external_id.in_(["m-0", "m-1"]))
                              .order_by(Submission.external_id)).all()
    down, regraded = subs
    response = client.post(f"/api/v1/submissions/{down.id}/transitions",
                           json={"action": "unpublish", "version": down.version, "comment": "Sai số liệu"},
                           headers=h["lanhdao"])
    assert response.status_code == 200, response.get_json()
    new_grading = simple_grading("ctv_x", genre="tin_tong_hop", coefficient="2.0")
    assert client.put(f"/api/v1/submissions/{regraded.id}/grading", json={"version": regraded.version,
                      "grading": new_grading}, headers=h["bientap"]).status_code == 403
    response = client.put(f"/api/v1/submissions/{regraded.id}/grading", json={"version": regraded.version,
                          "grading": new_grading}, headers=h["lanhdao"])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["grading"]["total"] == 468_000  # priced at the publication day's rules
    history = client.get(f"/api/v1/submissions/{regraded.id}/history", headers=h["lanhdao"]).get_json()
    assert history[-1]["action"] == "regrade" and history[-1]["to_state"] == "published"
    april = _sheet(client, h["ketoan"], "2025-04")
    adjustments = sorted((l["amount"], l["adjustment_of"] is not None) for l in april["lines"]
                         if l["kind"] == "adjustment")
    # −351,000 for the unpublished item; 2.0 × 234,000 − 351,000 = +117,000 for the regraded one.
    assert adjustments == [(-351_000, True), (117_000, True)]
    assert april["totals"]["gross"] == -351_000 + 117_000
    # The paid sheet itself did not change.
    again = client.get(f"/api/v1/royalty/sheets/{sheet['id']}", headers=h["ketoan"]).get_json()
    assert again["totals"] == sheet["totals"] and again["lines"] == sheet["lines"]


def test_fee_rule_pays_the_editor_who_forwarded(client, board):
    """E10 through the workflow: editor fee = 10% of the item's royalty total."""
    h, site = board["h"], board["site"]
    db.session.add(FeeRule(site_id=site.id, role="editor", kind="percent", value=Decimal("10"),
                           effective_from=date(2020, 1, 1), source_text="QĐ của Ban Biên tập"))
    db.session.commit()
    sub = client.post("/api/v1/submissions", json={
        "site": "tinh", "category": "van-ban", "content_type": "tin", "title": "Tin có ảnh",
        "summary": "", "body_html": "<p>Nội dung</p>"}, headers=h["x"]).get_json()

    def act(who, action, **extra):
        nonlocal sub
        response = client.post(f"/api/v1/submissions/{sub['id']}/transitions",
                               json={"action": action, "version": sub["version"], **extra}, headers=h[who])
        assert response.status_code == 200, response.get_json()
        sub = response.get_json()

    act("x", "submit")
    act("bientap", "claim")
    act("bientap", "forward", grading=simple_grading("ctv_x"))
    act("lanhdao", "approve")
    assert sub["state"] == "published"  # no portal endpoint: published at once
    published = db.session.get(Submission, sub["id"]).published_at
    from bbt_workflow.domain.royalty_rules import local_date
    from bbt_workflow.royalties.rules.queries import unit_value_on

    day = local_date(published)
    royalty = int(Decimal("1.5") * unit_value_on(day))
    sheet = _sheet(client, h["ketoan"], f"{day:%Y-%m}")
    fee = next(l for l in sheet["lines"] if l["kind"] == "fee")
    assert fee["payee"]["full_name"] == board["people"]["bientap"].full_name
    assert fee["amount"] == int((Decimal(royalty) / 10).quantize(Decimal(1))) and fee["share"] == "10"
    assert sheet["totals"]["gross"] == royalty + fee["amount"]


def test_who_sees_what(client, board):
    h = board["h"]
    assert _import(client, h["admin"], [_item("p-1", "2025-03-10T09:00:00+07:00", simple_grading("ctv_x"))]).status_code == 200
    payee = client.get("/api/v1/royalty/payees?username=ctv_x", headers=h["ketoan"]).get_json()["items"][0]
    # Search ignores diacritics and case, over name and pen name.
    found = client.get("/api/v1/royalty/payees?q=NGUYEN van", headers=h["ketoan"]).get_json()["items"]
    assert [p["full_name"] for p in found] == ["Nguyễn Văn X"]
    client.patch(f"/api/v1/royalty/payees/{payee['id']}", json={"tax_code": "8001234567",
                 "bank_account": "0123456789012", "bank_name": "Vietcombank"}, headers=h["ketoan"])
    sheet = _sheet(client, h["ketoan"], "2025-03")
    assert _payee(sheet, "Nguyễn Văn X")["payee"]["tax_code"] == "8001234567"
    # The approver reads the sheet, masked; contributors and editors do not see it at all.
    seen = client.get(f"/api/v1/royalty/sheets/{sheet['id']}", headers=h["lanhdao"]).get_json()
    assert _payee(seen, "Nguyễn Văn X")["payee"]["tax_code"] == "••••567"
    assert "8001234567" not in client.get(f"/api/v1/royalty/sheets/{sheet['id']}/export.csv",
                                          headers=h["lanhdao"]).get_data(as_text=True)
    for who in ("x", "bientap"):
        assert client.get(f"/api/v1/royalty/sheets/{sheet['id']}", headers=h[who]).status_code == 404
        assert client.get("/api/v1/royalty/payees", headers=h[who]).status_code == 403
        assert client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": "2025-05"},
                           headers=h[who]).status_code == 403
    # The contributor sees only their own lines.
    mine = client.get("/api/v1/royalty/my-lines", headers=h["x"]).get_json()
    assert mine["totals"]["gross"] == 351_000 and len(mine["sheets"]) == 1
    assert client.get("/api/v1/royalty/my-lines", headers=h["a"]).get_json()["totals"]["gross"] == 0


def test_import_is_all_or_nothing_and_skips_known_ids(client, board):
    h = board["h"]
    good = _item("i-1", "2025-03-10T09:00:00+07:00", simple_grading("ctv_x"))
    bad_genre = _item("i-2", "2025-03-10T09:00:00+07:00", simple_grading("ctv_x", genre="khong_co"))
    no_grading = _item("i-3", "2025-03-10T09:00:00+07:00", None)
    response = _import(client, h["admin"], [good, bad_genre, no_grading, {"title": "thiếu"}])
    assert response.status_code == 422
    errors = response.get_json()["error"]["details"]["errors"]
    assert [e["index"] for e in errors] == [1, 2, 3]
    assert db.session.scalar(select(Submission).where(Submission.external_id == "i-1")) is None
    assert _import(client, h["admin"], [good]).get_json() == {"created": 1, "skipped_existing": 0, "errors": []}
    assert _import(client, h["admin"], [good]).get_json() == {"created": 0, "skipped_existing": 1, "errors": []}
    sub = db.session.scalar(select(Submission).where(Submission.external_id == "i-1"))
    assert sub.state == "published" and sub.published_at.isoformat() == "2025-03-10T02:00:00+00:00"
    assert db.session.scalars(select(HistoryEntry.action).where(HistoryEntry.submission_id == sub.id)).all() == ["import"]
    assert client.post("/api/v1/admin/sites/tinh/import", json={"items": [good]},
                       headers=h["ketoan"]).status_code == 403


def test_grading_is_checked_against_the_rules(client, board):
    h = board["h"]
    quote = client.post("/api/v1/royalty/quote", json={"site": "tinh", "on": "2025-03-10", "grading": {
        "parts": [{"genre": "bai_phan_anh", "coefficient": "2.2", "factors": [],
                   "payees": [{"username": "ctv_a", "share": "33.34"}, {"username": "ctv_b", "share": "33.33"},
                              {"name": "Người ngoài", "share": "33.33"}]}]}}, headers=h["bientap"])
    assert quote.status_code == 200, quote.get_json()
    body = quote.get_json()
    assert body["total"] == 514_800 and [p["amount"] for p in body["parts"][0]["payees"]] == [171_634, 171_583, 171_583]
    # A quote leaves no payee behind.
    from bbt_workflow.royalties.models import Payee

    assert db.session.scalar(select(Payee).where(Payee.full_name == "Người ngoài")) is None
    for grading, fragment in [
        ({"parts": [{"genre": "tin_tong_hop", "coefficient": "2.6", "payees": [{"username": "ctv_x", "share": "100"}]}]},
         "2,5"),  # the bound in the reader's (Vietnamese) format
        ({"parts": [{"genre": "tin_anh", "payees": [{"username": "ctv_x", "share": "90"}]}]}, "100"),
        ({"parts": [{"genre": "tin_anh", "factors": [{"code": "translation", "value": "0.5"}],
                     "payees": [{"username": "ctv_x", "share": "100"}]}]}, "Bản dịch"),
        ({"parts": [{"genre": "tin_anh", "payees": [{"username": "khong-ai", "share": "100"}]}]}, "khong-ai"),
        ({"parts": []}, ""),
    ]:
        response = client.post("/api/v1/royalty/quote", json={"site": "tinh", "grading": grading}, headers=h["bientap"])
        assert response.status_code == 422, grading
        assert response.get_json()["error"]["code"] == "invalid_grading"
        assert fragment in response.get_json()["error"]["message"]
    assert client.post("/api/v1/royalty/quote", json={"site": "tinh", "grading": simple_grading("ctv_x")},
                       headers=h["x"]).status_code == 403
    rates = client.get("/api/v1/royalty/rates?site=budang&on=2025-03-05", headers=h["ketoan"]).get_json()
    assert rates["site_factor"] == "0.2" and rates["unit_value"] == 234_000 and rates["base_salary"] == 2_340_000
    assert rates["tax"]["threshold"] == 2_000_000
    assert {g["code"]: g["national_cap"] for g in rates["genres"]}["binh_luan"] == "30"
    later = client.get("/api/v1/royalty/rates?site=budang&on=2026-09-05", headers=h["ketoan"]).get_json()
    assert later["unit_value"] == 253_000 and later["tax"]["threshold"] == 5_000_000 and later["tax"]["to_verify"]


def test_district_site_pays_twenty_percent(client, board):
    """E4: tin_ngan 1.0 on a component site (factor 0.2) in March 2025."""
    h = board["h"]
    items = [_item("d-1", "2025-03-05T09:00:00+07:00", simple_grading("ctv_x", genre="tin_ngan", coefficient="1"))]
    assert _import(client, h["admin"], items, site="budang").status_code == 200
    march = _sheet(client, h["ketoan"], "2025-03", site="budang")
    assert march["totals"]["gross"] == 46_800 and march["lines"][0]["site_factor"] == "0.2"


def test_2026_threshold_follows_the_payment_date(client, board):
    """E9: twenty tin_ngan in August 2026 (unit 253,000), paid 2026-09-05: the 5,000,000 threshold."""
    h = board["h"]
    ngan = simple_grading("ctv_x", genre="tin_ngan", coefficient="1")
    items = [_item(f"x-{i}", "2026-08-10T09:00:00+07:00", ngan) for i in range(20)]
    items += [_item(f"a-{i}", "2026-08-11T09:00:00+07:00", simple_grading("ctv_a", genre="tin_ngan", coefficient="1"),
                    author_username="ctv_a") for i in range(16)]
    assert _import(client, h["admin"], items).status_code == 200
    august = _sheet(client, h["ketoan"], "2026-08", "2026-09-05")
    x, a = _payee(august, "Nguyễn Văn X"), _payee(august, "Trần Thị A")
    assert (x["gross"], x["tax"], x["net"]) == (5_060_000, 506_000, 4_554_000)
    assert (a["gross"], a["tax"]) == (4_048_000, 0)
    # A payment in June 2026 would be before the August items were published: refused (issue 11, point 7).
    refused = client.patch(f"/api/v1/royalty/sheets/{august['id']}", json={"payment_date": "2026-06-30",
                           "version": august["version"]}, headers=h["ketoan"])
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "payment_before_publication"
    # The threshold follows the payment date: sixteen June items of A (unit 234,000: 3,744,000) paid on
    # 30 June 2026 fall under the old 2,000,000 threshold; paid on 1 July 2026, under the new 5,000,000.
    items = [_item(f"j-{i}", "2026-06-10T09:00:00+07:00", simple_grading("ctv_a", genre="tin_ngan", coefficient="1"),
                   author_username="ctv_a") for i in range(16)]
    assert _import(client, h["admin"], items).status_code == 200
    june = _sheet(client, h["ketoan"], "2026-06", "2026-06-30")
    assert (_payee(june, "Trần Thị A")["gross"], _payee(june, "Trần Thị A")["tax"]) == (3_744_000, 374_400)
    june = client.patch(f"/api/v1/royalty/sheets/{june['id']}", json={"payment_date": "2026-07-01",
                        "version": june["version"]}, headers=h["ketoan"]).get_json()
    assert _payee(june, "Trần Thị A")["tax"] == 0


def test_xlsx_export_reads_back_with_every_payee_total(client, board):
    """Items published through the workflow and imported ones, computed through the API, exported, read back."""
    from openpyxl import load_workbook

    from bbt_workflow.db_types import utcnow
    from bbt_workflow.domain.royalty_rules import local_date

    h = board["h"]
    for n, author in enumerate(("x", "a", "x")):
        sub = client.post("/api/v1/submissions", json={
            "site": "tinh", "category": "van-ban", "content_type": "tin", "title": f"Tin số {n}",
            "summary": "", "body_html": "<p>Nội dung</p>"}, headers=h[author]).get_json()
        for who, action, extra in (("x" if author == "x" else "a", "submit", {}), ("bientap", "claim", {}),
                                   ("bientap", "forward", {"grading": simple_grading(board["people"][author].username)}),
                                   ("lanhdao", "approve", {})):
            response = client.post(f"/api/v1/submissions/{sub['id']}/transitions",
                                   json={"action": action, "version": sub["version"], **extra}, headers=h[who])
            assert response.status_code == 200, response.get_json()
            sub = response.get_json()
        assert sub["state"] == "published"
    today = local_date(utcnow())
    items = [_item(f"xl-{i}", today.replace(day=1).isoformat() + "T08:00:00+07:00",
                   {"parts": [{"genre": "bai_phan_anh", "coefficient": "2.2",
                               "payees": [{"username": "ctv_a", "share": "50"}, {"username": "ctv_b", "share": "50"}]}]})
             for i in range(3)]
    assert _import(client, h["admin"], items).status_code == 200
    sheet = _sheet(client, h["ketoan"], f"{today:%Y-%m}")
    assert len(sheet["payees"]) == 3
    response = client.get(f"/api/v1/royalty/sheets/{sheet['id']}/export.xlsx", headers=h["ketoan"])
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    rows = list(workbook.active.iter_rows(values_only=True))
    payee_rows = {row[1].removeprefix("Cộng: "): row for row in rows if isinstance(row[1], str) and row[1].startswith("Cộng: ")}
    assert set(payee_rows) == {p["payee"]["full_name"] for p in sheet["payees"]}
    for payee in sheet["payees"]:
        row = payee_rows[payee["payee"]["full_name"]]
        assert (row[13], row[14], row[15]) == (payee["gross"], payee["tax"], payee["net"])
        assert all(isinstance(v, int) for v in row[13:16])
    [grand] = [row for row in rows if "TỔNG CỘNG" in [c for c in row if isinstance(c, str)]]
    assert (grand[13], grand[14], grand[15]) == (sheet["totals"]["gross"], sheet["totals"]["tax"], sheet["totals"]["net"])
    assert any(isinstance(c, str) and c.startswith("Bằng chữ:") for row in rows for c in row)


def test_listing_graded_items_costs_the_same_queries_for_10_or_40(client, board):
    """No N+1: the grading in every list item comes from one prefetch and per-request rule tables."""
    from sqlalchemy import event

    h = board["h"]

    def queries_for_listing():
        count = [0]

        def count_it(*args):
            count[0] += 1

        event.listen(db.engine, "before_cursor_execute", count_it)
        try:
            response = client.get("/api/v1/submissions?site=tinh&per_page=200", headers=h["ketoan"])
        finally:
            event.remove(db.engine, "before_cursor_execute", count_it)
        assert response.status_code == 200
        assert all(item["grading"]["total"] == 351_000 for item in response.get_json()["items"])
        return count[0], response.get_json()["total"]

    _import(client, h["admin"], [_item(f"n-{i}", "2025-03-10T09:00:00+07:00", simple_grading("ctv_x"))
                                 for i in range(10)])
    few, total = queries_for_listing()
    assert total == 10
    _import(client, h["admin"], [_item(f"n-{i}", "2025-03-10T09:00:00+07:00", simple_grading("ctv_x"))
                                 for i in range(10, 40)])
    many, total = queries_for_listing()
    assert total == 40 and many == few, (few, many)


def test_malformed_gradings_and_payee_edits_are_refused_not_server_errors(client, board):
    h = board["h"]
    payee = {"username": "ctv_x", "share": "100"}
    for grading in ({"parts": [{"genre": "tin_anh", "factors": "x", "payees": [payee]}]},
                    {"parts": [{"genre": "tin_anh", "factors": [None], "payees": [payee]}]},
                    {"parts": [{"genre": "tin_anh", "payees": [payee]}], "provider": "x"},
                    {"parts": [{"genre": "tin_anh", "payees": [payee]}], "provider": {"username": "khong-ai"}},
                    {"parts": [{"genre": "tin_anh", "coefficient": "NaN", "payees": [payee]}]}):
        response = client.post("/api/v1/royalty/quote", json={"site": "tinh", "grading": grading}, headers=h["bientap"])
        assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_grading", grading
    payee_id = client.get("/api/v1/royalty/payees?username=ctv_x", headers=h["ketoan"]).get_json()["items"][0]["id"]
    # A user's payee takes name and unit from the account: a different value is refused, the same one is fine.
    refused = client.patch(f"/api/v1/royalty/payees/{payee_id}", json={"unit": "dai-ptth"}, headers=h["ketoan"])
    assert refused.status_code == 422 and "unit" in refused.get_json()["error"]["details"]
    same = client.patch(f"/api/v1/royalty/payees/{payee_id}", json={"unit": "so-tttt", "full_name": "Nguyễn Văn X",
                        "bank_name": "Agribank"}, headers=h["ketoan"])
    assert same.status_code == 200 and same.get_json()["bank_name"] == "Agribank"
