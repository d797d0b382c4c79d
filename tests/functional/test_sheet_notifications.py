"""Each sheet step tells the next person (in the app and by email, queued in the transaction):
check → approvers, approve → accountants, pay → each payee who is a user, reopen → accountants.
Approvers find waiting sheets from their home page; "My royalties" says which lines are paid (issue 11, point 11)."""
from datetime import datetime, timedelta

from sqlalchemy import select

from bbt_workflow.domain.royalty_rules import VIETNAM
from bbt_workflow.extensions import db
from bbt_workflow.mailqueue.models import OutboundEmail
from bbt_workflow.royalties.models import RoyaltySheet
from bbt_workflow.submissions.models import Notification
from tests.conftest import api_token, bearer, csrf_from, login, simple_grading


def _setup(make, client):
    site = make.site("tinh", kind="portal", name="Cổng TTĐT tỉnh")
    make.user("quantri", is_admin=True)
    people = {
        "ketoan": make.user("ketoan", roles={site: ["accountant"]}, full_name="Kế Toán"),
        "lanhdao": make.user("lanhdao", roles={site: ["approver"]}, full_name="Lãnh Đạo"),
        "ctv": make.user("ctv_x", roles={site: ["contributor"]}, full_name="Nguyễn Văn X"),
        "ctv_en": make.user("ctv_en", roles={site: ["contributor"]}, full_name="Jane Doe"),
    }
    people["ctv_en"].preferred_language = "en"
    db.session.commit()
    published = (datetime.now(VIETNAM) - timedelta(days=40)).replace(day=10, hour=9, minute=0, second=0,
                                                                     microsecond=0)
    items = [{"external_id": "n-1", "content_type": "tin", "category": "van-ban", "title": "Tin có nhuận bút",
              "author_username": "ctv_x", "published_at": published.isoformat(),
              "grading": simple_grading("ctv_x", "ctv_en")}]
    admin = bearer(api_token(client, "quantri"))
    assert client.post("/api/v1/admin/sites/tinh/import", json={"items": items}, headers=admin).status_code == 200
    return people, f"{published:%Y-%m}"


def _act(client, sheet_id, action):
    page = client.get(f"/royalties/sheets/{sheet_id}").get_data(as_text=True)
    version = db.session.get(RoyaltySheet, sheet_id).version
    response = client.post(f"/royalties/sheets/{sheet_id}/act", data={
        "csrf_token": csrf_from(page), "action": action, "version": str(version)})
    assert response.status_code == 302
    db.session.expire_all()


def _mail_to(user):
    return db.session.scalars(select(OutboundEmail).where(OutboundEmail.recipient == user.email)
                              .order_by(OutboundEmail.id)).all()


