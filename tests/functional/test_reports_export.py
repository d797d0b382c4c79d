"""GET /api/v1/reports/export (issue 13): the summary's figures as XLSX and DOCX, read back as the board
would read them and checked against the hand-computed figures of test_reports_summary.py's data set."""
import io
from datetime import datetime

from docx import Document
from openpyxl import load_workbook

from bbt_workflow.reports.documents import SHEETS
from tests.functional.test_reports_summary import (  # noqa: F401 (board: the shared data set, a fixture)
    CAT_A, CAT_B, P, Y, _expected_spending, board,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _export(client, h, fmt, site="cong", start=f"{Y}-01-01", end=f"{Y}-03-31"):
    return client.get(f"/api/v1/reports/export?site={site}&from={start}&to={end}&format={fmt}", headers=h)


def _vn(n):
    return f"{n:,}".replace(",", ".")


def _rows(ws):
    return [tuple(c for c in row) for row in ws.iter_rows(values_only=True)]


def test_the_xlsx_has_one_sheet_per_table_with_the_summary_figures(client, board):
    response = _export(client, board["h"]["ketoan"], "xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="bao-cao-cong-{Y}-01-01-{Y}-03-31.xlsx"'
    wb = load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames == list(SHEETS) == ["Tổng hợp", "Theo loại tin", "Theo chuyên mục", "Theo đơn vị",
                                            "Cộng tác viên", "Chi tiêu"]
    summary = dict(_rows(wb["Tổng hợp"])[1:])
    assert summary["Từ ngày"] == datetime(Y, 1, 1) and summary["Đến ngày"] == datetime(Y, 3, 31)
    assert summary["Tổng số thông tin đã đăng"] == 6
    assert summary[f"Chỉ tiêu kế hoạch năm {Y} (thông tin)"] == 37
    assert summary["Lũy kế từ đầu năm (thông tin)"] == 6
    assert summary["Tỷ lệ đạt kế hoạch năm (%)"] == 16.2
    assert summary["Cùng kỳ năm trước: từ ngày"] == datetime(P, 1, 1)
    assert summary["Số thông tin cùng kỳ năm trước"] == 7
    assert summary["Tăng (+) / giảm (−) so với cùng kỳ (%)"] == -14.3
    assert summary["Thời gian từ gửi đến đăng, trung vị (giờ)"] == 26.0
    assert summary["Thời gian từ gửi đến đăng, 90% tin bài trong vòng (giờ)"] == 51.6
    assert [summary[f"Đang chờ: {w}"] for w in ("chờ nhận xử lý", "đang biên tập", "chờ duyệt")] == [1, 1, 1]
    assert wb["Tổng hợp"]["B3"].number_format == "dd/mm/yyyy"

    kinds = _rows(wb["Theo loại tin"])
    assert kinds[0] == ("Mã", "Loại tin", "Số lượng")
    assert ("tin", "Tin", 5) in kinds and ("bai", "Bài", 1) in kinds and ("video", "Video/clip", 0) in kinds
    assert kinds[-1] == (None, "Tổng cộng", 6)
    categories = {code: n for code, _, n in _rows(wb["Theo chuyên mục"])[1:]}
    assert categories == {**{code: 0 for code in board["categories"]}, CAT_A: 5, CAT_B: 1}
    units = _rows(wb["Theo đơn vị"])[1:]
    assert {code: n for code, _, n in units} == {"stttt": 4, "dai": 2, "cuc-thue": 0}
    assert all(isinstance(name, str) and name for _, name, _ in units)

    contributors = _rows(wb["Cộng tác viên"])
    assert contributors[1:5] == [("Tin bài của cộng tác viên đã xử lý", 5), ("Duyệt đăng", 2), ("Trả lại", 3),
                                 ("Từ chối", 1)]
    assert contributors[6:] == [("Lý do trả lại thường gặp", "Số lần"), ("Thiếu nguồn", 2), ("Ảnh mờ", 1)]

    spending = _expected_spending(10_000_000)
    assert _rows(wb["Chi tiêu"])[1:] == [
        ("Nhuận bút", spending["royalties"]), ("Thù lao", spending["fees"]),
        ("Tổng đã sử dụng", spending["royalties"] + spending["fees"]), (f"Dự toán năm {Y}", 10_000_000),
        ("Tỷ lệ sử dụng (%)", spending["percent"]),
    ]
    # Deterministic: the same figures give the same bytes.
    assert _export(client, board["h"]["ketoan"], "xlsx").data == response.data


def _docx_text(data):
    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]
    return doc, paragraphs, tables


def test_the_docx_is_a_draft_of_the_results_section(client, board):
    response = _export(client, board["h"]["lanhdao"], "docx")
    assert response.status_code == 200
    assert response.mimetype == DOCX
    doc, paragraphs, tables = _docx_text(response.data)
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["I. KẾT QUẢ HOẠT ĐỘNG", "1. Công tác thông tin tuyên truyền",
                        "2. Sự tham gia cộng tác của các cơ quan, đơn vị",
                        "3. Tiếp nhận, xử lý tin bài của cộng tác viên", "4. Kinh phí nhuận bút, thù lao"]
    text = "\n".join(paragraphs)
    period = f"từ ngày 01/01/{Y} đến ngày 31/03/{Y}"
    assert period in text
    assert "đã cập nhật 6 thông tin tuyên truyền các loại, trong đó: 5 tin, 1 bài." in text
    assert (f"Lũy kế từ đầu năm đến ngày 31/03/{Y}: 6 thông tin, đạt 16,2% so với chỉ tiêu kế hoạch năm {Y} "
            "(37 thông tin).") in text
    assert f"So với cùng kỳ năm {P} (7 thông tin), giảm 14,3%." in text
    assert "Các cơ quan, đơn vị chưa có thông tin được đăng trong kỳ: " in text
    assert "đã xử lý 5 tin bài của cộng tác viên; trong đó duyệt đăng 2, trả lại 3, từ chối 1." in text
    spending = _expected_spending(10_000_000)
    spent = spending["royalties"] + spending["fees"]
    percent = str(spending["percent"]).replace(".", ",")
    assert (f"Kinh phí nhuận bút, thù lao năm {Y} được giao 10.000.000 đồng; đã sử dụng {_vn(spent)} đồng "
            f"(đạt khoảng {percent}%), gồm nhuận bút {_vn(spending['royalties'])} đồng và thù lao "
            f"{_vn(spending['fees'])} đồng.") in text

    kinds, categories, units, reasons = tables
    assert kinds[0] == ["STT", "Loại tin", "Số lượng"]
    assert ["1", "Tin", "5"] in kinds and ["2", "Bài", "1"] in kinds and kinds[-1] == ["", "Tổng cộng", "6"]
    assert len(categories) == 1 + len(board["categories"])
    assert sorted(row[2] for row in categories[1:]).count("0") == len(board["categories"]) - 2
    assert sorted(row[2] for row in units[1:]) == ["0", "2", "4"]
    assert reasons[1:] == [["1", "Thiếu nguồn", "2"], ["2", "Ảnh mờ", "1"]]
    # The unit without items is named in the sentence, by the name shown in its table row.
    silent = next(row[1] for row in units[1:] if row[2] == "0")
    assert f"chưa có thông tin được đăng trong kỳ: {silent}." in text
    assert doc.core_properties.created.replace(tzinfo=None) == datetime(Y, 3, 31)
    assert _export(client, board["h"]["lanhdao"], "docx").data == response.data


def test_the_docx_of_a_period_without_target_and_of_every_site(client, board):
    _, paragraphs, _ = _docx_text(_export(client, board["h"]["ketoan"], "docx",
                                          start=f"{P}-01-01", end=f"{P}-03-31").data)
    text = "\n".join(paragraphs)
    assert f"Lũy kế từ đầu năm đến ngày 31/03/{P}: 7 thông tin; chưa có chỉ tiêu kế hoạch năm {P}." in text
    assert "cùng kỳ năm trước không có thông tin để so sánh" in text
    assert f"đã sử dụng 0 đồng, gồm nhuận bút 0 đồng và thù lao 0 đồng; chưa có dự toán năm {P}." in text
    _, paragraphs, _ = _docx_text(_export(client, board["h"]["admin"], "docx", site="all").data)
    text = "\n".join(paragraphs)
    assert "đạt 14,9% so với chỉ tiêu kế hoạch năm" in text and f"So với cùng kỳ năm {P} (7 thông tin), không thay đổi." in text


def test_who_may_export_and_what_is_refused(client, board):
    h = board["h"]
    assert _export(client, h["admin"], "xlsx", site="khong-co").status_code == 404
    assert _export(client, h["huyen_ld"], "docx").status_code == 404
    assert _export(client, h["bientap"], "xlsx").status_code == 403
    assert _export(client, h["ketoan"], "docx", site="all").status_code == 403
    for fmt in ("pdf", "csv", ""):
        response = _export(client, h["admin"], fmt)
        assert response.status_code == 422, fmt
        assert "format" in str(response.get_json()["error"]["details"])
    response = _export(client, h["admin"], "xlsx", start=f"{Y}-03-02", end=f"{Y}-03-01")
    assert response.status_code == 422 and "to" in str(response.get_json()["error"]["details"])
    assert _export(client, h["admin"], "docx", start="hôm qua").status_code == 422
    assert client.get(f"/api/v1/reports/export?site=cong&from={Y}-01-01&to={Y}-03-31&format=xlsx").status_code == 401


def test_the_export_is_documented(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/reports/export"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"site", "from", "to", "format"}
    assert "200" in operation["responses"]
