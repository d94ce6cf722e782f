"""Find the record folders of a release batch: a folder, or a .zip opened with care."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from .extract.safezip import ZipRefused, ZipTooLarge, open_zip
from .messages import N_, Refusal

MAX_BATCH_MEMBERS = 50_000
# zipfile reads the central directory whole and keeps a ZipInfo per entry: this bounds both
# (about 650 bytes a member at the member cap; names are the bulk of it)
MAX_BATCH_DIRECTORY = 32 * 1024 * 1024
MAX_BATCH_BYTES = 8 * 1024**3  # uncompressed, the whole batch
# uncompressed / compressed, one member: batches carry HWPX, PDF and DOCX (about 1) and text
# (3 to 10); a bomb of zeros reaches about 1000
MAX_MEMBER_RATIO = 100
# a batch is at most wrapper folders / record folder / file: deeper members are never read
MAX_MEMBER_DEPTH = 16


class BatchError(Refusal, Exception):
    """A batch that cannot be read at all (not one bad record): `BatchError(N_("%(path)s: …"), path=…, …)`.

    `str()` is the English `ingest` has always printed (`unreadable …`, `ingest --json`'s `unreadable`);
    a page words it in the reader's language, a refusal among its params (a ZipTooLarge) with it.
    """

    def listed(self) -> Unreadable:
        """`str(self)` as a report's `unreadable` lists it, the refusal kept on it for a page to word."""
        said = Unreadable(str(self))
        said.refusal = self
        return said


class Unreadable(str):
    """A refused batch in Report.unreadable: the command line's text, and (`refusal`) the BatchError."""

    refusal: BatchError | None = None


def record_folders(root: Path) -> list[Path]:
    """Return the record folders of a batch: each holds a record.json.

    A path that is itself a record folder is a batch of one; a batch wrapped in a single
    top folder (as zips often are) is unwrapped.
    """
    if (root / "record.json").is_file():
        return [root]
    # __MACOSX and dot-folders are what zip tools add, never records
    children = sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()
                      and p.name != "__MACOSX" and not p.name.startswith("."))
    found = [p for p in children if (p / "record.json").is_file()]
    if not found and len(children) == 1:
        return record_folders(children[0])
    return found


@contextmanager
def opened(path: Path, unpack_dir: Path | None = None) -> Iterator[Path]:
    """Yield a folder holding the batch at `path`, unpacking a zip into a temporary one.

    `unpack_dir`: where the temporary folder goes (a job's own folder, which the job layer
    removes after a killed worker; the system's temporary folder by default).
    """
    if path.is_dir():
        yield path
        return
    tmp = Path(tempfile.mkdtemp(prefix="yeollam-batch-", dir=unpack_dir))
    try:
        with _open_zip(path) as zf:
            _unpack(zf, path, tmp)
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _open_zip(path: Path) -> zipfile.ZipFile:
    """Open a batch zip, its central directory within the caps before zipfile lists it."""
    try:
        return open_zip(path, MAX_BATCH_MEMBERS, MAX_BATCH_DIRECTORY)
    except ZipTooLarge as exc:
        raise BatchError(N_("%(path)s: %(why)s"), path=str(path), why=exc) from exc
    except (ZipRefused, OSError) as exc:
        raise BatchError(N_("%(path)s: 폴더도 .zip 파일도 아닙니다"), path=str(path)) from exc


def _unpack(zf: zipfile.ZipFile, path: Path, into: Path) -> None:
    """Unpack a zip member by member, never writing outside `into` nor past the caps."""
    infos = zf.infolist()
    if len(infos) > MAX_BATCH_MEMBERS:  # checked by open_zip; kept as a last line
        raise BatchError(N_("%(path)s: 항목이 %(max)s개보다 많습니다"), path=str(path), max=MAX_BATCH_MEMBERS)
    budget = MAX_BATCH_BYTES
    files: set[tuple[str, ...]] = set()
    folders: set[tuple[str, ...]] = set()
    for info in infos:
        name = _member_name(_decoded_name(info))
        if name is None or info.is_dir() or len(name.parts) > MAX_MEMBER_DEPTH:
            continue  # traversal, absolute or too deep names are skipped: the record then lacks the file
        if info.compress_size and info.file_size / info.compress_size > MAX_MEMBER_RATIO:
            raise BatchError(N_("%(path)s: 항목 %(member)s은(는) 풀면 너무 커집니다 (압축 폭탄?)"), path=str(path),
                             member=repr(info.filename))
        if info.file_size > budget:
            raise BatchError(N_("%(path)s: 묶음을 풀면 %(max)s바이트를 넘습니다"), path=str(path), max=MAX_BATCH_BYTES)
        # a name that is a file in one member and a folder in another cannot be unpacked, and a
        # name given twice would leave on disk another file than a zip tool shows first
        parts = name.parts
        parents = [parts[:i] for i in range(1, len(parts))]
        if parts in folders or (clash := next((p for p in parents if p in files), None)):
            shown = "/".join(parts if parts in folders else clash)
            raise BatchError(N_("%(path)s: %(name)s은(는) zip 안에서 파일이면서 폴더입니다"), path=str(path),
                             name=repr(shown))
        if parts in files:
            raise BatchError(N_("%(path)s: 항목 %(member)s이(가) zip에 두 번 들어 있습니다"), path=str(path),
                             member=repr(str(name)))
        files.add(parts)
        folders.update(parents)
        target = into / name
        written = 0
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    if written > info.file_size:
                        raise BatchError(N_("%(path)s: 항목 %(member)s이(가) 적힌 크기보다 큽니다"), path=str(path),
                                         member=repr(info.filename))
                    out.write(chunk)
        except OSError as exc:  # e.g. a name too long for the file system, or the disk full
            raise BatchError(N_("%(path)s: 항목 %(member)s을(를) 풀 수 없습니다 (%(why)s)"), path=str(path),
                             member=repr(info.filename), why=str(exc.strerror or exc)) from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            # a damaged member, an unknown compression method, an encrypted member
            raise BatchError(N_("%(path)s: 항목 %(member)s을(를) 풀 수 없습니다 (%(why)s)"), path=str(path),
                             member=repr(info.filename), why=str(exc)) from exc
        budget -= written


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """Return a member's name; zips made on Korean Windows carry CP949 without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("cp949")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _member_name(raw: str) -> PurePosixPath | None:
    parts = PurePosixPath(raw.replace("\\", "/")).parts
    if not parts or raw.startswith("/") or any(p in ("..", "") for p in parts) or ":" in parts[0]:
        return None
    return PurePosixPath(*parts)
