"""Background jobs' SQL: what a job is, how far it got, who runs it. The queue holds only ids."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from ..messages import N_, Refusal, Words
from .connection import now_iso

# Why a job failed, as jobs.py (the worker) says it: marked here, where `make messages` extracts them
# (babel.cfg reads archive/, not jobs.py); the kinds' own (web/clerk_export.py's) are marked where raised.
UPLOAD_GONE = N_("올린 파일이 없습니다 (작업 폴더가 지워졌습니다).")
BATCH_REFUSED = N_("읽을 수 없는 묶음: %(why)s")
NO_TESSERACT = N_("OCR 프로그램(tesseract)이 설치되어 있지 않습니다: %(why)s")
BROKE = N_("작업이 실패했습니다: %(error)s")
WORKER_STOPPED = N_("작업하던 워커가 %(n)s번 멈춰 중단했습니다.")
UPLOAD_STRANDED = N_("파일을 올린 서버의 워커가 하루 동안 이 작업을 시작하지 않아 중단했습니다. 다시 올려 주십시오.")


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label_ko(self) -> str:
        return {"queued": "대기", "running": "진행 중", "done": "끝남", "failed": "실패"}[self.value]

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED)


class JobMessage(Refusal, Exception):
    """Why a job failed: a msgid and its parameters, kept so that a page words it in the reader's language.

    The `message` column holds it as JSON, `{"msgid": "…", "params": {…}}`; a parameter may itself be
    a refusal (a batch's BatchError in an ingest's failure), kept the same way and worded with it.
    `str()` is what `jobs --json` always printed: the Korean, then the English. A message stored as
    plain text before (or by anything else) is no JobMessage and is shown as it reads.
    """

    cli = "both"

    @classmethod
    def of(cls, refusal: Refusal) -> JobMessage:
        """Any refusal (a JobFailed, a BatchError) as a JobMessage, its refusal parameters too."""
        return cls(refusal.msgid, **{k: cls.of(v) if isinstance(v, Refusal) else v for k, v in refusal.params.items()})

    def as_json(self) -> dict:
        return {"msgid": self.msgid, "params": {k: v.as_json() if isinstance(v, JobMessage) else
                                                {"words": list(v)} if isinstance(v, Words) else v
                                                for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: dict) -> JobMessage:
        def param(v):
            if isinstance(v, dict) and isinstance(v.get("msgid"), str):
                return cls.from_json(v)
            return Words(v["words"]) if isinstance(v, dict) and isinstance(v.get("words"), list) else v
        return cls(data["msgid"], **{k: param(v) for k, v in (data.get("params") or {}).items()})


def stored_message(message: str | Refusal | None) -> str | None:
    """What the `message` column keeps: a refusal as JSON (msgid and params), a string as it is."""
    if isinstance(message, Refusal):
        return json.dumps(JobMessage.of(message).as_json(), ensure_ascii=False, default=str)
    return message


def read_message(raw: str | None) -> JobMessage | None:
    """The JobMessage a `message` column holds, or None for none or plain text (shown as it reads)."""
    if not raw or not raw.startswith("{"):
        return None
    try:
        data = json.loads(raw)
        return JobMessage.from_json(data) if isinstance(data, dict) and isinstance(data.get("msgid"), str) else None
    except (ValueError, TypeError, KeyError):
        return None


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    state: JobState
    done: int
    total: int | None
    rejected: int
    report: dict | None
    message: str | None
    who: str
    source: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    attempts: int
    owner: str | None
    heartbeat_at: str | None
    notice: JobMessage | None = None  # `message` as a msgid and params, for a page to word (None: plain text)

    def as_dict(self) -> dict:
        """The `jobs --json` row (interface.md), with the keys docs/interface-additions.md adds."""
        return {"id": self.id, "kind": self.kind, "state": self.state.value, "done": self.done, "total": self.total,
                "started_at": self.started_at, "finished_at": self.finished_at, "rejected": self.rejected,
                "who": self.who, "source": self.source, "message": self.message}


def _worded(notice: JobMessage | None, raw: str | None) -> str | None:
    """The CLI's wording of a stored message; the msgid itself if the catalog's wording breaks
    (its placeholders and the params disagree): a listing of jobs must never fail on one."""
    if notice is None:
        return raw
    try:
        return str(notice)
    except (KeyError, ValueError, TypeError):
        return notice.msgid


def _job(row) -> Job:
    notice = read_message(row["message"])
    return Job(row["id"], row["kind"], JobState(row["state"]), row["done"], row["total"], row["rejected"],
               json.loads(row["report"]) if row["report"] else None,
               _worded(notice, row["message"]), row["who"], row["source"],
               row["created_at"], row["started_at"], row["finished_at"], row["attempts"], row["owner"],
               row["heartbeat_at"], notice)


class JobsMixin:
    def create_job(self, kind: str, who: str, source: str | None = None,
                   max_unfinished: int | None = None) -> int | None:
        """Record a queued job; None, and nothing recorded, when `max_unfinished` jobs already wait or run.

        The count and the insert share one write transaction, so parallel requests cannot pass the limit.
        """
        with self.transaction():
            waiting = self._one("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')")[0]
            if max_unfinished is not None and waiting >= max_unfinished:
                return None
            cur = self.db.execute("INSERT INTO jobs (kind, state, who, source, created_at) "
                                  "VALUES (?, 'queued', ?, ?, ?)", (kind, who, source, now_iso()))
            return cur.lastrowid

    def job(self, job_id: int) -> Job | None:
        row = self._one("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return _job(row) if row else None

    def recent_jobs(self, limit: int = 20, who: str | None = None) -> list[Job]:
        """Unfinished jobs first, then the newest (of `who`, given)."""
        rows = self._all("SELECT * FROM jobs WHERE ? IS NULL OR who = ? "
                         "ORDER BY state IN ('queued', 'running') DESC, id DESC LIMIT ?", (who, who, limit))
        return [_job(r) for r in rows]

    def unfinished_jobs(self, kind: str | None = None) -> list[Job]:
        rows = self._all("SELECT * FROM jobs WHERE state IN ('queued', 'running') AND (? IS NULL OR kind = ?) "
                         "ORDER BY id", (kind, kind))
        return [_job(r) for r in rows]

    def claim_job(self, job_id: int, owner: str) -> Job | None:
        """Take a queued job for this worker; None when it is not queued (taken, finished, unknown)."""
        with self.transaction():
            now = now_iso()
            cur = self.db.execute("UPDATE jobs SET state = 'running', attempts = attempts + 1, owner = ?, "
                                  "started_at = coalesce(started_at, ?), heartbeat_at = ? "
                                  "WHERE id = ? AND state = 'queued'", (owner, now, now, job_id))
            return self.job(job_id) if cur.rowcount else None

    def job_progress(self, job_id: int, done: int, total: int | None, rejected: int) -> None:
        self._run("UPDATE jobs SET done = ?, total = ?, rejected = ?, heartbeat_at = ? WHERE id = ?",
                  (done, total, rejected, now_iso(), job_id))

    def finish_job(self, job_id: int, state: JobState, report: dict | None = None,
                   message: str | Refusal | None = None) -> None:
        """End a job; `message` (why it failed) a refusal, kept as its msgid and params (JobMessage), or text."""
        message = stored_message(message)
        self._run("UPDATE jobs SET state = ?, report = ?, message = ?, finished_at = ?, owner = NULL WHERE id = ?",
                  (state.value, json.dumps(report, ensure_ascii=False) if report is not None else None, message,
                   now_iso(), job_id))

    def give_up_queued_job(self, job_id: int, message: Refusal) -> bool:
        """Fail a job still waiting in a queue (never one a worker has claimed meanwhile)."""
        with self.transaction():
            cur = self.db.execute("UPDATE jobs SET state = 'failed', message = ?, finished_at = ? "
                                  "WHERE id = ? AND state = 'queued'", (stored_message(message), now_iso(), job_id))
            return bool(cur.rowcount)

    def requeue_job(self, job_id: int, owner: str | None) -> bool:
        """Put back a running job whose worker is gone (only if that worker still owns it)."""
        with self.transaction():
            cur = self.db.execute("UPDATE jobs SET state = 'queued', owner = NULL WHERE id = ? AND state = 'running' "
                                  "AND owner IS NOT DISTINCT FROM ?", (job_id, owner))
            return bool(cur.rowcount)
