"""A big month's sheet computed, or a big draft recomputed, by the job runner instead of in the
request (issue 14).

`enqueue_sheet` / `enqueue_recompute` check what `create_sheet` / `transition_sheet` check and queue
a task row; `run_sheet_tasks` (a registered job) claims queued rows with a lease and runs them
through the same services, so money is computed one way only. Two phases: the read phase
(compute.plan_sheet) writes nothing, so the task's progress is committed every PROGRESS_EVERY items
in short transactions of its own (which also renew the lease; SQLite's single writer is free in
between); then the sheet is written in one transaction that commits whole or, on any error, rolls
back and the task records the message: a failure leaves nothing half-written and a recomputed
draft as it was.
"""
import json
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ...accounts.models import Site, User
from ...db_types import utcnow
from ...domain.sheet_workflow import PAID
from ...domain.workflow import PUBLISHED
from ...errors import Conflict, Forbidden, ServiceError, ValidationFailed
from ...extensions import db
from ...leases import claim_due_rows, new_token
from ...permissions import can_manage_installation, can_read_sheets, may_create_sheet
from ...submissions.models import Submission
from ..models import BackgroundTask, RoyaltyLine, RoyaltySheet
from .compute import _utc_bounds, plan_sheet, planned_sheet
from .documents import export_sheet
from .task_files import drop_task_file, keep_task_file, read_task_file
from .transitions import check_transition, create_sheet, parse_period, transition_sheet

SHEET_KIND = "sheet_create"
RECOMPUTE_KIND = "sheet_recompute"
EXPORT_KIND = "sheet_xlsx"
SHEET_KINDS = (SHEET_KIND, RECOMPUTE_KIND)
LEASE = timedelta(minutes=30)  # renewed with each progress report; after it another worker retries
PROGRESS_EVERY = 200  # items between two progress commits
TASK_FAILED = _l("The computation failed; nothing was saved. Try again or ask an administrator.")
SHEET_GONE = _l("The sheet no longer exists.")
FILE_EXPIRED = _l("The file has expired; export again.")


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


def enqueue_recompute(actor, sheet, version):
    """Queue the recomputation of a draft; the checks of transition_sheet first (version, who, state)."""
    check_transition(actor, sheet, "recompute", version)
    task = BackgroundTask(kind=RECOMPUTE_KIND, requested_by_id=actor.id, state="queued", done=0,
                          total=month_item_count(sheet.site, f"{sheet.period_start:%Y-%m}"), result="", error="",
                          lease_token="", args_json=json.dumps({"sheet_id": sheet.id, "version": sheet.version}))
    db.session.add(task)
    db.session.flush()
    return task


def may_see_task(user, task):
    """The requester and the installation's admins; anyone else is told nothing (404)."""
    return task is not None and (task.requested_by_id == user.id or can_manage_installation(user))


