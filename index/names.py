"""Agencies' full and short names, as data: data/agency-names.tsv and ARCHIVE_AGENCY_NAMES.

Readers type 부산시 for 부산광역시, 경기도청 for 경기도, 국토부 for 국토교통부. A query word that is
a known name also finds its other names (index.forms); an `agency:` filter with a short name is
read as the full name only when exactly one agency has it (index.lang says which, or refuses);
facet labels show the full name with its short one. Deployments add lines in files named by
ARCHIVE_AGENCY_NAMES (paths separated by os.pathsep, the format of the bundled file), read at the
first use in a process.
"""

from __future__ import annotations

import os
import unicodedata
from functools import lru_cache
from itertools import islice
from pathlib import Path

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "agency-names.tsv"
ENV = "ARCHIVE_AGENCY_NAMES"
OFFICE = "청"  # 경기도청, 서울시청, 구청: the office named for its agency
MAX_LINES = 10_000  # a table past this is a mistake, not a list of agencies


def key(name: str) -> str:
    """The form names are looked up by: NFKC, lower-cased, without spaces."""
    return "".join(unicodedata.normalize("NFKC", name).lower().split())


class Table:
    """Full names and their short names; every name maps to the full names it may stand for."""

    def __init__(self, lines):
        self.short: dict[str, list[str]] = {}  # full name -> its short names, in the file's order
        self.full: dict[str, list[str]] = {}  # key of any name -> the full names it stands for
        for n, line in enumerate(lines):
            if n >= MAX_LINES:
                break
            fields = [f.strip() for f in line.rstrip("\n").split("\t")]
            if not fields[0] or fields[0].startswith("#"):
                continue
            full, shorts = fields[0], [f for f in fields[1:] if f]
            self.short.setdefault(full, []).extend(s for s in shorts if s not in self.short.get(full, ()))
            for name in (full, *shorts):
                stands = self.full.setdefault(key(name), [])
                if full not in stands:
                    stands.append(full)

    def _lookup(self, name: str) -> tuple[list[str], str | None]:
        """The full names a name stands for, and the agency's name when it was typed as its office."""
        found = self.full.get(key(name))
        if found:
            return list(found), None
        office = name[: -len(OFFICE)] if name.endswith(OFFICE) and len(name) > 2 else ""
        found = self.full.get(key(office)) if office else None
        return (list(found), office) if found else ([], None)

    def full_names(self, name: str) -> list[str]:
        """The full names a name stands for (itself when it is one); [] when it is not known."""
        return self._lookup(name)[0]

    def others(self, name: str) -> list[str]:
        """Every other name of what a name stands for: full names first, then their short names."""
        fulls, office = self._lookup(name)
        out = [office] if office else []
        for full in fulls:
            out.extend([full, *self.short.get(full, [])])
        seen = {key(name)}
        return [n for n in out if not (key(n) in seen or seen.add(key(n)))]

    def label(self, full: str) -> str:
        """A facet label: the full name, with its first short name where it has one."""
        shorts = self.short.get(full)
        return f"{full} ({shorts[0]})" if shorts else full


@lru_cache(maxsize=4)
def _load(paths: tuple[str, ...]) -> Table:
    lines: list[str] = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            lines.extend(islice(handle, MAX_LINES))
    return Table(lines)


def table() -> Table:
    """The bundled table with the deployment's files added (read once per set of files)."""
    extra = [p for p in os.environ.get(ENV, "").split(os.pathsep) if p]
    return _load((str(BUNDLED), *extra))
