"""Write archive/unicode_tables.py: the character classes index.analysis and archive.extract.clean
compute from Python's Unicode database, computed once here for this Python's version.

    .venv/bin/python -m tools.unicode_tables

Computing them took ~0.1 s of every process start (each gunicorn worker, each `flask` command);
a Python with another Unicode version computes them at import as before. tests/index/
test_unicode_tables.py fails when the written tables differ from what this Python computes.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

HEAD = '''"""Character classes computed from Unicode {version} (written by tools/unicode_tables.py: do not edit).

`cached(name)` gives a class when this Python's Unicode database is that version, else None
(the caller computes it: index.analysis._stable_ranges, archive.extract.clean._mark_class).
"""

from __future__ import annotations

import unicodedata

VERSION = {version!r}
TABLES = {{
'''

TAIL = '''}}


def cached(name: str) -> str | None:
    return TABLES[name] if unicodedata.unidata_version == VERSION else None
'''


def computed() -> dict[str, str]:
    from archive.extract import clean
    from index import analysis

    return {"stable": analysis._char_class(analysis._stable_ranges()),
            "bmp_marks": clean._computed_marks(bmp=True), "all_marks": clean._computed_marks(bmp=False)}


def main() -> None:
    lines = [HEAD.format(version=unicodedata.unidata_version)]
    for name, value in computed().items():
        lines.append(f"    {name!r}: (\n")
        chunk = 96
        for i in range(0, len(value), chunk):
            lines.append(f"        {value[i:i + chunk]!r}\n")
        lines.append("    ),\n")
    lines.append(TAIL.format())
    target = Path(__file__).resolve().parents[1] / "archive" / "unicode_tables.py"
    target.write_text("".join(lines), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
