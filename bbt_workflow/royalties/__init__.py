"""Royalties (ROYALTIES.md): the rules in force, grading items, payees, monthly sheets, the import.

Rooms, each with the same names (`services` change state, `queries` read, `views` and `forms` for pages):

    rules/      which rule rows are in force on a day (queries), admins' editing of them (services, views)
    grading/    reading, storing and pricing an item's grading; the grading step of the workflow; regrade
    payees/     a payee per user (kept in step with accounts) and outsiders; the payee pages
    sheets/     compute (lines, adjustments, totals), queries (read model), transitions (the table in
                domain/sheet_workflow.py), documents (XLSX/CSV, kept files), notifications, views
    importing/  items already published on the old portal, with their gradings

`init_app` connects royalties to the app: its pages, the workflow's grading step
(submissions.hooks), the payee of each user (accounts.hooks) and what templates need.
"""
from types import SimpleNamespace

from flask_login import current_user

from ..accounts import hooks as account_hooks
from ..domain import sheet_workflow
from .. import jobs
from ..extensions import db
from ..permissions import can_manage_payees, can_read_sheets, register_rule
from ..submissions import hooks as workflow_hooks
from . import models  # noqa: F401  (every model known to SQLAlchemy and Alembic)
from .models import RoyaltySheet
from .blueprints import admin, web
from .grading.services import grade_for_transition
from .importing import views as _importing_views  # noqa: F401  (routes register on import)
from .incentives.views import incentive_panel
from .payees import views as _payee_views  # noqa: F401
from .payees.services import keep_payee_of_user
from .rules import views as _rule_views  # noqa: F401
from .sheets import views as _sheet_views  # noqa: F401
from .tax_year import views as _tax_year_views  # noqa: F401
from .sheets.background import expire_task_files, run_sheet_tasks
from .sheets.queries import STATE_LABELS as SHEET_STATE_LABELS
from .models import BackgroundTask

# The sheet's states for templates: {{ SHEET.PAID }}, never the bare string.
SHEET = SimpleNamespace(DRAFT=sheet_workflow.DRAFT, CHECKED=sheet_workflow.CHECKED,
                        APPROVED=sheet_workflow.APPROVED, PAID=sheet_workflow.PAID)


def _may_manage_payees():
    """base.html shows "Payees" to those who may open the page."""
    return current_user.is_authenticated and can_manage_payees(current_user)


def init_app(app):
    app.register_blueprint(web)
    app.register_blueprint(admin)
    workflow_hooks.register_grading(grade_for_transition)
    account_hooks.on_user_saved(keep_payee_of_user)
    register_rule("sheet_visible", sheet_visible_rule, 404)
    jobs.register_task("sheet_tasks", run_sheet_tasks)
    jobs.register_task("expire_task_files", expire_task_files)
    jobs.wake_after_commit_of(BackgroundTask)  # a queued computation starts at once, not on the next tick
    app.jinja_env.filters["sheet_state_label"] = lambda code: SHEET_STATE_LABELS.get(code, code)
    app.jinja_env.globals.update(SHEET=SHEET, may_manage_payees=_may_manage_payees, incentive_panel=incentive_panel)


def sheet_visible_rule(user, kwargs):
    """The route rule "sheet_visible": the sheet's site's accountants and approvers; anyone else 404."""
    sheet = db.session.get(RoyaltySheet, kwargs["sheet_id"])
    return sheet is not None and can_read_sheets(user, sheet.site)
