"""Reading royalty sheets: which sheets a user may open, a sheet's lines and payees, the API's view
of a sheet, a payee's own lines (every site) and a site's yearly fund check. Nothing here writes,
except that `my_lines` gives a user their payee record on first need.
"""
import json
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import Bundle, selectinload

from ...accounts.models import Category, PlanTarget
from ...db_types import utcnow
from ...domain.royalty_rules import (
    FEE_LIMIT_PERCENT, INCENTIVE_LIMIT_PERCENT, LATE_PAYMENT_DAYS, PAYMENT_DEADLINE_DAYS, PAYMENT_LATE, decimal_text,
    local_date, over_limit, payment_date_problem,
)
from ...domain.sheet_workflow import APPROVED, CHECKED, DRAFT, PAID, SHEET_ACTIONS
from ...errors import NotFound
from ...extensions import db
from ...permissions import can_account, can_approve, can_read_sheets, can_see_personal_payee_fields, may_act_on_sheet
from ...submissions.models import Submission
from ..models import Payee, RoyaltyLine, RoyaltySheet, SheetPayee
from ..payees.services import mask, payee_for_user

STATE_LABELS = {DRAFT: _l("Draft"), CHECKED: _l("Checked"), APPROVED: _l("Approved"), PAID: _l("Paid")}


def allowed_sheet_actions(actor, sheet):
    """What the actor may do with the sheet now, in table order (for the page's buttons)."""
    return [name for name, action in SHEET_ACTIONS.items()
            if sheet.state in action.sources and may_act_on_sheet(actor, sheet.site, action.who)]


def sheets_waiting_for(actor, site):
    """How many of the site's sheets wait for the actor: checked ones for an approver (to approve),
    approved ones for an accountant (to pay)."""
    states = ([CHECKED] if can_approve(actor, site) else []) + ([APPROVED] if can_account(actor, site) else [])
    if not states:
        return 0
    return db.session.scalar(select(func.count(RoyaltySheet.id)).where(
        RoyaltySheet.site_id == site.id, RoyaltySheet.state.in_(states)))


def sheet_counts_by_site(site_ids):
    """{site_id: {state: n}} of the sheets still moving (draft, checked, approved), one grouped query
    for every site of the home page; the caller keeps what the reader's roles make their work."""
    counts = {site_id: {} for site_id in site_ids}
    if site_ids:
        for site_id, state, n in db.session.execute(
                select(RoyaltySheet.site_id, RoyaltySheet.state, func.count(RoyaltySheet.id))
                .where(RoyaltySheet.site_id.in_(site_ids), RoyaltySheet.state.in_((DRAFT, CHECKED, APPROVED)))
                .group_by(RoyaltySheet.site_id, RoyaltySheet.state)):
            counts[site_id][state] = n
    return counts


def get_sheet(actor, sheet_id):
    sheet = db.session.get(RoyaltySheet, sheet_id)
    if sheet is None or not can_read_sheets(actor, sheet.site):
        raise NotFound(_l("Not found."))
    return sheet


def sheets_query(actor, site, state=None):
    """The site's sheets, newest month first; state (one of SHEET_STATES) narrows them."""
    if not can_read_sheets(actor, site):
        raise NotFound(_l("Not found."))
    stmt = select(RoyaltySheet).where(RoyaltySheet.site_id == site.id)
    if state is not None:
        stmt = stmt.where(RoyaltySheet.state == state)
    return stmt.order_by(RoyaltySheet.period_start.desc())


def sheet_state_summary(site):
    """{state: (count, gross, tax, net)} of a site's sheets, one grouped query (the list's tabs and totals)."""
    return {state: (n, gross or 0, tax or 0, net or 0) for state, n, gross, tax, net in db.session.execute(
        select(RoyaltySheet.state, func.count(RoyaltySheet.id), func.sum(RoyaltySheet.gross),
               func.sum(RoyaltySheet.tax), func.sum(RoyaltySheet.net))
        .where(RoyaltySheet.site_id == site.id).group_by(RoyaltySheet.state))}


def newest_publication_on(sheet):
    """The Vietnam day the newest item on the sheet was published (None for an empty sheet)."""
    newest = db.session.scalar(select(func.max(RoyaltyLine.published_at)).where(RoyaltyLine.sheet_id == sheet.id))
    return local_date(newest) if newest is not None else None


