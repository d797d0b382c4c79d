"""The in-process job runner belongs to the process that serves (gunicorn, `flask run`), not to the other
`flask` commands: started by `flask bbt init` it ran the jobs before the migrations had made their tables
(one traceback per job on a new user's first `./scripts/run`), and it would run beside a restore."""
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from bbt_workflow import jobs

ROOT = Path(__file__).resolve().parents[2]


def test_only_serving_starts_the_runner():
    assert jobs.created_by_a_command() is False  # gunicorn, a WSGI server: no command around it
    for name, by_a_command in (("init", True), ("restore", True), ("worker", True), ("flask", True),
                               ("run", False)):
        with click.Context(click.Command(name), info_name=name):
            assert jobs.created_by_a_command() is by_a_command, name


# The command's process exits once the rate limiter's in-memory Timer has run; under libfaketime (the
# clock-ahead run) that Timer's deadline never comes and the process never ends. No calendar date here.
@pytest.mark.real_clock
def test_bbt_init_on_a_new_database_runs_no_job(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("BBT_NO_RUNNER", "MAIL_SEND_IN_PROCESS", "BBT_CONFIG")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'new.sqlite3'}", FLASK_APP="wsgi", LOG_JSON="0")
    done = subprocess.run([sys.executable, "-m", "flask", "bbt", "init"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Running upgrade" in output  # the migrations ran
    assert "job failed" not in output and "Traceback" not in output, output
