"""Disclosure levels, the grounds table and how a record's level follows from its parts."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Disclosure(enum.Enum):
    """The level of a record or of one attachment."""

    PUBLIC = "public"
    PARTIAL = "partial"
    WITHHELD = "withheld"

    @property
    def label_ko(self) -> str:
        return {"public": "공개", "partial": "부분공개", "withheld": "비공개"}[self.value]

    @property
    def label_en(self) -> str:
        return {"public": "Public", "partial": "Partly public", "withheld": "Withheld"}[self.value]


@dataclass(frozen=True)
class Ground:
    """One legal ground for withholding (a row of the grounds table)."""

    number: int
    label_ko: str
    label_en: str


# Article 9(1) of the Official Information Disclosure Act (공공기관의 정보공개에 관한 법률).
# Kept as data so that another jurisdiction's table can replace it.
GROUNDS: dict[int, Ground] = {
    g.number: g
    for g in (
        Ground(1, "법령상 비밀·비공개", "secret under another law"),
        Ground(2, "국가안전보장·국방·통일·외교", "national security, defence, unification, diplomacy"),
        Ground(3, "국민의 생명·신체·재산 보호", "life, body or property of the people"),
        Ground(4, "재판·수사·형의 집행 등", "trials, investigations, enforcement"),
        Ground(5, "감사·감독·의사결정 과정 등", "audits, inspections, decision-making in progress"),
        Ground(6, "개인정보 (성명·주민등록번호 등)", "personal information"),
        Ground(7, "법인·단체의 경영·영업상 비밀", "trade secrets of corporations and groups"),
        Ground(8, "부동산 투기 등 특정인의 이익·불이익", "undue gain or loss to particular persons"),
    )
}


def unknown_grounds(numbers: Iterable[int]) -> list[int]:
    """Return the ground numbers that are not in the table."""
    return sorted({n for n in numbers if n not in GROUNDS})


def grounds_info(numbers: Iterable[int]) -> list[dict]:
    """Return the grounds as plain dicts (number and both labels), sorted."""
    return [
        {"number": n, "label_ko": GROUNDS[n].label_ko, "label_en": GROUNDS[n].label_en}
        for n in sorted(set(numbers))
        if n in GROUNDS
    ]


def derive_level(
    attachment_levels: Iterable[Disclosure], withheld_as_whole: bool
) -> Disclosure:
    """Derive a record's level from its attachments and the whole-record flag.

    A record whose every attachment is withheld has no public part left but its
    metadata, so it is 비공개 even without `withheld_grounds`: the stricter reading,
    which fails closed (its summary is then withheld too).
    """
    levels = list(attachment_levels)
    if withheld_as_whole:
        return Disclosure.WITHHELD
    if Disclosure.WITHHELD not in levels:
        return Disclosure.PUBLIC
    if Disclosure.PUBLIC in levels:
        return Disclosure.PARTIAL
    return Disclosure.WITHHELD


def level_label(level: Disclosure, grounds: Iterable[int]) -> str:
    """Return the header label as the seed shows it, e.g. 부분공개(6)."""
    numbers = sorted(set(grounds))
    if level is Disclosure.PUBLIC or not numbers:
        return level.label_ko
    return f"{level.label_ko}({','.join(str(n) for n in numbers)})"
