"""The index feed: which records changed, in commit order, for every node's search index to follow.

Each node keeps its own index (index/service.py) and remembers, in the index folder itself, the
feed position it has caught up to. A node serving an index that lags behind another node's
withhold is the threat: its entries still hold the withheld text, so a search for a withheld
word would find, count and facet the record. So the feed is written by triggers in the database
(migration 16 here, step 2 of pg_migrations.py), not by the code that makes changes: no write
path to what an index document is made of (records, attachments, extractions, the clerks' holds
on bytes) can forget it, a psql session included. A search leaves out every record fed after the
node's position (index.service.behind), so a stale entry is never matched, whatever it holds.

One row per record (its latest change), so the feed is as long as the store, never longer.
`seq` comes from one counter row that every feeding transaction updates: the row lock orders
the transactions, so a position read from committed rows can never be overtaken by a change
that commits later with a smaller number (a sequence would allow that in PostgreSQL).
"""

from __future__ import annotations

FEED_TABLES = """
CREATE TABLE IF NOT EXISTS index_feed (record_id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS index_feed_seq ON index_feed (seq);
CREATE TABLE IF NOT EXISTS feed_state (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
"""

# what makes an index document (index/documents.py: the record row, its attachments and their
# extractions, and any withhold of the same bytes anywhere) -> the records it may change
_SOURCES = {
    # a record withheld whole withholds its bytes in every record holding them: its twins change too
    "records": {"INSERT": ["NEW.id"], "UPDATE": ["NEW.id", "twins:NEW"], "DELETE": ["OLD.id", "twins:OLD"]},
    "attachments": {"INSERT": ["NEW.record_id", "sha:NEW"], "UPDATE": ["NEW.record_id", "OLD.record_id", "sha:NEW",
                                                                      "sha:OLD"],
                    "DELETE": ["OLD.record_id", "sha:OLD"]},
    "extractions": {"INSERT": ["sha:NEW"], "UPDATE": ["sha:NEW"], "DELETE": ["sha:OLD"]},
    "clerk_withheld": {"INSERT": ["sha:NEW"], "UPDATE": ["sha:NEW", "sha:OLD"], "DELETE": ["sha:OLD"]},
}


def _ids_sql(sources: list[str], cast: str = "") -> str:
    """The ids a change of one row may touch, as a UNION of SELECTs of a column `id`."""
    return " UNION ".join(_one_source(s, cast) for s in sources)


def _one_source(source: str, cast: str) -> str:
    if source.startswith("sha:"):  # every record holding these bytes
        return f"SELECT record_id AS id FROM attachments WHERE sha256 = {source[4:]}.sha256"
    if source.startswith("twins:"):  # every record holding any of this record's bytes
        return (f"SELECT b.record_id AS id FROM attachments a JOIN attachments b ON b.sha256 = a.sha256 "
                f"WHERE a.record_id = {source[6:]}.id")
    return f"SELECT {source}{cast} AS id"


def sqlite_triggers() -> list[str]:
    return [f"CREATE TRIGGER IF NOT EXISTS feed_{table}_{event.lower()} AFTER {event} ON {table} BEGIN "
            f"UPDATE feed_state SET seq = seq + 1 WHERE id = 1; "
            # not INSERT OR REPLACE: a firing statement's own conflict clause (an upsert's) would
            # override the trigger's, so the row is deleted and written again instead
            f"DELETE FROM index_feed WHERE record_id IN ({_ids_sql(sources)}); "
            f"INSERT INTO index_feed (record_id, seq) SELECT DISTINCT x.id, f.seq FROM ({_ids_sql(sources)}) AS x, "
            f"feed_state f WHERE f.id = 1 AND x.id IS NOT NULL; END"
            for table, events in _SOURCES.items() for event, sources in events.items()]


def migrate_sqlite(db) -> None:
    """Migration 16: the feed, started with every record at position 1 (a node's index, having no
    position yet, is rebuilt once: index.service.needs_rebuild)."""
    from .migrations import _statements

    for statement in _statements(FEED_TABLES):
        db.execute(statement)
    db.execute("INSERT INTO feed_state (id, seq) VALUES (1, 1) ON CONFLICT DO NOTHING")
    db.execute("INSERT OR IGNORE INTO index_feed (record_id, seq) SELECT id, 1 FROM records")
    for statement in sqlite_triggers():
        db.execute(statement)


