"""Measure the work a search does, not its wall time: lines run, terms read, text handed to regexes.

Three meters, each independent of the code it measures:

- lines: Python lines run in index/ and in whoosh/query/ (where Whoosh's phrase and expansion
  loops live), counted with sys.settrace;
- terms: the index terms the query handed to Whoosh makes it read, prefixes and ranges
  expanded against the reader (counted no further than the limit);
- regex_chars: the characters handed to the finditer of every regex index/ compiles while
  the meter runs (index.query and index.snippets get a counting re.compile).

Past a limit a meter raises WorkExceeded, a BaseException, so that no `except Exception` in
the code under test turns it into an ordinary refusal; a test that would otherwise run for
minutes (the old quadratic loops) fails at once.
"""

from __future__ import annotations

import os
import re
import sys
import types
from itertools import islice
from pathlib import Path

import pytest
import whoosh
from whoosh import query as Q

INDEX_DIR = str(Path(__file__).resolve().parents[2] / "index") + os.sep
WHOOSH_QUERY_DIR = str(Path(whoosh.__file__).resolve().parent / "query") + os.sep


class WorkExceeded(BaseException):
    """More work than the bound: raised from inside the measured call."""


def terms_read(query: Q.Query, reader, limit: int) -> int:
    """Count the index terms Whoosh reads for a query (stops a little past limit)."""
    total, stack = 0, [query]
    while stack and total <= limit:
        node = stack.pop()
        if isinstance(node, Q.Phrase):
            total += len(node.words)
        elif isinstance(node, Q.MultiTerm):
            total += sum(1 for _ in islice(node.expanded_terms(reader), limit + 1))
        elif isinstance(node, Q.Every) and node.fieldname not in (None, "", "*"):
            total += sum(1 for _ in islice(reader.lexicon(node.fieldname), limit + 1))
        elif node.is_leaf():
            total += 1
        else:
            stack.extend(node.children())
    return total


class _CountingPattern:
    def __init__(self, pattern: re.Pattern, meter: Regexes):
        self._pattern, self._meter = pattern, meter

    def finditer(self, string, pos=0, endpos=sys.maxsize):
        self._meter.add_regex(max(0, min(len(string), endpos) - pos))
        return self._pattern.finditer(string, pos, endpos)

    def search(self, string, pos=0, endpos=sys.maxsize):
        self._meter.add_regex(max(0, min(len(string), endpos) - pos))
        return self._pattern.search(string, pos, endpos)

    def __getattr__(self, name):
        return getattr(self._pattern, name)


class Lines:
    """Count the Python lines run in index/ and whoosh/query/: `with Lines(limit) as lines: ...`."""

    def __init__(self, limit: int):
        self.limit, self.lines = limit, 0

    def _trace(self, frame, event, arg):
        if frame.f_code.co_filename.startswith((INDEX_DIR, WHOOSH_QUERY_DIR)):
            return self._line
        return None

    def _line(self, frame, event, arg):
        if event == "line":
            self.lines += 1
            if self.lines > self.limit:
                raise WorkExceeded(f"more than {self.limit} lines run in index/ and whoosh/query/")
        return self._line

    def __enter__(self):
        self._previous = sys.gettrace()
        sys.settrace(self._trace)
        return self

    def __exit__(self, *exc) -> None:
        sys.settrace(self._previous)


class Regexes:
    """Count the characters handed to regexes index/ compiles: `with Regexes(limit) as regexes:`."""

    def __init__(self, limit: int):
        self.limit, self.chars = limit, 0
        self._monkeypatch = pytest.MonkeyPatch()

    def add_regex(self, chars: int) -> None:
        self.chars += chars
        if self.chars > self.limit:
            raise WorkExceeded(f"regexes handed more than {self.limit} characters")

    def __enter__(self):
        import index.lang
        import index.snippets

        shim = types.ModuleType("re")
        shim.__dict__.update(re.__dict__)
        shim.compile = lambda *args, **kwargs: _CountingPattern(re.compile(*args, **kwargs), self)
        for module in (index.lang, index.snippets):
            self._monkeypatch.setattr(module, "re", shim, raising=False)
        return self

    def __exit__(self, *exc) -> None:
        self._monkeypatch.undo()


class Meter:
    """Run a search under the three meters: `with Meter(searcher, lines=, terms=, regex_chars=)`.

    Lines count the Python run (the engine-neutral layer, and all of Whoosh); tantivy's own work
    runs in Rust, bounded by the terms it is handed, which `terms` counts.
    """

    def __init__(self, searcher, *, lines: int, terms: int, regex_chars: int):
        self.limits = {"lines": lines, "terms": terms, "regex_chars": regex_chars}
        self.terms = 0
        self._lines, self._regexes = Lines(lines), Regexes(regex_chars)
        self._monkeypatch, self._searcher = pytest.MonkeyPatch(), searcher

    @property
    def lines(self) -> int:
        return self._lines.lines

    @property
    def regex_chars(self) -> int:
        return self._regexes.chars

    def __enter__(self) -> Meter:
        from index import lang

        self._regexes.__enter__()
        parse = lang.parse

        def counted(text):
            tree = parse(text)
            # the index terms the engine is handed: every token of every field, a prefix twice
            self.terms = lang.clauses(tree) if tree is not None else 0
            if self.terms > self.limits["terms"]:
                raise WorkExceeded(f"the query handed to the engine reads more than {self.limits['terms']} terms")
            return tree

        self._monkeypatch.setattr(lang, "parse", counted)
        self._lines.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._lines.__exit__(*exc)
        self._monkeypatch.undo()
        self._regexes.__exit__(*exc)
