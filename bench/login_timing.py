"""Benchmark (not a test): login time for an unknown vs a known username (issue 16, finding 6).

    .venv/bin/python bench/login_timing.py [--rounds 20]

Runs `auth.services.authenticate` in an app with the production hash (scrypt) on an
in-memory SQLite database; prints the median time of a refused login for an unknown name,
a known name with a wrong password, and a right one. Goal: unknown ≈ known (within ~20 %).
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config import TestConfig  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    from bbt_workflow import create_app
    from bbt_workflow.accounts.services import create_user
    from bbt_workflow.auth.services import authenticate
    from bbt_workflow.errors import ServiceError
    from bbt_workflow.extensions import db

    folder = tempfile.mkdtemp()

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/bench.db"
        PASSWORD_HASH_METHOD = "scrypt"
        LOGIN_MAX_FAILURES_PER_IP = 10 ** 9
        LOGIN_MAX_FAILURES_PER_ACCOUNT = 10 ** 9

    app = create_app(Cfg)
    with app.app_context():
        db.create_all()  # the models' schema is enough for timing logins
        create_user(None, username="hong", email="hong@bench.vn", full_name="Hồng", password="Matkhau-2026")
        db.session.commit()
        for label, username, password in (("unknown user", "nobody", "Sai-mat-khau-1"),
                                          ("known, wrong password", "hong", "Sai-mat-khau-1"),
                                          ("known, right password", "hong", "Matkhau-2026")):
            times = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                try:
                    authenticate(username, password, "127.0.0.1")
                except ServiceError:
                    pass
                times.append(time.perf_counter() - start)
                db.session.rollback()
            print(f"{label:24s} median {statistics.median(times) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
