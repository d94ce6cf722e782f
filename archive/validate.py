"""Check a record.json against the batch schema and the rules of release-batch.md."""

from __future__ import annotations

import json
import re
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


# Characters no metadata string may hold: controls (they make the feed malformed XML and a
# download's headers impossible), lone surrogates (no encoding can carry them) and
# noncharacters. Long text (a summary, a note) may hold tabs and line breaks; a one-line
# field may not.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(chr(p << 16 | 0xFFFE) + chr(p << 16 | 0xFFFF) for p in range(17))
_BAD_IN_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
_BAD_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{_NONCHARACTERS}]")
_LONG_TEXT = {("summary",), ("attachments", "note")}
# Bidirectional controls reorder what is shown: "보고서\u202excod.exe" shows as "보고서exe.docx".
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _describe(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        kind = "a lone surrogate"
    elif code & 0xFFFE == 0xFFFE or 0xFDD0 <= code <= 0xFDEF:
        kind = "a noncharacter"
    elif char in "\u2028\u2029" or char in "\t\n\r":
        kind = "a line break or tab"
    elif _BIDI.match(char):
        kind = "a bidirectional control"
    elif unicodedata.category(char) == "Cf":
        kind = "an invisible formatting character"
    else:
        kind = "a control character"
    return f"U+{code:04X} ({kind})"


def _strings(value, path=()):
    """Yield (path, string) for every string in a record.json (its keys the schema checks)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _strings(inner, (*path, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _strings(inner, (*path, i))


def character_problems(data: dict) -> list[str]:
    """Return a problem for each string of a record that holds a character no metadata may hold
    (attachment file names: `name_problem`)."""
    problems = []
    for path, value in _strings(data):
        fields = tuple(p for p in path if isinstance(p, str))
        if fields == ("attachments", "file"):
            continue
        pattern = _BAD_IN_TEXT if fields in _LONG_TEXT else _BAD_IN_LINE
        if m := pattern.search(value):
            problems.append(f"{_where(path)}: {_describe(m.group())} at character {m.start() + 1} is not allowed")
    return problems


def name_problem(name: str) -> str | None:
    """Return why a file name could disguise itself or break a download, or None.

    Controls (CR/LF would break the download's headers) and invisible formatting characters
    (bidirectional controls reorder the name as shown, so that an .exe reads as .docx).
    """
    for char in name:
        if _BAD_IN_LINE.match(char) or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            return f"{name!r} holds {_describe(char)}, not allowed in a file name"
    return None


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


def _attachment_problems(where: str, att: dict, folder: Path, names: set[str]) -> list[str]:
    """The problems of one attachment entry; `names` collects the NFC names seen so far."""
    problems = []
    name = att["file"]
    if m := _BIDI.search(att.get("title", "")):
        problems.append(f"{where}.title: {_describe(m.group())} at character {m.start() + 1} is not allowed"
                        " (it can make the title show another file type)")
    if unsafe_name(name):
        return problems + [f"{where}.file: unsafe file name {name!r} (no /, \\, .. or absolute paths)"]
    if bad := name_problem(name):
        return problems + [f"{where}.file: {bad}"]
    if unicodedata.normalize("NFC", name) in names:
        problems.append(f"{where}.file: {name!r} is named twice")
    names.add(unicodedata.normalize("NFC", name))
    if find_file(folder, name) is None:
        problems.append(f"{where}.file: {name!r} is not a file in the record folder")
    if att["disclosure"] == "public" and att.get("grounds"):
        problems.append(f"{where}.grounds: a public attachment has no grounds")
    if bad := unknown_grounds(att.get("grounds", [])):
        problems.append(f"{where}.grounds: unknown ground(s) {bad}")
    return problems


def problems_of(data, folder: Path) -> list[str]:
    """Return every problem of one record as 'field: reason'; empty when it may go in."""
    if not isinstance(data, dict):
        return ["record: record.json must hold a JSON object"]
    schema_errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    problems = [f"{_where(e.absolute_path)}: {e.message}" for e in schema_errors]
    if problems:
        return problems
    problems = character_problems(data)

    attachments = data.get("attachments", [])
    names: set[str] = set()
    for i, att in enumerate(attachments, start=1):
        problems += _attachment_problems(f"attachments[{i}]", att, folder, names)
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
