"""Load test (issue 15): gunicorn with several workers on PostgreSQL, two `flask bbt worker` processes
with the Redis job backend, a local webhook receiver, and locust (bench/locustfile.py) headless.

    .venv/bin/pip install -r requirements-bench.txt      # locust
    createdb -h 127.0.0.1 -U postgres bench_load
    .venv/bin/python bench/generate.py --items 10000 --database-url postgresql://postgres@127.0.0.1:5432/bench_load
    .venv/bin/python bench/load_test.py --database-url postgresql://postgres@127.0.0.1:5432/bench_load

Every portal endpoint of the installation is pointed at the local receiver first (it answers 200 with a
portal URL; it counts receipts and distinct webhook-ids). Prints failures, p50/p95 per request type,
the deliveries sent, and each gunicorn worker's RSS after the run.
"""
import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bbt_workflow.domain.webhook_signing import generate_secret  # noqa: E402
from bbt_workflow.secret_box import encrypt  # noqa: E402
from config import DEV_SECRETS_KEY  # noqa: E402
VENV = ROOT / ".venv" / "bin"


class Receiver(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self):
        self.ids, self.requests, self.lock = set(), 0, threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.requests += 1
            self.server.ids.add(self.headers.get("webhook-id"))
        data = json.dumps({"url": "https://cong.example.vn/bai/1"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024


def children(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def issue_tokens(database_url, path):
    """Bearer tokens for the load test's users, issued through the auth service before the run: the
    run measures the daily work, not 50 password hashes at once (login cost: bench/login_timing.py)."""
    os.environ["BBT_NO_RUNNER"] = "1"
    os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(ROOT))
    from bbt_workflow import create_app
    from bbt_workflow.accounts.models import User
    from bbt_workflow.auth.services import issue_api_token
    from bbt_workflow.extensions import db

    patterns = {"contributor": "ctv%", "editor": "bt.%", "approver": "pd.%", "accountant": "kt.%"}
    tokens = {}
    from config import Config

    class Cfg(Config):  # config.py read DATABASE_URL when bbt_workflow was first imported
        SQLALCHEMY_DATABASE_URI = database_url

    with create_app(Cfg).app_context():
        for role, pattern in patterns.items():
            users = db.session.scalars(db.select(User).where(User.username.like(pattern)).order_by(User.id).limit(60))
            tokens[role] = {u.username: issue_api_token(u)[0] for u in users}
        db.session.commit()
    Path(path).write_text(json.dumps(tokens))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/8")
    ap.add_argument("--gunicorn-workers", type=int, default=4)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--port", type=int, default=0, help="0: a free port")
    args = ap.parse_args()

    if not args.port:
        with socket.socket() as probe:  # other benchmarks on this machine hold the usual ports
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    with psycopg.connect(args.database_url.replace("postgresql+psycopg", "postgresql")) as conn:
        # The generator's placeholder secrets are not Standard Webhooks secrets: give them real ones.
        conn.execute("UPDATE portal_endpoints SET url = %s, kind = 'webhook', active = true, secret = %s",
                     (url, encrypt(generate_secret(), keys=[DEV_SECRETS_KEY])))  # stored encrypted
        sites = [r[0] for r in conn.execute("SELECT code FROM sites WHERE active ORDER BY id")]
        before = conn.execute("SELECT count(*) FROM outbox_deliveries WHERE state = 'delivered'").fetchone()[0]
    redis.Redis.from_url(args.redis_url).flushdb()
    tokens_path = Path(tempfile.mkdtemp()) / "tokens.json"
    issue_tokens(args.database_url, tokens_path)

    env = dict(os.environ, DATABASE_URL=args.database_url, JOB_BACKEND="redis", REDIS_URL=args.redis_url,
               SECRET_KEY="bench-load-secret", LOG_LEVEL="WARNING", FLASK_APP="wsgi", BENCH_SITES=",".join(sites), BENCH_TOKENS=str(tokens_path),
               EXTERNAL_BASE_URL="http://127.0.0.1",
               # The receiver listens on 127.0.0.1, which the relay refuses by default (SSRF guard).
               ALLOW_PRIVATE_ENDPOINTS="1")
    procs = []
    gunicorn = subprocess.Popen([str(VENV / "gunicorn"), "-w", str(args.gunicorn_workers), "-b",
                                 f"127.0.0.1:{args.port}", "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    procs.append(gunicorn)
    for _ in range(2):
        procs.append(subprocess.Popen([str(VENV / "flask"), "bbt", "worker", "--interval", "1"], cwd=ROOT, env=env))
    try:
        ready_by = time.monotonic() + 120  # the workers import the app first (slow on a loaded machine)
        while time.monotonic() < ready_by:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/api/v1/sites", timeout=5)
                break
            except urllib.error.HTTPError:
                break  # 401: the app answers
            except OSError:
                time.sleep(1)
        prefix = Path(tempfile.mkdtemp()) / "load"
        cmd = [str(VENV / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", str(args.users),
               "-r", "10", "-t", f"{args.seconds}s", "--host", f"http://127.0.0.1:{args.port}", "--csv", str(prefix),
               "--only-summary"]
        print("$", " ".join(cmd), flush=True)
        subprocess.run(cmd, cwd=ROOT, env=env)
        time.sleep(5)  # let the relays drain what the last approvals queued
        workers = children(gunicorn.pid)
        rss = {pid: rss_mb(pid) for pid in workers}
        with psycopg.connect(args.database_url) as conn:
            after = conn.execute("SELECT count(*) FROM outbox_deliveries WHERE state = 'delivered'").fetchone()[0]
            waiting = conn.execute("SELECT count(*) FROM outbox_deliveries WHERE state IN ('pending', 'delivering')"
                                   ).fetchone()[0]
    finally:
        stragglers = children(gunicorn.pid)
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        for pid in stragglers:  # a gunicorn worker still busy when its master went away
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        receiver.shutdown()

    print("\n| request | count | failures | p50 ms | p95 ms |\n|---|---|---|---|---|")
    with open(f"{prefix}_stats.csv") as f:
        for row in csv.DictReader(f):
            print(f"| {row['Type']} {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
                  f"{row['50%']} | {row['95%']} |")
    failures = Path(f"{prefix}_failures.csv").read_text().strip().splitlines()[1:]
    print("\nfailures:", failures or "none")
    print(f"deliveries delivered during the run: {after - before}; still pending/delivering: {waiting}; "
          f"receiver: {receiver.requests} requests, {len(receiver.ids)} distinct webhook-ids")
    print("gunicorn worker RSS after the run (MB):", ", ".join(f"{v:.0f}" for v in rss.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
