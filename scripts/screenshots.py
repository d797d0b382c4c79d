"""Screenshots of the daily screens with the demo data, in Debian's Chromium (never a downloaded browser).

    .venv/bin/python scripts/screenshots.py before   # docs/screenshots/before-queue-desktop.png, ...

A throw-away SQLite database in a temporary directory gets the schema and the demo data, the app is
served on 127.0.0.1 by a thread, and Playwright captures the queue (as the editor "bientap") and an
item in review, at 1280 px and at 360 px. It also prints the clicks and page loads of the two
measured journeys (README "Screens")."""
import os
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
CHROMIUM = os.environ.get("BBT_CHROMIUM") or "/usr/bin/chromium"
VIEWPORTS = {"desktop": (1280, 900), "360": (360, 780)}


def _demo_app(tmp):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/demo.sqlite3", FLASK_APP="wsgi.py",
               BBT_CONFIG="development", LOG_JSON="0", MAIL_SEND_IN_PROCESS="0")
    flask = os.path.join(ROOT, ".venv", "bin", "flask")
    for args in (["bbt", "init"], ["bbt", "demo"]):
        subprocess.run([flask, *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "BBT_CONFIG", "LOG_JSON", "MAIL_SEND_IN_PROCESS")})
    from bbt_workflow import create_app
    app = create_app()
    return app


def shrink(path):
    """256 colours: a page screenshot stays readable at a third of the size (the repository keeps them)."""
    from PIL import Image
    with Image.open(path) as image:
        image.convert("RGB").quantize(256).save(path, optimize=True)


def main(prefix):
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    out = os.path.join(ROOT, "docs", "screenshots")
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = _demo_app(tmp)
        from bbt_workflow.demo_data import demo_password  # after _demo_app: config reads DATABASE_URL on import
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
            for name, (width, height) in VIEWPORTS.items():
                context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                              viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto(f"{base}/login")
                page.fill("#username", "bientap")
                page.fill("#password", demo_password("bientap"))
                page.click("main button[type=submit]")
                page.wait_for_load_state()
                assert "/login" not in page.url, page.locator("main").inner_text()
                page.goto(f"{base}/sites/binhphuoc/queue")
                page.screenshot(path=os.path.join(out, f"{prefix}-queue-{name}.png"), full_page=True)
                shrink(os.path.join(out, f"{prefix}-queue-{name}.png"))
                page.goto(f"{base}/sites/binhphuoc/queue?state=in_review")
                page.locator("main table tbody a").first.click()
                page.wait_for_load_state()
                # The grading's amount comes from the quote API a moment after the page: wait for it.
                page.wait_for_function("""() => { const o = document.querySelector('[data-total-mirror]');
                                                  return !o || o.textContent.trim() !== ''; }""")
                page.screenshot(path=os.path.join(out, f"{prefix}-item-{name}.png"), full_page=True)
                shrink(os.path.join(out, f"{prefix}-item-{name}.png"))
                context.close()
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "after")
