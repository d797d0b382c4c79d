"""The reports summary as files for the board (issue 13): an XLSX workbook, one sheet per table, and a DOCX
draft of section "I. KẾT QUẢ HOẠT ĐỘNG" in the structure of the board's yearly reports.

The writers only lay out the dict `services.report_summary` returns (the same figures as
GET /api/v1/reports/summary) and the names of its codes (`ReportLabels`); they read nothing else.
The files are Vietnamese documents of the board, like the royalty sheet: headings and sentences are
Vietnamese whatever the reader's language, and numbers in the text are in Vietnamese formats
(16.533; 15,5%; dd/mm/yyyy) through Babel with locale vi. In the XLSX every figure is a number or a date.
Both files are deterministic: their created/modified times and every zip entry's time are the period's
last day, 00:00, so two exports of the same figures are byte-identical.
"""
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from babel.numbers import format_decimal
from docx import Document
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

from ..domain.content_types import CONTENT_TYPES

LOCALE = "vi"
ALL_SITES_NAME = "Cổng TTĐT tỉnh và các cổng/trang thành phần"
DECISIONS = (("reviewed", "Tin bài của cộng tác viên đã xử lý"), ("approved", "Duyệt đăng"),
             ("returned", "Trả lại"), ("rejected", "Từ chối"))
WAITING = (("submitted", "Chờ nhận xử lý"), ("in_review", "Đang biên tập"), ("pending_approval", "Chờ duyệt"))


@dataclass
class ReportLabels:
    site: str | None = None  # None: every site
    categories: dict = field(default_factory=dict)  # code → name
    units: dict = field(default_factory=dict)  # code → name


def number(value):
    """16533 → "16.533"; 15.5 → "15,5"."""
    return format_decimal(value, locale=LOCALE)


def percent(value):
    return f"{number(value)}%"


def day(iso):
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def _moment(summary):
    end = date.fromisoformat(summary["to"])
    return datetime(end.year, end.month, end.day)


