"""Search server time on a generated installation (issue 15: "search without diacritics").

    .venv/bin/python bench/search_bench.py --database-url postgresql://postgres@127.0.0.1:5432/bench_100k
    .venv/bin/python bench/search_bench.py --database-url sqlite:////work/bench-data/search_100k.sqlite3
        [--site sttvtt] [--runs 20] [--warmup 3] [--explain] [--statements]

What the API's list does for a search (submissions.queries.filtered_submissions, then one page of 50
with its total counted up to 1,000, as api.pagination.paginate: ">1000" is "more than"): for an editor of one site (--site) and for the admin (all
sites), for each query below (no diacritics, any order, the last word cut short). p50 and p95 over
--runs runs after --warmup runs. --explain prints EXPLAIN ANALYZE of each page query (PostgreSQL);
--statements the time of each SQL statement of one more run (where a search's time goes).
"""
import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ.setdefault("BBT_NO_RUNNER", "1")

from dashboard_bench import make_app  # noqa: E402
from latency import percentile  # noqa: E402

QUERIES = ["sang tao khoi nghiep", "chuyen doi so", "ninh hai hoi ngh", "cai cach hanh chinh tinh", "nang luong tai tao", "phuoc dinh",
           "xyzzy"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--site", default="sttvtt")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--statements", action="store_true")
    args = parser.parse_args()

    from sqlalchemy import func, select, text

    from bbt_workflow.accounts.models import Membership, MembershipRole, Site, User
    from bbt_workflow.extensions import db
    from bbt_workflow.submissions.models import Submission
    from bbt_workflow.submissions.queries import filtered_submissions
    from bbt_workflow.submissions.keyset import seek_page

    app = make_app(args.database_url)
    with app.app_context():
        items = db.session.scalar(select(func.count(Submission.id)))
        site = db.session.scalar(select(Site).where(Site.code == args.site))
        editor = db.session.scalar(
            select(User).join(Membership, Membership.user_id == User.id)
            .join(MembershipRole, MembershipRole.membership_id == Membership.id)
            .where(Membership.site_id == site.id, MembershipRole.role == "editor").order_by(User.id).limit(1))
        admin = db.session.scalar(select(User).where(User.is_admin.is_(True)).order_by(User.id).limit(1))
        print(f"{items:,} items; {db.engine.dialect.name}; site {site.code}, editor {editor.username}")
        all_samples = {"one site": [], "all sites": []}
        for label, actor, extra in (("one site", editor, {"site": site.code}), ("all sites", admin, {})):
            for q in QUERIES:
                def run():
                    db.session.expire_all()
                    page = seek_page(filtered_submissions(actor, dict(extra, q=q)), "-updated_at", per_page=50)
                    return f"{'>' if page.total.capped else ''}{page.total}"
                for _ in range(args.warmup):
                    total = run()
                samples = []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    run()
                    samples.append((time.perf_counter() - started) * 1000)
                all_samples[label] += samples
                print(f"{label:<9} {q!r:<28} hits {total:>7}  p50 {percentile(samples, .5):7.1f} ms  "
                      f"p95 {percentile(samples, .95):7.1f} ms", flush=True)
                if args.statements:
                    for seconds, statement in timed_statements(db.engine, run):
                        print(f"    {seconds * 1000:8.1f} ms  {' '.join(statement.split())[:150]}")
                if args.explain and db.engine.dialect.name == "postgresql":
                    stmt = filtered_submissions(actor, dict(extra, q=q)).limit(50)
                    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
                    for row in db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")):
                        print("    " + row[0])
            samples = all_samples[label]
            print(f"{label:<9} ALL QUERIES  p50 {percentile(samples, .5):7.1f} ms  p95 {percentile(samples, .95):7.1f} ms")


def timed_statements(engine, work):
    """[(seconds, statement)] of every statement `work()` runs, in order."""
    from sqlalchemy import event

    timings, started = [], {}

    def before(conn, cursor, statement, parameters, context, executemany):
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        timings.append((time.perf_counter() - started.pop(id(cursor)), statement))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return timings


if __name__ == "__main__":
    main()
