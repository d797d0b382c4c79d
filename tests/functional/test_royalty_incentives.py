"""Incentive royalties (nhuận bút khuyến khích, issue 17): an approver awards an item an extra amount
with a reason, within 30% of the item's royalty (NĐ 18/2014, Điều 8); it is paid as a line of its own
kind on the next sheet computed and counted as incentives in the fund check. Data dates are past years."""
import pytest

from tests.conftest import api_token, bearer, login

E2 = 514_800  # bai_phan_anh 2.2 × 234,000, split A 60% / B 40%
LIMIT = 154_440  # 30% of 514,800


@pytest.fixture
def item(make, client):
    tinh = make.site("tinh", kind="portal", approval_levels=2)
    people = {
        "admin": make.user("quantri", is_admin=True),
        "ketoan": make.user("ketoan", roles={tinh: ["accountant"]}),
        "lanhdao": make.user("lanhdao", roles={tinh: ["approver"]}),
        "bientap": make.user("bientap", roles={tinh: ["editor"]}),
        "a": make.user("ctv_a", roles={tinh: ["contributor"]}, full_name="Trần Thị Ánh"),
        "b": make.user("ctv_b", roles={tinh: ["contributor"]}, full_name="Lê Văn Bình"),
    }
    h = {name: bearer(api_token(client, u.username)) for name, u in people.items()}
    grading = {"parts": [{"genre": "bai_phan_anh", "coefficient": "2.2", "factors": [],
                          "payees": [{"username": "ctv_a", "share": "60"}, {"username": "ctv_b", "share": "40"}]}]}
    body = {"items": [{"external_id": "inc-1", "content_type": "bai", "category": "van-ban", "title": "Bài hay",
                       "author_username": "ctv_a", "published_at": "2025-03-12T09:00:00+07:00", "grading": grading}]}
    assert client.post("/api/v1/admin/sites/tinh/import", json=body, headers=h["admin"]).status_code == 200
    sub_id = client.get("/api/v1/submissions?site=tinh&state=published", headers=h["admin"]).get_json()["items"][0]["id"]
    return {"h": h, "sub_id": sub_id}


def _award(client, item, who, amount, reason="Bài viết có chất lượng cao, được dư luận quan tâm", **extra):
    return client.post(f"/api/v1/submissions/{item['sub_id']}/incentives", headers=item["h"][who],
                       json={"amount": amount, "reason": reason, **extra})


def _sheet(client, h, period):
    response = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": period}, headers=h["ketoan"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _pay(client, h, sheet):
    for action, who in (("check", "ketoan"), ("approve", "lanhdao"), ("pay", "ketoan")):
        sheet = client.post(f"/api/v1/royalty/sheets/{sheet['id']}/transitions", headers=h[who],
                            json={"action": action, "version": sheet["version"]}).get_json()
    assert sheet["state"] == "paid"
    return sheet


def test_the_fund_check_counts_incentive_lines_as_incentives(client, item):
    """It counted them as 0 (and as royalties) before incentives existed."""
    h = item["h"]
    assert _award(client, item, "lanhdao", 100_000).status_code == 201
    sheet = _sheet(client, h, "2025-03")
    assert sorted((l["kind"], l["amount"]) for l in sheet["lines"]) == [
        ("incentive", 40_000), ("incentive", 60_000), ("royalty", 205_920), ("royalty", 308_880)]
    fund = client.get("/api/v1/royalty/fund-check?site=tinh&year=2025", headers=h["ketoan"]).get_json()
    assert (fund["royalties"], fund["fees"], fund["incentives"]) == (E2, 0, 100_000), fund
    assert fund["warnings"] == []


