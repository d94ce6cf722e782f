"""The store: the only place SQL runs. Records, holds, the audit log and accounts, as dataclasses.

`Store(data_dir)` opens the embedded SQLite store; the web, the CLI and the services reach the
database only through its methods, so a second implementation (PostgreSQL) fills in the same
methods and nothing above this package changes.
"""

from __future__ import annotations

import os

from .accounts import AccountExists, AccountRow, AccountsMixin
from .audit import AuditMixin
from .comments import CommentsMixin
from .connection import Connection, now_iso
from .feed import FeedMixin
from .garbage import GarbageMixin
from .harvest import HarvestMixin
from .jobs import Job, JobsMixin, JobState
from .migrations import StoreTooNew
from .ocr import OcrMixin, Scan
from .records import Extraction, Flagged, RecordsMixin, classification_path
from .review import ReviewMixin
from .statistics import StatisticsMixin


class Store(AccountsMixin, AuditMixin, CommentsMixin, FeedMixin, GarbageMixin, HarvestMixin, JobsMixin, OcrMixin,
            RecordsMixin, ReviewMixin, StatisticsMixin, Connection):
    """The embedded store: `archive.sqlite3` and `blobs/` under the node's data folder.

    With ARCHIVE_DATABASE_URL set (or `url=`), `Store(data_dir)` opens the PostgreSQL store
    instead (archive/store/pg.py: the same methods). The URL is read here, in the one
    constructor every process calls, so that no call site can forget it: a web worker or a
    command left on its own SQLite file would miss the withholds made on the shared database.
    """

    def __new__(cls, data_dir=None, blob_dir=None, url: str | None = None):
        url = os.environ.get("ARCHIVE_DATABASE_URL", "") if url is None else url
        if cls is Store and url:
            from .pg import PgStore

            return super().__new__(PgStore)
        return super().__new__(cls)


__all__ = ["AccountExists", "AccountRow", "Extraction", "Flagged", "Job", "JobState", "Scan", "Store", "StoreTooNew",
           "classification_path", "now_iso"]
