"""Statistics without HTTP: the calculations on small inputs, and the store's SQL held to the public view.

The SQL of archive/store/statistics.py repeats two rules of `Record` (a record's level from its
attachments' effective levels; content withheld anywhere is withheld everywhere). Each test here
builds a store where the rules bite and compares every count with one computed from `store.get()`.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from archive.statistics import BUCKETS, Distribution, report, shares
from archive.store import Store
from tests.builders import batch, record
from tests.conftest import CLERK, PASSWORD, make_app

# -- calculations -------------------------------------------------------------------------------


@pytest.mark.parametrize("counts, expected", [
    ([1, 1, 1], [33.4, 33.3, 33.3]),
    ([9, 4, 2], [60.0, 26.7, 13.3]),
    ([0, 0, 0], [0.0, 0.0, 0.0]),
    ([0, 5, 0], [0.0, 100.0, 0.0]),
    ([2, 1], [66.7, 33.3]),
])
def test_shares_add_up_to_a_hundred(counts, expected):
    got = shares(counts)
    assert got == expected
    if sum(counts):
        assert round(sum(got), 6) == 100.0


@pytest.mark.parametrize("days, median", [
    ((), None),
    (((5, 1),), 5),
    (((1, 1), (3, 1)), 2),
    (((1, 1), (4, 1)), 2.5),
    (((0, 3), (10, 1), (400, 1)), 0),
    (((2, 2), (9, 2)), 5.5),
    (((1, 1), (2, 1), (100, 1)), 2),
])
def test_median_of_grouped_days(days, median):
    assert Distribution(days).median == median
    flat = sorted(d for d, n in days for _ in range(n))
    if flat:  # the same as the textbook median over the ungrouped values
        mid = len(flat) // 2
        assert Distribution(days).median == (flat[mid] if len(flat) % 2 else (flat[mid - 1] + flat[mid]) / 2)


def test_buckets_cover_every_day_once():
    days = tuple((d, 1) for d in (0, 7, 8, 30, 31, 90, 91, 365, 366, 1095, 1096, 9000))
    buckets = Distribution(days).buckets()
    assert [b["count"] for b in buckets] == [2, 2, 2, 2, 2, 2]
    assert sum(b["count"] for b in buckets) == len(days)
    assert [(b["min"], b["max"]) for b in buckets] == list(BUCKETS)
    for (_, hi), (lo, _) in zip(BUCKETS, BUCKETS[1:], strict=False):
        assert lo == hi + 1  # no gap, no overlap


# -- the store's counts, held to Record --------------------------------------------------------

SHARED = "같은 바이트의 첨부: 한 기록에서 비공개면 모든 기록에서 비공개"


def _without_kind(data: dict) -> dict:
    data.pop("kind")
    return data


@pytest.fixture(scope="module")
def tricky_store(tmp_path_factory) -> Path:
    """Records where each rule bites: a copy withheld elsewhere, withheld whole, a clerk's withhold."""
    tmp_path = tmp_path_factory.mktemp("tricky")
    root = batch(
        tmp_path / "b",
        (record(id="A-WITHHOLDS", agency="가시", produced="2020-03-01", kind="회의록",
                attachments=[{"file": "공개.txt", "disclosure": "public"},
                             {"file": "사본.txt", "disclosure": "withheld", "grounds": [7]}], disclosure="partial"),
         {"공개.txt": "가 공개 본문", "사본.txt": SHARED}),
        (_without_kind(record(id="B-COPY", agency="가시", produced="2021-05-05",
                              attachments=[{"file": "다른이름.txt", "disclosure": "public"}])),
         {"다른이름.txt": SHARED}),  # public by its own row; the bytes are withheld in A: withheld, ground 7
        (record(id="C-WHOLE", agency="나시", produced="2021-01-01", withheld_grounds=[4], disclosure="withheld",
                attachments=[{"file": "본문.txt", "disclosure": "public"},
                             {"file": "명단.txt", "disclosure": "withheld", "grounds": [6]}]),
         {"본문.txt": "다 전부 비공개 본문", "명단.txt": "다 명단"}),
        (record(id="D-PUBLIC", agency="나시", produced="2019-12-31"), {"본문.txt": "라 공개"}),
        (record(id="E-CLERK", agency="가시", produced="2021-02-02",
                attachments=[{"file": "하나.txt", "disclosure": "public"}, {"file": "둘.txt", "disclosure": "public"}]),
         {"하나.txt": "마 하나", "둘.txt": "마 둘"}),
    )
    app = make_app(tmp_path / "store")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    assert runner.invoke(args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"],
                         input=PASSWORD + "\n").exit_code == 0
    done = runner.invoke(args=["disclose", "E-CLERK", "2", "--withhold", "--ground", "5", "--ground", "8",
                               "--reason", "의사결정 과정", "--clerk", CLERK])
    assert done.exit_code == 0, done.output
    return Path(app.config["DATA_DIR"])


