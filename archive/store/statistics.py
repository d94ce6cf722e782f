"""What /statistics counts, as SQL: records by agency, year, kind and level, withheld files by ground.

Two rules of the public view are repeated here in SQL, and tests/archive/test_statistics_store.py
holds them to `Record.level` / `Record.effective` record by record:

- a record's level follows from its attachments' *effective* levels (archive.disclosure.derive_level);
- content withheld anywhere is withheld everywhere (RecordsMixin.withheld_grounds_of): a public row
  whose bytes are withheld in another record, withheld whole, or by a clerk, counts as withheld.

Every count reads records through the `public_records` view (migration 13), the one door of what
the public may count: a withdrawn record (issue 14) is counted nowhere. The bytes-withheld-elsewhere
rule reads *all* records, withdrawn ones too, as `Record` does (a withdrawal must not release a copy).
Nothing here selects a title, a summary, a file name or text: counts and public metadata values only.
"""

from __future__ import annotations

from dataclasses import dataclass

# The rows of the public_records view (migration 13: `withdrawn_at IS NULL`, which triggers keep equal
# to "not in `withdrawn`"), with the columns counted only: read from the covering index
# records_statistics (migration 12, in archive/store/comments.py's SCHEMA), where the view's own
# filter decodes every whole record row (summary, approval chain...), five times slower.
# tests/archive/test_statistics_store.py holds the two equal.
PUBLIC = ("(SELECT id, agency, produced, kind, withheld_grounds, ingested_at FROM records "
          "WHERE id NOT IN (SELECT record_id FROM withdrawn))")

# Bytes withheld in some record, with the grounds they are withheld on there (empty grounds of a
# row in a record withheld whole: that record's grounds), and a clerk's withholds of content.
_WITHHELD_COPIES = """
copy_grounds (sha256, g) AS (
  SELECT a.sha256, j.value FROM attachments a JOIN records w ON w.id = a.record_id,
    json_each(CASE WHEN a.grounds != '[]' THEN a.grounds ELSE coalesce(w.withheld_grounds, '[]') END) j
  WHERE a.disclosure = 'withheld' OR w.withheld_grounds IS NOT NULL
  UNION SELECT c.sha256, j.value FROM clerk_withheld c, json_each(c.grounds) j
),
copies (sha256) AS MATERIALIZED (
  SELECT a.sha256 FROM attachments a JOIN records w ON w.id = a.record_id
  WHERE a.disclosure = 'withheld' OR w.withheld_grounds IS NOT NULL
  UNION SELECT sha256 FROM clerk_withheld
)"""

# Each counted attachment with whether the public sees it withheld (Record.effective).
_ATTACHMENTS = """
att AS MATERIALIZED (
  SELECT a.record_id, a.n, a.sha256, a.grounds, a.disclosure AS own, r.withheld_grounds,
    CASE WHEN r.withheld_grounds IS NOT NULL OR a.disclosure = 'withheld'
      OR a.sha256 IN (SELECT sha256 FROM copies) THEN 1 ELSE 0 END AS withheld
  FROM attachments a JOIN counted r ON r.id = a.record_id
),
levels AS (  -- archive.disclosure.derive_level, over the effective levels
  SELECT r.id, r.agency, substr(r.produced, 1, 4) AS year, r.kind, CASE
    WHEN r.withheld_grounds IS NOT NULL THEN 'withheld'
    WHEN coalesce(sum(att.withheld), 0) = 0 THEN 'public'
    WHEN sum(att.withheld) < count(att.n) THEN 'partial'
    ELSE 'withheld' END AS level
  FROM counted r LEFT JOIN att ON att.record_id = r.id GROUP BY r.id, r.agency, r.produced, r.kind, r.withheld_grounds
),
att_grounds (record_id, n, g) AS (
  SELECT record_id, n, j.value FROM att, json_each(CASE WHEN withheld_grounds IS NOT NULL AND grounds = '[]'
    THEN withheld_grounds ELSE grounds END) j WHERE withheld_grounds IS NOT NULL OR own = 'withheld'
  UNION SELECT att.record_id, att.n, cg.g FROM att JOIN copy_grounds cg ON cg.sha256 = att.sha256
    WHERE att.withheld = 1 AND att.withheld_grounds IS NULL AND att.own = 'public'
)"""


