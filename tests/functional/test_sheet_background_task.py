"""A big month's sheet computed by the job runner, with a task page (issue 14)."""
import io
import os

import openpyxl
import pytest
from datetime import timedelta

from sqlalchemy import func, select

from bbt_workflow import jobs
from bbt_workflow.accounts.models import Site, User
from bbt_workflow.db_types import utcnow
from bbt_workflow.errors import Forbidden, ValidationFailed
from bbt_workflow.extensions import db
from bbt_workflow.royalties.models import BackgroundTask, RoyaltyLine, RoyaltySheet, SheetPayee
from bbt_workflow.royalties.sheets import background, compute, transitions
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


MANY = CSV.split("\n")[0] + "\n" + "".join(
    f"m{n},tin,van-ban,so-tttt,Tin số {n},ctv_x,2025-03-{10 + n:02d}T09:00:00+07:00,,tin_anh,,ctv_x:100\n"
    for n in range(4))


def test_progress_is_committed_while_the_lines_are_computed_and_the_sheet_written_at_the_end(app, make, monkeypatch):
    admin, accountant = _month(app, make)
    assert _import_csv(admin, MANY).status_code == 200
    _ask(accountant)
    seen = []
    report = background.report_progress

    def watch(task_id, token, done, total):
        report(task_id, token, done, total)
        # Another connection: sees only what was committed, and no sheet before the end.
        with db.engine.connect() as other:
            row = other.execute(select(BackgroundTask.done, BackgroundTask.total, BackgroundTask.state)
                                .where(BackgroundTask.id == task_id)).one()
            seen.append((row.done, row.total, row.state, other.scalar(select(RoyaltySheet.id))))

    monkeypatch.setattr(background, "report_progress", watch)
    monkeypatch.setattr(background, "PROGRESS_EVERY", 1)
    background.run_sheet_tasks()
    assert any(0 < done < total and state == "running" for done, total, state, _sheet in seen), seen
    assert all(sheet is None for *_rest, sheet in seen)
    db.session.expire_all()
    task = db.session.scalar(select(BackgroundTask))
    assert task.state == "done" and task.done == task.total == 5


def _sheet_now(app, accountant):
    app.config["SHEET_JOB_THRESHOLD"] = 1000  # computed in the request
    assert _ask(accountant).status_code == 302
    app.config["SHEET_JOB_THRESHOLD"] = 0
    return db.session.scalar(select(RoyaltySheet))


def _recompute(client, sheet):
    page = client.get(f"/royalties/sheets/{sheet.id}")
    return client.post(f"/royalties/sheets/{sheet.id}/act", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "action": "recompute", "version": sheet.version})


def test_recomputing_a_big_draft_is_a_task_with_the_synchronous_result(app, make):
    admin, accountant = _month(app, make)
    sheet = _sheet_now(app, accountant)
    before = _lines(sheet.id)
    assert _import_csv(admin, MANY).status_code == 200  # four more items for the month
    asked = _recompute(accountant, sheet)
    assert asked.status_code == 302 and "/tasks/" in asked.location
    task = db.session.scalar(select(BackgroundTask))
    assert task.kind == background.RECOMPUTE_KIND and task.state == "queued" and task.total == 5
    db.session.expire_all()
    assert _lines(sheet.id) == before  # nothing recomputed in the request
    background.run_sheet_tasks()
    db.session.expire_all()
    task = db.session.get(BackgroundTask, task.id)
    assert task.state == "done" and task.done == task.total and task.result == str(sheet.id), task.error
    status = accountant.get(f"/tasks/{task.id}/status.json").get_json()
    assert status["percent"] == 100 and status["result_url"].endswith(f"/royalties/sheets/{sheet.id}")
    sheet = db.session.get(RoyaltySheet, sheet.id)
    job_lines, job_totals = _lines(sheet.id), (sheet.gross, sheet.tax, sheet.net)
    assert len(job_lines) == len(before) + 4
    transition_sheet(db.session.get(User, task.requested_by_id), sheet, "recompute", sheet.version)
    db.session.commit()
    assert _lines(sheet.id) == job_lines and (sheet.gross, sheet.tax, sheet.net) == job_totals
    # Below the threshold it stays in the request.
    app.config["SHEET_JOB_THRESHOLD"] = 1000
    assert _recompute(accountant, sheet).location.endswith(f"/royalties/sheets/{sheet.id}")
    assert db.session.scalar(select(func.count(BackgroundTask.id))) == 1


