"""Who hears of a royalty sheet's step (issue 11): check → the site's approvers, approve → its
accountants, pay → every payee on the sheet who is a user (their total and the payment date),
reopen → the accountants. An in-app notification linking to the sheet (or, for a payee, to
"My royalties") and an email queued in the same transaction, sent after commit."""
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...accounts.models import User
from ...extensions import db
from ...links import absolute_url
from ...mailqueue.services import queue_email
from ...submissions.models import EmailOptOut, Notification
from ...submissions.notifications import _site_members_with
from ..models import Payee, SheetPayee

SHEET_EVENT_KINDS = ("sheet_check", "sheet_approve", "sheet_pay", "sheet_reopen")

SHEET_EVENT_LABELS = {
    "sheet_check": _l("Royalty sheet waiting for your approval"),
    "sheet_approve": _l("Royalty sheet approved, ready to pay"),
    "sheet_pay": _l("Your royalties were paid"),
    "sheet_reopen": _l("Royalty sheet reopened as a draft"),
}


def _payees_who_are_users(sheet):
    """[(user, SheetPayee)] for the sheet's payees linked to an active user."""
    return db.session.execute(
        select(User, SheetPayee).join(Payee, Payee.user_id == User.id)
        .join(SheetPayee, SheetPayee.payee_id == Payee.id)
        .where(SheetPayee.sheet_id == sheet.id, User.active.is_(True)).order_by(User.id)
    ).all()


def _recipients(sheet, kind):
    if kind == "sheet_check":
        return [(u, None) for u in _site_members_with(sheet.site_id, "approver")]
    if kind in ("sheet_approve", "sheet_reopen"):
        return [(u, None) for u in _site_members_with(sheet.site_id, "accountant")]
    if kind == "sheet_pay":
        return list(_payees_who_are_users(sheet))
    return []


def notify_sheet_step(sheet, action, *, actor):
    kind = f"sheet_{action}"
    if kind not in SHEET_EVENT_KINDS:
        return
    recipients = [(u, share) for u, share in _recipients(sheet, kind) if u.id != actor.id]
    if not recipients:
        return
    opted_out = set(db.session.scalars(select(EmailOptOut.user_id).where(
        EmailOptOut.kind == kind, EmailOptOut.user_id.in_([u.id for u, _ in recipients]))))
    sheet_link = absolute_url("royalties_web.sheet", sheet_id=sheet.id)
    mine_link = absolute_url("royalties_web.my_royalties", **{"from": sheet.period_start.isoformat()})
    for user, share in recipients:
        locale = user.preferred_language or "vi"
        with force_locale(locale):
            label = str(SHEET_EVENT_LABELS[kind])
            message = f"{label}: {sheet.number} ({sheet.site.name})"[:500]
        db.session.add(Notification(user_id=user.id, kind=kind, sheet_id=None if share else sheet.id,
                                    message=message))
        if user.id not in opted_out:
            queue_email(user.email, "sheet_step", locale=locale, user=user, sheet=sheet, label=label,
                        actor=actor, share=share, link=mine_link if share else sheet_link)
