"""The one door of public record queries: a store query that reads `records` itself must be listed here.

Withdrawn records (issue 14) are skipped by the `public_records` view (migration 13); every query a
public answer is built from reads it. A new query that reads `records` directly fails this test until
it is listed with why it may see withdrawn records (clerks, ingest, holds, harvest's deleted headers).
"""

import ast
import re
from pathlib import Path

STORE = Path(__file__).resolve().parents[2] / "archive" / "store"
RAW = re.compile(r"\b(?:FROM|JOIN)\s+records\b")

MAY_SEE_WITHDRAWN = {
    "accounts.agencies_of": "a clerk's agency check (every record, withdrawn ones too)",
    "audit.recent_audit": "the clerks' workspace",
    "comments.<module>": "comments joined to their record for clerks; public comments show on the record page only",
    "comments.comment_log": "the clerks' comment log",
    "feed.<module>": "the index feed's triggers: a withdrawn record is fed too, so that every node drops it",
    "feed.migrate_sqlite": "the index feed starts with every record (a withdrawn one is dropped by the catch-up)",
    "feed.oldest_fed_since": "how long the oldest change has waited for this node's index (verify; no public answer)",
    "harvest.public_changed_at": "OAI-PMH: a withdrawn record's datestamp for its deleted header",
    "harvest.earliest_public_change": "OAI-PMH Identify",
    "harvest.harvest": "OAI-PMH: withdrawn records are listed, as deleted",
    "harvest.harvest_count": "OAI-PMH: completeListSize counts the deleted headers too",
    "ocr.pending_scans": "the OCR reader's work list (no public answer)",
    "records.digest_of": "ingest: is this the same record again",
    "records.flagged_attachments": "the clerks' warnings",
    "records.withheld_grounds_of": "content withheld anywhere is withheld everywhere, a withdrawn record's too",
    "records.held_attachments": "the clerks' held files",
    "records.save": "ingest replaces the row (the withdrawn mark survives it: migration 13's trigger)",
    "review.pending_changes": "the clerks' pending changes",
    "review.orphan_holds": "the clerks' orphaned holds",
    "statistics.<module>": "the copies rule (a withdrawn record's withheld bytes stay withheld); its counts "
                           "read the records not in `withdrawn` (the view's rows) through a covering index, "
                           "held equal to public_records by tests/archive/test_statistics_store.py",
}


def raw_readers() -> set[str]:
    found = set()
    for path in sorted(STORE.glob("*.py")):
        if path.name in ("migrations.py", "review_schema.py", "account_schema.py", "pg_migrations.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    owner.setdefault(id(inner), node.name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and RAW.search(node.value):
                found.add(f"{path.stem}.{owner.get(id(node), '<module>')}")
    return found


def test_every_query_of_records_itself_is_listed():
    new = raw_readers() - set(MAY_SEE_WITHDRAWN)
    assert not new, f"read public_records, or list these with why they may see withdrawn records: {sorted(new)}"


def test_the_public_queries_read_the_view():
    source = (STORE / "records.py").read_text(encoding="utf-8")
    for name in ("count", "record_ids", "newest", "by_classification", "agencies", "top_classifications"):
        body = source.split(f"    def {name}(", 1)[1].split("\n    def ", 1)[0]
        assert "public_records" in body, name
