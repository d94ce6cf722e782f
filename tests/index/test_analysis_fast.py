"""The fast analysis gives exactly the tokens of the character-at-a-time reference.

An index written with one tokenisation and queries parsed with another would disagree silently
(the analysis VERSION would not change): a record would stop being found by a word it holds.
"""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from index import analysis
from tests.index import reference_analysis as reference

# what records hold and what breaks folding: Hangul, jamo, compatibility forms, full width, digits
# with separators, hyphens, final sigma, dotted I, ligatures, circled numbers, astral letters
ALPHABET = list("위원회제도협의가나다각 \t\u00a0\u3000,.-\u2010\u2011·…㈜㎡Ⅰⅱ①ＡＢｃ１２ΣσςİIıǅﬁß")
ALPHABET += ["\u1100", "\u1161", "\u11a8", "\u3131", "\u314f", "\U0001d400", "\U00020000", "\ud7b0", "ア", "漢"]
ALPHABET += list("0123456789abcXYZ_")


def same(text: str) -> None:
    assert list(analysis.pieces(text)) == list(reference.pieces(text)), text
    assert analysis.terms(text) == reference.terms(text), text
    assert analysis.query_terms(text) == reference.query_terms(text), text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join))
def test_the_same_tokens_as_the_reference_on_mixed_text(text):
    same(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_the_same_tokens_as_the_reference_on_any_text(text):
    same(text)


def test_the_same_tokens_on_records_as_agencies_write_them():
    rng = random.Random(7)
    words = ["주민참여예산", "위원회", "협의회에서", "2019년", "11,000원으로", "1,000,000", "Wi-Fi", "e-mail",
             "a-b-c-d-e-f", "(주)서울", "㈜부산", "제9호", "１２３", "COVID-19", "ΟΔΟΣ", "가", "물 재이용"]
    for _ in range(200):
        text = "".join(rng.choice(words) + rng.choice([" ", "", "  ", ", ", "\n", "\u3000"]) for _ in range(30))
        same(text)


def test_the_same_tokens_for_a_lone_syllable_wherever_it_stands_in_a_chain():
    # a chain of bridged runs takes a quicker path unless it holds a run of one syllable
    for text in ("가", "가 나다", "나다 가", "나다 가 라마", "가  나다라", "가\u3000나", "1 가 나다", "a가 나다",
                 "나다\t가", "가나 다 라", "가 나 다"):
        same(text)


@settings(max_examples=1000, deadline=None)
@given(*[st.lists(st.sampled_from(ALPHABET + ["\n"]), max_size=30).map("".join)] * 2)
def test_the_body_separator_ends_every_term(a, b):
    # tantivy indexes a body as the terms of each file's text (index/tantivy_engine.py, by parts):
    # the same as the terms of the texts joined, or a phrase could span two files, or stop matching
    from index.documents import BODY_SEPARATOR

    joined = analysis.joined_terms(a + BODY_SEPARATOR + b)
    assert joined == " ".join(t for t in (analysis.joined_terms(a), analysis.joined_terms(b)) if t)
