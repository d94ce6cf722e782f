"""The model behind tests/test_model.py: what the public may see, worked out from the batch rules alone.

Nothing here reads the store or the index. The model knows what every record was sent as, what
every clerk command said it did, and the rules of ../shared/spec and docs/interface-additions.md:

- a file is withheld where the agency says so, or where its record is withheld as a whole;
- content withheld anywhere is withheld everywhere (the same bytes in another record);
- a clerk's withhold follows the content until a clerk releases it in the record where it was made;
- a re-send of a record carrying a clerk's withhold, a file held for review or personal data no
  clerk has cleared holds every file it calls public that was not public byte for byte before.

From these it says which canaries (unique strings in the files and summaries) must not be visible
at all, and which are certainly public (liveness: a plain record nobody acted on is findable).

It is also a pytest plugin: `-p tests.model_support --hypothesis-profile=deep` registers the
profiles before hypothesis's plugin loads one (they are registered again when the test imports
this module; `YEOLLAM_HYPOTHESIS_PROFILE=deep` picks a profile without `-p`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import unicodedata
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings

# -- profiles --------------------------------------------------------------------------------

PROFILE_ENV = "YEOLLAM_HYPOTHESIS_PROFILE"
STRICT_ENV = "YEOLLAM_MODEL_STRICT"
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
                 HealthCheck.filter_too_much]
# no example database: runs depend on timing (the crash rule) and .hypothesis/ is not ignored by git
settings.register_profile("ci", max_examples=15, stateful_step_count=20, deadline=None, database=None,
                          suppress_health_check=_SLOW_IS_FINE)
settings.register_profile("deep", max_examples=200, stateful_step_count=50, deadline=None, database=None,
                          suppress_health_check=_SLOW_IS_FINE)
# the machine with real SIGKILLs: each crash costs a process start (2-4 s), so far fewer runs
CRASH_RUNS = {"ci": {"max_examples": 3, "stateful_step_count": 10},
              "deep": {"max_examples": 25, "stateful_step_count": 25}}
RENDITIONS = {"ci": 1, "deep": 4}  # PDF renditions made per run (about a second each)


def profile_name() -> str:
    """The profile to run: the environment's, else one loaded by --hypothesis-profile, else ci."""
    name = os.environ.get(PROFILE_ENV) or settings.get_current_profile_name()
    return name if name in CRASH_RUNS else "ci"


def strict() -> bool:
    """Also assert two readings the product does not follow today (see README, Tests)."""
    return os.environ.get(STRICT_ENV, "") not in ("", "0")


# -- canaries and contents ---------------------------------------------------------------------

_serial = itertools.count(1)  # unique over the whole run, so no two stores share a canary
SYLLABLES = "갈녹돔럭뭉벅숲앵잦촉쿵퉁퓨흑굽늪"  # 16 syllables, no particle among them
LETTERS = "GHJKMN"  # between the hex digits: no run of digits, so no canary looks like a phone number


@dataclass(frozen=True)
class Canary:
    """A unique string in Latin (one search token) and in Korean (bigrams, searchable in parts)."""

    latin: str
    korean: str

    @property
    def part(self) -> str:
        """Four of the six syllables: what the HTML search is asked (the page echoes the query)."""
        return self.korean[1:5]


def new_canary() -> Canary:
    n = next(_serial)
    digits = f"{(n * 0x9E3779) % 16**6:06X}"  # a bijection on 24 bits: every n its own canary
    return Canary("CANARY" + "".join(LETTERS[i] + d for i, d in enumerate(digits)),
                  "".join(SYLLABLES[int(d, 16)] for d in digits))


