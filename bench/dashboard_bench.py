"""The year dashboard's server time on a generated installation (issue 13; reused by issue 15's suite).

    .venv/bin/python bench/dashboard_bench.py --database-url postgresql://postgres@127.0.0.1:5432/bench_1m
    .venv/bin/python bench/dashboard_bench.py --database-url sqlite:////work/bench-data/bench_100k.sqlite3
        [--site sttvtt] [--runs 20] [--warmup 3] [--explain] [--json out.json]

For Jan 1 – Dec 31 of the current year (local days), on a database loaded by bench/generate.py:
  service  reports.services.report_summary for one component site (--site), the portal, every site
  api      GET /api/v1/reports/summary through the app in-process (test client) with a bearer token
           obtained by POST /api/v1/tokens (a real login): the request's whole server time
  month    the per-month published count of the chart (published_by_month: one GROUP BY on the
           local month of published_at over the site's published items of the year), as SQL here
p50 and p95 over --runs runs after --warmup runs. --explain prints each SQL statement the summary runs
(the query log, with its time) and its plan: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY
PLAN on SQLite. Targets: ≤ 300 ms at 1,000,000 items on PostgreSQL, ≤ 1 s at 100,000 on SQLite.
"""
import argparse
import json
import os
import re
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ.setdefault("BBT_NO_RUNNER", "1")

from installation import PASSWORD  # noqa: E402
from latency import percentile  # noqa: E402

DEFAULT_SITE = "sttvtt"  # the first component site (Sở Thông tin và Truyền thông), ~3,000 items a year at 1.2 M




def timed(fn, runs, warmup):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return {"p50": round(percentile(samples, 0.5), 1), "p95": round(percentile(samples, 0.95), 1),
            "runs": runs}


def published_by_month_sql(db, site_ids, year):
    """The chart's per-month published count, written as the reports query will be: one GROUP BY over the
    site's published items whose published_at falls in the local year."""
    from sqlalchemy import func, select

    from bbt_workflow.domain.report_figures import utc_bounds
    from bbt_workflow.submissions.models import Submission

    begin, until = utc_bounds(date(year, 1, 1), date(year, 12, 31))
    if db.session.get_bind().dialect.name == "sqlite":
        month = func.strftime("%m", func.datetime(Submission.published_at, "+7 hours"))
    else:
        month = func.extract("month", func.timezone("Asia/Ho_Chi_Minh", Submission.published_at))
    where = [Submission.state == "published", Submission.published_at >= begin, Submission.published_at < until]
    if site_ids is not None:
        where.append(Submission.site_id.in_(site_ids))
    return db.session.execute(select(month, func.count(Submission.id)).where(*where).group_by(month)).all()


class QueryLog:
    """Every statement run while active, with its parameters and time (SQLAlchemy engine events)."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.engine, self.entries, self.active = engine, [], False
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            ms = (time.perf_counter() - conn.info.pop("bench_started")) * 1000
            self.entries.append((statement, parameters, ms))


def explain(db, log, label):
    dialect = db.engine.dialect.name
    print(f"\n=== query log and plans: {label} ({len(log.entries)} statements, "
          f"{sum(ms for _, _, ms in log.entries):.1f} ms in SQL) ===")
    raw = db.engine.raw_connection()
    try:
        for statement, parameters, ms in log.entries:
            print(f"\n--- {ms:8.1f} ms  {' '.join(statement.split())[:400]}")
            cur = raw.cursor()
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if dialect == "postgresql" else "EXPLAIN QUERY PLAN "
            cur.execute(prefix + statement, parameters)
            for row in cur.fetchall():
                print("    " + (row[0] if dialect == "postgresql" else f"{row[1]:>4} {row[3]}"))
            cur.close()
    finally:
        raw.close()


def make_app(url):
    from bbt_workflow import create_app
    from config import TestConfig

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ECHO = False
        # A bench of reads: the login's attempt row is the only write; keep the API quiet.
        LOG_LEVEL = "WARNING"

    return create_app(Cfg)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--site", default=DEFAULT_SITE)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from bbt_workflow.accounts.models import Site, User
    from bbt_workflow.extensions import db
    from bbt_workflow.reports.services import report_summary
    from bbt_workflow.submissions.models import Submission

    app = make_app(args.database_url)
    year = date.today().year
    start, end = date(year, 1, 1), date(year, 12, 31)
    results = {"database": db_label(args.database_url), "year": year, "site": args.site, "figures": {}}
    with app.app_context():
        items = db.session.scalar(select(func.count(Submission.id)))
        results["items"] = items
        site = db.session.scalar(select(Site).where(Site.code == args.site))
        portal = db.session.scalar(select(Site).where(Site.kind == "portal"))
        print(f"{results['database']}: {items:,} items; year {year}; site {site.code} ({site.name}), "
              f"portal {portal.code}")
        scopes = [("site", site.code, f"pd.{site.code}.1", [site.id]),
                  ("portal", portal.code, f"pd.{portal.code}.1", [portal.id]),
                  ("all sites", "all", "admin", None)]
        log = QueryLog(db.engine)
        for label, code, username, site_ids in scopes:
            actor = db.session.scalar(select(User).where(User.username == username))

            def service():
                db.session.expire_all()
                report_summary(actor, code, start, end)

            figures = timed(service, args.runs, args.warmup)
            summary = report_summary(actor, code, start, end)
            figures["published"] = summary["published"]["total"]
            results["figures"][f"service {label}"] = figures
            print(f"service  {label:<10} p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms  "
                  f"(published in the year: {figures['published']:,})", flush=True)
            month = timed(lambda: published_by_month_sql(db, site_ids, year), args.runs, args.warmup)
            results["figures"][f"month {label}"] = month
            print(f"month    {label:<10} p50 {month['p50']:7.1f} ms  p95 {month['p95']:7.1f} ms", flush=True)
            if args.explain:
                log.entries.clear()
                log.active = True
                report_summary(actor, code, start, end)
                published_by_month_sql(db, site_ids, year)
                log.active = False
                explain(db, log, label)
            db.session.remove()

    # Outside the app context: each request gets its own (and its own Flask-Login user in g).
    for label, code, username, _ in scopes:
        # A client per caller: an API client sends no cookies (with a session cookie the app wants CSRF).
        client = app.test_client()
        response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
        assert response.status_code == 201, response.get_data(as_text=True)
        headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
        url = f"/api/v1/reports/summary?site={code}&from={start.isoformat()}&to={end.isoformat()}"

        def request():
            reply = client.get(url, headers=headers)
            assert reply.status_code == 200, reply.get_data(as_text=True)

        figures = timed(request, args.runs, args.warmup)
        results["figures"][f"api {label}"] = figures
        print(f"api      {label:<10} p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms", flush=True)
    # The dashboard page itself (GET /reports/<site>?period=year: the summary, the per-month chart query,
    # the names and the SVG), signed in through the login form like a browser.
    for label, code, username, _ in scopes:
        client = app.test_client()
        form = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        reply = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        assert reply.status_code == 302, reply.get_data(as_text=True)[:500]
        url = f"/reports/{code}?period=year&year={year}"

        def page():
            reply = client.get(url)
            assert reply.status_code == 200 and b"<svg" in reply.data, reply.status_code

        figures = timed(page, args.runs, args.warmup)
        results["figures"][f"page {label}"] = figures
        print(f"page     {label:<10} p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))


def db_label(url):
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


if __name__ == "__main__":
    main()
