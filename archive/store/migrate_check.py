"""The check of `migrate-store`: per table a row count and a SHA-256 over every row in one canonical
order, read from the embedded store and (over a new connection, after the copy committed) from
PostgreSQL. A truncated or altered copy -- an attachment's level, one audit entry's
reason -- changes a count or a hash, and the table is named.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import psycopg

from .pg import _value

BYTEWISE = ' COLLATE "C"'


@dataclass(frozen=True)
class Check:
    table: str
    source_rows: int
    target_rows: int
    source_sha256: str
    target_sha256: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sha256 == self.target_sha256


def _q(name: str) -> str:
    return f'"{name}"'  # names come from the schemas, checked by migrate.plan()


def _canonical(row) -> bytes:
    return json.dumps([v.hex() if isinstance(v, bytes) else v for v in row], ensure_ascii=False).encode() + b"\n"


def _digest(rows, columns: tuple[str, ...], transform=lambda v: v) -> tuple[int, str]:
    h, n = hashlib.sha256(_canonical(columns)), 0
    for row in rows:
        h.update(_canonical([transform(v) for v in row]))
        n += 1
    return n, h.hexdigest()


def _order(t, pg: bool) -> str:
    # SQLite sorts text byte-wise and NULLs first; PostgreSQL is told to do the same, whatever the
    # database's collation, so that both hashes read the rows in one order
    if not pg:
        return ", ".join(_q(c) for c in t.key)
    return ", ".join(f"{_q(c)}{BYTEWISE if c in t.text else ''} NULLS FIRST" for c in t.key)


def verify(lite_db, url: str, tables: list, batch: int) -> list[Check]:
    """Counts and hashes of every copied table on both sides, read back over a new connection."""
    checks = []
    with psycopg.connect(url, autocommit=True) as pg, pg.transaction():
        for t in tables:
            columns = ", ".join(_q(c) for c in t.columns)
            source = _digest(lite_db.execute(f"SELECT {columns} FROM {_q(t.name)} ORDER BY {_order(t, False)}"),
                             t.columns, _value)  # as the copy wrote them (a NUL in text became U+FFFD)
            with pg.cursor(name=f"verify_{t.name}") as cur:
                cur.itersize = batch
                cur.execute(f"SELECT {columns} FROM {_q(t.name)} ORDER BY {_order(t, True)}")
                target = _digest(cur, t.columns)
            checks.append(Check(t.name, source[0], target[0], source[1], target[1]))
    return checks
