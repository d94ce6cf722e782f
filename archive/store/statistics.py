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

PUBLIC = "public_records"  # the view of records that are not withdrawn: every count's FROM

# Bytes withheld in some record, with the grounds they are withheld on there (empty grounds of a
# row in a record withheld whole: that record's grounds), and a clerk's withholds of content.
_WITHHELD_COPIES = """
copy_grounds (sha256, g) AS (
  SELECT a.sha256, j.value FROM attachments a JOIN records w ON w.id = a.record_id,
    json_each(CASE WHEN a.grounds != '[]' THEN a.grounds ELSE coalesce(w.withheld_grounds, '[]') END) j
  WHERE a.disclosure = 'withheld' OR w.withheld_grounds IS NOT NULL
  UNION SELECT c.sha256, j.value FROM clerk_withheld c, json_each(c.grounds) j
),
copies (sha256) AS (
  SELECT a.sha256 FROM attachments a JOIN records w ON w.id = a.record_id
  WHERE a.disclosure = 'withheld' OR w.withheld_grounds IS NOT NULL
  UNION SELECT sha256 FROM clerk_withheld
)"""

# Each counted attachment with whether the public sees it withheld (Record.effective).
_ATTACHMENTS = """
att AS (
  SELECT a.record_id, a.n, a.sha256, a.grounds, a.disclosure AS own, r.withheld_grounds,
    (r.withheld_grounds IS NOT NULL OR a.disclosure = 'withheld' OR a.sha256 IN copies) AS withheld
  FROM attachments a JOIN counted r ON r.id = a.record_id
),
levels AS (
  SELECT r.id, r.agency, substr(r.produced, 1, 4) AS year, r.kind, CASE
    WHEN r.withheld_grounds IS NOT NULL THEN 'withheld'
    WHEN NOT EXISTS (SELECT 1 FROM att WHERE att.record_id = r.id AND att.withheld) THEN 'public'
    WHEN EXISTS (SELECT 1 FROM att WHERE att.record_id = r.id AND NOT att.withheld) THEN 'partial'
    ELSE 'withheld' END AS level
  FROM counted r
),
att_grounds (record_id, n, g) AS (
  SELECT record_id, n, j.value FROM att, json_each(CASE WHEN withheld_grounds IS NOT NULL AND grounds = '[]'
    THEN withheld_grounds ELSE grounds END) j WHERE withheld_grounds IS NOT NULL OR own = 'withheld'
  UNION SELECT att.record_id, att.n, cg.g FROM att JOIN copy_grounds cg ON cg.sha256 = att.sha256
    WHERE att.withheld AND att.withheld_grounds IS NULL AND att.own = 'public'
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
        return self._one(f"SELECT 1 FROM {PUBLIC} r WHERE r.id = ?", (record_id,)) is not None

    def statistics_choices(self) -> tuple[list[str], list[str]]:
        """Every agency and year that public records have: the filter's choices."""
        agencies = [r[0] for r in self._all(f"SELECT DISTINCT agency FROM {PUBLIC} ORDER BY agency")]
        years = [r[0] for r in self._all(f"SELECT DISTINCT substr(produced, 1, 4) AS y FROM {PUBLIC} ORDER BY y DESC")]
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
        counted = f"counted AS (SELECT * FROM {PUBLIC} r WHERE {' AND '.join(where)})"
        head = f"WITH {counted},{_WITHHELD_COPIES},{_ATTACHMENTS}"

        def pairs(sql: str) -> list[tuple]:
            return [(row[0], row[1]) for row in self._all(f"{head} {sql}", tuple(args))]

        levels = dict(pairs("SELECT level, count(*) FROM levels GROUP BY level"))
        record_grounds = ("SELECT g, count(DISTINCT id) FROM (SELECT att_grounds.record_id AS id, g FROM att_grounds "
                          "UNION SELECT r.id, j.value FROM counted r, json_each(r.withheld_grounds) j "
                          "WHERE r.withheld_grounds IS NOT NULL) GROUP BY g ORDER BY g")
        return StatisticsCounts(
            total=sum(levels.values()),
            by_agency=pairs("SELECT agency, count(*) AS c FROM levels GROUP BY agency ORDER BY c DESC, agency"),
            by_year=pairs("SELECT year, count(*) FROM levels GROUP BY year ORDER BY year DESC"),
            by_kind=pairs("SELECT kind, count(*) AS c FROM levels GROUP BY kind ORDER BY c DESC, kind"),
            by_level={name: levels.get(name, 0) for name in ("public", "partial", "withheld")},
            withheld_attachments_by_ground=pairs("SELECT g, count(*) FROM att_grounds GROUP BY g ORDER BY g"),
            withheld_attachments=self._one(f"{head} SELECT count(*) FROM att WHERE withheld", tuple(args))[0],
            records_by_ground=pairs(record_grounds),
            days_to_publication=pairs(
                "SELECT max(0, CAST(julianday(substr(ingested_at, 1, 10)) - julianday(produced) AS INTEGER)) AS d, "
                "count(*) FROM counted WHERE julianday(produced) IS NOT NULL GROUP BY d ORDER BY d"),
        )
