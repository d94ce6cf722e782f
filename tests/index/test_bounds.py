"""The worst query shapes against one long public text: the work is bounded, or the query refused.

The bounds are on work, not wall time (see work.py): Python lines run in index/ and in
Whoosh's query code, index terms the query makes Whoosh read, characters handed to regexes.
Before the limits a 60-syllable query was quadratic in the snippet matches, 13 ranges read
every term of five fields, and a long phrase of one syllable rescanned its span at every
word (n * k * k in Whoosh's SpanNear2).
"""

from __future__ import annotations

import random

import pytest

from index.engine import SearchRequest
from index.lang import QueryRefused
from tests.builders import batch, record
from tests.index.conftest import ingested

from .work import Meter

VOCABULARY = ("위원회 공개 기록 협치 계획 시민 참여 예산 정책 보고 회의 결과 추진 사업 지원 관리 운영 개선 "
              "방안 검토 의견 제출 요청 협의 기관 부서 담당 자료 목록 정보 공공 행정 서울 지역 주민 의회 "
              "조례 시행 규정 문서 결재 처리 현황 계약 공사 용역 대상 기간 내용 비고 합계").split()
PARTICLES = ["", "", "", "의", "를", "에서", "은", "와", "으로", "하였다."]
SYLLABLES = sorted({ch for word in VOCABULARY for ch in word})  # about a hundred, each common
BIGRAMS = sorted({word[i : i + 2] for word in VOCABULARY for i in range(len(word) - 1)})
RUN = 20_000  # a run of one syllable, as tables and separator lines hold


def long_text(chars: int) -> str:
    """Korean prose of common words, with a long run of one syllable (spaced and not) inside."""
    rnd = random.Random(20240115)
    words, size = [], 0
    while size < chars:
        word = rnd.choice(VOCABULARY) + rnd.choice(PARTICLES)
        words.append(word)
        size += len(word) + 1
        if rnd.random() < 0.03:
            words.append("\n")
    text = " ".join(words)
    middle = len(text) // 2
    return text[:middle] + "\n" + "가" * RUN + "\n" + "가 " * (RUN // 4) + "\n" + text[middle:]


def search(searcher, req):
    return searcher(req)


@pytest.fixture(scope="module")
def long_searcher(tmp_path_factory, engine_name):
    tmp = tmp_path_factory.mktemp(f"bounds-{engine_name}")
    text = long_text(400_000)
    assert len(text.encode("utf-8")) > 1_000_000  # about a megabyte of Korean
    root = batch(tmp / "batch",
                 (record(id="LONG-1", title="공개 기록 위원회 계획 가가가"), {"본문.txt": text}),
                 (record(id="S-1", title="시민 참여 예산"), {"본문.txt": "시민 참여 예산 위원회 회의 결과 공개"}),
                 (record(id="S-2", title="협치 계획", produced="2019-03-02"), {"본문.txt": "서울 협치 계획 추진 현황"}))
    found = ingested(tmp / "store", engine_name, root)
    assert len(found.ids("")) == 3
    return found


def quoted(text: str) -> str:
    return f'"{text}"'


WORST = {
    "sixty lone syllables": " ".join(SYLLABLES[:60]),
    "sixty lone syllables reordered": " ".join(reversed(SYLLABLES[:60])),
    "three lone syllables": " ".join(SYLLABLES[:3]),
    "one lone syllable": "가",
    "lone syllables as wildcards": " ".join(s + "*" for s in SYLLABLES[:40]),
    "lone syllables with ?": " ".join(s + "?" for s in SYLLABLES[:40]),
    "the most common bigram repeated": " ".join(["위원"] * 60),
    "common bigrams": " ".join(BIGRAMS[:60]),
    "common bigrams OR": " OR ".join(BIGRAMS[:55]),
    "common words OR": " OR ".join(VOCABULARY[:50]),
    "long phrase of one syllable": quoted("가" * 150),
    "long unquoted word of one syllable": "가" * 290,
    "long word against the run, OR a short one": "가가 OR " + "가" * 140 + "나 OR " + "가" * 100 + "다",
    "long phrase of common words": quoted(" ".join(VOCABULARY[:40])),
    "phrase of spaced syllables (bridge bigrams)": quoted(" ".join("가" * 140)),
    "many exclusions": "위원회 " + " ".join("-" + w for w in VOCABULARY[1:50]),
    "only exclusions": " ".join("-" + w for w in VOCABULARY[:55]),
    "thirteen ranges": "[0 TO 힣] " * 13,
    "ranges on fields": "body:[가 TO 힣] title:{0 TO z} produced:[0 TO 9] names:[TO]",
    "open ranges": "[TO] [가 TO] {TO 힣}",
    "year range, as documented": "year:[0000 TO 9999] 위원회",
    "fuzzy": " ".join(w + "~2" for w in VOCABULARY[:40]),
    "boosts": " ".join(w + "^9" for w in VOCABULARY[:40]),
    "proximity": quoted("위원회 공개") + "~100000",
    "regex": "/위.*/ /.*/",
    "every": "*:* 위원",
    "nested groups": "(" * 120 + "위원" + ")" * 120,
}

# per search; the new code needs a fraction of each (see the printed figures)
LINES = 400_000
TERMS = 2_100
REGEX_CHARS = 40_000


# another sort is another cache entry: the bound holds for it too
CASES = [(shape, "relevance") for shape in WORST] + [
    (shape, sort) for shape in ("sixty lone syllables", "thirteen ranges", "long phrase of one syllable",
                                "common words OR") for sort in ("newest", "oldest")]


@pytest.mark.parametrize("shape, sort", CASES)
def test_worst_queries_do_bounded_work_or_are_refused(long_searcher, shape, sort, capsys):
    q = WORST[shape]
    with Meter(long_searcher, lines=LINES, terms=TERMS, regex_chars=REGEX_CHARS) as meter:
        try:
            data = search(long_searcher, SearchRequest(q=q, sort=sort))
        except QueryRefused as exc:
            data, refused = None, str(exc)
    with capsys.disabled():
        print(f"\n{long_searcher.engine.name} {shape} ({sort}): lines {meter.lines}, terms {meter.terms}, "
              f"regex chars {meter.regex_chars}"
              + (f"; refused: {refused}" if data is None else f"; {data['total']} found"))
    if data is None:
        assert refused.strip() and "." in refused  # a message for the reader, in both languages
    assert meter.lines <= LINES and meter.terms <= TERMS and meter.regex_chars <= REGEX_CHARS


def test_the_long_text_is_found_and_snipped(long_searcher):
    data = search(long_searcher, SearchRequest(q="위원회 OR 공개"))
    hit = next(h for h in data["results"] if h["id"] == "LONG-1")
    assert "<mark>" in str(hit["snippet"]) and hit["matched_attachment"]["name"] == "본문.txt"
    long_run = search(long_searcher, SearchRequest(q=quoted("가" * 150)))
    assert [h["id"] for h in long_run["results"]] == ["LONG-1"]  # the run holds it: found, cheaply
