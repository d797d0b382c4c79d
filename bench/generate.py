"""Load a realistic installation of a chosen size into an empty database (issues 13 and 15).

    .venv/bin/python bench/generate.py --items 1000000 --database-url postgresql://postgres@127.0.0.1:5432/bench_1m
    .venv/bin/python bench/generate.py --items 100000 --database-url sqlite:////work/bench-data/bench_100k.sqlite3

The database is emptied (PostgreSQL: schema public dropped; SQLite: file deleted), the schema is built by
the Alembic migrations (as `flask bbt init` does), then rows go in by bulk inserts (bulk_sink.py: COPY on
PostgreSQL, executemany in big transactions on SQLite), then sequences are moved past the ids and the
tables analysed (VACUUM ANALYZE on PostgreSQL, so index-only scans see an all-visible map).
What is generated: installation.py. Every user's password is "Matkhau-2026"; usernames: `admin`,
`pd.<site>.<n>` (approvers), `bt.<site>.<n>` (editors), `kt.<site>.1` (accountants), `ctv0001`… (contributors).
Deterministic for a given --seed and day (dates are relative to now).
"""
import argparse
import os
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ.setdefault("BBT_NO_RUNNER", "1")

from bulk_sink import PostgresSink, SqliteSink  # noqa: E402
from installation import PASSWORD, Installation  # noqa: E402

SEQUENCED = ["units", "sites", "categories", "plan_targets", "users", "memberships", "payees", "portal_endpoints",
             "submissions", "submission_authors", "revisions", "submission_history", "gradings", "grading_parts",
             "grading_payees", "royalty_sheets", "royalty_lines", "outbox_deliveries", "outbox_attempts"]


def make_app(url):
    from bbt_workflow import create_app
    from config import TestConfig

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        SQLALCHEMY_ECHO = False

    return create_app(Cfg)


def build_schema(url):
    """Empty the database and run every migration; return the rule ids the rows refer to."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from bbt_workflow.extensions import db

    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    app = make_app(url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        with db.engine.connect() as conn:
            regulation_id = conn.scalar(text("SELECT id FROM royalty_regulations ORDER BY id LIMIT 1"))
            genres = {code: (label, str(coef)) for code, label, coef in conn.execute(text(
                "SELECT code, label, default_coefficient FROM royalty_genres WHERE regulation_id = :r"),
                {"r": regulation_id})}
            salary = conn.execute(text(
                "SELECT id, amount FROM royalty_base_salaries ORDER BY effective_from DESC LIMIT 1")).one()
            factors = {kind: (fid, str(value)) for fid, kind, value in conn.execute(text(
                "SELECT id, site_kind, factor FROM royalty_site_factors WHERE site_kind IS NOT NULL "
                "ORDER BY effective_from"))}
        db.engine.dispose()
    return {"regulation_id": regulation_id, "genres": genres, "base_salary": (salary[0], int(salary[1])),
            "site_factors": factors}


def password_hash():
    from werkzeug.security import generate_password_hash

    # The tests' cheap method: the bench measures pages, not scrypt (production keeps scrypt).
    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def finish(url, sink):
    if isinstance(sink, PostgresSink):
        for table in SEQUENCED:
            sink.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"(SELECT coalesce(max(id), 1) FROM {table}))")
        # COPY ran with session_replication_role = replica: the trigger keeping the search's words
        # (migration 0019) did not fire; fill them as the migration does.
        sink.execute("INSERT INTO search_lexemes (word) SELECT DISTINCT unnest(tsvector_to_array(search_vector)) "
                     "FROM submissions ON CONFLICT DO NOTHING")
        # Nor did the triggers keeping the tab counts per state and type (migrations 0021, 0023).
        sink.execute("INSERT INTO site_state_counts (site_id, state, content_type, n) "
                     "SELECT site_id, state, content_type, count(*) FROM submissions "
                     "GROUP BY site_id, state, content_type")
        sink.execute("VACUUM ANALYZE")
    else:
        import sqlite3

        conn = sqlite3.connect(url[len("sqlite:///"):])
        conn.execute("ANALYZE")
        conn.close()


def database_size(url):
    if url.startswith("sqlite:///"):
        return os.path.getsize(url[len("sqlite:///"):])
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    url = args.database_url

    started = time.perf_counter()
    refs = build_schema(url)
    schema_done = time.perf_counter()
    print(f"schema (migrations): {schema_done - started:.1f} s", flush=True)

    sink = PostgresSink(url) if url.startswith("postgresql") else SqliteSink(url[len("sqlite:///"):])
    rng = random.Random(args.seed)
    installation = Installation(rng, args.items, args.years, time.time(), refs, password_hash())
    installation.reference(sink)
    for table in list(sink.counts):
        sink.flush_table(table)

    def progress(done):
        elapsed = time.perf_counter() - schema_done
        print(f"  {done:>9,} items  {elapsed:6.1f} s  ({done / elapsed:,.0f} items/s)", flush=True)

    installation.generate_items(sink, progress)
    installation.sheets(sink)
    sink.close()
    loaded = time.perf_counter()
    print(f"rows loaded: {loaded - schema_done:.1f} s", flush=True)
    finish(url, sink)
    done = time.perf_counter()
    print(f"analyse: {done - loaded:.1f} s", flush=True)
    for table, count in sorted(sink.counts.items()):
        print(f"  {table:<24} {count:>10,}")
    size = database_size(url)
    print(f"total: {done - started:.1f} s; database size {size / 2**20:,.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
