"""Each portal process follows the store (issue 15): what another node ingests or withholds reaches
this node's index within ARCHIVE_FOLLOW_SECONDS.

Safety does not wait for it: a search leaves out every record changed since this node's index
caught up (index.service.left_out), so a stale entry is never matched. The follower is what makes
those records searchable again, and what erases another node's withheld text from this node's
index files and renditions. One thread per process, started at its first request (gunicorn forks
its workers after the app is made: a thread started before the fork would not run in them); the
index lock makes the processes of one node take turns, and a process that finds nothing to do
reads one row of the feed.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from flask import Flask

log = logging.getLogger("yeollam.follower")


class Follower:
    def __init__(self, app: Flask, seconds: float):
        self.data_dir = Path(app.config["DATA_DIR"])
        self.engine = app.extensions["search_engine"]
        self.seconds = seconds
        self.stopped = threading.Event()
        self.pid: int | None = None
        self.rounds = 0  # how many times it looked (tests wait on it)

    def start(self) -> None:
        if self.pid == os.getpid() or self.stopped.is_set():
            return
        self.pid = os.getpid()
        threading.Thread(target=self._run, name="yeollam-follower", daemon=True).start()

    def stop(self) -> None:
        self.stopped.set()

    def once(self) -> int:
        import services
        from archive.store import Store
        from index import service as search

        store = Store(self.data_dir)
        try:
            if search.needs_rebuild(self.engine, store) or search.behind(self.engine, store, 1):
                return services.follow(store, self.engine, self.data_dir)
            return 0
        finally:
            store.close()

    def _run(self) -> None:
        while not self.stopped.wait(self.seconds):
            if not self.data_dir.is_dir():
                return  # the node's folder is gone (a test's, say): nothing left to follow
            try:
                self.once()
            except Exception:  # a database restart, a full disk: said, and tried again next round
                log.exception("the index could not catch up with the store; trying again")
            self.rounds += 1


def init_app(app: Flask) -> None:
    value = str(app.config["FOLLOW_SECONDS"]).strip()
    try:
        seconds = float(value)
    except ValueError:
        raise RuntimeError(f"ARCHIVE_FOLLOW_SECONDS must be a number of seconds (0: off), not {value!r}") from None
    if seconds <= 0:
        return
    follower = app.extensions["follower"] = Follower(app, seconds)
    app.before_request(follower.start)
