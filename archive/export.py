"""Bulk export: a BagIt bag of records' public JSON and public originals.

The same bag two ways: written to a folder (`write_bag`, the `export` command: the Library of
Congress `bagit` package makes it, in a staging folder renamed into place, so no half bag is ever
left at the destination) or streamed as a zip (`stream_bag`, /export.zip: the tag files written
last, as bagit writes them, so the unzipped folder validates with `bagit.Bag(path).validate()`).

What goes in is decided here and only here: each record's JSON as its caller builds it from the
public view (the /api/records/<id> document), and the originals that JSON lists as public, each
checked again against the store just before its bytes are read (a withhold made while an export
runs keeps the file out) and hashed as it is copied. A withheld file never enters a bag: the
record JSON names it as withheld, with its grounds.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from .blobs import Damaged
from .disclosure import Disclosure
from .records import public_view

CHUNK = 1 << 16
SOFTWARE = "Yeollam export (bagit 1.9 layout, BagIt 0.97)"
PROBLEMS = "export-problems.txt"
_UNSAFE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


@dataclass
class Planned:
    """What a bag will hold of one record: counted before anything is written."""

    record_id: str
    files: int
    size: int  # bytes of its public originals


@dataclass
class Outcome:
    records: int = 0
    files: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)


def plan(store, ids: Iterable[str]) -> list[Planned]:
    """Count each record's public originals and their bytes (from the public view)."""
    out = []
    for record_id in ids:
        record = store.get(record_id)
        if record is None:
            continue
        public = [a for a in public_view(record)["attachments"] if a["disclosure"] == Disclosure.PUBLIC.value]
        out.append(Planned(record.id, len(public), sum(a["size"] for a in public)))
    return out


def bag_info(query: dict[str, str], portal: str, date: str, records: int) -> dict[str, str]:
    """The bag-info.txt fields: the query, the portal and the date (BagIt reserved names first)."""
    asked = "&".join(f"{k}={v}" for k, v in query.items() if v) or "(all records)"
    return {
        "Source-Organization": f"열람 Yeollam ({portal})",
        "External-Description": f"Public records matching {asked} at {portal}, exported {date}",
        "External-Identifier": f"{portal.rstrip('/')}/search?{urlencode(query)}" if query else portal,
        "Bagging-Date": date,
        "Bag-Count": "1 of 1",
        "Yeollam-Portal": portal,
        "Yeollam-Query": asked,
        "Yeollam-Records": str(records),
        "Yeollam-Note": "Only public content; withheld files are listed in record.json with their grounds",
    }


def safe_name(n: int, name: str) -> str:
    """A stored attachment name fit for a path in a bag: no controls, no folders, numbered."""
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(c for c in name if unicodedata.category(c) not in _UNSAFE)
    name = name.replace("/", "_").replace("\\", "_").strip(" .") or "file"
    return f"{n:02d}-{name[:150]}"


def _members(store, planned: list[Planned], record_json: Callable[[str], dict | None],
             outcome: Outcome) -> Iterator[tuple[str, Callable[[], Iterator[bytes]]]]:
    """Yield (path under data/, chunks) for each record's JSON and public originals."""
    for item in planned:
        data = record_json(item.record_id)
        if data is None:
            continue
        outcome.records += 1
        base = f"records/{item.record_id}"
        body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        yield f"{base}/record.json", lambda body=body: iter([body])
        for att in data.get("attachments", []):
            if att.get("disclosure") != Disclosure.PUBLIC.value or not att.get("sha256"):
                continue
            path = _public_original(store, item.record_id, att["n"], att["sha256"], outcome)
            if path is not None:
                outcome.files += 1
                yield f"{base}/attachments/{safe_name(att['n'], att['name'])}", lambda p=path: _chunks(p)


