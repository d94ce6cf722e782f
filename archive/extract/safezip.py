"""Open a zip only after its end records show a central directory within caps.

zipfile reads the whole central directory into memory and makes one ZipInfo per entry before
anyone can count them: a 53 MB zip listing a million entries cost 580 MB just to open. Every
place that opens a zip (batches, HWPX/DOCX/XLSX/ODT packages, sniffing) goes through
`open_zip`, which reads the end-of-central-directory record (zip64 included) the way zipfile
will, refuses a directory claiming too many entries or bytes, then walks the directory's
entry headers without keeping them (the count in the end record can lie) and only then lets
zipfile list it, from the same open file.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from ..messages import N_, Refusal

_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # zipfile.structCentralDir
_CENTRAL_MAGIC = b"PK\x01\x02"


class ZipRefused(Refusal, Exception):
    """A file that cannot be opened as a zip: `ZipRefused(N_("…"), …)`, a Korean msgid and its params.

    `str()` is the English the command line has always printed; a page words it in the reader's language.
    """


class ZipTooLarge(ZipRefused):
    """A zip whose central directory is past the caps; the message says which."""


class _OwnedZip(zipfile.ZipFile):
    """A ZipFile over a file object it owns: closing the zip closes the file."""

    def __init__(self, fp):
        self._owned = fp
        super().__init__(fp)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._owned.close()


def check_directory(fp, max_members: int, max_directory: int) -> None:
    """Raise ZipTooLarge unless the zip open in `fp` has at most `max_members` entries in at most
    `max_directory` bytes of central directory, ZipRefused if it is no zip; never reads more
    than one entry header at a time."""
    try:
        # zipfile's own reader of the end records, so that the record checked is the one used
        endrec = zipfile._EndRecData(fp)
    except OSError as exc:
        raise ZipRefused(N_("zip 파일이 아닙니다 (%(why)s)"), why=str(exc)) from exc
    if not endrec:
        raise ZipRefused(N_("zip 파일이 아닙니다 (중앙 디렉터리의 끝 레코드가 없습니다)"))
    entries = endrec[zipfile._ECD_ENTRIES_TOTAL]
    size_cd, offset_cd = endrec[zipfile._ECD_SIZE], endrec[zipfile._ECD_OFFSET]
    if entries > max_members:
        raise ZipTooLarge(N_("목록에 항목이 %(n)s개 있어 %(max)s개보다 많습니다"), n=entries, max=max_members)
    if size_cd > max_directory:
        raise ZipTooLarge(N_("중앙 디렉터리가 %(size)s바이트로 %(max)s바이트보다 큽니다"), size=size_cd,
                          max=max_directory)
    # where zipfile will start reading the directory (_RealGetContents)
    concat = endrec[zipfile._ECD_LOCATION] - size_cd - offset_cd
    if endrec[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64:
        concat -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator
    start = offset_cd + concat
    if start < 0:
        raise ZipRefused(N_("zip 파일이 아닙니다 (중앙 디렉터리의 위치가 잘못되었습니다)"))
    fp.seek(start)
    total = count = 0
    while total < size_cd:
        header = fp.read(_CENTRAL.size)
        if len(header) != _CENTRAL.size or header[:4] != _CENTRAL_MAGIC:
            raise ZipRefused(N_("zip 파일이 아닙니다 (중앙 디렉터리가 손상되었습니다)"))
        count += 1
        if count > max_members:
            raise ZipTooLarge(N_("목록의 항목이 %(max)s개보다 많습니다"), max=max_members)
        fields = _CENTRAL.unpack(header)
        skip = sum(fields[i] for i in (zipfile._CD_FILENAME_LENGTH, zipfile._CD_EXTRA_FIELD_LENGTH,
                                       zipfile._CD_COMMENT_LENGTH))
        fp.seek(skip, 1)
        total += _CENTRAL.size + skip


def open_zip(path: Path, max_members: int, max_directory: int) -> zipfile.ZipFile:
    """Open a zip for reading once its central directory is known to be within the caps.

    Raises ZipTooLarge past the caps, ZipRefused for what is no zip (the message says why), or
    OSError for a file that cannot be read.
    """
    fp = open(path, "rb")  # owned by the ZipFile returned
    try:
        check_directory(fp, max_members, max_directory)
        return _OwnedZip(fp)
    except zipfile.BadZipFile as exc:
        fp.close()
        raise ZipRefused(N_("zip 파일이 아닙니다 (%(why)s)"), why=str(exc)) from exc
    except BaseException:
        fp.close()
        raise