def _fixed_time_zip(content, moment):
    """The same zip with every entry stamped `moment` (writers stamp the current time)."""
    stamp = moment.timetuple()[:6]
    out = io.BytesIO()
    with ZipFile(io.BytesIO(content)) as source, ZipFile(out, "w", ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


def _site_name(summary, labels):
    return labels.site or (ALL_SITES_NAME if summary["site"] == "all" else summary["site"])


def _rows_by_kind(summary):
    return [(code, CONTENT_TYPES[code].name, n) for code, n in summary["published"]["by_content_type"].items()]


def _rows_by_category(summary, labels):
    return [(code, labels.categories.get(code, code), n) for code, n in summary["published"]["by_category"].items()]


def _rows_by_unit(summary, labels):
    return [(code, labels.units.get(code, code), n) for code, n in summary["published"]["by_unit"].items()]


def _spent(summary):
    return summary["spending"]["royalties"] + summary["spending"]["fees"]


# --- XLSX --------------------------------------------------------------------------------------

SHEETS = ("Tổng hợp", "Theo loại tin", "Theo chuyên mục", "Theo đơn vị", "Cộng tác viên", "Chi tiêu")
DATE_FORMAT = "dd/mm/yyyy"
INTEGER_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0"


def _sheet(wb, title, header, rows, widths, formats=None):
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append(list(row))
        for cell, fmt in zip(ws[ws.max_row], formats or (), strict=False):
            if fmt:
                cell.number_format = fmt
    for letter, width in zip("ABCDEFGH", widths, strict=False):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    return ws


def _summary_rows(summary, labels):
    target, last, lead = summary["target"], summary["previous_year"], summary["lead_time_hours"]
    rows = [
        ("Cổng/trang", _site_name(summary, labels), None),
        ("Từ ngày", date.fromisoformat(summary["from"]), DATE_FORMAT),
        ("Đến ngày", date.fromisoformat(summary["to"]), DATE_FORMAT),
        ("Tổng số thông tin đã đăng", summary["published"]["total"], INTEGER_FORMAT),
        (f"Chỉ tiêu kế hoạch năm {target['year']} (thông tin)", target["plan_items"], INTEGER_FORMAT),
        ("Lũy kế từ đầu năm (thông tin)", target["published_year_to_date"], INTEGER_FORMAT),
        ("Tỷ lệ đạt kế hoạch năm (%)", target["percent"], PERCENT_FORMAT),
        ("Cùng kỳ năm trước: từ ngày", date.fromisoformat(last["from"]), DATE_FORMAT),
        ("Cùng kỳ năm trước: đến ngày", date.fromisoformat(last["to"]), DATE_FORMAT),
        ("Số thông tin cùng kỳ năm trước", last["total"], INTEGER_FORMAT),
        ("Tăng (+) / giảm (−) so với cùng kỳ (%)", last["change_percent"], PERCENT_FORMAT),
        ("Thời gian từ gửi đến đăng, trung vị (giờ)", lead["median"], PERCENT_FORMAT),
        ("Thời gian từ gửi đến đăng, 90% tin bài trong vòng (giờ)", lead["p90"], PERCENT_FORMAT),
    ]
    rows += [(f"Đang chờ: {label.lower()}", summary["waiting"][key], INTEGER_FORMAT) for key, label in WAITING]
    return rows


def write_report_xlsx(summary, labels):
    """The figures as an .xlsx file (bytes): one sheet per table, every figure a number."""
    moment = _moment(summary)
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = wb.properties.lastModifiedBy = "BBT Workflow"
    wb.properties.title = f"Báo cáo kết quả hoạt động {day(summary['from'])} – {day(summary['to'])}"
    wb.properties.created = wb.properties.modified = moment

    summary_rows = _summary_rows(summary, labels)
    _sheet(wb, SHEETS[0], ("Chỉ tiêu", "Giá trị"), [(label, value) for label, value, _ in summary_rows],
           (55, 40), None)
    for row_number, (_, _, fmt) in enumerate(summary_rows, 2):
        if fmt:
            wb[SHEETS[0]].cell(row_number, 2).number_format = fmt
    total = summary["published"]["total"]
    counts = (None, None, INTEGER_FORMAT)
    _sheet(wb, SHEETS[1], ("Mã", "Loại tin", "Số lượng"),
           _rows_by_kind(summary) + [(None, "Tổng cộng", total)], (14, 24, 12), counts)
    _sheet(wb, SHEETS[2], ("Mã", "Chuyên mục", "Số lượng"),
           _rows_by_category(summary, labels), (24, 40, 12), counts)
    _sheet(wb, SHEETS[3], ("Mã", "Đơn vị", "Số lượng"),
           _rows_by_unit(summary, labels), (16, 40, 12), counts)
    contributors = summary["contributors"]
    ws = _sheet(wb, SHEETS[4], ("Chỉ tiêu", "Số tin bài"),
                [(label, contributors[key]) for key, label in DECISIONS], (45, 12), (None, INTEGER_FORMAT))
    ws.append([])
    ws.append(["Lý do trả lại thường gặp", "Số lần"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for reason in contributors["top_return_reasons"]:
        ws.append([reason["reason"], reason["count"]])
    spending = summary["spending"]
    _sheet(wb, SHEETS[5], ("Khoản chi", "Số tiền (đồng)"), [
        ("Nhuận bút", spending["royalties"]), ("Thù lao", spending["fees"]), ("Tổng đã sử dụng", _spent(summary)),
        (f"Dự toán năm {target_year(summary)}", spending["budget"]), ("Tỷ lệ sử dụng (%)", spending["percent"]),
    ], (35, 18), (None, INTEGER_FORMAT))
    wb[SHEETS[5]].cell(6, 2).number_format = PERCENT_FORMAT

    buffer = io.BytesIO()
    # Not wb.save(): it stamps `modified` with the current time.
    with ZipFile(buffer, "w", ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return _fixed_time_zip(buffer.getvalue(), moment)


def target_year(summary):
    return summary["target"]["year"]


# --- DOCX --------------------------------------------------------------------------------------

def _table(doc, header, rows):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    return table


def _counted(rows):
    return [(str(i), name, number(n)) for i, (_, name, n) in enumerate(rows, 1)]


def plan_sentence(summary):
    target = summary["target"]
    done = f"Lũy kế từ đầu năm đến ngày {day(summary['to'])}: {number(target['published_year_to_date'])} thông tin"
    if target["plan_items"] is None:
        return f"{done}; chưa có chỉ tiêu kế hoạch năm {target['year']}."
    return (f"{done}, đạt {percent(target['percent'])} so với chỉ tiêu kế hoạch năm {target['year']} "
            f"({number(target['plan_items'])} thông tin).")


def last_year_sentence(summary):
    last = summary["previous_year"]
    head = f"So với cùng kỳ năm {date.fromisoformat(last['from']).year} ({number(last['total'])} thông tin)"
    change = last["change_percent"]
    if change is None:
        return f"{head}: cùng kỳ năm trước không có thông tin để so sánh."
    if change > 0:
        return f"{head}, tăng {percent(change)}."
    if change < 0:
        return f"{head}, giảm {percent(-change)}."
    return f"{head}, không thay đổi."


def spending_sentence(summary):
    spending = summary["spending"]
    used = f"đã sử dụng {number(_spent(summary))} đồng"
    parts = f"gồm nhuận bút {number(spending['royalties'])} đồng và thù lao {number(spending['fees'])} đồng"
    if spending["budget"] is None:
        return f"Kinh phí nhuận bút, thù lao: {used}, {parts}; chưa có dự toán năm {target_year(summary)}."
    return (f"Kinh phí nhuận bút, thù lao năm {target_year(summary)} được giao {number(spending['budget'])} đồng; "
            f"{used} (đạt khoảng {percent(spending['percent'])}), {parts}.")


def write_report_docx(summary, labels):
    """A draft of "I. KẾT QUẢ HOẠT ĐỘNG" (bytes): headings, sentences and Word tables the board edits."""
    moment = _moment(summary)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    props = doc.core_properties
    props.author = props.last_modified_by = "BBT Workflow"
    props.title = "Dự thảo báo cáo kết quả hoạt động"
    props.created = props.modified = moment
    props.revision = 1

    site = _site_name(summary, labels)
    period = f"từ ngày {day(summary['from'])} đến ngày {day(summary['to'])}"
    published = summary["published"]
    doc.add_heading("I. KẾT QUẢ HOẠT ĐỘNG", level=1)
    doc.add_paragraph(f"({site}, {period})")

    doc.add_heading("1. Công tác thông tin tuyên truyền", level=2)
    kinds = [(name, n) for _, name, n in _rows_by_kind(summary) if n]
    detail = ", ".join(f"{number(n)} {name.lower()}" for name, n in kinds)
    doc.add_paragraph(f"- Trong kỳ ({period}), {site} đã cập nhật {number(published['total'])} thông tin "
                      f"tuyên truyền các loại" + (f", trong đó: {detail}." if detail else "."))
    _table(doc, ("STT", "Loại tin", "Số lượng"),
           _counted(_rows_by_kind(summary)) + [("", "Tổng cộng", number(published["total"]))])
    doc.add_paragraph("- Theo chuyên mục:")
    _table(doc, ("STT", "Chuyên mục", "Số lượng"), _counted(_rows_by_category(summary, labels)))
    doc.add_paragraph(f"- {plan_sentence(summary)}")
    doc.add_paragraph(f"- {last_year_sentence(summary)}")

    doc.add_heading("2. Sự tham gia cộng tác của các cơ quan, đơn vị", level=2)
    units = _rows_by_unit(summary, labels)
    sent = [(name, n) for _, name, n in units if n]
    doc.add_paragraph("- Các cơ quan, đơn vị có thông tin được đăng: "
                      + (", ".join(f"{name} ({number(n)})" for name, n in sent) if sent else "không có") + ".")
    _table(doc, ("STT", "Cơ quan, đơn vị", "Số thông tin được đăng"), _counted(units))
    silent = [labels.units.get(code, code) for code in summary["units_without_items"]]
    doc.add_paragraph("- Các cơ quan, đơn vị chưa có thông tin được đăng trong kỳ: " + ", ".join(silent) + "."
                      if silent else "- Tất cả các cơ quan, đơn vị đều có thông tin được đăng trong kỳ.")

    doc.add_heading("3. Tiếp nhận, xử lý tin bài của cộng tác viên", level=2)
    contributors = summary["contributors"]
    doc.add_paragraph(f"- Trong kỳ, đã xử lý {number(contributors['reviewed'])} tin bài của cộng tác viên; "
                      f"trong đó duyệt đăng {number(contributors['approved'])}, trả lại "
                      f"{number(contributors['returned'])}, từ chối {number(contributors['rejected'])}.")
    if contributors["top_return_reasons"]:
        doc.add_paragraph("- Lý do trả lại thường gặp:")
        _table(doc, ("STT", "Lý do trả lại", "Số lần"),
               [(str(i), r["reason"], number(r["count"])) for i, r in enumerate(contributors["top_return_reasons"], 1)])

    doc.add_heading("4. Kinh phí nhuận bút, thù lao", level=2)
    doc.add_paragraph(f"- {spending_sentence(summary)}")

    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_time_zip(buffer.getvalue(), moment)