def _public_original(store, record_id: str, n: int, sha256: str, outcome: Outcome) -> Path | None:
    """The stored original, if the store says now that it is public and it is sound; else None.

    Looked up again here, right before the bytes are read: the JSON may be seconds old.
    """
    record = store.get(record_id)
    att = record.attachment(n) if record else None
    if att is None or att.sha256 != sha256 or record.effective(att)[0] is not Disclosure.PUBLIC:
        outcome.problems.append(f"{record_id} attachment {n}: no longer public; left out")
        return None
    try:
        return store.blobs.verified_path(sha256)
    except Damaged:
        outcome.problems.append(f"{record_id} attachment {n}: the stored original failed its SHA-256 check; "
                                "left out (run `flask --app app verify`)")
        return None


def _chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def write_bag(out_dir: Path, store, planned: list[Planned], record_json: Callable[[str], dict | None],
              info: dict[str, str]) -> Outcome:
    """Write the bag to `out_dir` (which must not exist): staged beside it, made by bagit, renamed."""
    import bagit

    out_dir = Path(out_dir)
    if out_dir.exists():
        raise FileExistsError(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial", dir=out_dir.parent))
    outcome = Outcome()
    try:
        for rel, chunks in _members(store, planned, record_json, outcome):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as f:
                for chunk in chunks():
                    f.write(chunk)
                    outcome.bytes += len(chunk)
        if outcome.problems:
            (staging / PROBLEMS).write_text("\n".join(outcome.problems) + "\n", encoding="utf-8")
        bagit.make_bag(str(staging), dict(info), checksums=["sha256"])
        os.chmod(staging, 0o755)
        if out_dir.exists():
            raise FileExistsError(out_dir)
        os.rename(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return outcome


class _Sink(io.RawIOBase):
    """A write-only stream that keeps what was written until it is taken (zip over a generator)."""

    def __init__(self):
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.parts.append(bytes(b))
        return len(b)

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def stream_bag(root: str, store, planned: list[Planned], record_json: Callable[[str], dict | None],
               info: dict[str, str], outcome: Outcome | None = None) -> Iterator[bytes]:
    """Yield a zip of the bag, folder `root/` inside, chunk by chunk: memory stays flat."""
    outcome = outcome if outcome is not None else Outcome()
    sink = _Sink()
    manifest: list[tuple[str, str]] = []
    with zipfile.ZipFile(sink, "w", allowZip64=True) as zf:
        for rel, chunks in _members(store, planned, record_json, outcome):
            digest = hashlib.sha256()
            method = zipfile.ZIP_DEFLATED if rel.endswith(".json") else zipfile.ZIP_STORED
            member = zipfile.ZipInfo(f"{root}/data/{rel}", date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = method
            with zf.open(member, "w", force_zip64=True) as out:
                for chunk in chunks():
                    digest.update(chunk)
                    outcome.bytes += len(chunk)
                    out.write(chunk)
                    yield sink.take()
            manifest.append((digest.hexdigest(), f"data/{rel}"))
        if outcome.problems:
            body = ("\n".join(outcome.problems) + "\n").encode("utf-8")
            zf.writestr(f"{root}/data/{PROBLEMS}", body)
            outcome.bytes += len(body)
            manifest.append((hashlib.sha256(body).hexdigest(), f"data/{PROBLEMS}"))
        for name, body in _tag_files(manifest, info, outcome.bytes):
            zf.writestr(f"{root}/{name}", body)
        yield sink.take()
    yield sink.take()


def _tag_files(manifest: list[tuple[str, str]], info: dict[str, str], octets: int) -> list[tuple[str, bytes]]:
    """bagit.txt, bag-info.txt, the payload manifest and the tag manifest, as bagit writes them."""
    lines = "".join(f"{sha}  {path}\n" for sha, path in sorted(manifest, key=lambda m: m[1]))
    fields = {**info, "Payload-Oxum": f"{octets}.{len(manifest)}", "Bag-Software-Agent": SOFTWARE}
    files = [
        ("bagit.txt", b"BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n"),
        ("bag-info.txt", "".join(f"{k}: {v}\n" for k, v in sorted(fields.items())).encode("utf-8")),
        ("manifest-sha256.txt", lines.encode("utf-8")),
    ]
    tags = "".join(f"{hashlib.sha256(body).hexdigest()}  {name}\n" for name, body in files)
    return [*files, ("tagmanifest-sha256.txt", tags.encode("utf-8"))]
