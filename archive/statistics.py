"""Statistics of disclosure (issue 13): the calculations over the store's counts, with no SQL and no HTTP.

The counts come from `Store.statistics` (archive/store/statistics.py), which counts public records
only; what is computed here (shares, the median, buckets) is pure arithmetic on those counts, so it
is tested on small inputs without a store (tests/archive/test_statistics_store.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from .disclosure import GROUNDS, Disclosure

# Days from production to publication, in the buckets a reader asks about (the last is open).
BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 7), (8, 30), (31, 90), (91, 365), (366, 1095), (1096, None))


def shares(counts: list[int], places: int = 1) -> list[float]:
    """Percentages of each count in their total, rounded so that they add up to exactly 100.

    Largest remainder: plain rounding can show 33.3 + 33.3 + 33.3 = 99.9, which a reader reads as
    a count missing. An empty total gives 0 for each.
    """
    total = sum(counts)
    if total <= 0:
        return [0.0 for _ in counts]
    unit = 10 ** places
    exact = [c * 100 * unit / total for c in counts]
    floors = [int(x) for x in exact]
    left = 100 * unit - sum(floors)
    by_remainder = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [f / unit for f in floors]


@dataclass(frozen=True)
class Distribution:
    """Records by whole days from production to publication: the median and the buckets."""

    days: tuple[tuple[int, int], ...]  # (days, records), days ascending

    @property
    def count(self) -> int:
        return sum(n for _, n in self.days)

    @property
    def median(self) -> float | int | None:
        """The middle value (the mean of the two middle ones for an even count); None for no record."""
        count = self.count
        if count == 0:
            return None
        wanted = [(count - 1) // 2, count // 2]
        found, seen = [], 0
        for days, n in self.days:
            while len(found) < 2 and wanted[len(found)] < seen + n:
                found.append(days)
            seen += n
        middle = (found[0] + found[1]) / 2
        return int(middle) if middle == int(middle) else middle

    def buckets(self) -> list[dict]:
        out = []
        for lo, hi in BUCKETS:
            n = sum(c for d, c in self.days if d >= lo and (hi is None or d <= hi))
            out.append({"min": lo, "max": hi, "count": n})
        return out


CACHE = 64  # (store, public generation, agency, year) answers kept per process
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def cached_counts(store, agency: str | None, year: str | None):
    """`store.statistics`, answered again from memory while nothing public has changed.

    A count passes over every public record (a third of a second at 5,600 records, 10,000 files);
    the store's public generation moves with every change the public may see (ingest, withhold,
    release, withdraw), so an answer is never older than what the public may see. The generation is
    read before counting: an answer newer than its key is harmless, an older one would not be.
    """
    key = (str(store.data_dir), store.public_generation(), agency, year)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    counts = store.statistics(agency, year)
    with _cache_lock:
        _cache[key] = counts
        while len(_cache) > CACHE:
            _cache.popitem(last=False)
    return counts


def report(counts, agency: str | None, year: str | None) -> dict:
    """The statistics as plain data (the JSON of /api/statistics; the page renders the same dict)."""
    levels = [level.value for level in Disclosure]
    level_shares = shares([counts.by_level[name] for name in levels])
    distribution = Distribution(tuple(counts.days_to_publication))

    def ground(number: int, n: int) -> dict:
        g = GROUNDS.get(number)
        return {"ground": number, "label_ko": g.label_ko if g else str(number),
                "label_en": g.label_en if g else str(number), "count": n}

    return {
        "filters": {"agency": agency, "year": year},
        "total": counts.total,
        "by_agency": [{"value": v, "count": n} for v, n in counts.by_agency],
        "by_year": [{"value": v, "count": n} for v, n in counts.by_year],
        "by_kind": [{"value": v, "count": n} for v, n in counts.by_kind],
        "disclosure": [{"level": name, "label_ko": Disclosure(name).label_ko, "label_en": Disclosure(name).label_en,
                        "count": counts.by_level[name], "share": share}
                       for name, share in zip(levels, level_shares, strict=True)],
        "withheld_attachments": {
            "total": counts.withheld_attachments,
            "by_ground": [ground(g, n) for g, n in counts.withheld_attachments_by_ground],
        },
        "records_by_ground": [ground(g, n) for g, n in counts.records_by_ground],
        "days_to_publication": {"records": distribution.count, "median": distribution.median,
                                "buckets": distribution.buckets()},
    }
