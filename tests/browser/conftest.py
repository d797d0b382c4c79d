"""Browser tests: the app served on 127.0.0.1 by a real HTTP server, driven by Playwright in
Debian's Chromium (BBT_CHROMIUM overrides the path). Without Chromium they are skipped, saying why."""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("BBT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# How long a browser step may wait (a page load, an element to appear, an expect): generous, because the
# suite also runs on a busy 2-core CI machine where a page with Quill and a grading quote can take >10 s;
# a wrong page still fails, only later.
STEP_TIMEOUT_MS = 30_000
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package to run the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api")
    sync_api.expect.set_options(timeout=STEP_TIMEOUT_MS)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The test's app (its own database) behind a threaded HTTP server on a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def open_page(browser, live_server):
    """A fresh browser context per user; JavaScript errors and Content-Security-Policy violations
    ("Refused to load/execute/apply …" on the console) on any page fail the test."""
    contexts, errors = [], []

    def on_console(message):
        if "Refused to" in message.text or "Content Security Policy" in message.text:
            errors.append(f"CSP: {message.text}")

    def open_(username, password="Matkhau-2026"):
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", on_console)
        page.goto(f"{live_server}/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        page.base = live_server
        return page

    yield open_
    for context in contexts:
        context.close()
    assert errors == [], f"JavaScript errors: {errors}"