PG_FEED = """
CREATE TABLE index_feed (record_id TEXT PRIMARY KEY, seq BIGINT NOT NULL);
CREATE INDEX index_feed_seq ON index_feed (seq);
CREATE TABLE feed_state (id BIGINT PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL);
INSERT INTO feed_state (id, seq) VALUES (1, 1);
INSERT INTO index_feed (record_id, seq) SELECT id, 1 FROM records;
"""


def pg_statements() -> list[str]:
    """Step 2 of the PostgreSQL schema: the same feed, one trigger function per table."""
    from .pg_migrations import _split

    out = _split(PG_FEED)
    for table, events in _SOURCES.items():
        branches = []
        for event, sources in events.items():
            ids = f"SELECT DISTINCT x.id, position FROM ({_ids_sql(sources, '::text')}) AS x WHERE x.id IS NOT NULL"
            branches.append(f"IF TG_OP = '{event}' THEN INSERT INTO index_feed (record_id, seq) {ids} "
                            f"ON CONFLICT (record_id) DO UPDATE SET seq = excluded.seq; END IF")
        body = " ".join(f"{b};" for b in branches)
        # the counter first, the ids after: under READ COMMITTED the ids' query then sees every
        # feeding transaction that committed before this one (a query run before the wait would
        # miss a record given these bytes meanwhile, and a node caught up to it would keep its text)
        out.append(f"CREATE FUNCTION feed_of_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"DECLARE position BIGINT; BEGIN "
                   f"UPDATE feed_state SET seq = seq + 1 WHERE id = 1 RETURNING seq INTO position; "
                   f"{body} RETURN NULL; END $$")
        out.append(f"CREATE TRIGGER feed_of_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION feed_of_{table}()")
    return out


class FeedMixin:
    """Reading the feed; writing it is the triggers' alone."""

    def feed_head(self) -> int:
        """The feed's latest position: everything committed so far is at or before it."""
        return int(self._one("SELECT seq FROM feed_state WHERE id = 1")[0])

    def feed_since(self, seq: int, limit: int | None = None, whole: bool = True) -> list[tuple[str, int]]:
        """(record id, position) of the records changed after `seq`, oldest change first; at most
        `limit` (+ the rest of the last position's records, so that no position is cut in two;
        `whole=False`: cut, for a caller that only asks whether there are more than `limit`)."""
        if limit is None:
            rows = self._all("SELECT record_id, seq FROM index_feed WHERE seq > ? ORDER BY seq, record_id", (seq,))
            return [(r[0], int(r[1])) for r in rows]
        rows = self._all("SELECT record_id, seq FROM index_feed WHERE seq > ? ORDER BY seq, record_id LIMIT ?",
                         (seq, limit + 1))
        out = [(r[0], int(r[1])) for r in rows]
        if not whole:
            return out  # limit + 1 rows at most: one clerk's withhold of bytes 50,000 records share costs no more
        if len(out) > limit and out[limit - 1][1] == out[limit][1]:
            last = out[limit - 1][1]
            rest = self._all("SELECT record_id, seq FROM index_feed WHERE seq = ? ORDER BY record_id", (last,))
            out = [row for row in out if row[1] < last] + [(r[0], int(r[1])) for r in rest]
            return out
        return out[:limit]

    def oldest_fed_since(self, seq: int) -> str | None:
        """When the longest-waiting record changed after `seq` was stored (ISO, UTC), or None."""
        return self._one("SELECT min(r.ingested_at) FROM index_feed f JOIN records r ON r.id = f.record_id "
                         "WHERE f.seq > ?", (seq,))[0]

    def hashes_of(self, record_ids: list[str]) -> set[str]:
        """The files these records hold (a follower purges their cached renditions)."""
        if not record_ids:
            return set()
        marks = ",".join("?" * len(record_ids))
        return {r[0] for r in self._all(f"SELECT DISTINCT sha256 FROM attachments WHERE record_id IN ({marks})",
                                        tuple(record_ids))}
