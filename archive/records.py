"""Records and attachments as stored, and the public view of them.

Every public path (page, JSON, index, feed, sitemap) is built from `public_view`, never from
a `Record` directly: the projection drops withheld parts once, here, so that no template or
serialiser can forget to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from .disclosure import Disclosure, derive_level, grounds_info, level_label
from .licences import licence

RETENTION_KO = {
    "1y": "1년", "3y": "3년", "5y": "5년", "10y": "10년", "30y": "30년",
    "semi-permanent": "준영구", "permanent": "영구",
}


class TextStatus(StrEnum):
    """Whether a file's text could be read; when not, `text_reason` says why."""

    OK = "ok"
    NONE = "none"
    # a scan stored and waiting for `ocr` (archive/scans.py): never read on the ingest's path
    PENDING = "pending"


class TextSource(StrEnum):
    """Where a file's text came from: the file itself, or OCR of its picture (machine-read)."""

    FILE = "file"
    OCR = "ocr"


class Hold(StrEnum):
    """Why the portal itself withholds a file until a clerk decides (fail closed)."""

    # A re-send of a record that carried a clerk's withhold or uncleared personal data: a file
    # that is not byte for byte one that was public before may hold what the clerk withheld,
    # renamed or edited ("(최종)", re-saved HWPX), so it waits for a clerk.
    RESEND_REVIEW = "resend-review"

    @property
    def label(self) -> str:
        return {Hold.RESEND_REVIEW: "재송부 검토 대기"}[self]


@dataclass
class Attachment:
    """One file of a record, as stored."""

    n: int  # 1-based, display order
    name: str
    disclosure: Disclosure
    grounds: list[int]
    sha256: str
    size: int
    media_type: str
    title: str | None = None
    note: str | None = None
    text_status: TextStatus = TextStatus.NONE
    text_reason: str | None = None
    pages: int | None = None
    text_source: TextSource = TextSource.FILE
    # grounds on which the same bytes are withheld in another record: withheld here too
    withheld_elsewhere: list[int] | None = None
    hold: Hold | None = None  # set only with disclosure WITHHELD: the portal holds it for a clerk


@dataclass
class Record:
    """A record with its metadata and attachments, as stored."""

    id: str
    title: str
    agency: str
    produced: str
    kind: str | None = None
    department: str | None = None
    doc_number: str | None = None
    policy_number: str | None = None
    approved: str | None = None
    retention: str | None = None
    author: dict | None = None
    approval_chain: list[dict] = field(default_factory=list)
    classification: list[str] = field(default_factory=list)
    licences: list[str] = field(default_factory=lambda: ["KOGL-1"])
    summary: str | None = None
    withheld_grounds: list[int] | None = None
    attachments: list[Attachment] = field(default_factory=list)
    version: int = 1
    ingested_at: str | None = None

    def effective(self, att: Attachment) -> tuple[Disclosure, list[int]]:
        """Return an attachment's level and grounds once the whole-record rule applies.

        Content withheld anywhere is withheld everywhere: the same file public in another
        record would otherwise publish what a clerk or an agency withheld.
        """
        if self.withheld_grounds:
            return Disclosure.WITHHELD, sorted(set(att.grounds or self.withheld_grounds))
        if att.disclosure is Disclosure.WITHHELD:
            return Disclosure.WITHHELD, sorted(set(att.grounds))
        if att.withheld_elsewhere is not None:
            return Disclosure.WITHHELD, sorted(set(att.withheld_elsewhere))
        return Disclosure.PUBLIC, []

    def withheld_as_a_copy(self, att: Attachment) -> bool:
        """Public by its own row, withheld because the same bytes are withheld elsewhere (or by a clerk)."""
        return (att.disclosure is Disclosure.PUBLIC and not self.withheld_grounds
                and self.effective(att)[0] is Disclosure.WITHHELD)

    @property
    def level(self) -> Disclosure:
        return derive_level((self.effective(a)[0] for a in self.attachments), bool(self.withheld_grounds))

    @property
    def grounds(self) -> list[int]:
        """Return the sorted union of the grounds of the withheld parts."""
        numbers = set(self.withheld_grounds or [])
        for att in self.attachments:
            numbers.update(self.effective(att)[1])
        return sorted(numbers)

    def public_attachments(self) -> list[Attachment]:
        """Return the attachments the public may download and read."""
        return [a for a in self.attachments if self.effective(a)[0] is Disclosure.PUBLIC]

    def attachment(self, n: int) -> Attachment | None:
        return next((a for a in self.attachments if a.n == n), None)


def public_view(record: Record) -> dict:
    """Return what the public may see of a record, as plain data.

    Withheld attachments keep their name and grounds only; a record withheld as a whole
    (or with no public part) loses its summary.
    """
    level = record.level
    attachments = []
    for att in record.attachments:
        att_level, att_grounds = record.effective(att)
        item = {
            "n": att.n,
            "name": att.name,
            "title": att.title,
            "disclosure": att_level.value,
            "grounds": att_grounds,
        }
        if att_level is Disclosure.PUBLIC:
            item.update(
                size=att.size,
                sha256=att.sha256,
                media_type=att.media_type,
                note=att.note,
                text_status=att.text_status,
                text_reason=att.text_reason,
                pages=att.pages,
                # "ocr": machine-read from a picture of the page, errors likely (null: no text yet)
                text_source=att.text_source.value if att.text_status is TextStatus.OK else None,
            )
        else:
            item["grounds_info"] = grounds_info(att_grounds)
        attachments.append(item)
    licences = [licence(code) for code in record.licences]
    return {
        "id": record.id,
        "title": record.title,
        "kind": record.kind,
        "agency": record.agency,
        "department": record.department,
        "doc_number": record.doc_number,
        "policy_number": record.policy_number,
        "produced": record.produced,
        "approved": record.approved,
        "retention": record.retention,
        "retention_ko": RETENTION_KO.get(record.retention or ""),
        "author": record.author,
        "approval_chain": record.approval_chain,
        "classification": record.classification,
        "licences": [vars(lic) for lic in licences if lic is not None],
        "summary": record.summary if level is not Disclosure.WITHHELD else None,
        "disclosure": {
            "level": level.value,
            "label": level_label(level, record.grounds),
            "grounds": record.grounds,
            "grounds_info": grounds_info(record.grounds),
        },
        "attachments": attachments,
        "version": record.version,
    }


def public_text_of(record: Record, text_of: Callable[[str], str]) -> list[tuple[Attachment, str]]:
    """Return the text of each public attachment; withheld text is never read here."""
    return [(att, text_of(att.sha256)) for att in record.public_attachments()]
