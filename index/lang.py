"""The reader's query language, parsed once into an engine-neutral tree that each engine translates.

    협치 위원회            both words, anywhere (each word's bigrams adjacent)
    "시민 참여 예산"        the words together, as written
    협치 -위원회           협치 but not 위원회
    협치 OR 거버넌스        either (OR binds tighter than the space: 가 나 OR 다 = 가 AND (나 OR 다))
    agency:서울특별시 ground:6 year:2018 year:[2017 TO 2019] kind:결재문서 department:"…"   filters

Nothing else runs: no wildcards, fuzzy terms, boosts, regular expressions or ranges but a year
range -- those characters are plain text. The parser is a single left-to-right pass over at most
MAX_QUERY_CHARS characters, nesting at most MAX_DEPTH deep, and the tree it returns is capped in
the index terms it stands for (MAX_CLAUSES) after analysis, not only in typed words: every
request's cost is bounded before an engine sees it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.messages import N_, Refusal

from .analysis import is_cjk, query_terms

TEXT_FIELDS = ("title", "numbers", "summary", "body", "names", "classification_text")
FILTER_FIELDS = ("agency", "department", "kind", "grounds", "year", "licences", "level")
ALIASES = {
    "ground": "grounds", "사유": "grounds", "연도": "year", "기관": "agency", "부서": "department",
    "종류": "kind", "licence": "licences", "license": "licences", "disclosure": "level", "공개": "level",
    "분류": "classification_text", "classification": "classification_text",
}
INTERNAL = {"id", "exact", "body_sources", "produced"}  # fields a reader may not name
MAX_QUERY_CHARS = 300
MAX_TERMS = 64  # typed words and filters
MAX_CLAUSES = 1024  # index terms once analysed: tokens times the fields each is looked for in
MAX_DEPTH = 8  # nested parentheses and NOTs
YEAR = re.compile(r"\d{4}")


class QueryRefused(Refusal, ValueError):
    """A query too costly or not understood, with a message for the reader (archive.messages: in their language)."""

    cli = "both"
    status = 400  # the HTTP status a page or the API answers it with
    retry_after: int | None = None


def too_broad() -> QueryRefused:
    """The engines' own refusal: the query's terms, once expanded against the index, are too many."""
    return QueryRefused(N_("검색어가 너무 넓습니다: 한 글자 낱말이나 범위를 줄여 주세요."))


# -- the tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """Tokens that stand next to each other, in order, in one of `fields` (a word or a phrase)."""

    surface: str  # as the reader typed it (for snippets and ranking)
    tokens: tuple[str, ...]
    fields: tuple[str, ...] = TEXT_FIELDS
    prefix: bool = False  # a lone syllable: also the start of any bigram (시 finds 시민)
    weight: float = 1.0  # below 1 for another form of a typed word (index.expansion): it ranks below


@dataclass(frozen=True)
class Filter:
    field: str
    value: str
    asked: str = ""  # the name typed, when the value is the full name it stands for (index.names)


@dataclass(frozen=True)
class YearRange:
    start: str | None
    end: str | None


@dataclass(frozen=True)
class And:
    children: tuple


@dataclass(frozen=True)
class Or:
    children: tuple


@dataclass(frozen=True)
class Not:
    child: object


@dataclass(frozen=True)
class Everything:
    """Every record (a query of exclusions only lists all records but those)."""


Node = Text | Filter | YearRange | And | Or | Not | Everything


# -- reading the query --------------------------------------------------------------------

# One pass: a phrase, a fielded value (quoted, bracketed or bare), a parenthesis, or a word.
# Each alternative is a single run of a character class with no nested repetition, so the scan
# is linear in the query's length.
_LEXEME = re.compile(r'''
    \s*(?:
      (?P<phrase>"[^"]*"?)
    | (?P<field>[^\s:()"\[]+):(?P<fvalue>"[^"]*"?|\[[^\]]*\]?|[^\s()"]+)
    | (?P<paren>[()])
    | (?P<word>[^\s()"]+)
    )''', re.X)


def _lex(text: str) -> list[tuple[str, str, str]]:
    out, at = [], 0
    while at < len(text):
        m = _LEXEME.match(text, at)
        if m is None or m.end() == at:
            break
        at = m.end()
        if m["phrase"] is not None:
            out.append(("phrase", m["phrase"].strip('"'), ""))
        elif m["field"] is not None:
            out.append(("field", m["field"], m["fvalue"]))
        elif m["paren"] is not None:
            out.append((m["paren"], "", ""))
        elif m["word"] is not None:
            out.append(("word", m["word"], ""))
    return out


def parse(text: str) -> Node | None:
    """Parse the reader's words; None when nothing is asked. Raise QueryRefused when too costly."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefused(N_("검색어가 너무 깁니다 (%(max)s자까지)."), max=MAX_QUERY_CHARS)
    _refuse_syntax(text)
    lexemes = _lex(text)
    if sum(1 for kind, *_ in lexemes if kind in ("word", "phrase", "field")) > MAX_TERMS:
        raise QueryRefused(N_("검색어가 너무 많습니다 (%(max)s개까지)."), max=MAX_TERMS)
    parser = _Parser(lexemes)
    node = parser.sequence(0)
    node = _simplify(node)
    if node is None:
        return None
    if isinstance(node, Not) or (isinstance(node, And) and all(isinstance(c, Not) for c in node.children)):
        node = And((Everything(), *(node.children if isinstance(node, And) else (node,))))
    cost = clauses(node)
    if cost > MAX_CLAUSES:
        raise QueryRefused(N_("검색어가 너무 깁니다: 낱말이나 글자 수를 줄여 주세요."))
    from .expansion import expanded  # builds this module's nodes: imported once this module is

    # other forms only within what the caps leave: a query the caps let through as typed is never refused
    return expanded(node, {id(w) for w in parser.words}, MAX_CLAUSES - cost)


