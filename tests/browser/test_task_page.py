"""The background task page (/tasks/<id>, issue 14) in Debian's Chromium: the progress bar follows the
job (aria-valuenow strictly between 0 and 100 while it runs, 100 at the end), the link to the result
appears without a reload, no CSP violation (open_page fails the test on one), no serious axe finding."""
import re

import pytest
from sqlalchemy import select

from bbt_workflow.royalties.models import BackgroundTask
from bbt_workflow.royalties.sheets import background
from tests.functional.test_royalty_sheets_web import _import_csv
from tests.functional.test_sheet_background_task import MANY, _ask, _month

sync_api = pytest.importorskip("playwright.sync_api")
Axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe
expect = sync_api.expect


def test_the_task_page_follows_the_job_and_links_to_the_sheet(app, make, open_page, monkeypatch):
    admin, accountant = _month(app, make)
    assert _import_csv(admin, MANY).status_code == 200
    assert "/tasks/" in _ask(accountant).location
    task_id = background.db.session.scalar(select(BackgroundTask.id))
    page = open_page("ketoan")
    page.goto(f"{page.base}/tasks/{task_id}")
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    seen = []
    report = background.report_progress

    def watch(task_id_, token, done, total):
        report(task_id_, token, done, total)
        if 0 < done < total and not seen:
            # The job is half way (committed): the page's polling shows it before the job goes on.
            expect(bar).to_have_attribute("aria-valuenow", re.compile(r"^([1-9]|[1-9][0-9])$"))
            seen.append(bar.get_attribute("aria-valuenow"))

    monkeypatch.setattr(background, "report_progress", watch)
    monkeypatch.setattr(background, "PROGRESS_EVERY", 1)
    background.run_sheet_tasks()
    assert seen and 0 < int(seen[0]) < 100
    expect(bar).to_have_attribute("aria-valuenow", "100")
    link = page.get_by_role("link", name="Mở bảng kê")
    expect(link).to_be_visible()
    page.reload()  # axe on a page that no longer refreshes itself (the meta refresh stops when done)
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert violations == [], violations
    link.click()
    page.wait_for_url(re.compile(r"/royalties/sheets/\d+$"))