@dataclass(frozen=True)
class StatisticsCounts:
    """Counts over the public records that match a filter (agency, year); values as the facets have them."""

    total: int
    by_agency: list[tuple[str, int]]
    by_year: list[tuple[str, int]]
    by_kind: list[tuple[str | None, int]]  # None: records that name no kind
    by_level: dict[str, int]  # public, partial, withheld
    withheld_attachments_by_ground: list[tuple[int, int]]  # (ground, withheld files citing it)
    withheld_attachments: int  # withheld files, each once whatever its grounds
    records_by_ground: list[tuple[int, int]]  # (ground, records citing it): the search facet `ground`
    days_to_publication: list[tuple[int, int]]  # (days from produced to ingested_at, records), negative as 0


class StatisticsMixin:
    def is_public_record(self, record_id: str) -> bool:
        """Whether a record exists and is not withdrawn (a comment may be left on it)."""
        return self._one("SELECT 1 FROM public_records WHERE id = ?", (record_id,)) is not None

    def statistics_choices(self) -> tuple[list[str], list[str]]:
        """Every agency and year that public records have: the filter's choices."""
        agencies = [r[0] for r in self._all(f"SELECT DISTINCT agency FROM {PUBLIC} r ORDER BY agency")]
        years = [r[0] for r in self._all(f"SELECT DISTINCT substr(produced, 1, 4) AS y FROM {PUBLIC} r "
                                         "ORDER BY y DESC")]
        return agencies, years

    def statistics(self, agency: str | None = None, year: str | None = None) -> StatisticsCounts:
        """Every count of the statistics page over the public records of `agency` and `year` (None: all).

        Cost: each query is one pass over the matching records and their attachments (indexed by
        record), plus one over the withheld rows for the copies rule; no per-record round trip.
        """
        where, args = ["1 = 1"], []
        if agency is not None:
            where.append("r.agency = ?")
            args.append(agency)
        if year is not None:
            where.append("substr(r.produced, 1, 4) = ?")
            args.append(year)
        matching = f"FROM {PUBLIC} r WHERE {' AND '.join(where)}"
        counted = f"counted AS (SELECT * {matching})"
        head = f"WITH {counted},{_WITHHELD_COPIES},{_ATTACHMENTS}"

        def rows(sql: str) -> list[tuple]:
            return [tuple(row) for row in self._all(f"{head} {sql}", tuple(args))]

        # one pass for the four breakdowns of records (combinations are few: agencies x years x kinds x 3)
        combos = rows("SELECT agency, year, kind, level, count(*) FROM levels GROUP BY agency, year, kind, level")
        by: dict[int, dict] = {0: {}, 1: {}, 2: {}, 3: {}}
        for *values, n in combos:
            for i, value in enumerate(values):
                by[i][value] = by[i].get(value, 0) + n
        # one pass for the grounds: per withheld file, per record, and the withheld files once
        grounds = rows("SELECT 'file', g, count(*) FROM att_grounds GROUP BY g UNION ALL "
                       "SELECT 'record', g, count(DISTINCT id) FROM (SELECT record_id AS id, g FROM att_grounds "
                       "UNION SELECT r.id, j.value FROM counted r, json_each(r.withheld_grounds) j "
                       "WHERE r.withheld_grounds IS NOT NULL) AS ids GROUP BY g "
                       "UNION ALL SELECT 'files', NULL, count(*) FROM att WHERE withheld = 1")
        # (CASE, not SQLite's two-argument max(): the same SQL runs on PostgreSQL, archive/store/pg.py)
        days = self._all("SELECT CASE WHEN d < 0 THEN 0 ELSE d END, count(*) FROM (SELECT "
                         "CAST(julianday(substr(ingested_at, 1, 10)) - julianday(produced) AS INTEGER) AS d "
                         f"{matching} AND julianday(produced) IS NOT NULL) AS days GROUP BY 1 ORDER BY 1", tuple(args))
        return StatisticsCounts(
            total=sum(by[3].values()),
            by_agency=sorted(by[0].items(), key=lambda kv: (-kv[1], kv[0])),
            by_year=sorted(by[1].items(), reverse=True),
            by_kind=sorted(by[2].items(), key=lambda kv: (-kv[1], kv[0] or "")),
            by_level={name: by[3].get(name, 0) for name in ("public", "partial", "withheld")},
            withheld_attachments_by_ground=sorted((g, n) for kind, g, n in grounds if kind == "file"),
            withheld_attachments=next(n for kind, _, n in grounds if kind == "files"),
            records_by_ground=sorted((g, n) for kind, g, n in grounds if kind == "record"),
            days_to_publication=[(d, n) for d, n in days],
        )
