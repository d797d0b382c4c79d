"""A big month's sheet computed by the job runner instead of in the request (issue 14).

`enqueue_sheet` checks what `create_sheet` checks (the permission, the period, no sheet yet) and
queues a task row; `run_sheet_tasks` (a registered job) claims queued rows with a lease and runs
them through the same `create_sheet`, so money is computed one way only. The computation is one
transaction: it commits whole or, on any error, rolls back and the task records the message.
Progress: total (the month's items) is committed when the task is claimed, done when it ends.
"""
import json
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...accounts.models import Site, User
from ...db_types import utcnow
from ...domain.workflow import PUBLISHED
from ...errors import Conflict, Forbidden, ServiceError
from ...extensions import db
from ...leases import claim_due_rows, new_token
from ...permissions import can_manage_installation, may_create_sheet
from ...submissions.models import Submission
from ..models import BackgroundTask, RoyaltySheet
from .compute import _utc_bounds
from .transitions import create_sheet, parse_period

SHEET_KIND = "sheet_create"
LEASE = timedelta(minutes=30)  # a computation of a very large month; after it another worker retries
TASK_FAILED = _l("The computation failed; nothing was saved. Try again or ask an administrator.")


def sheet_job_threshold():
    return current_app.config["SHEET_JOB_THRESHOLD"]


def month_item_count(site, period):
    """The site's published items of the month: what decides between the request and a job."""
    start, end = parse_period(period)
    begins, ends = _utc_bounds(start, end)
    return db.session.scalar(select(func.count(Submission.id)).where(
        Submission.site_id == site.id, Submission.state == PUBLISHED,
        Submission.published_at >= begins, Submission.published_at < ends)) or 0


def enqueue_sheet(actor, site, period, payment_date=None):
    """Queue the computation of a site's month; the same checks as create_sheet, before queuing."""
    if not may_create_sheet(actor, site):
        raise Forbidden(_l("Only the site's accountants create royalty sheets."), code="not_allowed")
    start, end = parse_period(period)
    existing = db.session.scalar(select(RoyaltySheet.id).where(
        RoyaltySheet.site_id == site.id, RoyaltySheet.period_start == start, RoyaltySheet.period_end == end))
    if existing:
        raise Conflict(_l("A sheet for this site and period exists already."), code="sheet_exists",
                       details={"sheet_id": existing})
    task = BackgroundTask(kind=SHEET_KIND, requested_by_id=actor.id, state="queued", done=0,
                          total=month_item_count(site, period), result="", error="", lease_token="",
                          args_json=json.dumps({"site": site.code, "period": period,
                                                "payment_date": payment_date.isoformat() if payment_date else None}))
    db.session.add(task)
    db.session.flush()
    return task


def may_see_task(user, task):
    """The requester and the installation's admins; anyone else is told nothing (404)."""
    return task is not None and (task.requested_by_id == user.id or can_manage_installation(user))


def _due():
    return (BackgroundTask.kind == SHEET_KIND) & (
        (BackgroundTask.state == "queued")
        | ((BackgroundTask.state == "running") & (BackgroundTask.lease_until < utcnow())))


def run_sheet_tasks(limit=1):
    """The job: claim due sheet tasks (lease), run each, record done or failed."""
    token = new_token()
    now = utcnow()
    rows = claim_due_rows(BackgroundTask, _due(), order_by=(BackgroundTask.id,), limit=limit, recheck=True,
                          values={"state": "running", "lease_token": token, "lease_until": now + LEASE,
                                  "started_at": now, "done": 0},
                          returning=(BackgroundTask.id,))
    for row in rows:
        run_one(row.id, token)


def run_one(task_id, token):
    task = db.session.get(BackgroundTask, task_id)
    args = json.loads(task.args_json)
    try:
        actor = db.session.get(User, task.requested_by_id)
        site = db.session.scalar(select(Site).where(Site.code == args["site"]))
        payment_date = args["payment_date"] and date.fromisoformat(args["payment_date"])
        sheet = create_sheet(actor, site, args["period"], payment_date)
        db.session.flush()
        sheet_id = sheet.id
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        _finish(task_id, token, "failed", error=_key(exc.message))
    except Exception:
        db.session.rollback()
        current_app.logger.exception("background task failed", extra={"task": task_id})
        _finish(task_id, token, "failed", error=_key(TASK_FAILED))
    else:
        _finish(task_id, token, "done", result=str(sheet_id))


def _key(message):
    """The English text (the msgid): the task page translates it into the reader's language."""
    with force_locale("en"):
        return str(message)


def _finish(task_id, token, state, *, result="", error=""):
    task = db.session.get(BackgroundTask, task_id)
    if task is None or task.lease_token != token:
        return  # the lease passed and another worker took it: its result stands
    task.state, task.result, task.error, task.finished_at = state, result, error, utcnow()
    if state == "done":
        task.done = task.total
    db.session.commit()
