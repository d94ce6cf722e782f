"""Check a record.json against the batch schema and the rules of release-batch.md."""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

from .disclosure import Disclosure, derive_level, unknown_grounds
from .licences import licence


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(resources.files(__package__).joinpath("schema/record.schema.json").read_text())
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _where(path) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "record"


def unsafe_name(name: str) -> bool:
    """Return whether an attachment name could escape its record folder."""
    return (
        "/" in name or "\\" in name or ".." in name or name.startswith("~")
        or Path(name).is_absolute() or name in (".", "") or "\x00" in name
    )


def find_file(folder: Path, name: str) -> Path | None:
    """Return the regular file `name` in a record folder, or None.

    Zips made on a Mac carry Korean names decomposed (NFD) while record.json has them
    composed (NFC): the name matches in either form. Links are never followed.
    """
    target = folder / name
    if target.is_file() and not target.is_symlink():
        return target
    wanted = unicodedata.normalize("NFC", name)
    for candidate in folder.iterdir():
        if unicodedata.normalize("NFC", candidate.name) == wanted:
            return candidate if candidate.is_file() and not candidate.is_symlink() else None
    return None


def problems_of(data, folder: Path) -> list[str]:
    """Return every problem of one record as 'field: reason'; empty when it may go in."""
    if not isinstance(data, dict):
        return ["record: record.json must hold a JSON object"]
    schema_errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    problems = [f"{_where(e.absolute_path)}: {e.message}" for e in schema_errors]
    if problems:
        return problems

    attachments = data.get("attachments", [])
    names = set()
    for i, att in enumerate(attachments, start=1):
        name = att["file"]
        where = f"attachments[{i}]"
        if unsafe_name(name):
            problems.append(f"{where}.file: unsafe file name {name!r} (no /, \\, .. or absolute paths)")
            continue
        if unicodedata.normalize("NFC", name) in names:
            problems.append(f"{where}.file: {name!r} is named twice")
        names.add(unicodedata.normalize("NFC", name))
        if find_file(folder, name) is None:
            problems.append(f"{where}.file: {name!r} is not a file in the record folder")
        if att["disclosure"] == "public" and att.get("grounds"):
            problems.append(f"{where}.grounds: a public attachment has no grounds")
        if bad := unknown_grounds(att.get("grounds", [])):
            problems.append(f"{where}.grounds: unknown ground(s) {bad}")
    if bad := unknown_grounds(data.get("withheld_grounds", [])):
        problems.append(f"withheld_grounds: unknown ground(s) {bad}")
    for code in data.get("licences", []):
        if licence(code) is None:
            problems.append(f"licences: unknown licence code {code!r}")

    derived = derive_level(
        (Disclosure(a["disclosure"]) for a in attachments), bool(data.get("withheld_grounds"))
    )
    declared = data.get("disclosure")
    if declared and declared != derived.value:
        problems.append(
            f"disclosure: declared {declared!r} but the parts make it {derived.value!r}"
        )
    return problems