def _notes(user):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def test_each_sheet_step_notifies_the_next_person(app, make, client):
    people, period = _setup(make, client)
    accountant, approver, payee = app.test_client(), app.test_client(), app.test_client()
    login(accountant, "ketoan")
    login(approver, "lanhdao")
    login(payee, "ctv_x")
    listing = accountant.get("/sites/tinh/royalties").get_data(as_text=True)
    accountant.post("/sites/tinh/royalties", data={"csrf_token": csrf_from(listing), "period": period})
    sheet = db.session.scalar(select(RoyaltySheet))
    assert _notes(people["lanhdao"]) == [] and _mail_to(people["lanhdao"]) == []
    # Nothing waits for the approver yet: the home page links the sheets (approvers and accountants
    # read them) but counts nothing waiting.
    approver_home = approver.get("/").get_data(as_text=True)
    assert "/sites/tinh/royalties" in approver_home and "chờ bạn xử lý" not in approver_home
    # The accountant reaches the sheets from the home page too (had no link there before a sheet waited).
    assert 'href="/sites/tinh/royalties"' in accountant.get("/").get_data(as_text=True)
    assert "/sites/tinh/royalties" not in payee.get("/").get_data(as_text=True)  # a contributor does not

    _act(accountant, sheet.id, "check")
    [note] = _notes(people["lanhdao"])
    assert note.sheet_id == sheet.id and sheet.number in note.message and "Bảng kê" in note.message
    [mail] = _mail_to(people["lanhdao"])
    assert "chờ duyệt" in mail.subject and f"/royalties/sheets/{sheet.id}" in mail.body_text
    assert _notes(people["ketoan"]) == []  # not the one who checked it
    # The approver finds it: the notification links to the sheet, the home page shows the sheets waiting.
    notes_page = approver.get("/notifications").get_data(as_text=True)
    assert f'href="/royalties/sheets/{sheet.id}"' in notes_page
    home = approver.get("/").get_data(as_text=True)
    assert "/sites/tinh/royalties" in home and "Bảng kê nhuận bút" in home and "1 chờ bạn xử lý" in home
    assert "Bảng kê nhuận bút" in approver.get("/sites/tinh").get_data(as_text=True)

    _act(approver, sheet.id, "approve")
    [note] = _notes(people["ketoan"])
    assert note.sheet_id == sheet.id and "đã được duyệt" in note.message
    assert "đã được duyệt" in _mail_to(people["ketoan"])[-1].subject

    _act(accountant, sheet.id, "pay")
    sheet = db.session.get(RoyaltySheet, sheet.id)
    paid_on = f"{sheet.payment_date:%d/%m/%Y}"
    view = client.get(f"/api/v1/royalty/sheets/{sheet.id}", headers=bearer(api_token(client, "ketoan"))).get_json()
    net = {p["payee"]["full_name"]: p["net"] for p in view["payees"]}
    [vi_mail] = _mail_to(people["ctv"])
    assert "đã được chi trả" in vi_mail.subject and paid_on in vi_mail.body_text
    assert f"{net['Nguyễn Văn X']:,}".replace(",", ".") in vi_mail.body_text
    [en_mail] = _mail_to(people["ctv_en"])
    assert "paid" in en_mail.subject and paid_on in en_mail.body_text and f"{net['Jane Doe']:,}" in en_mail.body_text
    assert [n.kind for n in _notes(people["ctv"])] == ["sheet_pay"]
    # "My royalties": the line is marked paid, with the date, on the page and in the API.
    mine = payee.get(f"/my/royalties?from={sheet.period_start.isoformat()}").get_data(as_text=True)
    assert f"Đã chi trả ngày {paid_on}" in mine
    lines = client.get(f"/api/v1/royalty/my-lines?from={sheet.period_start.isoformat()}",
                       headers=bearer(api_token(client, "ctv_x"))).get_json()
    [entry] = lines["sheets"]
    assert entry["paid"] is True and entry["paid_on"] == sheet.payment_date.isoformat()
    assert all(line["paid"] and line["paid_on"] == sheet.payment_date.isoformat() for line in entry["lines"])


def test_reopen_tells_the_accountants_and_unpaid_lines_say_so(app, make, client):
    people, period = _setup(make, client)
    accountant, approver, payee = app.test_client(), app.test_client(), app.test_client()
    login(accountant, "ketoan")
    login(approver, "lanhdao")
    login(payee, "ctv_x")
    listing = accountant.get("/sites/tinh/royalties").get_data(as_text=True)
    accountant.post("/sites/tinh/royalties", data={"csrf_token": csrf_from(listing), "period": period})
    sheet = db.session.scalar(select(RoyaltySheet))
    _act(accountant, sheet.id, "check")
    _act(approver, sheet.id, "reopen")
    assert [n.kind for n in _notes(people["ketoan"])] == ["sheet_reopen"]
    assert "mở lại" in _mail_to(people["ketoan"])[-1].subject
    mine = payee.get(f"/my/royalties?from={sheet.period_start.isoformat()}").get_data(as_text=True)
    assert "Chưa chi trả" in mine
    lines = client.get(f"/api/v1/royalty/my-lines?from={sheet.period_start.isoformat()}",
                       headers=bearer(api_token(client, "ctv_x"))).get_json()
    assert lines["sheets"][0]["paid"] is False and lines["sheets"][0]["lines"][0]["paid_on"] is None


SHEET_LABELS = {"vi": ["Bảng kê nhuận bút chờ duyệt", "Bảng kê nhuận bút đã được duyệt, chờ chi trả",
                       "Nhuận bút của bạn đã được chi trả", "Bảng kê nhuận bút được mở lại thành bản nháp"],
                "en": ["Royalty sheet waiting for your approval", "Royalty sheet approved, ready to pay",
                       "Your royalties were paid", "Royalty sheet reopened as a draft"]}


