"""Zip packages (HWPX, DOCX, XLSX) opened with caps, their XML parsed with defusedxml."""

from __future__ import annotations

import zipfile
from pathlib import Path

from defusedxml import DefusedXmlException, ElementTree

from . import NoText
from .limits import MAX_XML_MEMBER, MAX_ZIP_DIRECTORY, MAX_ZIP_MEMBERS, MAX_ZIP_RATIO, MAX_ZIP_TOTAL
from .safezip import ZipRefused, ZipTooLarge, open_zip


def open_package_zip(path: Path) -> zipfile.ZipFile:
    """Open a package's zip within the member and directory caps: NoText("too_large") past
    them, NoText("corrupt") for what is no zip."""
    try:
        return open_zip(path, MAX_ZIP_MEMBERS, MAX_ZIP_DIRECTORY)
    except ZipTooLarge as exc:
        raise NoText("too_large") from exc
    except (ZipRefused, zipfile.BadZipFile, OSError) as exc:
        raise NoText("corrupt") from exc


class Package:
    """A zip package whose members are read only within the limits."""

    def __init__(self, path: Path):
        self.zip = open_package_zip(path)
        infos = self.zip.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:  # checked by open_package_zip; kept as a last line
            self.zip.close()
            raise NoText("too_large")
        self.infos = {info.filename: info for info in infos}
        self.budget = MAX_ZIP_TOTAL

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def names(self) -> list[str]:
        return list(self.infos)

    def read(self, name: str) -> bytes:
        """Read one member, refusing one that would expand past the caps (a zip bomb)."""
        info = self.infos.get(name)
        if info is None:
            raise KeyError(name)
        declared = info.file_size
        if declared > MAX_XML_MEMBER or declared > self.budget:
            raise NoText("too_large")
        if info.compress_size and declared / info.compress_size > MAX_ZIP_RATIO:
            raise NoText("too_large")
        # The declared size can lie: read at most one byte past it and check.
        with self.zip.open(info) as member:
            data = member.read(declared + 1)
        if len(data) > declared:
            raise NoText("too_large")
        self.budget -= len(data)
        return data

    def preflight(self) -> None:
        """Check a package before another library opens it: sizes within caps, XML inert.

        python-docx and openpyxl open the zip themselves; this vets every member first
        (declared sizes bound what zipfile will inflate) and parses every XML part with
        defusedxml, so an entity bomb is refused before their parsers see it.
        """
        total = 0
        for info in self.infos.values():
            total += info.file_size
            ratio = info.file_size / info.compress_size if info.compress_size else 1
            if total > MAX_ZIP_TOTAL or info.file_size > MAX_XML_MEMBER or ratio > MAX_ZIP_RATIO:
                raise NoText("too_large")
        for name in self.infos:
            if name.endswith((".xml", ".rels")):
                self.xml(name)

    def xml(self, name: str):
        """Parse one member as XML; entity declarations are refused (defusedxml)."""
        try:
            return ElementTree.fromstring(self.read(name), forbid_dtd=True)
        except (ElementTree.ParseError, DefusedXmlException) as exc:
            raise NoText("corrupt") from exc


def local(tag) -> str:
    """Return an element's tag without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
