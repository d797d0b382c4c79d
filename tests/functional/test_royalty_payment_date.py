"""A sheet's payment date decides the tax rule: it may not lie before the newest item on the sheet was
published, and one paid more than 90 days after the month is flagged (ROYALTIES.md, issue 11 point 7).
Every date here is relative to now or to the items' own publication."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bbt_workflow.domain.royalty_rules import VIETNAM, local_date
from bbt_workflow.extensions import db
from bbt_workflow.royalties.models import RoyaltySheet
from bbt_workflow.royalties.sheets.transitions import parse_period
from tests.conftest import api_token, bearer, csrf_from, login, simple_grading


@pytest.fixture
def month(make, client):
    site = make.site("tinh", kind="portal")
    make.user("quantri", is_admin=True)
    make.user("ketoan", roles={site: ["accountant"]})
    make.user("ctv_x", roles={site: ["contributor"]}, full_name="Nguyễn Văn X")
    # Two items of a month that is over: the newest is published on the 20th (or the month's last day).
    now = datetime.now(VIETNAM) - timedelta(days=45)
    first = now.replace(day=2, hour=9, minute=0, second=0, microsecond=0)
    newest = now.replace(day=20, hour=9, minute=0, second=0, microsecond=0)
    items = [{"external_id": f"p-{i}", "content_type": "tin", "category": "van-ban", "title": f"Tin {i}",
              "author_username": "ctv_x", "published_at": moment.isoformat(), "grading": simple_grading("ctv_x")}
             for i, moment in enumerate((first, newest))]
    h = {"admin": bearer(api_token(client, "quantri")), "ketoan": bearer(api_token(client, "ketoan"))}
    assert client.post("/api/v1/admin/sites/tinh/import", json={"items": items}, headers=h["admin"]).status_code == 200
    period = f"{newest:%Y-%m}"
    return {"h": h, "period": period, "newest": newest.date(), "end": parse_period(period)[1]}


def test_api_refuses_a_payment_date_before_the_newest_item(client, month):
    h, newest = month["h"], month["newest"]
    early = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": month["period"],
                        "payment_date": (newest - timedelta(days=1)).isoformat()}, headers=h["ketoan"])
    assert early.status_code == 422
    error = early.get_json()["error"]
    assert error["code"] == "payment_before_publication" and "payment_date" in error["details"]
    assert db.session.scalar(select(RoyaltySheet.id)) is None  # nothing created
    # The newest item's own day is fine; so is the default (the month's last day), with no warning.
    sheet = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": month["period"]},
                        headers=h["ketoan"]).get_json()
    assert sheet["payment_date"] == month["end"].isoformat() and sheet["warnings"] == []
    on_the_day = client.patch(f"/api/v1/royalty/sheets/{sheet['id']}", json={
        "payment_date": newest.isoformat(), "version": sheet["version"]}, headers=h["ketoan"])
    assert on_the_day.status_code == 200 and on_the_day.get_json()["payment_date"] == newest.isoformat()
    sheet = on_the_day.get_json()
    refused = client.patch(f"/api/v1/royalty/sheets/{sheet['id']}", json={
        "payment_date": (newest - timedelta(days=1)).isoformat(), "version": sheet["version"]},
        headers={**h["ketoan"], "Accept-Language": "vi"})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "payment_before_publication"
    assert "ngày chi trả" in error["details"]["payment_date"][0].lower()
    db.session.expire_all()
    assert db.session.get(RoyaltySheet, sheet["id"]).payment_date == newest  # unchanged


def test_api_warns_when_paid_more_than_90_days_after_the_month(client, month):
    h, end = month["h"], month["end"]
    sheet = client.post("/api/v1/royalty/sheets", json={"site": "tinh", "period": month["period"],
                        "payment_date": (end + timedelta(days=90)).isoformat()}, headers=h["ketoan"])
    assert sheet.status_code == 201 and sheet.get_json()["warnings"] == []
    sheet = sheet.get_json()
    late = client.patch(f"/api/v1/royalty/sheets/{sheet['id']}?lang=en", json={
        "payment_date": (end + timedelta(days=91)).isoformat(), "version": sheet["version"]},
        headers=h["ketoan"])
    assert late.status_code == 200
    assert any("90 days" in w for w in late.get_json()["warnings"])
    again = client.get(f"/api/v1/royalty/sheets/{sheet['id']}?lang=vi", headers=h["ketoan"])
    assert any("90 ngày" in w for w in again.get_json()["warnings"])


def test_pages_refuse_an_early_payment_date_and_warn_a_late_one(app, month):
    accountant = app.test_client()
    login(accountant, "ketoan")
    newest, end = month["newest"], month["end"]
    listing = accountant.get("/sites/tinh/royalties").get_data(as_text=True)
    refused = accountant.post("/sites/tinh/royalties", data={
        "csrf_token": csrf_from(listing), "period": month["period"],
        "payment_date": (newest - timedelta(days=1)).isoformat()})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'class="invalid-feedback d-block"' in body and "ngày chi trả" in body.lower()
    assert db.session.scalar(select(RoyaltySheet.id)) is None
    created = accountant.post("/sites/tinh/royalties", data={"csrf_token": csrf_from(listing),
                                                             "period": month["period"]})
    assert created.status_code == 302
    sheet = db.session.scalar(select(RoyaltySheet))
    page = accountant.get(f"/royalties/sheets/{sheet.id}").get_data(as_text=True)
    early = accountant.post(f"/royalties/sheets/{sheet.id}/payment-date", data={
        "csrf_token": csrf_from(page), "payment_date": (newest - timedelta(days=1)).isoformat(),
        "version": str(sheet.version)})
    assert early.status_code == 422 and 'class="invalid-feedback d-block"' in early.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RoyaltySheet, sheet.id).payment_date == end
    late = accountant.post(f"/royalties/sheets/{sheet.id}/payment-date", data={
        "csrf_token": csrf_from(page), "payment_date": (end + timedelta(days=91)).isoformat(),
        "version": str(db.session.get(RoyaltySheet, sheet.id).version)}, follow_redirects=True)
    assert late.status_code == 200 and "90 ngày" in late.get_data(as_text=True)
    assert local_date(datetime.now(VIETNAM)) > newest
