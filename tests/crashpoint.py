"""Run the flask CLI, and SIGKILL this very process the moment it reaches a named point.

Used by tests/test_crash.py to prove where a kill landed: the point's name is written to
CRASH_MARK just before the kill, so a kill that came too early or too late cannot pass for one
inside a change. Nothing is replaced: the real code runs up to the point, then the process dies.
"""

from __future__ import annotations

import functools
import os
import signal
import sys

INSIDE = {"change": False}  # points fire only inside a change, not in the start-up repair before it


def _die(point: str) -> None:
    if not INSIDE["change"]:
        return
    with open(os.environ["CRASH_MARK"], "w") as mark:
        mark.write(point)
        mark.flush()
        os.fsync(mark.fileno())
    os.kill(os.getpid(), signal.SIGKILL)


def _after(owner, name: str, point: str, when=lambda *a, **k: True) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        if when(*args, **kwargs):
            _die(point)
        return result

    setattr(owner, name, wrapper)


def _before(owner, name: str, point: str) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        _die(point)
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)


def _inside_ingest_groups() -> None:
    """Ingest points fire only while an ingest commits a group (archive/ingest_group.py: Group.commit)."""
    from archive import ingest_group
    from archive.ingest_group import Group

    ingest_group.GROUP_RECORDS = 4  # several groups in a test's batch, however fast the machine reads it
    commit = Group.commit

    @functools.wraps(commit)
    def inside(*args, **kwargs):
        INSIDE["change"] = True
        try:
            return commit(*args, **kwargs)
        finally:
            INSIDE["change"] = False

    Group.commit = inside


def arm(point: str) -> None:
    from archive import changes
    from archive.store import Store
    from index import service

    change = changes._change

    @functools.wraps(change)
    def inside(*args, **kwargs):
        # from here to the command's end: the start-up repair came before, the catch-up after
        INSIDE["change"] = True
        return change(*args, **kwargs)

    changes._change = inside
    _inside_ingest_groups()

    if point == "marked-pending":  # the change has marked its records, nothing else yet
        _after(Store, "mark_pending", point)
    elif point == "store-written":  # inside the transaction: level, hold and audit written, not committed
        _after(Store, "append_audit", point)
    elif point == "index-written":  # a withhold's index write done, the store not yet committed
        _after(service, "write", point)
    elif point == "committed":  # the store committed; this node's index not yet caught up with the feed
        _before(service, "catch_up", point)
    elif point == "committed-unindexed":  # a release committed, its index write not begun
        _before(service, "write", point)
    elif point == "group-files-stored":  # an ingest's second group: files durable, its rows not committed
        from archive.blobs import BlobStore

        calls = []
        _after(BlobStore, "store_staged", point, when=lambda self, staged: calls.append(1) or len(calls) == 2)
    elif point == "group-index-dropped":  # a group's affected records out of the index, its rows not committed
        _after(service, "remove", point)
    else:
        raise SystemExit(f"unknown crash point {point}")


if __name__ == "__main__":
    arm(os.environ["CRASH_AT"])
    from flask.cli import main

    sys.argv = ["flask", *sys.argv[1:]]
    main()