_RANGES = N_("범위 검색은 year:[2017 TO 2019]만 됩니다; 날짜는 기간(from, to)으로 고르세요.")
_YEAR_RANGE = re.compile(r"(?:year|연도):\[\s*\d{0,4}\s*TO\s*\d{0,4}\s*\]", re.I)
_ANY_RANGE = re.compile(r"[\[{][^\[\]{}]*\bTO\b[^\[\]{}]*[\]}]")
_PROXIMITY = re.compile(r'"\s*~\s*\d')


def _refuse_syntax(text: str) -> None:
    """Refuse, with its own message, syntax a reader may know from other engines: ranges, proximity.

    Taken as plain words they would quietly find something else; refused, the reader learns why.
    """
    if _ANY_RANGE.search(_YEAR_RANGE.sub(" ", text)):
        raise QueryRefused(_RANGES)
    if _PROXIMITY.search(text):
        raise QueryRefused(N_('근접 검색("…"~N)은 지원하지 않습니다.'))


class _Parser:
    """seq := or+ ; or := and ("OR" and)* ; and := unary ("AND" unary)* ; unary := (NOT|-|+) unary | atom."""

    def __init__(self, lexemes):
        self.items = lexemes
        self.at = 0
        self.words: list[Text] = []  # the bare words, which may also be found in other forms

    def peek(self):
        return self.items[self.at] if self.at < len(self.items) else None

    def take(self):
        item = self.peek()
        self.at += 1
        return item

    def _depth(self, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise QueryRefused(N_("괄호가 너무 깊습니다."))

    def sequence(self, depth: int, closing: bool = False):
        parts = []
        while (item := self.peek()) is not None:
            if item[0] == ")":
                if closing:
                    break
                self.take()  # a stray ")" is ignored
                continue
            parts.append(self.disjunction(depth))
        return And(tuple(p for p in parts if p is not None)) if parts else None

    def disjunction(self, depth: int):
        parts = [self.conjunction(depth)]
        while self._is_word("OR"):
            self.take()
            parts.append(self.conjunction(depth))
        parts = [p for p in parts if p is not None]
        return Or(tuple(parts)) if len(parts) > 1 else (parts[0] if parts else None)

    def conjunction(self, depth: int):
        parts = [self.unary(depth)]
        while self._is_word("AND"):
            self.take()
            parts.append(self.unary(depth))
        parts = [p for p in parts if p is not None]
        return And(tuple(parts)) if len(parts) > 1 else (parts[0] if parts else None)

    def _is_word(self, value: str) -> bool:
        item = self.peek()
        return item is not None and item[0] == "word" and item[1] == value

    def unary(self, depth: int):
        self._depth(depth)
        item = self.take()
        if item is None:
            return None
        kind, value, extra = item
        if kind == "word" and value == "NOT":
            child = self.unary(depth + 1)
            return Not(child) if child is not None else None
        if kind == "word" and value[0] in "-+" and len(value) > 1:
            # '-' and '+' act only at a word's start: 민관협력담당관-130 and COVID-19 stay whole
            self.items[self.at - 1] = ("word", value[1:], "")
            self.at -= 1
            child = self.unary(depth + 1)
            return Not(child) if value[0] == "-" and child is not None else child
        if kind == "(":
            inner = self.sequence(depth + 1, closing=True)
            if self._peek_kind() == ")":
                self.take()
            return inner
        if kind == "word":
            node = _text(value)
            if node is not None:
                self.words.append(node)
            return node
        if kind == "phrase":
            return _text(value)
        if kind == "field":
            return _fielded(value, extra)
        return None  # a stray ")" handled by sequence

    def _peek_kind(self):
        item = self.peek()
        return item[0] if item else None


def _text(value: str, fields: tuple[str, ...] = TEXT_FIELDS) -> Text | None:
    tokens = query_terms(value)
    if not tokens:
        return None  # punctuation only: nothing to look for
    lone = len(tokens) == 1 and len(tokens[0]) == 1 and is_cjk(tokens[0])
    return Text(value, tokens, fields, prefix=lone)


def _fielded(name: str, value: str) -> Node | None:
    field = ALIASES.get(name.lower(), name.lower())
    quoted = value.startswith('"')
    value = value.strip('"')
    if field in INTERNAL and value.startswith("["):
        raise QueryRefused(_RANGES)
    if field in INTERNAL:
        raise QueryRefused(N_("%(name)s: 로는 찾을 수 없습니다."), name=name)
    if value.startswith("[") and not quoted and field != "year":
        raise QueryRefused(_RANGES)
    if field in TEXT_FIELDS:
        return _text(value, (field,))
    if field not in FILTER_FIELDS:  # a colon in an ordinary word (a URL, 10:00): plain text
        return _text(f"{name}:{value}")
    if field == "year" and value.startswith("[") and not quoted:
        return _year_range(value)
    if field == "agency" and value:
        from .expansion import agency

        return agency(value)
    return Filter(field, value) if value else None


def _year_range(value: str) -> YearRange:
    body = re.split(r"\s*\bTO\b\s*", value.strip("[]").strip())
    ends = [e.strip() or None for e in body] if len(body) == 2 else None
    if ends is None or not all(e is None or YEAR.fullmatch(e) for e in ends):
        raise QueryRefused(N_("연도 범위는 year:[2017 TO 2019]처럼 씁니다."))
    return YearRange(ends[0], ends[1])


def _simplify(node):
    """Drop empty groups and fold single-child groups (the tree engines get is minimal)."""
    if isinstance(node, (And, Or)):
        children = tuple(c for c in (_simplify(c) for c in node.children) if c is not None)
        if not children:
            return None
        return children[0] if len(children) == 1 else type(node)(children)
    if isinstance(node, Not):
        child = _simplify(node.child)
        return Not(child) if child is not None else None
    return node


# -- what engines and snippets ask of a tree -------------------------------------------------


def clauses(node: Node) -> int:
    """Return how many index terms a tree stands for: tokens times fields; a prefix twice."""
    total, stack = 0, [node]
    while stack:
        node = stack.pop()
        if isinstance(node, Text):
            total += len(node.tokens) * len(node.fields) * (2 if node.prefix else 1)
        elif isinstance(node, (And, Or)):
            stack.extend(node.children)
        elif isinstance(node, Not):
            stack.append(node.child)
        else:
            total += 1
    return total


def surfaces(node: Node | None, field: str = "body") -> list[str]:
    """Return the words the reader asked for in a field (excluded words left out), longest first."""
    found: set[str] = set()
    stack = [node] if node is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Text) and field in node.fields:
            found.add(node.surface.strip('"'))
        elif isinstance(node, (And, Or)):
            stack.extend(node.children)
    return sorted(found, key=lambda word: (-len(word), word))


def filters_of(node: Node | None) -> dict[str, list[str]]:
    """Return the filters a query names, {field: [values]} (a page shows them as chosen)."""
    found: dict[str, list[str]] = {}
    stack = [node] if node is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Filter):
            found.setdefault(node.field, []).append(node.value)
        elif isinstance(node, (And, Or)):
            stack.extend(node.children)
    return found
