"""The search-engine seam: one protocol, several engines chosen by ARCHIVE_SEARCH_ENGINE.

An engine stores and searches index documents (index.documents builds them from the public view
only, so no engine ever holds withheld text). It answers an engine-neutral query tree
(index.lang) with ids, versions, a total and facet counts; titles, snippets and everything a
reader sees are built above it, from the store's public view (index.service), so an engine
cannot show what the store withholds now, even from a stale entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

FACETS = ["agency", "department", "kind", "year", "level", "grounds", "licences"]
PAGE_SIZE = 20
MAX_PAGE = 500
SORTS = ("relevance", "newest", "oldest")


@dataclass
class SearchRequest:
    """A search as the reader asked for it: plain values, no HTTP."""

    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)  # facet field -> value
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = PAGE_SIZE
    # records this node's index may hold stale (changed in the store since the index last caught
    # up, by any node): left out of the matches, so of counts and facets too (index.service.behind)
    exclude: frozenset[str] = frozenset()

    def key(self) -> tuple:
        return (self.q.strip(), tuple(sorted(self.filters.items())), self.date_from, self.date_to,
                self.sort, self.page, self.page_size, tuple(sorted(self.exclude)))


@dataclass(frozen=True)
class Hit:
    id: str
    version: int


@dataclass
class Matches:
    """What an engine answers: one page of hits, the total, facet counts, whether it was cut short."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    partial: bool = False  # the engine's time budget ran out: counts and pages are a lower bound


class Engine(Protocol):
    """What every engine does; index.service and the contract tests use nothing else."""

    name: str
    data_dir: Path  # the node's folder: the engine's index and the index lock live there
    # whether it indexes index.analysis's terms, which an ingest may then make ahead (analysis.terms_of)
    takes_terms: bool

    def write(self, documents: Iterable[dict], remove: Iterable[str] = (), purge: bool = False) -> None:
        """Replace these records' entries (and drop `remove`), committed before returning.

        `purge`: the text the replaced entries held leaves the index files, not only the results.
        """

    def rebuild(self, documents: Iterable[dict], progress: Callable[[int], None] | None = None,
                mark: dict | None = None) -> int:
        """Build a whole index into a fresh folder and swap it in; readers never see half of it.

        `mark` goes into the fresh folder before the swap (index.service: the feed position it follows).
        """

    def mark(self) -> dict | None:
        """The mark of the index in use (index.locking.read_mark), None when it carries none."""

    def set_mark(self, mark: dict) -> None:
        """Write the mark of the index in use, whole (after the writes it describes are committed)."""

    def is_current(self) -> bool:
        """Whether the index on disk has the fields this release writes (else: rebuild)."""

    def search(self, tree, req: SearchRequest) -> Matches:
        """Match, rank, filter, facet, sort and page; `tree` is index.lang's (None: every record)."""

    def more_like(self, record_id: str, text: str, limit: int,
                  exclude: frozenset[str] = frozenset()) -> list[tuple[str, float]]:
        """(id, score) of records most like this public text (the record's own), best first, itself and
        `exclude` left out."""

    def indexed(self) -> dict[str, int]:
        """Every record id in the index with the version it holds (for verify)."""

    def generation(self) -> tuple:
        """Changes whenever what the index answers may change (results are cached per generation)."""

    def lexicon(self) -> set[str]:
        """Every term of the full-text fields (tests check withheld text left no trace)."""


ENGINES = ("tantivy", "whoosh")


def open_engine(name: str, data_dir: Path) -> Engine:
    """The configured engine over the node's index folder; each engine's library is imported here only."""
    if name == "whoosh":
        from .whoosh_engine import WhooshEngine

        return WhooshEngine(Path(data_dir))
    if name == "tantivy":
        from .tantivy_engine import TantivyEngine

        return TantivyEngine(Path(data_dir))
    raise ValueError(f"ARCHIVE_SEARCH_ENGINE must be one of {', '.join(ENGINES)}, not {name!r}")
