"""The clock-ahead run (scripts/test-clock-ahead) must end when its tests end.

CI once timed out after the clock-ahead run had printed "1904 passed": the interpreter never exited.
The rate limiter's in-memory storage (limits' MemoryStorage) starts a non-daemon threading.Timer for
each app a test creates; under libfaketime the timer's wait is measured on a moved monotonic clock, so
its deadline lay two years ahead, and Python joins every non-daemon thread before it exits.
This runs a small test file the way scripts/test-clock-ahead does and requires it to finish.
"""
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime (libfaketime) is not installed")
@pytest.mark.skipif("FAKETIME" in os.environ, reason="already under libfaketime: covered by the normal run")
def test_a_pytest_run_under_a_moved_clock_exits():
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    command = ["faketime", "-f", "+730d", sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "tests/functional/test_rate_limits.py"]
    # Its own session, so a hung run is killed whole (faketime forks the python it runs).
    run = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        output, _ = run.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        output, _ = run.communicate()
        pytest.fail(f"the run under faketime did not exit within 90 s; its output:\n{output}")
    assert run.returncode == 0, output
    assert " passed" in output