def payment_date_warnings(sheet):
    """Warnings about the payment date, in the reader's language (shown with the sheet, never stored)."""
    if payment_date_problem(sheet.payment_date, None, sheet.period_end) == PAYMENT_LATE:
        return [str(_l("The payment date %(date)s is more than %(days)s days after the end of the month "
                       "(%(end)s).", date=f"{sheet.payment_date:%d/%m/%Y}", days=LATE_PAYMENT_DAYS,
                       end=f"{sheet.period_end:%d/%m/%Y}"))]
    return []


def sheet_warnings(sheet):
    """The computation's warnings (stored, Vietnamese) and the payment date's (reader's language)."""
    return [w for w in sheet.warnings.split("\n") if w] + payment_date_warnings(sheet)



# --- one sheet ---------------------------------------------------------------------

# A sheet's line as a plain read-only row with the model's column names: a sheet of 20,000 lines built
# 20,000 ORM objects (identity map, state tracking) for the page and each export (~0.5 s of the export).
_LINE_COLUMNS = Bundle("line", *(getattr(RoyaltyLine, column.key) for column in RoyaltyLine.__table__.columns))


def sheet_lines(sheet):
    """[(line, item title, category name)] — the item's title and category without loading the item;
    each line a read-only row with RoyaltyLine's column attributes."""
    return db.session.execute(
        select(_LINE_COLUMNS, Submission.title, Category.name)
        .join(Submission, Submission.id == RoyaltyLine.submission_id)
        .outerjoin(Category, Category.id == Submission.category_id)
        .where(RoyaltyLine.sheet_id == sheet.id)
        .order_by(RoyaltyLine.payee_id, RoyaltyLine.published_at, RoyaltyLine.id)
    ).all()


def sheet_payees(sheet):
    return db.session.scalars(
        select(SheetPayee).where(SheetPayee.sheet_id == sheet.id)
        .options(selectinload(SheetPayee.payee).selectinload(Payee.unit))
    ).all()


def is_overdue(line, sheet, today=None):
    """Unpaid 60 days after publication (NĐ 18/2014, Điều 4)."""
    if sheet.state == PAID or line.published_at is None:
        return False
    today = today or local_date(utcnow())
    return local_date(line.published_at) + timedelta(days=PAYMENT_DEADLINE_DAYS) < today


def factor_product(line):
    """The product of the site factor and the adjustments a line used (None when it used none)."""
    product = Decimal(line.site_factor) if line.site_factor is not None else None
    for factor in json.loads(line.factors_json or "[]"):
        product = (product if product is not None else Decimal(1)) * Decimal(factor["value"])
    return product


def sheet_view(sheet, viewer):
    """The sheet as API.md shapes it, personal fields masked unless the viewer may read them."""
    personal = can_see_personal_payee_fields(viewer)
    lines = sheet_lines(sheet)
    payees = sheet_payees(sheet)

    def person(payee):
        return {"id": payee.id, "full_name": payee.full_name, "pen_name": payee.pen_name,
                "tax_code": payee.tax_code if personal else mask(payee.tax_code),
                "bank_account": payee.bank_account if personal else mask(payee.bank_account)}

    names = {p.payee_id: p.payee for p in payees}
    today = local_date(utcnow())
    return {
        "id": sheet.id, "site": sheet.site.code, "period": f"{sheet.period_start:%Y-%m}",
        "number": sheet.number, "payment_date": sheet.payment_date, "state": sheet.state, "version": sheet.version,
        "regulation": sheet.regulation_label, "warnings": sheet_warnings(sheet),
        "lines": [{
            "id": line.id, "kind": line.kind, "payee": {"id": line.payee_id, "full_name": names[line.payee_id].full_name},
            "submission_id": line.submission_id, "title": title, "genre": line.genre_code,
            "genre_label": line.genre_label, "fee_role": line.fee_role,
            "coefficient": decimal_text(line.coefficient), "unit_value": line.unit_value,
            "site_factor": decimal_text(line.site_factor), "factors": json.loads(line.factors_json or "[]"),
            "share": decimal_text(line.share), "amount": line.amount, "published_at": line.published_at,
            "adjustment_of": line.adjustment_of_id, "overdue": is_overdue(line, sheet, today),
        } for line, title, _category in lines],
        "payees": [{"payee": person(p.payee), "unit": p.unit_name, "gross": p.gross, "tax": p.tax, "net": p.net,
                    "staff": p.staff, "commitment": p.commitment} for p in payees],
        "totals": {"gross": sheet.gross, "tax": sheet.tax, "net": sheet.net},
        "checked_at": sheet.checked_at, "approved_at": sheet.approved_at, "paid_at": sheet.paid_at,
    }



