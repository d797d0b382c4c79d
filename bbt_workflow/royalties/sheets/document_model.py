"""A royalty sheet as the accountants read it: plain values, grouped by unit then payee.

The sheet service builds one from the database; the XLSX and CSV writers
(sheets/xlsx_writer.py, sheets/csv_writer.py) only lay it out, so the file's figures are the sheet's figures.
Money is whole đồng (int); coefficients, factors and shares are Decimal.
"""
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class DocumentLine:
    kind: str  # "royalty" | "fee" | "adjustment" | "incentive"
    title: str
    category: str
    genre: str  # genre label (royalty), fee role label (fee), "Điều chỉnh: ..." (adjustment)
    published_on: date | None  # in Asia/Ho_Chi_Minh
    coefficient: Decimal | None
    unit_value: int | None
    factor: Decimal | None  # site factor × Π adjustment factors ("Hệ số điều chỉnh")
    share: Decimal | None  # percent
    amount: int  # may be negative for an adjustment line


@dataclass(frozen=True)
class DocumentPayee:
    name: str
    pen_name: str | None
    unit: str
    tax_id: str  # MST or CCCD, already masked when the reader may not see it
    bank_account: str  # likewise
    bank_name: str
    staff: bool  # labour contract ≥ 3 months: taxed through payroll
    commitment: bool  # filed 08/CK-TNCN for the payment year
    lines: list[DocumentLine]
    gross: int
    tax: int
    net: int


@dataclass(frozen=True)
class DocumentUnit:
    name: str
    payees: list[DocumentPayee]
    gross: int
    tax: int
    net: int


@dataclass(frozen=True)
class SheetDocument:
    agency: str  # e.g. "Ban Biên tập Cổng Thông tin điện tử tỉnh"
    site: str
    period: str  # e.g. "Tháng 03/2025"
    number: str  # sheet number, e.g. "BK-portal-2025-03"
    state: str  # Vietnamese label of the state
    payment_date: date
    regulation: str  # the regulation text used, e.g. "QĐ 23/2020/QĐ-UBND"
    units: list[DocumentUnit]
    gross: int
    tax: int
    net: int
    signatures: tuple = ("Người lập biểu", "Kế toán", "Trưởng Ban Biên tập")
    notes: list[str] = field(default_factory=list)


STAFF_NOTE = "biên chế/HĐLĐ ≥ 3 tháng: thuế TNCN khấu trừ qua lương"
COMMITMENT_NOTE = "có cam kết 08/CK-TNCN"


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"


def export_filename(doc, extension):
    """ "BK-portal-2025-03.xlsx": the sheet number, kept to safe filename characters."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", doc.number).strip("-.") or "bang-ke"
    return f"{stem}.{extension}"


class DocumentError(ValueError):
    """A sheet document whose figures do not add up; nothing is written."""


def check_document(doc):
    """Every payee's gross is the sum of its lines and gross − tax = net, for payees, units
    and the sheet; tax is never negative. Raises DocumentError naming the first mismatch."""
    def same(what, expected, got):
        if expected != got:
            raise DocumentError(f"{what}: {got} where the parts give {expected}")

    for figure in ("gross", "tax", "net"):
        same(f"sheet {figure}", sum(getattr(u, figure) for u in doc.units), getattr(doc, figure))
    same("sheet net", doc.gross - doc.tax, doc.net)
    for unit in doc.units:
        for figure in ("gross", "tax", "net"):
            same(f"unit {unit.name!r} {figure}", sum(getattr(p, figure) for p in unit.payees), getattr(unit, figure))
        for payee in unit.payees:
            same(f"payee {payee.name!r} gross", sum(line.amount for line in payee.lines), payee.gross)
            same(f"payee {payee.name!r} net", payee.gross - payee.tax, payee.net)
            if payee.tax < 0:
                raise DocumentError(f"payee {payee.name!r}: negative tax {payee.tax}")


def payee_label(payee):
    """ "Nguyễn Văn An (Hoàng Lan)": the name, then the pen name when there is one."""
    if payee.pen_name and payee.pen_name != payee.name:
        return f"{payee.name} ({payee.pen_name})"
    return payee.name


def payee_note(payee):
    if payee.staff:
        return STAFF_NOTE
    if payee.commitment:
        return COMMITMENT_NOTE
    return ""


def account_label(payee):
    return " – ".join(part for part in (payee.bank_account, payee.bank_name) if part)
