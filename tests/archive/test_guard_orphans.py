"""An extraction's guarded child dies with the process that started it (archive/extract/guard.py).

Its time budget is kept by its parent: were the ingest SIGKILLed, a hostile file's child would
otherwise run on, unwatched, as long as the file makes it.
"""

import signal
import subprocess
import sys
import time
import uuid

from tests.archive.test_ingest_ahead import _alive_with
from tests.conftest import PROJECT

# a "file" that takes 60 s in the guard, whose own budget is 120 s: only the parent's death ends it
SLOW = ("import sys, time; from archive.extract.guard import run_guarded; print('started', flush=True); "
        "run_guarded(time.sleep, 60, seconds=120)")


def test_a_guarded_child_dies_with_its_killed_parent():
    marker = f"guard-orphan-{uuid.uuid4().hex}"
    proc = subprocess.Popen([sys.executable, "-c", SLOW, marker], cwd=PROJECT, stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline().strip() == b"started"
        deadline = time.monotonic() + 10
        while not [pid for pid in _alive_with(marker) if pid != proc.pid]:
            assert time.monotonic() < deadline, "the guard started no child"  # else this proves nothing
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.communicate(timeout=30)
    deadline = time.monotonic() + 5
    while (left := _alive_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == [], f"the guard's child outlived its parent: {left}"
