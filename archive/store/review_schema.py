"""The tables of migration 13 (issue 14): withdrawn records, pending changes, timed withholds, the
clerks' other audited acts, each ingest run's records."""

REVIEW = """
-- A record taken off every public path (issue 14), apart from `records` so that a re-send of the
-- record (save() deletes and inserts its row) cannot bring it back: only a restore does.
CREATE TABLE IF NOT EXISTS withdrawn (
    record_id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    clerk TEXT NOT NULL,
    reason TEXT NOT NULL
);
-- records.withdrawn_at mirrors that table, kept by triggers (a re-sent record's new row too), so a
-- query may filter on the column: `withdrawn_at IS NULL` is the public's.
CREATE TRIGGER IF NOT EXISTS withdrawn_in AFTER INSERT ON withdrawn
BEGIN UPDATE records SET withdrawn_at = NEW.at WHERE id = NEW.record_id; END;
CREATE TRIGGER IF NOT EXISTS withdrawn_out AFTER DELETE ON withdrawn
BEGIN UPDATE records SET withdrawn_at = NULL WHERE id = OLD.record_id; END;
CREATE TRIGGER IF NOT EXISTS withdrawn_kept AFTER INSERT ON records
BEGIN UPDATE records SET withdrawn_at = (SELECT at FROM withdrawn WHERE record_id = NEW.id) WHERE id = NEW.id; END;
-- The one door of public queries: every query the public's answers come from reads this view.
CREATE VIEW IF NOT EXISTS public_records AS SELECT * FROM records WHERE withdrawn_at IS NULL;
-- Changes that make content more public wait here for a second clerk (ARCHIVE_FOUR_EYES=1).
CREATE TABLE IF NOT EXISTS pending_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    attachment_n INTEGER,
    sha256 TEXT,
    clerk TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'pending',
    decided_by TEXT,
    decided_at TEXT,
    decision_reason TEXT
);
CREATE INDEX IF NOT EXISTS pending_changes_state ON pending_changes (state, id);
-- A clerk's withhold that ends on a date: keyed like clerk_withheld (the content, in the record).
CREATE TABLE IF NOT EXISTS withhold_until (
    sha256 TEXT NOT NULL,
    record_id TEXT NOT NULL,
    until TEXT NOT NULL,
    clerk TEXT NOT NULL,
    confirmed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sha256, record_id)
);
-- What clerks did besides an attachment's level (requests, decisions, withdrawals), append-only.
CREATE TABLE IF NOT EXISTS clerk_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    clerk TEXT NOT NULL,
    action TEXT NOT NULL,
    record_id TEXT,
    attachment_n INTEGER,
    from_level TEXT,
    to_level TEXT,
    grounds TEXT NOT NULL DEFAULT '[]',
    reason TEXT NOT NULL,
    change_id INTEGER,
    -- the audit table's last id when this was written: the two logs read back in the order made
    audit_seq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS clerk_events_record ON clerk_events (record_id, id);
CREATE TRIGGER IF NOT EXISTS clerk_events_no_update BEFORE UPDATE ON clerk_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS clerk_events_no_delete BEFORE DELETE ON clerk_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- Which records each ingest run added or replaced: an agency's mistaken batch withdrawn at once.
CREATE TABLE IF NOT EXISTS ingest_records (
    ingest_id INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    PRIMARY KEY (ingest_id, record_id)
);
"""
