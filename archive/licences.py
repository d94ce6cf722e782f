"""Licence codes: the KOGL types and Creative Commons licences a record may carry."""

from __future__ import annotations

import re
from dataclasses import dataclass


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
            f"https://www.kogl.or.kr/info/license.do#{number:0>2}-tab",
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
