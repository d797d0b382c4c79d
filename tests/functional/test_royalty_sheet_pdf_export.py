"""GET /api/v1/royalty/sheets/{id}/export.pdf and its web twin (issue 17): who may download it,
what it holds, and a paid sheet's PDF served byte for byte, after a rate change and a payee's
rename too (the PDF kept when the sheet was paid)."""
import io

from pypdf import PdfReader
from sqlalchemy import select

from bbt_workflow.extensions import db
from bbt_workflow.royalties.models import BaseSalary, Payee, SheetFile
from tests.conftest import login, simple_grading
from tests.functional.test_royalty_sheets_api import _act, _import, _item, _sheet, board  # noqa: F401 (fixture)


def _text(data):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _paid_sheet(client, h):
    items = [_item(f"pdf-{i}", "2025-03-10T09:00:00+07:00", simple_grading("ctv_x")) for i in range(6)]
    assert _import(client, h["admin"], items).status_code == 200
    sheet = _sheet(client, h["ketoan"], "2025-03", "2025-04-05")
    sheet = _act(client, h["ketoan"], sheet, "check").get_json()
    sheet = _act(client, h["lanhdao"], sheet, "approve").get_json()
    sheet = _act(client, h["ketoan"], sheet, "pay").get_json()
    assert sheet["state"] == "paid"
    return sheet


