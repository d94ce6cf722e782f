"""Find personal data in text that would become public, and mask it for the clerk's eyes.

Resident registration numbers (checksum-validated), mobile numbers, home phone numbers
(landlines in a private context) and private e-mail addresses. Office numbers and
government addresses are part of public records and are not flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = {"rrn": "주민등록번호", "mobile": "휴대전화번호", "phone": "자택 전화번호", "email": "개인 전자우편"}

_RRN = re.compile(r"(?<!\d)(\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\s?-?\s?([1-8])(\d{6})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(01[016789])[-. ]?(\d{3,4})[-. ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(02|0[3-6][1-5]|070)[-. )]?(\d{3,4})[-. ]?(\d{4})(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}")
_PRIVATE_CONTEXT = re.compile(r"(자택|집\s*전화|개인|민원인|신청인|신고인|제보자|본인)")
_PUBLIC_DOMAINS = (".go.kr", ".or.kr", ".re.kr", ".mil.kr", ".gov", ".seoul.kr", ".busan.kr")
_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


@dataclass(frozen=True)
class Finding:
    kind: str  # a key of KINDS
    masked: str


def rrn_is_valid(digits: str) -> bool:
    """Check the resident registration number's check digit (numbers issued before 2020-10)."""
    total = sum(int(d) * w for d, w in zip(digits[:12], _WEIGHTS, strict=True))
    return (11 - total % 11) % 10 == int(digits[12])


def find_personal_data(text: str) -> list[Finding]:
    """Return each distinct piece of personal data in a text, masked."""
    found: dict[str, Finding] = {}
    for m in _RRN.finditer(text):
        digits = "".join(m.groups())
        if rrn_is_valid(digits):
            found.setdefault(digits, Finding("rrn", f"{digits[:6]}-{digits[6]}******"))
    for m in _MOBILE.finditer(text):
        found.setdefault("".join(m.groups()), Finding("mobile", f"{m.group(1)}-****-{m.group(3)}"))
    for m in _LANDLINE.finditer(text):
        before = text[max(0, m.start() - 20) : m.start()]
        if _PRIVATE_CONTEXT.search(before):
            key = "".join(m.groups())
            found.setdefault(key, Finding("phone", f"{m.group(1)}-****-{m.group(3)}"))
    for m in _EMAIL.finditer(text):
        address = m.group(0)
        if not address.lower().endswith(_PUBLIC_DOMAINS):
            local, domain = address.split("@", 1)
            found.setdefault(address.lower(), Finding("email", f"{local[0]}***@{domain}"))
    return list(found.values())
