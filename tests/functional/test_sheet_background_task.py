"""A big month's sheet computed by the job runner, with a task page (issue 14)."""
import pytest
from sqlalchemy import select

from bbt_workflow.accounts.models import Site, User
from bbt_workflow.errors import Forbidden, ValidationFailed
from bbt_workflow.extensions import db
from bbt_workflow.royalties.models import BackgroundTask, RoyaltyLine, RoyaltySheet, SheetPayee
from bbt_workflow.royalties.sheets import background, transitions
from bbt_workflow.royalties.sheets.transitions import transition_sheet
from tests.conftest import csrf_from, login
from tests.functional.test_royalty_sheets_web import CSV, _import_csv, _setup


def _month(app, make):
    _setup(make, None)
    app.config["SHEET_JOB_THRESHOLD"] = 0  # every month with an item goes to the runner
    admin = app.test_client()
    login(admin, "quantri")
    assert _import_csv(admin, CSV).status_code == 200
    accountant = app.test_client()
    login(accountant, "ketoan")
    return admin, accountant


def _ask(accountant):
    page = accountant.get("/sites/tinh/royalties")
    return accountant.post("/sites/tinh/royalties", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                                          "period": "2025-03", "payment_date": "2025-04-05"})


def _lines(sheet_id):
    return sorted((l.submission_id, l.payee_id, l.kind, l.amount) for l in db.session.scalars(
        select(RoyaltyLine).where(RoyaltyLine.sheet_id == sheet_id)))


def test_a_big_month_is_queued_run_by_the_job_and_links_to_the_same_sheet(app, make):
    _admin, accountant = _month(app, make)
    asked = _ask(accountant)
    assert asked.status_code == 302 and "/tasks/" in asked.location
    task = db.session.scalar(select(BackgroundTask))
    assert task.state == "queued" and task.total == 1 and task.done == 0
    assert db.session.scalar(select(RoyaltySheet.id)) is None  # nothing computed in the request
    page = accountant.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'role="progressbar"' in page and 'aria-valuenow="0"' in page
    assert '<meta http-equiv="refresh" content="3">' in page and "Tải lại" in page
    assert "js/task_progress.js" in page and "<script>" not in page
    assert accountant.get(f"/tasks/{task.id}/status.json").get_json()["state"] == "queued"

    background.run_sheet_tasks()

    db.session.expire_all()
    task = db.session.get(BackgroundTask, task.id)
    assert task.state == "done" and task.done == task.total == 1 and task.error == ""
    sheet = db.session.get(RoyaltySheet, int(task.result))
    assert sheet.gross > 0
    status = accountant.get(f"/tasks/{task.id}/status.json").get_json()
    assert status["percent"] == 100 and status["result_url"].endswith(f"/royalties/sheets/{sheet.id}")
    page = accountant.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'aria-valuenow="100"' in page and f"/royalties/sheets/{sheet.id}" in page
    assert "http-equiv" not in page
    # The same sheet as the synchronous computation: recomputing it in the request changes nothing.
    job_lines, job_totals = _lines(sheet.id), (sheet.gross, sheet.tax, sheet.net)
    transition_sheet(db.session.get(User, task.requested_by_id), sheet, "recompute", sheet.version)
    db.session.commit()
    assert _lines(sheet.id) == job_lines and (sheet.gross, sheet.tax, sheet.net) == job_totals
    # Run again: nothing left to claim.
    background.run_sheet_tasks()
    assert db.session.scalar(select(BackgroundTask.state)) == "done"


def test_a_failed_computation_is_recorded_and_nothing_is_half_written(app, make, monkeypatch):
    _admin, accountant = _month(app, make)
    _ask(accountant)

    def refuse(sheet):  # runs after the lines and totals were written (flushed)
        assert db.session.scalar(select(RoyaltyLine.id)) is not None
        raise ValidationFailed("The payment date is before the period's last publication.", code="x")

    monkeypatch.setattr(transitions, "check_payment_date", refuse)
    background.run_sheet_tasks()
    db.session.expire_all()
    task = db.session.scalar(select(BackgroundTask))
    assert task.state == "failed" and "payment date" in task.error
    assert db.session.scalar(select(RoyaltySheet.id)) is None
    assert db.session.scalar(select(RoyaltyLine.id)) is None and db.session.scalar(select(SheetPayee.sheet_id)) is None
    page = accountant.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "payment date" in page and "http-equiv" not in page


def test_only_the_requester_and_admins_see_a_task_and_only_accountants_queue(app, make):
    admin, accountant = _month(app, make)
    _ask(accountant)
    task = db.session.scalar(select(BackgroundTask))
    approver = app.test_client()
    login(approver, "lanhdao")
    assert approver.get(f"/tasks/{task.id}").status_code == 404
    assert approver.get(f"/tasks/{task.id}/status.json").status_code == 404
    assert accountant.get(f"/tasks/{task.id + 1}").status_code == 404
    assert admin.get(f"/tasks/{task.id}").status_code == 200
    assert app.test_client().get(f"/tasks/{task.id}").status_code in (302, 401)
    site = db.session.scalar(select(Site).where(Site.code == "tinh"))
    with pytest.raises(Forbidden):
        background.enqueue_sheet(db.session.scalar(select(User).where(User.username == "lanhdao")), site, "2025-03")