# --- the payee's own view and the fund check ---------------------------------------

def my_lines(user, start=None, end=None):
    """The caller's own lines (every site) and totals per sheet, newest first."""
    payee = payee_for_user(user)
    stmt = (select(RoyaltyLine, RoyaltySheet).join(RoyaltySheet, RoyaltySheet.id == RoyaltyLine.sheet_id)
            .where(RoyaltyLine.payee_id == payee.id)
            .options(selectinload(RoyaltyLine.submission))
            .order_by(RoyaltySheet.period_start.desc(), RoyaltyLine.published_at, RoyaltyLine.id))
    if start:
        stmt = stmt.where(RoyaltySheet.period_end >= start)
    if end:
        stmt = stmt.where(RoyaltySheet.period_start <= end)
    rows = db.session.execute(stmt.limit(5000)).all()
    totals = {sp.sheet_id: sp for sp in db.session.scalars(
        select(SheetPayee).where(SheetPayee.payee_id == payee.id,
                                 SheetPayee.sheet_id.in_({sheet.id for _, sheet in rows})))} if rows else {}
    sheets = {}
    for line, sheet in rows:
        entry = sheets.setdefault(sheet.id, {
            "sheet_id": sheet.id, "site": sheet.site.code, "site_name": sheet.site.name,
            "period": f"{sheet.period_start:%Y-%m}", "state": sheet.state, "payment_date": sheet.payment_date,
            "paid": sheet.state == PAID, "paid_on": sheet.payment_date if sheet.state == PAID else None,
            "gross": totals[sheet.id].gross if sheet.id in totals else 0,
            "tax": totals[sheet.id].tax if sheet.id in totals else 0,
            "net": totals[sheet.id].net if sheet.id in totals else 0, "lines": []})
        entry["lines"].append({"submission_id": line.submission_id, "title": line.submission.title,
                               "kind": line.kind, "genre": line.genre_label, "amount": line.amount,
                               "published_at": line.published_at, "paid": entry["paid"],
                               "paid_on": entry["paid_on"]})
    periods = list(sheets.values())
    return {"payee_id": payee.id, "sheets": periods,
            "totals": {k: sum(p[k] for p in periods) for k in ("gross", "tax", "net")}}


def fund_check(site, year):
    """Royalties, fees, incentives and the yearly budget of a site: the limits of NĐ 18/2014, Điều 8
    (incentives ≤ 30%, fees ≤ 50% of the royalties), as warnings."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    # An adjustment line of a fee keeps its fee_role: it counts with the fees. Incentive lines
    # (kind "incentive") are counted on their own, not as royalties.
    group = case((RoyaltyLine.kind == "incentive", "incentives"), (RoyaltyLine.fee_role.is_not(None), "fees"),
                 else_="royalties")
    amounts = dict(db.session.execute(
        select(group, func.coalesce(func.sum(RoyaltyLine.amount), 0))
        .join(RoyaltySheet, RoyaltySheet.id == RoyaltyLine.sheet_id)
        .where(RoyaltySheet.site_id == site.id, RoyaltySheet.period_start >= start, RoyaltySheet.period_end <= end)
        .group_by(group)
    ).all())
    royalties = int(amounts.get("royalties", 0))
    fees = int(amounts.get("fees", 0))
    incentives = int(amounts.get("incentives", 0))
    budget = db.session.scalar(select(PlanTarget.royalty_budget).where(PlanTarget.site_id == site.id,
                                                                        PlanTarget.year == year))
    warnings = []
    if royalties and over_limit(fees, royalties, FEE_LIMIT_PERCENT):
        warnings.append(str(_l("Fees are above half of the royalties (the limit is 50 percent).")))
    if incentives and over_limit(incentives, royalties, INCENTIVE_LIMIT_PERCENT):
        warnings.append(str(_l("Incentive royalties are above 30 percent of the royalties (NĐ 18/2014, Điều 8).")))
    if budget is not None and royalties + fees + incentives > budget:
        warnings.append(str(_l("Royalties and fees exceed the yearly budget.")))
    return {"year": year, "royalties": royalties, "fees": fees, "incentives": incentives, "budget": budget,
            "fee_ratio": (Decimal(fees) * 100 / royalties).quantize(Decimal("0.1")) if royalties else None,
            "warnings": warnings}
