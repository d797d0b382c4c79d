"""What users wait on, through real HTTP against gunicorn (issue 15): p50, p95, throughput, ratio to a ceiling.

    .venv/bin/python bench/pages_bench.py --database-url postgresql://postgres@127.0.0.1:5432/bench_100k \
        --label "100k PG, before" [--runs 15] [--seconds 4] [--clients 4] [--site sttvtt] [--markdown bench/RESULTS.md]

Starts gunicorn (2 sync workers, like issue 15's table) on wsgi:app with the production config (a test
secret, cookies allowed over plain HTTP on 127.0.0.1), BBT_NO_RUNNER=1 and BENCH_CEILING_ROUTE=1, which adds
the **ceiling**: /_bench/ceiling, a signed-in page rendering only the base template (core/bench_ceiling.py).
Users of the installation from bench/generate.py sign in for real (password "Matkhau-2026"): the site's
approver `pd.<site>.1` (web session), its editor `bt.<site>.1`, its accountant `kt.<site>.1` and `admin`
(API bearer tokens from POST /api/v1/tokens).

For each operation: --runs requests one after another (after WARMUP; fewer when an operation is slow, so
the whole run stays bounded) give p50 and p95 of the wall time seen by the client on the same machine; then
--clients threads send requests for --seconds and give the throughput (requests/s), reported as a ratio of
the ceiling's measured the same way in the same run; and (--pairs, default 4) as a ratio of the ceiling measured
right beside it: windows of the ceiling and the operation in turn, the median of the pairs' ratios, which a
machine whose speed drifts during the run moves far less. Every answer must be 2xx (or the run stops).
"""
import argparse
import json
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import requests
from latency import percentile
from cryptography.fernet import Fernet

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PASSWORD = "Matkhau-2026"
SEARCH = "sang tao khoi nghiep"  # folded, any order: "khởi nghiệp đổi mới sáng tạo" in generated titles
SLOW_BUDGET_S = 12.0  # per operation's sequential part
CEILING = "ceiling (base template)"




def start_server(url, port, workers):
    env = dict(os.environ, BBT_CONFIG="production", SECRET_KEY="bench-test-secret-not-for-production-0123456789",
               DATABASE_URL=url, BBT_NO_RUNNER="1", BENCH_CEILING_ROUTE="1", SESSION_COOKIE_SECURE="0",
               EXTERNAL_BASE_URL=f"http://127.0.0.1:{port}", LOG_LEVEL="WARNING", HSTS_SECONDS="0",
               # Server time of the pages, not the rate limiter (one address, many requests a second); the
               # production config wants its own secrets key: BENCH_SECRETS_KEYS, the key the installation's
               # endpoint secrets are encrypted under (`SECRETS_KEYS=<new>,<dev key> flask bbt rotate-secrets`
               # moves a generated installation off the development key); else a fresh one.
               RATELIMIT_ENABLED="0",
               SECRETS_KEYS=os.environ.get("BENCH_SECRETS_KEYS") or Fernet.generate_key().decode())
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
                             "--timeout", "300", "--log-level", "warning", "wsgi:app"],
                            cwd=ROOT, env=env, start_new_session=True)
    for _ in range(120):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.5)
    stop_server(proc)
    raise SystemExit("gunicorn did not answer /healthz")


def stop_server(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)  # our own process group (start_new_session)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


class Client:
    def __init__(self, base):
        self.base = base

    def web_session(self, username):
        s = requests.Session()
        form = s.get(self.base + "/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text).group(1)
        answer = s.post(self.base + "/login", data={"csrf_token": token, "username": username, "password": PASSWORD},
                        allow_redirects=False)
        if answer.status_code != 302:
            raise SystemExit(f"login of {username} failed: {answer.status_code}")
        return s

    def token(self, username):
        answer = requests.post(self.base + "/api/v1/tokens", json={"username": username, "password": PASSWORD})
        answer.raise_for_status()
        return {"Authorization": "Bearer " + answer.json()["token"]}


def check(answer):
    if not 200 <= answer.status_code < 300:
        raise SystemExit(f"{answer.request.method} {answer.request.url} -> {answer.status_code}: {answer.text[:300]}")
    return answer


# Requests before timing, per operation: enough for each gunicorn worker to have compiled the page's templates
# and reached psycopg's 5th execution of each statement (when it is prepared), as every long-running worker has.
# With 2, a worker's first render of a page (~40-100 ms) was one of the 15 timed samples: the p95 (2026-12-04).
WARMUP = 12


def measure(fn_for_client, runs, seconds, clients):
    """fn_for_client(i) -> a callable doing one request for client i (its own session or item)."""
    one = fn_for_client(0)
    for _ in range(WARMUP):
        one()
    samples, started = [], time.perf_counter()
    for n in range(runs):
        t = time.perf_counter()
        one()
        samples.append((time.perf_counter() - t) * 1000)
        if n >= 4 and time.perf_counter() - started > SLOW_BUDGET_S:
            break
    return {"p50": percentile(samples, 0.5), "p95": percentile(samples, 0.95), "n": len(samples),
            "rps": throughput([fn_for_client(i) for i in range(clients)], seconds)}


def throughput(fns, seconds):
    """Requests per second of len(fns) clients, each calling its fn in a loop for `seconds`."""
    counts = [0] * len(fns)
    deadline = time.perf_counter() + seconds
    errors = []

    def loop(i):
        try:
            while time.perf_counter() < deadline:
                fns[i]()
                counts[i] += 1
        except BaseException as exc:  # noqa: BLE001 — reported after the threads end
            errors.append(exc)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"error under load: {errors[0]}")
    return sum(counts) / (time.perf_counter() - t0)


