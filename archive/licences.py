"""Licence codes: the KOGL types and Creative Commons licences a record may carry."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TERMS_FILE = Path(__file__).resolve().parent.parent / "data" / "licence-terms.json"


@dataclass(frozen=True)
class Licence:
    """A licence as the record page and the JSON show it."""

    code: str
    name: str
    conditions_ko: str
    conditions_en: str
    url: str
    badge: str  # short text of the badge: the KOGL type or the CC elements


_KOGL = {
    "KOGL-1": ("출처표시", "attribution"),
    "KOGL-2": ("출처표시 + 상업적 이용금지", "attribution, non-commercial"),
    "KOGL-3": ("출처표시 + 변경금지", "attribution, no derivatives"),
    "KOGL-4": ("출처표시 + 상업적 이용금지 + 변경금지", "attribution, non-commercial, no derivatives"),
}
_CC_PARTS = {
    "BY": ("저작자표시", "attribution"),
    "SA": ("동일조건변경허락", "share alike"),
    "ND": ("변경금지", "no derivatives"),
    "NC": ("비영리", "non-commercial"),
}
_CC_VERSIONS = {"1.0", "2.0", "2.5", "3.0", "4.0"}
_CC_RE = re.compile(r"^CC-(BY(?:-NC)?(?:-ND|-SA)?)-(\d\.\d)$")


def licence(code: str) -> Licence | None:
    """Return the licence of a code, or None when the code is unknown."""
    if code in _KOGL:
        ko, en = _KOGL[code]
        number = code[-1]
        return Licence(
            code,
            f"공공누리 제{number}유형",
            ko,
            en,
            f"https://www.kogl.or.kr/info/licenseType{number}.do",
            f"KOGL Type {number}",
        )
    if code == "CC0-1.0":
        return Licence(
            code, "CC0 1.0 퍼블릭 도메인", "조건 없음", "no conditions",
            "https://creativecommons.org/publicdomain/zero/1.0/", "CC0",
        )
    match = _CC_RE.match(code)
    if match and match.group(2) in _CC_VERSIONS:
        parts = match.group(1).split("-")
        version = match.group(2)
        return Licence(
            code,
            f"CC {match.group(1)} {version}",
            " + ".join(_CC_PARTS[p][0] for p in parts),
            ", ".join(_CC_PARTS[p][1] for p in parts),
            f"https://creativecommons.org/licenses/{match.group(1).lower()}/{version}/",
            f"CC {match.group(1)}",
        )
    return None


@cache
def _table() -> dict:
    return json.loads(TERMS_FILE.read_text(encoding="utf-8"))


def terms(code: str) -> dict[str, bool] | None:
    """What a licence leaves free, term by term (data/licence-terms.json); None for an unknown code."""
    table = _table()
    if code in table["licences"]:
        return dict(table["licences"][code])
    match = _CC_RE.match(code)
    if not match or match.group(2) not in _CC_VERSIONS:
        return None
    out = dict(table["cc_default"])
    for part in match.group(1).split("-"):
        out.update(table["cc_elements"].get(part, {}))
    return out


def conflicts(codes: list[str]) -> list[dict]:
    """Where a record's licences contradict each other, term by term, and which terms govern.

    The stricter governs until the agency clarifies: the licences that restrict the term.
    """
    known = [(code, t) for code in dict.fromkeys(codes) if (t := terms(code)) is not None][:20]
    out = []
    for term, words in _table()["terms"].items():
        free = [code for code, t in known if t[term]]
        strict = [code for code, t in known if not t[term]]
        if not free or not strict:
            continue
        free_names, strict_names = (", ".join(licence(c).name for c in cs) for cs in (free, strict))
        free_en, strict_en = (", ".join(_name_en(c) for c in cs) for cs in (free, strict))
        out.append({
            "term": term,
            "licences": free + strict,
            "allowed_by": free,
            "restricted_by": strict,
            "governs": strict,
            "message": {
                "ko": f"{free_names}은(는) {words['ko']}에 제한이 없지만 {strict_names}은(는) 제한합니다. "
                      f"기관이 분명히 밝힐 때까지 더 엄격한 조건({strict_names})이 적용됩니다: "
                      f"{words['strict_ko']}.",
                "en": f"{free_en} leaves {words['en']} free but {strict_en} restricts it; until the agency "
                      f"clarifies, the stricter terms ({strict_en}) govern: {words['strict_en']}.",
            },
        })
    return out


def _name_en(code: str) -> str:
    lic = licence(code)
    return lic.badge if code.startswith("KOGL") else lic.name
