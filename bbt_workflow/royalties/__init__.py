"""Royalties (nhuận bút) and fees (thù lao): rates as dated data, gradings, payees, sheets (ROYALTIES.md)."""
from ..accounts import hooks as account_hooks
from ..extensions import db
from ..permissions import can_read_sheets, register_rule
from ..submissions import hooks as workflow_hooks
from .grading import grade_for_transition
from .models import RoyaltySheet
from .payees import payee_for_user, sync_payee_with_user
from .sheets import STATE_LABELS as SHEET_STATE_LABELS


def init_app(app):
    """What royalties listens to: the workflow's grading step, user changes (payee records),
    the route rule of its sheets and the label filter of their states."""
    workflow_hooks.register_grading(grade_for_transition)
    account_hooks.on_user_saved(keep_payee_of_user)
    register_rule("sheet_visible", sheet_visible_rule, 404)
    app.jinja_env.filters["sheet_state_label"] = lambda code: SHEET_STATE_LABELS.get(code, code)


def keep_payee_of_user(user, *, created):
    """Every user can be paid: a payee record comes with the account and follows its name and unit."""
    if created:
        payee_for_user(user)
    else:
        sync_payee_with_user(user)


def sheet_visible_rule(user, kwargs):
    """The route rule "sheet_visible": the sheet's site's accountants and approvers; anyone else 404."""
    sheet = db.session.get(RoyaltySheet, kwargs["sheet_id"])
    return sheet is not None and can_read_sheets(user, sheet.site)