def paired_ratio(fn_for_client, ceiling_for_client, pairs, seconds, clients):
    """The operation's throughput as a share of the ceiling's measured right beside it: `pairs` windows of
    `seconds` each, the ceiling's then the operation's, in turn; the median of the pairs' ratios. A shared
    virtual machine's speed drifts by tens of percent within minutes (2026-12-04: the same loop took 215-371 ms),
    so a ceiling measured once at the start of a run moves every ratio after it."""
    fns = [fn_for_client(i) for i in range(clients)]
    ceiling = [ceiling_for_client(i) for i in range(clients)]
    ratios = []
    for _ in range(pairs):
        base = throughput(ceiling, seconds)
        ratios.append(throughput(fns, seconds) / base)
    return percentile(ratios, 0.5)


def operations(c, site, clients):
    """name -> fn_for_client(i); the sessions and items are prepared here, outside the timings."""
    base = c.base
    approvers = [c.web_session(f"pd.{site}.{1 + i % 2}") for i in range(clients)]
    editor_web = [c.web_session(f"bt.{site}.{1 + i % 4}") for i in range(clients)]
    admin_web = c.web_session("admin")
    approver_h, editor_h, admin_h = c.token(f"pd.{site}.1"), c.token(f"bt.{site}.1"), c.token("admin")
    accountant_h = c.token(f"kt.{site}.1")
    contributor_h = c.token("ctv0001")

    def get(sessions, path, **kw):
        def for_client(i):
            s = sessions[i % len(sessions)] if isinstance(sessions, list) else sessions
            return lambda: check(s.get(base + path, **kw))
        return for_client

    def api(headers, path):
        return lambda i: (lambda: check(requests.get(base + path, headers=headers)))

    # Items of the site: one with history for the item page, `clients` submitted ones to claim and release.
    published = check(requests.get(base + f"/api/v1/submissions?site={site}&state=published&per_page=1",
                                   headers=approver_h)).json()["items"][0]
    # Submitted items to claim and release: the site's, else the portal's (few wait on a site at 10k).
    claim_h, waiting = editor_h, []
    for code in (site, "tinh"):
        claim_h = editor_h if code == site else c.token("bt.tinh.1")
        waiting = check(requests.get(base + f"/api/v1/submissions?site={code}&state=submitted&per_page={clients}",
                                     headers=claim_h)).json()["items"]
        if waiting:
            break
    sheets = check(requests.get(base + f"/api/v1/royalty/sheets?site={site}&per_page=50", headers=accountant_h)).json()
    sheet = max(sheets["items"], key=lambda s: s.get("line_count") or s.get("lines") or 0) if sheets["items"] else None

    # One state per item, kept across the sequential and the load phases (its version moves on); a lock per
    # item so that two clients sharing one (fewer items waiting than clients) take turns instead of a 409.
    items = [(dict(w), threading.Lock()) for w in waiting]

    def claim_release(i):
        item, lock = items[i % len(items)]
        path = base + f"/api/v1/submissions/{item['id']}/transitions"

        def one():
            # a claim then a release: two transitions, the item back where it was (timed as the pair)
            with lock:
                pair(item, path)
        return one

    def pair(item, path):
        for action in ("claim", "release"):
            answer = check(requests.post(path, json={"action": action, "version": item["version"]}, headers=claim_h))
            item["version"] = answer.json()["version"]

    year = datetime.now(timezone.utc).year  # the dashboard's default period: this calendar year
    grading = {"parts": [{"genre": "tin_anh", "coefficient": "1.5", "factors": [],
                          "payees": [{"username": f"bt.{site}.1", "share": "100"}]}]}
    ops = {
        CEILING: get(approvers, "/_bench/ceiling"),
        "queue, all": get(approvers, f"/sites/{site}/queue"),
        "queue, submitted": get(approvers, f"/sites/{site}/queue?state=submitted"),
        "queue, in review": get(approvers, f"/sites/{site}/queue?state=in_review"),
        "queue, pending approval": get(approvers, f"/sites/{site}/queue?state=pending_approval"),
        "queue, published + type filter": get(approvers, f"/sites/{site}/queue?state=published&content_type=tin"),
        "queue, published, page 50": get(approvers, f"/sites/{site}/queue?state=published&page=50"),
        "queue, awaiting me": get(approvers, f"/sites/{site}/queue?view=awaiting"),
        "search, queue page": get(editor_web, f"/sites/{site}/queue", params={"q": SEARCH}),
        "search, API one site": api(editor_h, f"/api/v1/submissions?site={site}&q={SEARCH}"),
        "search, API all sites (admin)": api(admin_h, f"/api/v1/submissions?q={SEARCH}"),
        # Without a site: what each may see across sites (a contributor's own items, an editor's site and own).
        "search, API across sites (contributor)": api(contributor_h, f"/api/v1/submissions?q={SEARCH}"),
        "search, API across sites (editor)": api(editor_h, f"/api/v1/submissions?q={SEARCH}"),
        "API list, site submitted": api(editor_h, f"/api/v1/submissions?site={site}&state=submitted"),
        "API list, across sites (contributor)": api(contributor_h, "/api/v1/submissions"),
        "API list, across sites (editor)": api(editor_h, "/api/v1/submissions"),
        "item page with history": get(approvers, f"/submissions/{published['id']}"),
        "transition (claim + release pair)": claim_release,
        "grading quote (API)": lambda i: (lambda: check(requests.post(base + "/api/v1/royalty/quote", headers=editor_h,
                                                                      json={"site": site, "grading": grading}))),
        "year dashboard (web)": get(approvers, f"/reports/{site}"),
        "year dashboard (API)": api(approver_h, f"/api/v1/reports/summary?site={site}&from={year}-01-01&to={year}-12-31"),
        "feed atom": lambda i: (lambda: check(requests.get(base + f"/feeds/{site}.atom"))),
        "feed json": lambda i: (lambda: check(requests.get(base + f"/feeds/{site}.json"))),
    }
    if sheet:
        ops[f"sheet XLSX export (API, {sheet['id']})"] = api(accountant_h, f"/api/v1/royalty/sheets/{sheet['id']}/export.xlsx")
        ops["sheet page"] = get(c.web_session(f"kt.{site}.1"), f"/royalties/sheets/{sheet['id']}")

    def login(i):
        def one():
            s = requests.Session()
            form = check(s.get(base + "/login"))
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text).group(1)
            answer = s.post(base + "/login", allow_redirects=False,
                            data={"csrf_token": token, "username": f"bt.{site}.{1 + i % 4}", "password": PASSWORD})
            if answer.status_code != 302:
                raise SystemExit(f"login -> {answer.status_code}")
        return one
    ops["login (form + POST)"] = login
    return ops


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--site", default="sttvtt")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--pairs", type=int, default=4,
                        help="windows of the ceiling and the operation in turn, for the ratio beside it (0: none)")
    parser.add_argument("--pair-seconds", type=float, default=1.5)
    parser.add_argument("--only", help="comma-separated substrings of operation names (the ceiling always runs)")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--markdown", help="append the table to this file")
    args = parser.parse_args()

    proc = start_server(args.database_url, args.port, args.workers)
    try:
        c = Client(f"http://127.0.0.1:{args.port}")
        ops = operations(c, args.site, args.clients)
        if args.only:
            wanted = [w for w in args.only.split(",") if w]
            ops = {k: v for k, v in ops.items() if k.startswith("ceiling") or any(w in k for w in wanted)}
        results = {}
        ceiling_fn = ops[CEILING]
        for name, fn in ops.items():
            results[name] = r = measure(fn, args.runs, args.seconds, args.clients)
            if args.pairs and name != CEILING:
                r["paired"] = paired_ratio(fn, ceiling_fn, args.pairs, args.pair_seconds, args.clients)
            paired = f"  {100 * r['paired']:3.0f} % of the ceiling beside it" if "paired" in r else ""
            print(f"{name:<42} p50 {r['p50']:8.1f} ms  p95 {r['p95']:8.1f} ms  (n={r['n']})  {r['rps']:7.1f} req/s"
                  f"{paired}", flush=True)
    finally:
        stop_server(proc)
    ceiling = results[CEILING]["rps"]
    load = os.getloadavg()
    head = (f"\n#### {args.label}\n\n{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
            f"{os.cpu_count()} CPU, load average before/after {load[0]:.1f}; `{args.database_url.split('@')[-1]}`, "
            f"site `{args.site}`, gunicorn {args.workers} workers, {args.clients} clients × {args.seconds:g} s, "
            f"p50/p95 over ≤ {args.runs} sequential requests"
            + (f"; beside: the median of {args.pairs} pairs of {args.pair_seconds:g} s windows, the ceiling's "
               "then the operation's" if args.pairs else "") + ".\n\n"
            "| operation | p50 ms | p95 ms | req/s | % of ceiling (run) | % of ceiling (beside) |\n"
            "|---|---|---|---|---|---|\n")
    rows = "".join(f"| {name} | {r['p50']:.1f} | {r['p95']:.1f} | {r['rps']:.1f} | {100 * r['rps'] / ceiling:.0f} % | "
                   + (f"{100 * r['paired']:.0f} % |" if "paired" in r else "|") + "\n"
                   for name, r in results.items())
    print(head + rows)
    if args.markdown:
        with open(args.markdown, "a", encoding="utf-8") as out:
            out.write(head + rows)
    if args.json:
        Path(args.json).write_text(json.dumps({"label": args.label, "url": args.database_url, "results": results},
                                              indent=1))


if __name__ == "__main__":
    main()