def _due():
    return BackgroundTask.kind.in_(SHEET_KINDS + (EXPORT_KIND,)) & (
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
    args, run = json.loads(task.args_json), RUNNERS[task.kind]
    try:
        actor = db.session.get(User, task.requested_by_id)
        result = run(actor, args, _progress(task_id, token), task_id)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        _finish(task_id, token, "failed", error=_key(exc.message))
    except Exception:
        db.session.rollback()
        current_app.logger.exception("background task failed", extra={"task": task_id})
        _finish(task_id, token, "failed", error=_key(TASK_FAILED))
    else:
        _finish(task_id, token, "done", result=result)


def _create(actor, args, progress, _task_id):
    site = db.session.scalar(select(Site).where(Site.code == args["site"]))
    payment_date = args["payment_date"] and date.fromisoformat(args["payment_date"])
    plan = plan_sheet(planned_sheet(site, *parse_period(args["period"])), progress)
    sheet = create_sheet(actor, site, args["period"], payment_date, plan=plan)
    db.session.flush()
    return str(sheet.id)


def _recompute(actor, args, progress, _task_id):
    sheet = db.session.get(RoyaltySheet, args["sheet_id"])
    if sheet is None:
        raise ValidationFailed(SHEET_GONE, code="not_found")
    check_transition(actor, sheet, "recompute", args["version"])  # before the long read, again when writing
    plan = plan_sheet(sheet, progress)
    transition_sheet(actor, sheet, "recompute", args["version"], plan=plan)
    return str(sheet.id)


def _export(actor, args, progress, task_id):
    """The requester's XLSX of the sheet (their view: personal fields masked or not), kept as a file."""
    sheet = db.session.get(RoyaltySheet, args["sheet_id"])
    if sheet is None:
        raise ValidationFailed(SHEET_GONE, code="not_found")
    if not can_read_sheets(actor, sheet.site):
        raise Forbidden(_l("Not found."), code="not_allowed")
    content, _mimetype, filename = export_sheet(sheet, actor, "xlsx")
    keep_task_file(task_id, content)
    return filename


RUNNERS = {SHEET_KIND: _create, RECOMPUTE_KIND: _recompute, EXPORT_KIND: _export}


def export_threshold():
    return current_app.config["SHEET_EXPORT_THRESHOLD"]


def sheet_line_count(sheet):
    return db.session.scalar(select(func.count(RoyaltyLine.id)).where(RoyaltyLine.sheet_id == sheet.id)) or 0


def export_by_task(sheet):
    """A big unpaid sheet's XLSX is made by the job runner (started by a POST); a paid sheet's is kept."""
    return sheet.state != PAID and sheet_line_count(sheet) > export_threshold()


def enqueue_export(actor, sheet):
    """Queue a big sheet's XLSX; the caller found the sheet readable by the actor."""
    task = BackgroundTask(kind=EXPORT_KIND, requested_by_id=actor.id, state="queued", done=0,
                          total=sheet_line_count(sheet), result="", error="", lease_token="",
                          args_json=json.dumps({"sheet_id": sheet.id}))
    db.session.add(task)
    db.session.flush()
    return task


def task_file(actor, task):
    """(bytes, filename) of a finished export for its requester while they may still read the sheet;
    (None, filename) once the file expired (or is gone); None for anyone else (the file is the
    requester's view of the sheet)."""
    if task is None or task.kind != EXPORT_KIND or task.state != "done" or task.requested_by_id != actor.id:
        return None
    sheet = db.session.get(RoyaltySheet, json.loads(task.args_json)["sheet_id"])
    if sheet is None or not can_read_sheets(actor, sheet.site):
        return None
    content = None if file_expired(task) else read_task_file(task.id)
    return content, task.result


def file_expired(task):
    """A finished export whose file the expiry job removed: the task keeps the reason as its error."""
    return task.kind == EXPORT_KIND and task.state == "done" and task.error == _key(FILE_EXPIRED)


def task_file_days():
    return current_app.config["TASK_FILE_DAYS"]


def expire_task_files(now=None, limit=500):
    """The job: remove the files of exports finished more than TASK_FILE_DAYS ago and mark their tasks,
    so the task page and the download say "export again" instead of offering a dead link.
    The mark is committed before the file is removed: a crash between leaves a file the next run
    cannot see, never a task that links to nothing without saying why."""
    cutoff = (now or utcnow()) - timedelta(days=task_file_days())
    expired = _key(FILE_EXPIRED)
    tasks = db.session.scalars(select(BackgroundTask).where(
        BackgroundTask.kind == EXPORT_KIND, BackgroundTask.state == "done", BackgroundTask.error != expired,
        BackgroundTask.finished_at < cutoff).order_by(BackgroundTask.id).limit(limit)).all()
    if not tasks:
        return
    ids = [task.id for task in tasks]
    for task in tasks:
        task.error = expired
    db.session.commit()
    for task_id in ids:  # side effects after the commit
        drop_task_file(task_id)


def _progress(task_id, token):
    def progress(done, total):
        if done == total or done % PROGRESS_EVERY == 0:
            report_progress(task_id, token, done, total)
    return progress


def report_progress(task_id, token, done, total):
    """Commit done/total (and a renewed lease) in a short transaction of its own. Called in the read
    phase only, when the session holds no write: the commit ends a read transaction, nothing more.
    The objects read so far stay loaded (no expiry), not read again item by item."""
    db.session.execute(update(BackgroundTask).where(BackgroundTask.id == task_id, BackgroundTask.lease_token == token)
                       .values(done=done, total=total, lease_until=utcnow() + LEASE))
    session = db.session()
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


def _key(message):
    """The English text (the msgid): the task page translates it into the reader's language."""
    with force_locale("en"):
        return str(message)


def _finish(task_id, token, state, *, result="", error=""):
    task = db.session.get(BackgroundTask, task_id, populate_existing=True)  # progress was written with Core
    if task is None or task.lease_token != token:
        return  # the lease passed and another worker took it: its result stands
    task.state, task.result, task.error, task.finished_at = state, result, error, utcnow()
    if state == "done":
        task.done = task.total
    db.session.commit()