def test_pdf_holds_the_sheet_and_who_may_download_it(client, board):
    h = board["h"]
    items = [_item(f"d-{i}", "2025-03-10T09:00:00+07:00", simple_grading("ctv_x")) for i in range(6)]
    assert _import(client, h["admin"], items).status_code == 200
    payee = client.get("/api/v1/royalty/payees?username=ctv_x", headers=h["ketoan"]).get_json()["items"][0]
    client.patch(f"/api/v1/royalty/payees/{payee['id']}", json={"tax_code": "8001234567",
                 "bank_account": "0123456789012", "bank_name": "Vietcombank"}, headers=h["ketoan"])
    sheet = _sheet(client, h["ketoan"], "2025-03", "2025-04-05")
    url = f"/api/v1/royalty/sheets/{sheet['id']}/export.pdf"
    response = client.get(url, headers=h["ketoan"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{sheet["number"]}.pdf"'
    assert response.headers["Cache-Control"] == "private, no-store"
    text = _text(response.data)
    # E7: six items of 351,000 → gross 2,106,000, tax 210,600, net 1,895,400; Vietnamese formats.
    assert "Cộng: Nguyễn Văn X 2.106.000 210.600 1.895.400" in text
    assert text.count("351.000") == 6
    assert "Cộng đơn vị: Sở Thông tin và Truyền thông 2.106.000 210.600 1.895.400" in text
    assert "TỔNG CỘNG 2.106.000 210.600 1.895.400" in text
    assert "8001234567" in text and "0123456789012" in text  # the accountant's copy: every field
    # The approver reads it masked; contributors and editors do not see the sheet (404, as the XLSX);
    # without a token 401.
    masked = client.get(url, headers=h["lanhdao"])
    assert masked.status_code == 200 and "8001234567" not in _text(masked.data) and "••••567" in _text(masked.data)
    for who in ("x", "a", "bientap"):
        assert client.get(url, headers=h[who]).status_code == 404
        assert client.get(url.replace(".pdf", ".xlsx"), headers=h[who]).status_code == 404
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/royalty/sheets/999999/export.pdf", headers=h["ketoan"]).status_code == 404


def test_paid_sheet_pdf_is_kept_byte_for_byte(client, board):
    h = board["h"]
    sheet = _paid_sheet(client, h)
    kept = db.session.get(SheetFile, (sheet["id"], "pdf"))
    assert kept is not None and kept.content.startswith(b"%PDF-")  # written when the sheet was paid
    url = f"/api/v1/royalty/sheets/{sheet['id']}/export.pdf"
    first = client.get(url, headers=h["ketoan"]).data
    assert first == kept.content
    assert client.get(url, headers=h["ketoan"]).data == first
    # A rate change and a renamed payee: a freshly made PDF would differ, the kept one is served.
    salary = db.session.scalars(select(BaseSalary).order_by(BaseSalary.effective_from)).all()
    for row in salary:
        row.amount += 100_000
    payee = db.session.scalar(select(Payee).where(Payee.full_name == "Nguyễn Văn X"))
    payee.full_name = "Nguyễn Văn Xuân"
    db.session.commit()
    after = client.get(url, headers=h["ketoan"]).data
    assert after == first
    assert "Cộng: Nguyễn Văn X 2.106.000" in _text(after)
    # The approver's masked copy is made afresh (the kept file holds personal fields): the new name.
    assert "Nguyễn Văn Xuân" in _text(client.get(url, headers=h["lanhdao"]).data)


def test_sheet_paid_before_pdfs_keeps_its_pdf_on_first_download(client, board):
    h = board["h"]
    sheet = _paid_sheet(client, h)
    db.session.delete(db.session.get(SheetFile, (sheet["id"], "pdf")))  # as if paid before this version
    db.session.commit()
    url = f"/api/v1/royalty/sheets/{sheet['id']}/export.pdf"
    first = client.get(url, headers=h["ketoan"])
    assert first.status_code == 200
    db.session.expire_all()
    kept = db.session.get(SheetFile, (sheet["id"], "pdf"))
    assert kept is not None and kept.content == first.data
    db.session.scalar(select(Payee).where(Payee.full_name == "Nguyễn Văn X")).full_name = "Nguyễn Văn Xuân"
    db.session.commit()
    assert client.get(url, headers=h["ketoan"]).data == first.data


def test_web_download_and_button(app, client, board):
    h = board["h"]
    sheet = _paid_sheet(client, h)
    web = app.test_client()
    login(web, "ketoan")
    page = web.get(f"/royalties/sheets/{sheet['id']}").get_data(as_text=True)
    assert f'href="/royalties/sheets/{sheet["id"]}/export.pdf"' in page and "Tải PDF để ký" in page
    download = web.get(f"/royalties/sheets/{sheet['id']}/export.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data == db.session.get(SheetFile, (sheet["id"], "pdf")).content
    assert web.get(f"/royalties/sheets/{sheet['id']}/export.odt").status_code == 404
    contributor = app.test_client()
    login(contributor, "ctv_x")
    assert contributor.get(f"/royalties/sheets/{sheet['id']}/export.pdf").status_code == 404


def test_no_font_answers_503_with_the_package_to_install(app, client, board, tmp_path):
    h = board["h"]
    assert _import(client, h["admin"], [_item("f-1", "2025-03-10T09:00:00+07:00",
                                               simple_grading("ctv_x"))]).status_code == 200
    sheet = _sheet(client, h["ketoan"], "2025-03")
    app.config["PDF_FONT_DIR"] = str(tmp_path)
    response = client.get(f"/api/v1/royalty/sheets/{sheet['id']}/export.pdf", headers=h["ketoan"])
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "pdf_font_missing" and "fonts-dejavu-core" in error["message"]
    # The XLSX does not need the font.
    assert client.get(f"/api/v1/royalty/sheets/{sheet['id']}/export.xlsx", headers=h["ketoan"]).status_code == 200


def test_openapi_documents_the_pdf(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/royalty/sheets/{sheet_id}/export.pdf"]["get"]
    assert "application/pdf" in operation["responses"]["200"]["content"]


def test_paying_without_the_font_is_refused_and_changes_nothing(app, client, board, tmp_path):
    """The paid sheet's PDF is kept when it is paid: without the font the payment is refused with the
    package to install, and the sheet stays approved (no XLSX/CSV kept without their PDF)."""
    h = board["h"]
    assert _import(client, h["admin"], [_item("n-1", "2025-03-10T09:00:00+07:00",
                                               simple_grading("ctv_x"))]).status_code == 200
    sheet = _sheet(client, h["ketoan"], "2025-03", "2025-04-05")
    sheet = _act(client, h["ketoan"], sheet, "check").get_json()
    sheet = _act(client, h["lanhdao"], sheet, "approve").get_json()
    app.config["PDF_FONT_DIR"] = str(tmp_path)
    refused = _act(client, h["ketoan"], sheet, "pay")
    assert refused.status_code == 503 and refused.get_json()["error"]["code"] == "pdf_font_missing"
    assert client.get(f"/api/v1/royalty/sheets/{sheet['id']}", headers=h["ketoan"]).get_json()["state"] == "approved"
    assert db.session.scalars(select(SheetFile).where(SheetFile.sheet_id == sheet["id"])).all() == []
