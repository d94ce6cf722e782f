"""Snippets: the asked words found and marked in public text, in work bounded whatever the text."""

import random
import re

import pytest

from index import snippets
from index.snippets import MAX_OCCURRENCES, MAX_SCAN, MAX_WORDS, WINDOW, Asked, mark, snippet

from .work import Lines, Regexes


def alternation(words):
    """The regex the snippets once ran over whole texts: spaces optional between syllables."""
    parts = [r"\s{0,3}".join(re.escape(c) for c in w if not c.isspace()) for w in words]
    return re.compile("|".join(parts), re.IGNORECASE)


def test_spacing_does_not_matter_and_markup_is_escaped():
    text = "<b>위원회 제도</b>를 고친다"
    html, attachment = snippet(text, [(1, "본문.hwp", 0, len(text))], Asked(["위원회제도"]))
    assert str(html) == "&lt;b&gt;<mark>위원회 제도</mark>&lt;/b&gt;를 고친다"
    assert attachment == {"n": 1, "name": "본문.hwp"}


def test_nothing_found_gives_the_lead_and_no_attachment():
    html, attachment = snippet("첫 줄\n둘째 줄", [(1, "a", 0, 8)], Asked(["없는말"]))
    assert str(html) == "첫 줄 둘째 줄" and attachment is None
    assert snippet("본문", [], None)[1] is None and snippet("본문", [], Asked([]))[1] is None


def test_the_window_is_the_densest_and_names_its_attachment():
    first = "협치 " + "다른 내용 " * 100
    second = "보고 " * 50 + "위원회 협치 위원회 협치 위원회" + " 끝" * 200
    body = first + "\n\n" + second
    sources = [(1, "첫째.hwp", 0, len(first)), (2, "둘째.pdf", len(first) + 2, len(body))]
    html, attachment = snippet(body, sources, Asked(["위원회", "협치"]))
    assert attachment == {"n": 2, "name": "둘째.pdf"}
    assert str(html).count("<mark>") == 5 and str(html).startswith("… ") and str(html).endswith(" …")


def test_the_longer_word_wins_where_two_start_together():
    assert str(mark("서울협치협의회 개최", Asked(["서울협치", "서울협치협의회"]))) == "<mark>서울협치협의회</mark> 개최"


def test_case_and_full_width_fold_in_place():
    assert str(mark("COVID-19 İstanbul Ａ", Asked(["covid", "istanbul"]))) == \
        "<mark>COVID</mark>-19 <mark>İstanbul</mark> Ａ"


@pytest.mark.parametrize("seed", range(6))
def test_finds_what_one_alternation_over_the_text_found(seed):
    # The same places as re.finditer of the old alternation, wherever spaces stand (up to three)
    rnd = random.Random(seed)
    text = "".join(rnd.choice("가나다Ab") + rnd.choice(["", "", " ", "\n", "  ", " \n "]) for _ in range(20_000))
    words = ["".join(rnd.choice("가나다Ab") for _ in range(rnd.randint(1, 4))) for _ in range(5)]
    asked = Asked(words)
    folded, starts = snippets._squeezed(text)
    found = snippets._found(folded, asked)
    expected = [(m.start(), m.end()) for m in alternation(asked.words).finditer(text)]
    got = [(snippets._original(text, starts, a), snippets._original(text, starts, b - 1) + 1) for a, b in found]
    horizon = len(got)  # a word seen more than MAX_OCCURRENCES times ends the comparison early
    assert got == expected[:horizon] and (horizon == len(expected) or horizon >= MAX_OCCURRENCES)


WORDS = "위원회 공개 기록 협치 계획 시민 참여 예산 정책 보고 회의 결과 추진 사업 지원 관리 운영 개선".split()


def long_public_text(chars: int) -> str:
    rnd = random.Random(1)
    out, size = [], 0
    while size < chars:
        out.append(rnd.choice(WORDS))
        size += len(out[-1]) + 1
    return " ".join(out)


def test_work_is_bounded_by_words_and_places_not_by_matches(monkeypatch):
    # 2 MB of text in which every asked word stands tens of thousands of times
    body = long_public_text(700_000) + "\n" + "가" * 300_000 + "\n" + long_public_text(700_000)
    words = [*WORDS, "위원", "원회"]
    places = []
    real = snippets._occurrences
    monkeypatch.setattr(snippets, "_occurrences", lambda *a: (places.append(0) or at for at in real(*a)))
    squeezed = []
    real_squeezed = snippets._squeezed
    monkeypatch.setattr(snippets, "_squeezed", lambda text: squeezed.append(real_squeezed(text)) or squeezed[-1])
    with Regexes(WINDOW * 10) as regexes, Lines(200_000) as lines:
        asked = Asked(words)
        html, _ = snippet(body, [], asked)
    assert "<mark>" in str(html)
    assert len(asked.words) == MAX_WORDS < len(words)
    assert len(places) <= MAX_WORDS * (MAX_OCCURRENCES + 1)
    assert len(squeezed[0][0]) <= MAX_SCAN  # the text looked through, once
    assert regexes.chars <= WINDOW * 10  # the regex runs over the window only
    print(f"snippet of {len(body)} characters: {lines.lines} lines, {len(places)} places, {regexes.chars} regex chars")


def test_a_long_word_against_a_long_run_is_linear():
    # A backtracking regex tries the word at every place of the run: n * k steps (3 s here).
    body = "가" * 900_000 + " 가나"
    asked = Asked(["가" * 100 + "나", "가" * 50 + "다"])
    with Regexes(WINDOW * 10) as regexes, Lines(50_000):
        html, _ = snippet(body, [], asked)
        title = mark("가" * 1500 + "나", asked)
    assert "<mark>" not in str(html) or "가나" in str(html)
    assert str(title).endswith("<mark>" + "가" * 100 + "나</mark>")
    assert regexes.chars <= WINDOW * 10 + 1501


def test_asked_words_are_capped():
    asked = Asked(["가나다라" * 30, *[chr(0xAC00 + i) * 3 for i in range(100)]])
    assert len(asked.words) <= MAX_WORDS and sum(map(len, asked.words)) <= snippets.MAX_ASKED_CHARS
    assert asked.words == sorted(asked.words, key=lambda w: (-len(w), w))