def test_awards_within_the_limit_and_refused_above_it(client, item):
    h = item["h"]
    over = _award(client, item, "lanhdao", LIMIT + 1)
    assert over.status_code == 422
    error = over.get_json()["error"]
    assert error["code"] == "incentive_over_limit" and "amount" in error["details"], error
    assert "154.440" in error["message"]
    awarded = _award(client, item, "lanhdao", 100_000)
    assert awarded.status_code == 201, awarded.get_json()
    body = awarded.get_json()
    assert sorted((i["payee"]["full_name"], i["amount"]) for i in body["items"]) == [
        ("Lê Văn Bình", 40_000), ("Trần Thị Ánh", 60_000)]
    assert {i["awarded_by"] for i in body["items"]} == {"lanhdao"} and body["limit"] == LIMIT
    assert body["remaining"] == LIMIT - 100_000
    # One payee only, for the rest of the room; then nothing more.
    a_id = next(i["payee"]["id"] for i in body["items"] if i["payee"]["full_name"] == "Trần Thị Ánh")
    assert _award(client, item, "lanhdao", LIMIT - 100_000, payee_id=a_id).status_code == 201
    assert _award(client, item, "admin", 1).status_code == 422
    listed = client.get(f"/api/v1/submissions/{item['sub_id']}/incentives", headers=h["lanhdao"]).get_json()
    assert sum(i["amount"] for i in listed["items"]) == LIMIT and listed["remaining"] == 0
    assert all(i["reason"] and i["awarded_at"] for i in listed["items"])


def test_who_may_award_and_bad_input(client, item):
    h = item["h"]
    for who in ("ketoan", "bientap", "a"):
        assert _award(client, item, who, 1_000).status_code == 403, who
    assert _award(client, item, "lanhdao", 1_000, reason="  ").status_code == 422
    assert _award(client, item, "lanhdao", 0).status_code == 422
    assert _award(client, item, "lanhdao", 1_000, payee_id=999_999).status_code == 422
    assert client.post("/api/v1/submissions/999999/incentives", headers=h["lanhdao"],
                       json={"amount": 1, "reason": "x"}).status_code == 404


def test_an_award_after_payment_goes_on_the_next_sheet(client, item):
    h = item["h"]
    _pay(client, h, _sheet(client, h, "2025-03"))
    assert _award(client, item, "lanhdao", 50_000).status_code == 201
    april = _sheet(client, h, "2025-04")
    assert sorted((l["kind"], l["amount"]) for l in april["lines"]) == [("incentive", 20_000), ("incentive", 30_000)]
    # Recomputing keeps them once; the paid March sheet is unchanged.
    april = client.post(f"/api/v1/royalty/sheets/{april['id']}/transitions", headers=h["ketoan"],
                        json={"action": "recompute", "version": april["version"]}).get_json()
    assert sum(l["amount"] for l in april["lines"]) == 50_000
    fund = client.get("/api/v1/royalty/fund-check?site=tinh&year=2025", headers=h["ketoan"]).get_json()
    assert (fund["royalties"], fund["incentives"]) == (E2, 50_000)


def test_the_item_page_form(client, item):
    login(client, "lanhdao")
    page = client.get(f"/submissions/{item['sub_id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="incentive-amount"' in html
    from tests.conftest import csrf_from

    token = csrf_from(html)
    refused = client.post(f"/submissions/{item['sub_id']}/incentives", data={
        "csrf_token": token, "incentive-amount": str(LIMIT + 1), "incentive-reason": "Quá mức"})
    assert refused.status_code == 422 and "154.440" in refused.get_data(as_text=True)
    done = client.post(f"/submissions/{item['sub_id']}/incentives", data={
        "csrf_token": token, "incentive-amount": "60.000", "incentive-reason": "Bài hay"}, follow_redirects=True)
    assert done.status_code == 200 and "60.000" in done.get_data(as_text=True)


def test_the_sheet_files_carry_the_incentive_lines(client, item):
    h = item["h"]
    assert _award(client, item, "lanhdao", 100_000).status_code == 201
    sheet = _sheet(client, h, "2025-03")
    csv = client.get(f"/api/v1/royalty/sheets/{sheet['id']}/export.csv", headers=h["ketoan"])
    text = csv.data.decode("utf-8-sig")
    assert csv.status_code == 200 and text.count("Khuyến khích") == 2 and "60000" in text
    xlsx = client.get(f"/api/v1/royalty/sheets/{sheet['id']}/export.xlsx", headers=h["ketoan"])
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert sheet["totals"]["gross"] == E2 + 100_000