def test_a_failed_recompute_leaves_the_previous_draft(app, make, monkeypatch):
    admin, accountant = _month(app, make)
    sheet = _sheet_now(app, accountant)
    before, totals = _lines(sheet.id), (sheet.gross, sheet.tax, sheet.net)
    assert _import_csv(admin, MANY).status_code == 200
    _recompute(accountant, sheet)

    def broken(sheet, lines):  # after the old lines were deleted and the new ones inserted
        raise RuntimeError("disk full")

    monkeypatch.setattr(compute, "_totals", broken)
    background.run_sheet_tasks()
    db.session.expire_all()
    task = db.session.scalar(select(BackgroundTask))
    assert task.state == "failed" and "nothing was saved" in task.error
    sheet = db.session.get(RoyaltySheet, sheet.id)
    assert _lines(sheet.id) == before and (sheet.gross, sheet.tax, sheet.net) == totals


def test_only_accountants_queue_a_recompute_and_only_the_requester_and_admins_see_it(app, make):
    admin, accountant = _month(app, make)
    sheet = _sheet_now(app, accountant)
    approver = app.test_client()
    login(approver, "lanhdao")
    _recompute(approver, sheet)
    assert db.session.scalar(select(BackgroundTask.id)) is None
    _recompute(accountant, sheet)
    task = db.session.scalar(select(BackgroundTask))
    assert approver.get(f"/tasks/{task.id}").status_code == 404
    assert admin.get(f"/tasks/{task.id}").status_code == 200
    assert accountant.get(f"/tasks/{task.id}").status_code == 200


def test_a_big_sheets_xlsx_is_made_by_a_task_and_downloaded_by_its_requester_only(app, make):
    admin, accountant = _month(app, make)
    assert _import_csv(admin, MANY).status_code == 200
    sheet = _sheet_now(app, accountant)
    direct = accountant.get(f"/royalties/sheets/{sheet.id}/export.xlsx")  # below the export threshold
    assert direct.status_code == 200 and direct.headers["Cache-Control"] == "private, no-store"
    app.config["SHEET_EXPORT_THRESHOLD"] = 0
    # A GET changes nothing: it answers with the button that starts the task (a POST with CSRF).
    offered = accountant.get(f"/royalties/sheets/{sheet.id}/export.xlsx")
    assert offered.status_code == 200 and _export_form(offered.get_data(as_text=True), sheet)
    assert db.session.scalar(select(BackgroundTask.id).where(BackgroundTask.kind == background.EXPORT_KIND)) is None
    page = accountant.get(f"/royalties/sheets/{sheet.id}").get_data(as_text=True)
    assert _export_form(page, sheet) and "style=" not in page and "<script>" not in page
    assert accountant.post(f"/royalties/sheets/{sheet.id}/export-task").status_code == 400  # no CSRF token
    assert db.session.scalar(select(BackgroundTask.id).where(BackgroundTask.kind == background.EXPORT_KIND)) is None
    asked = _start_export(accountant, sheet)
    assert asked.status_code == 302 and "/tasks/" in asked.location
    task = db.session.scalar(select(BackgroundTask).where(BackgroundTask.kind == background.EXPORT_KIND))
    background.run_sheet_tasks()
    db.session.expire_all()
    task = db.session.get(BackgroundTask, task.id)
    assert task.state == "done" and task.done == task.total, task.error
    status = accountant.get(f"/tasks/{task.id}/status.json").get_json()
    assert status["percent"] == 100 and status["result_url"].endswith(f"/tasks/{task.id}/file")
    assert "Tải tệp về" in accountant.get(f"/tasks/{task.id}").get_data(as_text=True)
    made = accountant.get(f"/tasks/{task.id}/file")
    assert made.status_code == 200 and made.headers["Cache-Control"] == "private, no-store"
    assert "attachment" in made.headers["Content-Disposition"]

    def cells(content):
        book = openpyxl.load_workbook(io.BytesIO(content))
        return [[c.value for c in row] for sheet_ in book.worksheets for row in sheet_.iter_rows()]

    assert cells(made.data) == cells(direct.data)
    approver = app.test_client()
    login(approver, "lanhdao")
    assert approver.get(f"/tasks/{task.id}/file").status_code == 404
    assert admin.get(f"/tasks/{task.id}/file").status_code == 404  # the requester's copy, their view of the sheet
    assert app.test_client().get(f"/tasks/{task.id}/file").status_code in (302, 401)


