"""Royalty sheets' steps: create a site's month, change its payment date, and move it through
draft → checked → approved → paid (and reopen), as the table in domain/sheet_workflow.py says
(ROYALTIES.md). Services flush; the entry point commits, or rolls back on a ServiceError.

A sheet in `draft` is recomputed on demand; from `checked` on its lines stand as
computed; once `paid` nothing about it changes, and its exported files are kept
byte for byte. A change to an item already paid (unpublished, regraded) becomes
an adjustment line on the next sheet that is computed, pointing at the paid line.
"""
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...audit.services import record
from ...db_types import utcnow
from ...domain.royalty_rules import PAYMENT_BEFORE_PUBLICATION, payment_date_problem
from ...domain.sheet_workflow import DRAFT, SHEET_ACTIONS
from ...errors import Conflict, Forbidden, ValidationFailed, field_error
from ...extensions import db
from ...permissions import may_act_on_sheet, may_change_sheet, may_create_sheet, may_set_payment_date
from ...versioning import check_version, flush_or_conflict
from ..models import RoyaltySheet
from .compute import STALE_SHEET, compute_sheet
from .documents import keep_sheet_files
from .notifications import notify_sheet_step
from .queries import STATE_LABELS, newest_publication_on


def parse_period(period):
    """"YYYY-MM" → (first day, last day)."""
    try:
        year, month = (int(x) for x in str(period).split("-"))
        start = date(year, month, 1)
    except (TypeError, ValueError):
        raise field_error("period", _l("The period must be a month, YYYY-MM."), "invalid_period")
    if not 2000 <= year <= 2100:
        raise field_error("period", _l("The period must be a month, YYYY-MM."), "invalid_period")
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start, end


def _stale_sheet(now, seen):
    return _l("This sheet was changed by someone else (version %(now)s, you saw %(seen)s). "
              "Reload it and try again.", now=now, seen=seen)


def create_sheet(actor, site, period, payment_date=None, plan=None):
    """A draft sheet for a site and a month, computed at once (or written from `plan`, read before)."""
    if not may_create_sheet(actor, site):
        raise Forbidden(_l("Only the site's accountants create royalty sheets."), code="not_allowed")
    start, end = parse_period(period)
    existing = db.session.scalar(select(RoyaltySheet.id).where(
        RoyaltySheet.site_id == site.id, RoyaltySheet.period_start == start, RoyaltySheet.period_end == end))
    exists = Conflict(_l("A sheet for this site and period exists already."), code="sheet_exists",
                      details={"sheet_id": existing})
    if existing:
        raise exists
    sheet = RoyaltySheet(site_id=site.id, site=site, period_start=start, period_end=end,
                         payment_date=payment_date or end, state=DRAFT,
                         number=f"BK-{site.code}-{start:%Y-%m}", created_by_id=actor.id)
    try:
        with db.session.begin_nested():  # another accountant creating the same sheet at this moment
            db.session.add(sheet)
            db.session.flush()
    except IntegrityError:
        raise exists
    compute_sheet(sheet, plan)
    check_payment_date(sheet)
    return sheet


def update_sheet(actor, sheet, version, payment_date):
    check_version(sheet, version, _stale_sheet)  # first: a stale view is 409 whatever else is wrong (API.md)
    if not may_change_sheet(actor, sheet):
        raise Forbidden(_l("Only the site's accountants change royalty sheets."), code="not_allowed")
    if not may_set_payment_date(actor, sheet):
        raise ValidationFailed(_l("Only a draft sheet can be changed."), code="sheet_locked")
    sheet.payment_date = payment_date
    compute_sheet(sheet)
    check_payment_date(sheet)
    return sheet


def check_payment_date(sheet):
    """Refuse (the caller rolls back) a payment date before the newest item on the computed sheet was
    published: the tax rule follows the payment date, and nothing is paid before it is published."""
    newest = newest_publication_on(sheet)
    if payment_date_problem(sheet.payment_date, newest, sheet.period_end) == PAYMENT_BEFORE_PUBLICATION:
        raise field_error("payment_date", _l(
            "The payment date %(date)s is before the newest item on the sheet was published (%(published)s): "
            "choose %(published)s or later.", date=f"{sheet.payment_date:%d/%m/%Y}",
            published=f"{newest:%d/%m/%Y}"), PAYMENT_BEFORE_PUBLICATION)


def transition_sheet(actor, sheet, action, version, plan=None):
    """One step of the sheet table: who may take it from which states, and what it does on the way.
    `plan`: the lines a background recompute read before (plan_sheet), to write now."""
    rule = check_transition(actor, sheet, action, version)
    now = utcnow()
    before = {"state": sheet.state, "version": sheet.version}
    if rule.recomputes:
        compute_sheet(sheet, plan)
    if rule.stamps:
        setattr(sheet, f"{rule.stamps}_by_id", actor.id)
        setattr(sheet, f"{rule.stamps}_at", now)
    for stamp in rule.clears:
        setattr(sheet, f"{stamp}_by_id", None)
        setattr(sheet, f"{stamp}_at", None)
    sheet.state = rule.target
    flush_or_conflict(STALE_SHEET)
    record(actor, f"sheet.{action}", "royalty_sheet", sheet.id, before,
           {"state": sheet.state, "version": sheet.version, "site": sheet.site.code, "period_start": sheet.period_start.isoformat()})
    if rule.keeps_files:
        keep_sheet_files(sheet)
    notify_sheet_step(sheet, action, actor=actor)
    return sheet


def check_transition(actor, sheet, action, version):
    """What transition_sheet checks before it changes anything (also before a recompute is queued)."""
    check_version(sheet, version, _stale_sheet)  # first: a stale view is 409 whatever else is wrong (API.md)
    rule = SHEET_ACTIONS.get(action)
    if rule is None:
        raise field_error("action", _l("Unknown action %(action)s.", action=action), "unknown_action")
    if not may_act_on_sheet(actor, sheet.site, rule.who):
        raise Forbidden(_l("You may not %(action)s this sheet.", action=action), code="not_allowed")
    if sheet.state not in rule.sources:
        raise ValidationFailed(_l("The action %(action)s is not possible while the sheet is %(state)s.",
                                  action=action, state=STATE_LABELS[sheet.state]), code="invalid_transition")
    return rule
