"""The tax year of payees: what the PAID sheets paid and withheld, by the month of their payment date.

Tax follows the payment date (ROYALTIES.md, computation 1): a December sheet paid in January counts in
January of the next year. The payment date is already a Vietnam calendar day (a Date column set by the
accountant), so its year and month need no time-zone conversion. One grouped query per summary: the
amounts come from the payees' totals kept on each sheet (royalty_sheet_payees), the same figures the
signed sheets show.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, extract, func, select
from sqlalchemy.orm import selectinload

from flask_babel import lazy_gettext as _l

from ...accounts.models import Membership, MembershipRole, Site
from ...accounts.services import get_site
from ...domain.roles import ACCOUNTANT
from ...domain.sheet_workflow import PAID
from ...errors import Forbidden
from ...extensions import db
from ...permissions import can_read_tax_year, is_admin
from ..models import Payee, RoyaltySheet, SheetPayee

MONTHS = tuple(f"{m:02d}" for m in range(1, 13))
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass
class Amounts:
    gross: int = 0
    tax: int = 0
    net: int = 0

    def add(self, gross, tax, net):
        self.gross += int(gross)
        self.tax += int(tax)
        self.net += int(net)

    def as_dict(self):
        return {"gross": self.gross, "tax": self.tax, "net": self.net}


@dataclass
class PayeeYear:
    payee_id: int
    full_name: str
    pen_name: str | None
    tax_code: str | None
    id_number: str | None
    staff: bool
    unit: str = ""
    total: Amounts = field(default_factory=Amounts)
    months: dict = field(default_factory=dict)  # "01".."12" → Amounts, only months with a payment

    def as_dict(self):
        return {"payee_id": self.payee_id, "full_name": self.full_name, "tax_code": self.tax_code,
                "id_number": self.id_number, "staff": self.staff, **self.total.as_dict(),
                "months": {m: a.as_dict() for m, a in sorted(self.months.items())}}


@dataclass
class TaxYear:
    year: int
    sites: list  # the Site rows summed (the caller's choice or what they may read)
    payees: list  # [PayeeYear] by name
    total: Amounts
    months: dict  # "01".."12" → Amounts over every payee

    def as_dict(self):
        return {"year": self.year, "payees": [p.as_dict() for p in self.payees], "totals": self.total.as_dict()}


def summary_scope(user, site_code=None):
    """The sites a summary covers for this reader: the one named (unknown: 404; not theirs to read:
    403), else every site they may read (tax_year_sites)."""
    if site_code:
        site = get_site(site_code)
        if not can_read_tax_year(user, site):
            raise Forbidden(_l("Only the site's accountants see its payees' tax year."), code="not_allowed")
        return [site]
    return tax_year_sites(user)


def tax_year_sites(user, site=None):
    """The sites a summary covers: the one asked for, else every site for an admin and the sites the
    user is an accountant of for anyone else (an accountant of two sites sees both summed: one
    agency pays them, and one payee's withholding is over every payment of the year)."""
    if site is not None:
        return [site]
    stmt = select(Site).order_by(Site.kind.desc(), Site.name)
    if not is_admin(user):
        stmt = stmt.where(Site.id.in_(
            select(Membership.site_id).join(MembershipRole, MembershipRole.membership_id == Membership.id)
            .where(Membership.user_id == user.id, MembershipRole.role == ACCOUNTANT)))
    return list(db.session.scalars(stmt))


def tax_year(year, sites, payee_id=None):
    """The year's paid amounts per payee and payment month over the given sites (every site when
    `sites` is None: a payee's own year). One grouped query."""
    month = extract("month", RoyaltySheet.payment_date)
    stmt = (
        select(SheetPayee.payee_id, month.label("month"), func.sum(SheetPayee.gross), func.sum(SheetPayee.tax),
               func.sum(SheetPayee.net), func.max(case((SheetPayee.staff, 1), else_=0)))
        .join(RoyaltySheet, RoyaltySheet.id == SheetPayee.sheet_id)
        .where(RoyaltySheet.state == PAID, RoyaltySheet.payment_date >= date(year, 1, 1),
               RoyaltySheet.payment_date <= date(year, 12, 31))
        .group_by(SheetPayee.payee_id, month)
    )
    if sites is not None:
        stmt = stmt.where(RoyaltySheet.site_id.in_([s.id for s in sites]))
    if payee_id is not None:
        stmt = stmt.where(SheetPayee.payee_id == payee_id)
    rows = db.session.execute(stmt).all()
    people = {p.id: p for p in db.session.scalars(
        select(Payee).where(Payee.id.in_({r[0] for r in rows})).options(selectinload(Payee.unit)))} if rows else {}
    payees, total, months = {}, Amounts(), {}
    for payee_id_, month_no, gross, tax, net, staff in rows:
        person = people[payee_id_]
        entry = payees.get(payee_id_)
        if entry is None:
            entry = payees[payee_id_] = PayeeYear(
                payee_id=person.id, full_name=person.full_name, pen_name=person.pen_name,
                tax_code=person.tax_code, id_number=person.id_number, staff=False,
                unit=person.unit.name if person.unit else "")
        # Staff (taxed through payroll) on any of the year's sheets, as the sheets recorded it.
        entry.staff = entry.staff or bool(staff)
        key = f"{int(month_no):02d}"
        entry.months.setdefault(key, Amounts()).add(gross, tax, net)
        entry.total.add(gross, tax, net)
        months.setdefault(key, Amounts()).add(gross, tax, net)
        total.add(gross, tax, net)
    ordered = sorted(payees.values(), key=lambda p: (p.full_name, p.payee_id))
    return TaxYear(year=year, sites=list(sites) if sites is not None else [], payees=ordered, total=total,
                   months=months)