@dataclass(frozen=True)
class Content:
    """The bytes of one file (UTF-8 text) and the canaries in it."""

    cid: int
    text: str
    canaries: tuple[Canary, ...]
    pii: bool  # holds a private mobile number (archive.pii flags it)

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")

    @property
    def sha(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def label(self) -> str:
        return f"c{self.cid}[{','.join(k.latin for k in self.canaries)}{' +pii' if self.pii else ''}]"


def _line(canary: Canary, lead: str) -> str:
    # 공통어휘 is in every file: a search for it returns every record with a snippet next to a canary
    return f"{lead} 공통어휘 {canary.korean} 문서 {canary.latin} 입니다.\n"


def _pii_line(cid: int) -> str:
    return f"민원인 휴대전화 010-{1000 + cid % 9000:04d}-{(cid * 7919) % 10000:04d}\n"


def make_content(cid: int, *, pii: bool = False, base: Content | None = None) -> Content:
    """A new file, or `base` edited: a line (and a new canary) appended, perhaps a phone number."""
    canary = new_canary()
    if base is None:
        text, canaries, had_pii = _line(canary, "본문"), (canary,), False
    else:
        text, canaries, had_pii = base.text + _line(canary, "추가"), (*base.canaries, canary), base.pii
    if pii and not had_pii:
        text += _pii_line(cid)
    return Content(cid, text, canaries, had_pii or pii)


# -- what an agency sends ----------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One attachment as the agency sends it."""

    name: str  # as record.json names it (NFD sometimes)
    disk: str  # the file's name in the folder (NFD sometimes, as zips from a Mac have it)
    cid: int
    public: bool
    grounds: tuple[int, ...] = ()


@dataclass(frozen=True)
class Version:
    """One record as the agency sends it."""

    rid: str
    title: str
    atts: tuple[Sent, ...]
    whole: bool = False  # withheld as a whole (withheld_grounds)
    summary: Canary | None = None

    def data(self) -> dict:
        data = {"id": self.rid, "title": self.title, "kind": "결재문서", "agency": "모델시",
                "department": "기록관리과", "produced": "2024-03-01", "licences": ["KOGL-1"],
                "attachments": [{"file": a.name, "disclosure": "public"} if a.public else
                                {"file": a.name, "disclosure": "withheld", "grounds": list(a.grounds)}
                                for a in self.atts]}
        if self.summary:
            data["summary"] = f"요약 {self.summary.korean} 설명 {self.summary.latin}"
        if self.whole:
            data["withheld_grounds"] = [4]
        return data

    def files(self, contents: dict[int, Content]) -> dict[str, bytes]:
        return {a.disk: contents[a.cid].data for a in self.atts}

    def key(self, contents: dict[int, Content]) -> tuple:
        """What the ingest's digest covers: record.json and the files' bytes (not their disk names)."""
        return (json.dumps(self.data(), sort_keys=True, ensure_ascii=False),
                tuple(contents[a.cid].sha for a in self.atts))

    def describe(self, contents: dict[int, Content]) -> str:
        parts = [f"{a.name!r}{'' if a.name == unicodedata.normalize('NFC', a.name) else ' (NFD)'}"
                 f"{' disk NFD' if a.disk != a.name else ''} "
                 f"{'public' if a.public else 'withheld' + str(list(a.grounds))} {contents[a.cid].label}"
                 for a in self.atts]
        head = f"{self.rid} {self.title!r}{' WHOLE-WITHHELD' if self.whole else ''}"
        if self.summary:
            head += f" summary {self.summary.latin}"
        return head + ": " + "; ".join(parts)


def nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def nfd(name: str) -> str:
    return unicodedata.normalize("NFD", name)


# -- the model ---------------------------------------------------------------------------------


@dataclass
class Row:
    """One attachment as the portal holds it after ingest and clerks."""

    cid: int
    public: bool
    name: str
    hold: bool = False  # withheld for review (재송부 검토 대기)


@dataclass
class Rec:
    sent: Version
    rows: list[Row]
    version: int
    key: tuple
    touched: bool  # a clerk acted on it, a file of it was held, or it held personal data


@dataclass
class Model:
    contents: dict[int, Content] = field(default_factory=dict)
    records: dict[str, Rec] = field(default_factory=dict)
    clerk_withheld: set[tuple[int, str]] = field(default_factory=set)  # (content, record it was made in)
    cleared: set[tuple[int, str]] = field(default_factory=set)  # personal data a clerk released
    ever_hidden: set[int] = field(default_factory=set)  # contents withheld at some moment while stored
    summaries: list[Canary] = field(default_factory=list)  # every summary canary ever sent
    withdrawn: set[str] = field(default_factory=set)  # records off every public path (issue 14)
    strict: bool = False

    # -- contents --------------------------------------------------------------------------

    def new_content(self, *, pii: bool = False, base: Content | None = None) -> Content:
        content = make_content(len(self.contents) + 1, pii=pii, base=base)
        self.contents[content.cid] = content
        return content

    def holders(self, cid: int) -> list[str]:
        return sorted(rid for rid, rec in self.records.items() if any(r.cid == cid for r in rec.rows))

    def public_holders(self, cid: int) -> list[str]:
        """The holders the public may see at all: a withdrawn record shows nothing (its rows still withhold)."""
        return [rid for rid in self.holders(cid) if rid not in self.withdrawn]

    def withheld_anywhere(self, cid: int) -> bool:
        """The same bytes withheld in some record (by agency, whole record, hold or clerk) or by a clerk."""
        if any(c == cid for c, _ in self.clerk_withheld):
            return True
        return any(rec.sent.whole or not row.public
                   for rec in self.records.values() for row in rec.rows if row.cid == cid)

    def hidden(self, cid: int) -> bool:
        """The public may not see this file anywhere: in no record, or withheld in one."""
        return not self.public_holders(cid) or self.withheld_anywhere(cid)

    def summary_hidden(self, rid: str) -> bool:
        rec = self.records[rid]
        return rid in self.withdrawn or rec.sent.whole or all(self.hidden(r.cid) for r in rec.rows)

    def all_canaries(self) -> set[Canary]:
        return {k for c in self.contents.values() for k in c.canaries} | set(self.summaries)

    def possibly_public(self) -> set[Canary]:
        shown = {k for c in self.contents.values() if not self.hidden(c.cid) for k in c.canaries}
        shown |= {rec.sent.summary for rid, rec in self.records.items()
                  if rec.sent.summary and not self.summary_hidden(rid)}
        return shown

    def hidden_canaries(self) -> set[Canary]:
        """Canaries no public file or summary holds: they must not be visible anywhere."""
        return self.all_canaries() - self.possibly_public()

    def certainly_public(self) -> set[int]:
        """Contents the public must be able to find: plain files of records nobody acted on.

        Never withheld while stored (strict: or withheld once, the withholding copy gone since),
        no personal data, and every record holding them untouched by clerks and holds.
        """
        sure = set()
        for cid, content in self.contents.items():
            holders = self.public_holders(cid)
            if (holders and not self.hidden(cid) and not content.pii
                    and (self.strict or cid not in self.ever_hidden)
                    and not any(self.records[rid].touched for rid in holders)):
                sure.add(cid)
        return sure

    def settle(self) -> None:
        """After every step: remember which stored contents are withheld now."""
        self.ever_hidden |= {cid for cid in self.contents if self.holders(cid) and self.withheld_anywhere(cid)}

    # -- ingest ----------------------------------------------------------------------------

    def status_of(self, version: Version) -> str:
        prev = self.records.get(version.rid)
        if prev is None:
            return "added"
        return "unchanged" if prev.key == version.key(self.contents) else "replaced"

    def _resend_held(self, rid: str, prev: Rec) -> bool:
        clerks = any(r == rid for _, r in self.clerk_withheld)
        if self.strict:  # the record carries a clerk's withhold made in another record, too
            clerks = clerks or any((row.cid, other) in self.clerk_withheld
                                   for row in prev.rows for other in self.records)
        reviewing = any(row.hold for row in prev.rows)
        uncleared = any(self.contents[row.cid].pii and (row.cid, rid) not in self.cleared for row in prev.rows)
        return clerks or reviewing or uncleared

    def ingest(self, version: Version) -> tuple[str, list[str]]:
        """Apply one record of a batch; return its status and the files held for review."""
        status = self.status_of(version)
        if status == "unchanged":
            return status, []
        prev = self.records.get(version.rid)
        rows = [Row(a.cid, a.public, a.name) for a in version.atts]
        held = []
        if prev is not None and not version.whole and self._resend_held(version.rid, prev):
            decided = {c for c, r in self.clerk_withheld if r == version.rid}
            public_before = {row.cid for row in prev.rows
                             if not prev.sent.whole and not self.withheld_anywhere(row.cid)}
            for row in rows:
                if not row.public:
                    continue
                if row.cid in decided:  # the very bytes a clerk withheld here: kept withheld
                    row.public = False
                elif row.cid not in public_before:
                    row.public, row.hold = False, True
                    held.append(row.name)
        touched = ((prev.touched if prev else False) or bool(held)
                   or any(self.contents[a.cid].pii for a in version.atts))
        self.records[version.rid] = Rec(version, rows, prev.version + 1 if prev else 1,
                                        version.key(self.contents), touched)
        if version.summary is not None and version.summary not in self.summaries:
            self.summaries.append(version.summary)
        return status, held

    def adopt_holds(self, rid: str, names: list[str]) -> None:
        """The portal held more than the model predicted: be as careful as it was."""
        rec, names = self.records[rid], {nfc(n) for n in names}  # the portal keeps names in NFC
        for row in rec.rows:
            if nfc(row.name) in names and row.public:
                row.public, row.hold = False, True
                rec.touched = True

    # -- clerks ----------------------------------------------------------------------------

    def withheld_by_clerk(self, rid: str, n: int) -> None:
        rec = self.records[rid]
        row = rec.rows[n - 1]
        row.public, row.hold = False, False
        self.clerk_withheld.add((row.cid, rid))
        rec.touched = True

    def released_by_clerk(self, rid: str, n: int, confirmed: bool) -> None:
        rec = self.records[rid]
        row = rec.rows[n - 1]
        row.public, row.hold = True, False
        self.clerk_withheld.discard((row.cid, rid))
        if confirmed:
            self.cleared.add((row.cid, rid))
        rec.touched = True
