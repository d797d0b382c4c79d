"""Jinja helpers: the number and date formats of formatting.py as filters, labels for codes.

The areas downstream of the workflow add their own (publishing: `delivery_error`; royalties:
`sheet_state_label`) in their init_app, so this module imports neither."""
from types import SimpleNamespace

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .domain import workflow as wf
from .domain.content_types import CONTENT_TYPES
from .formatting import (DATE_PATTERN, DATETIME_PATTERN, date_input_value, datetime_input_value, format_date, format_datetime, format_number,
                         format_percent, format_range)
from .submissions.notifications import unread_count

ROLE_LABELS = {
    "contributor": _l("Contributor"),
    "editor": _l("Editor"),
    "approver": _l("Approver"),
    "accountant": _l("Accountant"),
}
SITE_KIND_LABELS = {"portal": _l("Provincial portal"), "component": _l("Component site")}
# The workflow's state names for templates (`STATE.PUBLISHED`), from domain/workflow.py: no literals.
STATE = SimpleNamespace(**{name.upper(): name for name in wf.STATES})

STATE_LABELS = {
    wf.DRAFT: _l("Draft"), wf.SUBMITTED: _l("Waiting for review"), wf.IN_REVIEW: _l("In review"),
    wf.RETURNED: _l("Returned for changes"), wf.PENDING_APPROVAL: _l("Waiting for approval"),
    wf.APPROVED: _l("Approved"), wf.PUBLISHED: _l("Published"), wf.REJECTED: _l("Rejected"),
    wf.WITHDRAWN: _l("Withdrawn"), wf.UNPUBLISHED: _l("Taken down"),
}
ACTION_LABELS = {
    "create": _l("Created"), "submit": _l("Submit"), "withdraw": _l("Withdraw"), "reopen": _l("Reopen"),
    "claim": _l("Claim"), "release": _l("Release"), "return": _l("Return"), "reject": _l("Reject"),
    "forward": _l("Forward for approval"), "approve": _l("Approve"), "publish": _l("Publish"),
    "unpublish": _l("Take down"), "republish": _l("Republish"),
    "import": _l("Imported from the old portal"), "regrade": _l("Grading changed"),
    "remove_attachment": _l("Attachment removed"),
}


def register_template_helpers(app):
    app.jinja_env.filters["number"] = format_number  # 16.533 · 1,5; |number(2) → 0,40
    app.jinja_env.filters["range"] = format_range  # low|range(high, 2) → 0,40–0,65
    app.jinja_env.filters["percent"] = format_percent  # 15,5%
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date_input"] = date_input_value
    app.jinja_env.filters["datetime_input"] = datetime_input_value
    app.jinja_env.filters["role_label"] = lambda code: ROLE_LABELS.get(code, code)
    app.jinja_env.filters["site_kind_label"] = lambda code: SITE_KIND_LABELS.get(code, code)
    app.jinja_env.filters["state_label"] = lambda code: STATE_LABELS.get(code, code)
    app.jinja_env.filters["content_type_label"] = lambda code: CONTENT_TYPES[code].name if code in CONTENT_TYPES else code
    app.jinja_env.filters["action_label"] = lambda code: ACTION_LABELS.get(code, code)

    app.jinja_env.globals["STATE"] = STATE

    @app.context_processor
    def _globals():
        signed_in = has_request_context() and current_user and current_user.is_authenticated
        unread = unread_count(current_user) if signed_in else 0
        return {"current_locale": str(get_locale()), "ROLE_LABELS": ROLE_LABELS, "unread_notifications": unread,
                "DATE_PATTERN": DATE_PATTERN, "DATETIME_PATTERN": DATETIME_PATTERN}
