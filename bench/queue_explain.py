"""EXPLAIN ANALYZE of the queue's statements on a generated installation (issue 15, "Indexes for the queue").

For each tab of the biggest site's queue, seen by one of its approvers, and for a contributor's "my items":
the first page (LIMIT 51), a deep page by cursor, the capped total, the old whole-set count(*), and the
per-state tab counts. Prints the execution time of each (median of 3) and the plan's top access paths.

    .venv/bin/python bench/queue_explain.py --database-url postgresql://postgres@127.0.0.1:5432/bench_lists_100k
"""
import argparse
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from sqlalchemy import func, select, text  # noqa: E402

from generate import make_app  # noqa: E402


def explain(session, stmt):
    sql = str(stmt.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}))
    times, plan = [], []
    for _ in range(3):
        plan = [row[0] for row in session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql))]
        times.append(float(re.search(r"Execution Time: ([\d.]+)", plan[-1]).group(1)))
    paths = sorted({m.group(0) for line in plan for m in [re.search(r"(Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)( Backward)? (using \w+ )?on \w+", line)] if m})
    return statistics.median(times), paths


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--approver")
    parser.add_argument("--contributor")
    options = parser.parse_args()
    app = make_app(options.database_url)
    with app.app_context():
        from bbt_workflow.accounts.models import Site, User
        from bbt_workflow.extensions import db
        from bbt_workflow.submissions.keyset import CAP, after, encode_cursor
        from bbt_workflow.submissions.models import Submission
        from bbt_workflow.submissions.queries import chosen_sort, filtered_submissions, queue_counts

        session = db.session
        site_id = session.scalar(select(Submission.site_id).group_by(Submission.site_id).order_by(func.count().desc()).limit(1))
        site = session.get(Site, site_id)
        approver = session.scalar(select(User).where(User.username == options.approver)) if options.approver else None
        if approver is None:
            from bbt_workflow.accounts.models import Membership, MembershipRole
            approver = session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                                      .join(MembershipRole, MembershipRole.membership_id == Membership.id)
                                      .where(Membership.site_id == site.id, MembershipRole.role == "approver").limit(1))
        contributor = session.scalar(select(User).where(User.username == options.contributor)) if options.contributor else None
        if contributor is None:
            contributor = session.scalar(select(User).where(User.id == select(Submission.author_id).group_by(Submission.author_id)
                                                            .order_by(func.count().desc()).limit(1).scalar_subquery()))
        print(f"site {site.code} ({session.scalar(select(func.count()).where(Submission.site_id == site.id))} items), "
              f"approver {approver.username}, contributor {contributor.username}")
        tabs = [("all -updated_at", approver, {"site": site.code}),
                ("all title", approver, {"site": site.code, "sort": "title"}),
                ("all created_at", approver, {"site": site.code, "sort": "created_at"}),
                ("submitted", approver, {"site": site.code, "state": "submitted"}),
                ("published", approver, {"site": site.code, "state": "published"}),
                ("awaiting me", approver, {"site": site.code, "awaiting": "me"}),
                ("claimed by me", approver, {"site": site.code, "assignee": "me"}),
                ("my items", contributor, {"mine": True}),
                ("API all visible (approver)", approver, {}),
                ("API all visible (contributor)", contributor, {})]
        for name, user, args in tabs:
            stmt = filtered_submissions(user, args)
            first, first_paths = explain(session, stmt.limit(51))
            rows = session.scalars(stmt.offset(500).limit(1)).all()
            deep = "-"
            if rows:
                deep_ms, _ = explain(session, stmt.where(after(chosen_sort(args), encode_cursor(chosen_sort(args), rows[0]))).limit(51))
                offset_ms, _ = explain(session, stmt.offset(500).limit(51))
                deep = f"{deep_ms:.1f} (OFFSET 500: {offset_ms:.1f})"
            capped, _ = explain(session, select(func.count()).select_from(stmt.order_by(None).limit(CAP + 1).subquery()))
            whole, _ = explain(session, select(func.count()).select_from(stmt.order_by(None).subquery()))
            print(f"{name:28} first page {first:7.1f} ms | page after 500 by cursor {deep} ms | "
                  f"capped count {capped:6.1f} ms | whole count(*) {whole:7.1f} ms | {'; '.join(first_paths)}")
        with_counts = []
        for _ in range(3):
            session.execute(text("SELECT 1"))
            import time
            start = time.perf_counter()
            queue_counts(site)
            with_counts.append((time.perf_counter() - start) * 1000)
        print(f"queue_counts (tabs) {statistics.median(with_counts):.1f} ms (wall, one statement)")


if __name__ == "__main__":
    main()