def _export_form(html, sheet):
    return (f'<form method="post" action="/royalties/sheets/{sheet.id}/export-task"' in html
            and 'name="csrf_token"' in html)


def _start_export(client, sheet):
    page = client.get(f"/royalties/sheets/{sheet.id}/export.xlsx")
    return client.post(f"/royalties/sheets/{sheet.id}/export-task",
                       data={"csrf_token": csrf_from(page.get_data(as_text=True))})


def _task_file_path(app, task_id):
    return os.path.join(app.config["UPLOAD_FOLDER"], "task-files", f"{task_id}.bin")


def test_old_export_files_are_removed_by_a_job_and_their_download_says_export_again(app, make):
    admin, accountant = _month(app, make)
    assert _import_csv(admin, MANY).status_code == 200
    sheet = _sheet_now(app, accountant)
    app.config["SHEET_EXPORT_THRESHOLD"] = 0
    app.config["TASK_FILE_DAYS"] = 7
    assert _start_export(accountant, sheet).status_code == 302
    assert _start_export(accountant, sheet).status_code == 302
    background.run_sheet_tasks(limit=2)
    db.session.expire_all()
    old, new = db.session.scalars(select(BackgroundTask).where(BackgroundTask.kind == background.EXPORT_KIND)
                                  .order_by(BackgroundTask.id)).all()
    assert old.state == new.state == "done"
    now = utcnow()
    old.finished_at, new.finished_at = now - timedelta(days=7, hours=1), now - timedelta(days=6, hours=23)
    db.session.commit()
    assert os.path.exists(_task_file_path(app, old.id)) and os.path.exists(_task_file_path(app, new.id))
    assert "expire_task_files" in [name for name, _func in jobs.registered_tasks()]

    background.expire_task_files(now=now)

    assert not os.path.exists(_task_file_path(app, old.id))
    assert os.path.exists(_task_file_path(app, new.id))
    assert accountant.get(f"/tasks/{new.id}/file").status_code == 200
    gone = accountant.get(f"/tasks/{old.id}/file")
    assert gone.status_code == 410 and "Tệp đã hết hạn, hãy xuất lại" in gone.get_data(as_text=True)
    page = accountant.get(f"/tasks/{old.id}").get_data(as_text=True)
    assert "Tệp đã hết hạn, hãy xuất lại" in page and f"/tasks/{old.id}/file" not in page
    assert accountant.get(f"/tasks/{old.id}/status.json").get_json()["result_url"] is None
    assert "Tải tệp về" in accountant.get(f"/tasks/{new.id}").get_data(as_text=True)
    # Others are still told nothing about the expired file.
    assert admin.get(f"/tasks/{old.id}/file").status_code == 404
    # The clock moves on: the newer file goes too; a second run finds nothing more to do.
    background.expire_task_files(now=now + timedelta(days=1))
    background.expire_task_files(now=now + timedelta(days=1))
    assert not os.path.exists(_task_file_path(app, new.id))
    assert accountant.get(f"/tasks/{new.id}/file").status_code == 410
