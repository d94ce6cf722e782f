"""Other forms of a typed word: its stem without a particle or ending, its number and Latin forms.

Query side only (index.lang adds them as alternatives, ranked below the word as typed), so the
index holds the text as written. A table, not a morphological analyser: kiwipiepy found the same
stems on the quality set's words at the cost of a model in every worker (README, Search).

    미세먼지를 -> 미세먼지     도서관에서는 -> 도서관     지원하는 -> 지원     11,000원을 -> 11,000원
    1만1천원 <-> 11000원      7만원 <-> 70000원         covid19 <-> covid 19     wi-fi <-> wifi

Particles that need a final consonant (이 을 은 과 으로 …) are taken off only after one, those
that need a vowel (가 를 는 와 로 …) only after one; a one-syllable particle only from a word of
at least two syllables more, and never from a noun that merely ends like one (따릉이, 회의, 제도).
"""

from __future__ import annotations

import re
import unicodedata

AFTER_CONSONANT = "은 이 을 과 으로 이나 이란 이라는 이며 이고 으로서 으로써 으로는 으로도 으로의 이라고 이랑 이든"
AFTER_VOWEL = "는 가 를 와 로 나 란 라는 며 라고 랑 로서 로써 로는 로도 로의"
ANY = ("의 에 도 만 에서 에서는 에서도 에서의 에게 에게서 에게는 까지 까지는 까지도 부터 부터는 에는 에도 에의 "
       "와의 과의 처럼 보다 마다 께서 한테 밖에 조차 마저 뿐 하고 "
       "하는 하고 하여 해서 하며 하면 한다 했다 하였다 하기 하다 된 되는 되어 된다 됐다 되었다 되기")
SUFFIXES = {**dict.fromkeys(ANY.split(), "any"), **dict.fromkeys(AFTER_CONSONANT.split(), "consonant"),
            **dict.fromkeys(AFTER_VOWEL.split(), "vowel")}
LONGEST = max(map(len, SUFFIXES))
# nouns whose last syllable only looks like a particle: the word as typed is the noun
NOUNS = set("""
따릉이 어린이 놀이 길이 높이 깊이 넓이 먹이 아이 고양이 오이 사이 차이 나이
회의 협의 논의 합의 건의 심의 결의 동의 질의 정의 모의 의의 자의 문의 강의 주의
제도 정도 농도 온도 속도 연도 년도 한도 용도 지도 인도 보도 시도 의도 태도 밀도 강도 각도 빈도 습도
경기도 강원도 제주도 충청도 전라도 경상도 울릉도 독도 결과 효과 성과 부과 통과 경과 초과 교과 학과
""".split())
MULTIPLIERS = {"조": 10**12, "억": 10**8, "만": 10**4, "천": 1000, "백": 100}
_NUMERAL = re.compile(r"[0-9][0-9,]*(?:[조억만천백][0-9,]*)*")
_LATIN_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_JOINED = re.compile(r"(?<=[a-z0-9])[-‐‑](?=[a-z0-9])")
MAX_DIGITS = 16


def _syllable(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def _final(ch: str) -> int:
    """The final consonant of a Hangul syllable (0: none; 8: ㄹ)."""
    return (ord(ch) - 0xAC00) % 28


def _fits(rest: str, suffix: str, kind: str) -> bool:
    """Whether `rest` may carry `suffix`: what is left is a word, and the sounds agree."""
    tail = 0
    while tail < len(rest) and _syllable(rest[-1 - tail]):
        tail += 1
    if tail == 0:  # COVID-19를, 5G를: Latin or a number before; but 100만 is a number
        return bool(rest) and rest[-1].isalnum() and suffix not in MULTIPLIERS
    if len(suffix) == 1 and tail < 2 and tail == len(rest):
        return False  # 물을, 제도: too little left to tell a particle from the word's own syllable
    last = rest[-1]
    if kind == "consonant":
        return _final(last) != 0
    if kind == "vowel":
        return _final(last) == 0 or (suffix.startswith("로") and _final(last) == 8)
    return True


def stem(word: str) -> str | None:
    """The word without a trailing particle or ending; None when it has none (at most LONGEST steps)."""
    if len(word) < 2 or not _syllable(word[-1]) or word in NOUNS:
        return None
    for n in range(min(LONGEST, len(word) - 1), 0, -1):
        suffix, rest = word[-n:], word[:-n]
        kind = SUFFIXES.get(suffix)
        if kind is None or not _fits(rest, suffix, kind):
            continue
        if n == 1 and (word[-2:] in NOUNS or word[-3:] in NOUNS):
            return None  # 정책협의, 위원회제도: a noun's own syllable
        return rest
    return None


def _value(numeral: str) -> int | None:
    """1만1천 -> 11000, 540억 -> 54000000000; None when the digits run too long."""
    total = group = 0
    for digits, unit in re.findall(r"([0-9,]*)([조억만천백]?)", numeral):
        digits = digits.replace(",", "")
        if len(digits) > MAX_DIGITS:
            return None
        n = int(digits) if digits else (1 if unit else 0)
        if unit in ("천", "백"):
            group += n * MULTIPLIERS[unit]
        elif unit:
            total += (group + n) * MULTIPLIERS[unit]
            group = 0
        else:
            group += n
    return total + group


def _korean(value: int) -> str | None:
    """70000 -> 7만, 11000 -> 1만1천; None below 10000 or where a reader would not write it so."""
    if value < 10**4 or value % 1000:
        return None
    out = ""
    for unit in ("조", "억", "만"):
        part, value = divmod(value, MULTIPLIERS[unit])
        out += f"{part}{unit}" if part else ""
    return out + (f"{value // 1000}천" if value else "")


def number_form(word: str) -> str | None:
    """The first number of the word written the other way: 1만1천원 -> 11000원, 70,000원 -> 7만원."""
    m = _NUMERAL.search(word)
    if m is None:
        return None
    numeral = m.group(0).rstrip(",")
    value = _value(numeral)
    if value is None:
        return None
    other = str(value) if any(ch in MULTIPLIERS for ch in numeral) else _korean(value)
    return word[: m.start()] + other + word[m.start() + len(numeral) :] if other else None


def latin_forms(word: str) -> list[str]:
    """covid19 -> covid 19 (letters and digits apart), covid-19 -> covid19 (hyphens between them out)."""
    out = []
    if _LATIN_DIGIT.search(word):
        out.append(_LATIN_DIGIT.sub(" ", word))
    if _JOINED.search(word) and re.search("[a-z]", word):
        out.append(_JOINED.sub("", word))
    return out


def forms(word: str) -> list[str]:
    """Other forms of a word, best first: the stem, then number and Latin forms of the stem."""
    folded = unicodedata.normalize("NFKC", word).lower()
    root = stem(folded)
    base = root or folded
    out = [root] if root else []
    number = number_form(base)
    out += [number] if number else []
    out += latin_forms(base)
    return out
