"""What of Whoosh's syntax survives the parser, and the caps on what a query expands to."""

import pytest
from whoosh import query as Q

from index import lang
from index.lang import MAX_CLAUSES, QueryRefused, clauses
from index.whoosh_query import check_expansion, translate
from index.whoosh_schema import make_schema

SCHEMA = make_schema()


def parse(schema, q):
    """The query language as the Whoosh engine runs it: index.lang's tree, translated."""
    return translate(lang.parse(q), schema)


def kinds(parsed) -> set[str]:
    found, stack = set(), [parsed]
    while stack:
        node = stack.pop()
        found.add(type(node).__name__)
        stack.extend(node.children())
    return found


@pytest.mark.parametrize("q", [
    "[0 TO 힣]", "[0 TO 힣] " * 13, "{가 TO 힣}", "body:[가 TO 힣]", "title:{0 TO z}", "produced:[0 TO 9]",
    "id:[A TO Z]", "[TO]", "year:{2016 TO 2020}", "names:[TO]", "[가 TO]", "{TO 힣}", "협치 [a TO b]",
    "협치[a TO b]", "year:[a TO z]",
    "year:[20 TO 2019]", "연도:[0 TO 힣]", "(협치 OR [가 TO 힣])", "NOT [가 TO 힣]", "협치 -[가 TO 힣]",
])
def test_ranges_are_refused_but_on_years(q):
    with pytest.raises(QueryRefused, match="year:\\[2017 TO 2019\\]"):
        parse(SCHEMA, q)


@pytest.mark.parametrize("q", ["year:[2017 TO 2019]", "year:[2017 TO]", "연도:[2017 TO 2019]"])
def test_the_documented_year_range_still_works(q):
    assert kinds(parse(SCHEMA, q)) == {"TermRange"}


@pytest.mark.parametrize("q", ['"협치 위원회"~5', '"시민 참여"~100000', '"가 나"~2 협치'])
def test_proximity_is_refused(q):
    with pytest.raises(QueryRefused, match="Proximity"):
        parse(SCHEMA, q)


@pytest.mark.parametrize("q", [
    "협치*", "협?치", "*협치", "협치~", "협치~2", "협치^5", "협치^100 위원회^0.1", "/협.*/", "*:*", "협치 *:*",
    "body:협*", "title:*", "'협치'", "r'.*'", "협치~0.5",
])
def test_wildcards_fuzzy_boosts_and_regexes_are_plain_text(q):
    parsed = parse(SCHEMA, q)
    assert parsed is None or kinds(parsed) <= {"And", "Or", "Term", "Adjacent", "Prefix"}
    if parsed is not None:
        # a Prefix only where a lone syllable stands (협 of 협*), never a boost
        assert all(getattr(node, "boost", 1.0) == 1.0 for node in parsed.leaves())
        assert not any(isinstance(node, Q.Prefix) and len(node.text) > 1 for node in parsed.leaves())


def test_every_phrase_is_matched_by_the_linear_phrase():
    parsed = parse(SCHEMA, '서울협치 "시민 참여 예산" OR 위원회제도 -권고안')
    assert "Phrase" not in kinds(parsed) and "Adjacent" in kinds(parsed)


def test_the_expanded_query_is_capped_not_only_the_typed_words():
    # 42 words of 6 syllables: under the typed-word cap, but 5 bigrams each in five fields (1050)
    words = " ".join("가나다라마" + chr(0xAC00 + i) for i in range(42))
    assert len(words) <= 300 and len(words.split()) < 64
    with pytest.raises(QueryRefused, match="too many terms"):
        parse(SCHEMA, words)
    # one long quoted phrase: one leaf per field before, 5 * 249 terms after analysis
    with pytest.raises(QueryRefused, match="too many terms"):
        parse(SCHEMA, '"' + "".join(chr(0xAC00 + 7 * i) for i in range(250)) + '"')
    # bridge bigrams count too: 99 spaced two-syllable words are 197 terms a field once bridged
    with pytest.raises(QueryRefused, match="too many terms"):
        parse(SCHEMA, '"' + " ".join(chr(0xAC00 + 7 * i) + chr(0xAC01 + 7 * i) for i in range(99)) + '"')


def test_a_long_ordinary_query_stays_under_the_cap():
    q = "서울특별시 시민참여예산 위원회 회의 결과 공개 \"주민 자치회 운영 계획\" OR 마을공동체 -권고안"
    assert clauses(lang.parse(q)) <= MAX_CLAUSES


def test_clauses_count_bigrams_fields_and_lone_syllables():
    fields = len(lang.TEXT_FIELDS)
    assert clauses(lang.parse("협치")) == fields  # one bigram in every text field
    assert clauses(lang.parse("협치회의")) == 3 * fields  # three bigrams
    assert clauses(lang.parse("협")) == 2 * fields  # a unigram or a prefix
    assert clauses(lang.parse('"협치 회의"')) == 3 * fields  # 협치, the bridge 치회, 회의
    assert clauses(lang.parse("ground:6")) == 1


class _Reader:
    """Just enough of a reader: every prefix expands to many terms."""

    def expand_prefix(self, fieldname, prefix):
        return (f"{prefix}{i}".encode() for i in range(10**9))

    def term_range(self, fieldname, start, end):
        return (f"{i}".encode() for i in range(10**9))

    def lexicon(self, fieldname):
        return self.term_range(fieldname, None, None)


def test_the_expansion_check_is_bounded_itself():
    # a prefix that would expand to a billion terms is counted no further than the limit
    with pytest.raises(QueryRefused, match="too many terms"):
        check_expansion(Q.Prefix("body", "가"), _Reader(), limit=100)
    assert check_expansion(Q.And([Q.Term("body", "가나"), Q.Phrase("body", ["가나", "나다"])]), _Reader()) == 3
