"""Where the generator's rows go: COPY on PostgreSQL, executemany in big transactions on SQLite.

`sink.add(table, row)` takes a tuple in the column order declared with `sink.columns(table, [...])`.
Timestamps arrive as epoch seconds (float, UTC) in the columns named in `TIMESTAMPS` and dates as
`datetime.date`; each sink renders them as its database stores them (SQLAlchemy's SQLite format
"YYYY-MM-DD HH:MM:SS.ffffff" in UTC, or an ISO string with offset for PostgreSQL's timestamptz).

PostgreSQL: one connection per table, each with its COPY open for the whole load, so one pass over
the items feeds every table and the server parses them on the other core. The sessions run with
session_replication_role = replica: foreign-key triggers are not fired (the generator builds valid
references itself, and the bench checks a sample afterwards); the append-only trigger of
submission_history only refuses UPDATE and DELETE, which a load never does.
"""
import sqlite3
from datetime import datetime, timezone

TIMESTAMPS = {
    "created_at", "updated_at", "state_entered_at", "claimed_at", "last_activity_at", "publish_at", "first_submitted_at",
    "approved_at", "published_at", "at", "graded_at", "computed_at", "checked_at", "paid_at",
    "next_attempt_at", "delivered_at", "dead_at", "started_at", "password_changed_at", "expires_at",
    "lease_until", "dead_notified_at", "locked_until", "read_at",
}


def _sqlite_ts(epoch):
    dt = datetime.fromtimestamp(epoch, timezone.utc)
    return f"{dt:%Y-%m-%d %H:%M:%S}.{dt.microsecond:06d}"


def _pg_ts(epoch):
    dt = datetime.fromtimestamp(epoch, timezone.utc)
    return f"{dt:%Y-%m-%d %H:%M:%S}.{dt.microsecond:06d}+00"


class _Sink:
    render_ts = None

    def __init__(self):
        self._columns = {}
        self._ts_positions = {}
        self.counts = {}

    def columns(self, table, names):
        self._columns[table] = names
        self._ts_positions[table] = [i for i, n in enumerate(names) if n in TIMESTAMPS]
        self.counts.setdefault(table, 0)

    def _render(self, table, row):
        positions = self._ts_positions[table]
        if positions:
            row = list(row)
            render = self.render_ts
            for i in positions:
                if row[i] is not None:
                    row[i] = render(row[i])
        return row


class PostgresSink(_Sink):
    render_ts = staticmethod(_pg_ts)

    def __init__(self, url):
        super().__init__()
        import psycopg

        self._psycopg = psycopg
        self.url = url.replace("postgresql+psycopg://", "postgresql://", 1)
        self._open = {}  # table -> (connection, cursor, copy context, copy)

    def _copy_for(self, table):
        entry = self._open.get(table)
        if entry is None:
            conn = self._psycopg.connect(self.url)
            conn.execute("SET session_replication_role = replica")
            conn.execute("SET synchronous_commit = off")
            cur = conn.cursor()
            cols = ", ".join(self._columns[table])
            ctx = cur.copy(f"COPY {table} ({cols}) FROM STDIN")
            copy = ctx.__enter__()
            entry = self._open[table] = (conn, cur, ctx, copy)
        return entry[3]

    def add(self, table, row):
        self._copy_for(table).write_row(self._render(table, row))
        self.counts[table] += 1

    def flush_table(self, table):
        """Finish the COPY of one table (commit) so later steps can read it."""
        entry = self._open.pop(table, None)
        if entry:
            conn, cur, ctx, _ = entry
            ctx.__exit__(None, None, None)
            conn.commit()
            conn.close()

    def close(self):
        for table in list(self._open):
            self.flush_table(table)

    def execute(self, sql):
        with self._psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(sql)


class SqliteSink(_Sink):
    render_ts = staticmethod(_sqlite_ts)
    BATCH = 20_000

    def __init__(self, path):
        super().__init__()
        self.conn = sqlite3.connect(path, isolation_level=None)
        # A load, not a live database: no journal, no fsync (the file is thrown away on failure).
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA cache_size=-400000")
        self.conn.execute("PRAGMA foreign_keys=OFF")
        self.conn.execute("BEGIN")
        self._buffers = {}
        self._pending = 0

    def add(self, table, row):
        row = self._render(table, row)
        self._buffers.setdefault(table, []).append(row)
        self.counts[table] += 1
        self._pending += 1
        if self._pending >= 200_000:
            self._flush_all()
            self.conn.execute("COMMIT")
            self.conn.execute("BEGIN")

    def _flush(self, table):
        rows = self._buffers.get(table)
        if rows:
            names = self._columns[table]
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            self.conn.executemany(sql, rows)
            self._buffers[table] = []

    def _flush_all(self):
        for table in list(self._buffers):
            self._flush(table)
        self._pending = 0

    def flush_table(self, table):
        self._flush(table)

    def close(self):
        self._flush_all()
        self.conn.execute("COMMIT")
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.close()

    def execute(self, sql):
        self.conn.execute(sql)