def _email_settings(client, off, lang="vi"):
    """Send the email settings page with every box on the page checked except the kinds in `off`."""
    import re

    page = client.get(f"/settings/notifications?lang={lang}").get_data(as_text=True)
    fields = {"csrf_token": csrf_from(page)}
    fields.update({name: "y" for name in re.findall(r'name="(email_\w+)"', page) if name[6:] not in off})
    assert client.post("/settings/notifications", data=fields).status_code == 302


def test_sheet_emails_are_on_the_email_settings_page_and_can_be_turned_off(app, make, client):
    import re

    from bbt_workflow.submissions.models import EmailOptOut

    people, period = _setup(make, client)
    accountant, approver, payee = app.test_client(), app.test_client(), app.test_client()
    login(accountant, "ketoan")
    login(approver, "lanhdao")
    login(payee, "ctv_x")
    for lang, labels in SHEET_LABELS.items():
        page = approver.get(f"/settings/notifications?lang={lang}").get_data(as_text=True)
        assert {"vi": "<legend>Bảng kê nhuận bút</legend>", "en": "<legend>Royalty sheets</legend>"}[lang] in page
        assert {"vi": "<legend>Tin bài</legend>", "en": "<legend>Items</legend>"}[lang] in page
        for kind, label in zip(("sheet_check", "sheet_approve", "sheet_pay", "sheet_reopen"), labels):
            # Each kind a checkbox, checked (email on) until turned off, with its translated label.
            assert re.search(rf'<input checked class="form-check-input" id="email_{kind}" name="email_{kind}" type="checkbox" value="y">'
                             rf'\s*<label class="form-check-label" for="email_{kind}">{re.escape(label)}</label>', page), (lang, kind)
    # The approver turns off the "waiting for your approval" email; the accountant the "approved" one,
    # the payee the "paid" one. Their other choices stay as they were.
    _email_settings(approver, {"sheet_check"})
    _email_settings(accountant, {"sheet_approve"}, lang="en")
    _email_settings(payee, {"sheet_pay", "forward"})
    assert re.search(r'<input class="form-check-input" id="email_sheet_check" name="email_sheet_check" type="checkbox" value="y">',
                     approver.get("/settings/notifications").get_data(as_text=True))
    assert {o.kind for o in db.session.scalars(select(EmailOptOut).where(
        EmailOptOut.user_id == people["ctv"].id))} == {"sheet_pay", "forward"}

    listing = accountant.get("/sites/tinh/royalties").get_data(as_text=True)
    accountant.post("/sites/tinh/royalties", data={"csrf_token": csrf_from(listing), "period": period})
    sheet = db.session.scalar(select(RoyaltySheet))
    _act(accountant, sheet.id, "check")
    # The in-app notification still arrives; the email does not.
    assert [n.kind for n in _notes(people["lanhdao"])] == ["sheet_check"] and _mail_to(people["lanhdao"]) == []
    _act(approver, sheet.id, "approve")
    assert [n.kind for n in _notes(people["ketoan"])] == ["sheet_approve"] and _mail_to(people["ketoan"]) == []
    _act(approver, sheet.id, "reopen")
    # The accountant turned off only "approved": the "reopened" email still comes.
    assert [n.kind for n in _notes(people["ketoan"])] == ["sheet_approve", "sheet_reopen"]
    assert ["mở lại" in m.subject for m in _mail_to(people["ketoan"])] == [True]
    _act(accountant, sheet.id, "check")
    _act(approver, sheet.id, "approve")
    _act(accountant, sheet.id, "pay")
    assert [n.kind for n in _notes(people["ctv"])] == ["sheet_pay"] and _mail_to(people["ctv"]) == []
    assert len(_mail_to(people["ctv_en"])) == 1  # who did not opt out still gets it
    assert _mail_to(people["lanhdao"]) == []  # the second check: still no email for the approver

    # Turned back on, the email comes again.
    _email_settings(approver, set())
    assert db.session.scalars(select(EmailOptOut).where(EmailOptOut.user_id == people["lanhdao"].id)).all() == []
