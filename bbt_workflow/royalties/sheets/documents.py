"""A royalty sheet as the accountants read it: plain values, grouped by unit then payee.

The sheet service builds one from the database; the XLSX and CSV writers
(`royalties.export`) only lay it out, so the file's figures are the sheet's figures.
Money is whole đồng (int); coefficients, factors and shares are Decimal.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class DocumentLine:
    kind: str  # "royalty" | "fee" | "adjustment"
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
