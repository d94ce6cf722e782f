"""Find personal data in text that would become public, and mask it for the clerk's eyes.

Resident registration numbers (checksum-validated), mobile numbers, home phone numbers
(landlines in a private context) and private e-mail addresses. Office numbers and
government addresses are part of public records and are not flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = {"rrn": "주민등록번호", "mobile": "휴대전화번호", "phone": "자택 전화번호", "email": "개인 전자우편",
         # not a finding: a scan whose text OCR has not read yet was checked for nothing (archive.changes)
         "unread": "아직 읽지 않은 스캔"}

# "No digit before" is tested after the first character (\d(?<!\d\d), 0(?<!\d0)), not before it:
# a pattern that starts with a character (class) lets the regex engine skip to where one stands
# and try a match only there, where a leading lookbehind made it try every position of the text
# (three times slower). tests/archive/test_quick_patterns.py holds them to the leading-lookbehind forms.
_RRN = re.compile(r"(\d(?<!\d\d)\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\s?-?\s?([1-8])(\d{6})(?!\d)")
_MOBILE = re.compile(r"(0(?<!\d0)1[016789])[-. ]?(\d{3,4})[-. ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(0(?<!\d0)(?:2|[3-6][1-5]|70))[-. )]?(\d{3,4})[-. ]?(\d{4})(?!\d)")
# Every pattern here runs over whole extracted texts (up to 50 MB, written by anyone), so each
# must cost time linear in the text. The ones above and _PRIVATE_CONTEXT (run on 20 characters)
# have a bounded width: each start position costs a bounded number of steps.
#
# The e-mail pattern has not: a local part is a run of any length. Started at every position of
# a long run of local characters it scanned the rest of the run each time (200 KB of one letter
# took a minute). So a match may start only where a run of local characters starts: inside a
# run the lookbehind refuses in one step, and the run is scanned once, from its start. After the
# '@' the domain is a run of characters that holds no '@', so the domain runs after different
# '@'s do not overlap, and the domain part (labels split by the dots they must end with, the
# last part letters) backtracks only within its run: each character is read a bounded number of
# times whatever the text. _EMAIL_HERE is the same without the lookbehind, tried only where the
# previous match ended (the old pattern could start a match there, inside a run).
_LOCAL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")
_LOCAL = "[A-Za-z0-9._%+-]"
_DOMAIN = r"@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}"
_EMAIL = re.compile(f"(?<!{_LOCAL}){_LOCAL}+{_DOMAIN}")
_EMAIL_HERE = re.compile(f"{_LOCAL}+{_DOMAIN}")
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
    seen: set[str] = set()
    for address in _emails(text) if "@" in text else ():  # most texts hold no address: one quick scan
        if address in seen:  # a text may repeat one address a million times
            continue
        seen.add(address)
        if not address.lower().endswith(_PUBLIC_DOMAINS):
            local, domain = address.split("@", 1)
            found.setdefault(address.lower(), Finding("email", f"{local[0]}***@{domain}"))
    return list(found.values())


def _emails(text: str):
    """Yield the e-mail addresses in a text, as finditer of the plain pattern would, in linear time."""
    pos, end_of_text = 0, len(text)
    while True:
        for m in _EMAIL.finditer(text, pos):
            yield m.group(0)
            pos = m.end()
            if pos < end_of_text and text[pos] in _LOCAL_CHARS:
                break  # the match ended inside a run: the plain pattern could match right here
        else:
            return
        while m := _EMAIL_HERE.match(text, pos):
            yield m.group(0)
            pos = m.end()


def find_in_own_words(text: str) -> list[Finding]:
    """Personal data in what a reader writes for the public (a comment): as find_personal_data, but
    every phone number counts, in any context. A record may print an office's number; a reader's
    comment has no office to speak for, and a number in it is most likely someone's own."""
    found = [f for f in find_personal_data(text) if f.kind != "phone"]
    seen = {f.masked for f in found}
    for m in _LANDLINE.finditer(text):
        finding = Finding("phone", f"{m.group(1)}-****-{m.group(3)}")
        if finding.masked not in seen:
            seen.add(finding.masked)
            found.append(finding)
    return found
