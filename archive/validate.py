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
from .messages import N_, Words, english


class Problem(str):
    """One reason a record is rejected: the English `ingest` has always printed (the str itself), and
    its Korean msgid and params (`msgid`, `params`), for a page to word in the reader's language.

    A param may be a Problem itself (a file name's problem inside its field's) or catalog Words.
    """

    msgid: str
    params: dict

    def __new__(cls, msgid: str, /, **params):
        said = super().__new__(cls, _word(english, msgid, params))
        said.msgid, said.params = msgid, params
        return said

    def __reduce__(self):
        # pickled as its msgid and params (ingest's read-ahead child sends them), not its English
        return _problem, (self.msgid, self.params)

    def as_json(self) -> dict:
        """`{"msgid": …, "params": {…}}`, as a job's stored message (archive.store.jobs.JobMessage reads it)."""
        return {"msgid": self.msgid, "params": {k: v.as_json() if isinstance(v, Problem) else
                                                {"words": list(v)} if isinstance(v, Words) else v
                                                for k, v in self.params.items()}}


def _problem(msgid: str, params: dict) -> Problem:
    return Problem(msgid, **params)


def _word(translate, msgid: str, params: dict) -> str:
    return translate(msgid) % {k: _word(translate, v.msgid, v.params) if isinstance(v, Problem) else
                               ", ".join(translate(w) for w in v) if isinstance(v, Words) else v
                               for k, v in params.items()}


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


def _describe(char: str) -> dict:
    """The params `char` ("U+202E") and `kind` (catalog words) that say which character it is."""
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        kind = N_("짝이 없는 서로게이트")
    elif code & 0xFFFE == 0xFFFE or 0xFDD0 <= code <= 0xFDEF:
        kind = N_("비문자")
    elif char in "\u2028\u2029" or char in "\t\n\r":
        kind = N_("줄바꿈이나 탭")
    elif _BIDI.match(char):
        kind = N_("양방향 제어 문자")
    elif unicodedata.category(char) == "Cf":
        kind = N_("보이지 않는 서식 문자")
    else:
        kind = N_("제어 문자")
    return {"char": f"U+{code:04X}", "kind": Words([kind])}


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
            problems.append(Problem(N_("%(where)s: %(char)s(%(kind)s): %(at)s번째 글자로 쓸 수 없습니다"),
                                    where=_where(path), at=m.start() + 1, **_describe(m.group())))
    return problems


def name_problem(name: str) -> Problem | None:
    """Return why a file name could disguise itself or break a download, or None.

    Controls (CR/LF would break the download's headers) and invisible formatting characters
    (bidirectional controls reorder the name as shown, so that an .exe reads as .docx).
    """
    for char in name:
        if _BAD_IN_LINE.match(char) or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            return Problem(N_("%(name)s에 %(char)s(%(kind)s)이(가) 있습니다: 파일 이름에 쓸 수 없습니다"),
                           name=repr(name), **_describe(char))
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
        problems.append(Problem(N_("%(where)s.title: %(char)s(%(kind)s): %(at)s번째 글자로 쓸 수 없습니다 "
                                   "(제목이 다른 파일 형식처럼 보일 수 있습니다)"),
                                where=where, at=m.start() + 1, **_describe(m.group())))
    if unsafe_name(name):
        return problems + [Problem(N_("%(where)s.file: 안전하지 않은 파일 이름 %(name)s "
                                      "(/, \\, .., 절대 경로는 쓸 수 없습니다)"), where=where, name=repr(name))]
    if bad := name_problem(name):
        return problems + [Problem(N_("%(where)s.file: %(why)s"), where=where, why=bad)]
    if unicodedata.normalize("NFC", name) in names:
        problems.append(Problem(N_("%(where)s.file: %(name)s이(가) 두 번 나옵니다"), where=where, name=repr(name)))
    names.add(unicodedata.normalize("NFC", name))
    if find_file(folder, name) is None:
        problems.append(Problem(N_("%(where)s.file: %(name)s은(는) 기록 폴더의 파일이 아닙니다"),
                                where=where, name=repr(name)))
    if att["disclosure"] == "public" and att.get("grounds"):
        problems.append(Problem(N_("%(where)s.grounds: 공개 첨부파일에는 비공개 근거를 적지 않습니다"), where=where))
    if bad := unknown_grounds(att.get("grounds", [])):
        problems.append(Problem(N_("%(where)s.grounds: 알 수 없는 근거 %(grounds)s"), where=where, grounds=str(bad)))
    return problems


def problems_of(data, folder: Path) -> list[str]:
    """Return every problem of one record as 'field: reason'; empty when it may go in."""
    if not isinstance(data, dict):
        return [Problem(N_("record: record.json에는 JSON 객체가 있어야 합니다"))]
    schema_errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    # the schema's own reasons are jsonschema's English: a param, as they read
    problems = [Problem(N_("%(path)s: %(why)s"), path=_where(e.absolute_path), why=e.message) for e in schema_errors]
    if problems:
        return problems
    problems = character_problems(data)

    attachments = data.get("attachments", [])
    names: set[str] = set()
    for i, att in enumerate(attachments, start=1):
        problems += _attachment_problems(f"attachments[{i}]", att, folder, names)
    if bad := unknown_grounds(data.get("withheld_grounds", [])):
        problems.append(Problem(N_("withheld_grounds: 알 수 없는 근거 %(grounds)s"), grounds=str(bad)))
    for code in data.get("licences", []):
        if licence(code) is None:
            problems.append(Problem(N_("licences: 알 수 없는 이용허락 코드 %(code)s"), code=repr(code)))

    derived = derive_level(
        (Disclosure(a["disclosure"]) for a in attachments), bool(data.get("withheld_grounds"))
    )
    declared = data.get("disclosure")
    if declared and declared != derived.value:
        problems.append(Problem(N_("disclosure: %(declared)s(으)로 적혔지만 첨부파일로 보면 %(derived)s입니다"),
                                declared=repr(declared), derived=repr(derived.value)))
    return problems
