"""The registry of file formats: each reader module declares what it reads; nothing else lists them.

A new format is one module in this package with a `FORMATS` tuple of `Format`s: its suffix, name,
media type, reader, and how its bytes show it (leading magic bytes, or the member names of a zip
package). The registry finds the modules itself, so no table elsewhere can fall out of step with
them. Declaring modules keep heavy parsers' imports inside their read functions: the registry is
read in the web process, the readers run in the extraction guard's child.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache


@dataclass(frozen=True)
class Format:
    suffix: str  # ".hwpx", lower case, with the dot
    name: str  # how a reader sees it named: "HWPX"
    media_type: str
    read: str | None = None  # the declaring module's function: path -> (text, pages); None: no text
    magic: tuple[bytes, ...] = ()  # leading bytes that say this format, whatever the name says
    zip_members: Callable[[frozenset[str]], bool] | None = None  # a zip package's names say it
    in_place: bool = False  # small files of it are read in the web process (plain text only)
    module: str = ""  # filled in by the registry


# Types served with a media type but never read for text.
OTHER = (Format(".zip", "ZIP", "application/zip"),)


@cache
def registry() -> dict[str, Format]:
    """Every declared format by suffix; a suffix declared twice is a programming error."""
    package = importlib.import_module(__package__)
    found: dict[str, Format] = {}
    declared = [(f, "") for f in OTHER]
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__package__}.{info.name}")
        declared += [(f, module.__name__) for f in getattr(module, "FORMATS", ())]
    for fmt, module_name in declared:
        if fmt.suffix in found:
            raise RuntimeError(f"format {fmt.suffix} declared twice ({module_name})")
        found[fmt.suffix] = replace(fmt, module=module_name)
    return found


def readable() -> dict[str, Format]:
    return {suffix: fmt for suffix, fmt in registry().items() if fmt.read}


def by_magic(head: bytes) -> str | None:
    """The suffix whose magic bytes start `head`, or None."""
    for fmt in registry().values():
        if fmt.magic and head.startswith(fmt.magic):
            return fmt.suffix
    return None


def by_zip_members(names: frozenset[str]) -> str | None:
    """The suffix a zip package's member names show, or None (a plain zip)."""
    for fmt in registry().values():
        if fmt.zip_members is not None and fmt.zip_members(names):
            return fmt.suffix
    return None


def reader_of(suffix: str) -> Callable:
    fmt = registry()[suffix]
    return getattr(importlib.import_module(fmt.module), fmt.read)
