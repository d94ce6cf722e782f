"""The store: the only place SQL runs. Records, holds, the audit log and accounts, as dataclasses.

`Store(data_dir)` opens the embedded SQLite store; the web, the CLI and the services reach the
database only through its methods, so a second implementation (PostgreSQL) fills in the same
methods and nothing above this package changes.
"""

from __future__ import annotations

from .accounts import AccountExists, AccountRow, AccountsMixin
from .audit import AuditMixin
from .comments import CommentsMixin
from .connection import Connection, now_iso
from .harvest import HarvestMixin
from .jobs import Job, JobsMixin, JobState
from .migrations import StoreTooNew
from .ocr import OcrMixin, Scan
from .records import Extraction, Flagged, RecordsMixin, classification_path
from .review import ReviewMixin
from .statistics import StatisticsMixin


class Store(AccountsMixin, AuditMixin, CommentsMixin, HarvestMixin, JobsMixin, OcrMixin, RecordsMixin, ReviewMixin,
            StatisticsMixin, Connection):
    """The embedded store: `archive.sqlite3` and `blobs/` under the node's data folder."""


__all__ = ["AccountExists", "AccountRow", "Extraction", "Flagged", "Job", "JobState", "Scan", "Store", "StoreTooNew",
           "classification_path", "now_iso"]