@pytest.fixture
def tricky(tricky_store):
    """The tricky store, read only."""
    store = Store(tricky_store)
    yield store
    store.close()


def expected(store: Store, agency: str | None = None, year: str | None = None) -> dict:
    """Every count the SQL gives, computed from the public view's own rules (Record)."""
    records = [store.get(i) for i in store.record_ids()]
    records = [r for r in records if (agency is None or r.agency == agency)
               and (year is None or r.produced[:4] == year)]
    att_grounds, record_grounds, withheld = Counter(), Counter(), 0
    for r in records:
        for att in r.attachments:
            level, grounds = r.effective(att)
            if level.value == "withheld":
                withheld += 1
                att_grounds.update(grounds)
        record_grounds.update(r.grounds)
    return {"total": len(records),
            "by_agency": Counter(r.agency for r in records), "by_year": Counter(r.produced[:4] for r in records),
            "by_kind": Counter(r.kind for r in records),
            "by_level": {lv: sum(r.level.value == lv for r in records) for lv in ("public", "partial", "withheld")},
            "att_grounds": dict(att_grounds), "record_grounds": dict(record_grounds), "withheld": withheld}


def got(store: Store, agency: str | None = None, year: str | None = None) -> dict:
    c = store.statistics(agency, year)
    return {"total": c.total, "by_agency": Counter(dict(c.by_agency)), "by_year": Counter(dict(c.by_year)),
            "by_kind": Counter(dict(c.by_kind)), "by_level": c.by_level,
            "att_grounds": dict(c.withheld_attachments_by_ground), "record_grounds": dict(c.records_by_ground),
            "withheld": c.withheld_attachments}


def test_counts_follow_the_public_view_record_by_record(tricky):
    assert got(tricky) == expected(tricky)
    counts = tricky.statistics()
    # the rules that bite, spelled out: B's public row is withheld as a copy (ground 7), C is withheld
    # whole (its public file counts on ground 4), E's clerk withhold counts on both its grounds
    assert counts.by_level == {"public": 1, "partial": 2, "withheld": 2}
    assert dict(counts.withheld_attachments_by_ground) == {4: 1, 5: 1, 6: 1, 7: 2, 8: 1}
    assert counts.withheld_attachments == 5
    assert dict(counts.records_by_ground) == {4: 1, 5: 1, 6: 1, 7: 2, 8: 1}
    assert dict(counts.by_kind)[None] == 1


@pytest.mark.parametrize("agency, year", [("가시", None), (None, "2021"), ("나시", "2021"), ("없는시", None),
                                          (None, "1999")])
def test_filtered_counts_follow_the_public_view(tricky, agency, year):
    assert got(tricky, agency, year) == expected(tricky, agency, year)


def test_choices_and_days(tricky):
    agencies, years = tricky.statistics_choices()
    assert agencies == ["가시", "나시"] and years == ["2021", "2020", "2019"]
    days = dict(tricky.statistics().days_to_publication)
    assert sum(days.values()) == 5 and min(days) >= 0
    data = report(tricky.statistics(), None, None)
    assert data["days_to_publication"]["records"] == 5
    assert sum(b["count"] for b in data["days_to_publication"]["buckets"]) == 5


def test_withdrawn_records_are_counted_nowhere(tricky_store, tmp_path):
    """A record withdrawn (issue 14's `withdraw`) leaves every count; its withheld bytes stay withheld elsewhere."""
    shutil.copytree(tricky_store, tmp_path / "store", symlinks=True)
    app = make_app(tmp_path / "store")
    for record_id in ("C-WHOLE", "A-WITHHOLDS"):
        done = app.test_cli_runner().invoke(args=["withdraw", record_id, "--reason", "잘못 올림", "--clerk", CLERK])
        assert done.exit_code == 0, done.output
    store = Store(tmp_path / "store")
    try:
        assert {row[1] for row in store.db.execute("PRAGMA table_info(records)")} >= {"withdrawn_at"}
        counts = store.statistics()
        assert got(store) == expected(store)  # Record's own reading: store.get skips withdrawn records
        assert counts.total == 3 == store.count()  # store.count() reads the public_records view
        assert counts.by_level == {"public": 1, "partial": 1, "withheld": 1}
        assert dict(counts.by_agency) == {"가시": 2, "나시": 1}
        # B's copy stays withheld on ground 7 though A, which withheld the bytes, is withdrawn
        assert dict(counts.withheld_attachments_by_ground) == {5: 1, 7: 1, 8: 1}
        assert store.statistics_choices() == (["가시", "나시"], ["2021", "2019"])
        assert not store.is_public_record("C-WHOLE") and store.is_public_record("D-PUBLIC")
        assert not store.is_public_record("NOPE")
    finally:
        store.close()
