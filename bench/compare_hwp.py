"""Compare our HWP 5 reader with python-hwpx (HWP 5 -> HWPX -> our HWPX reader) on the corpus.

    .venv/bin/pip install python-hwpx && .venv/bin/python bench/compare_hwp.py [CORPUS_DIR]

Prints, per file, what each reads (characters, Hangul syllables, lines) and the time taken.
python-hwpx is not a dependency of the portal; this script is how it was judged.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.extract import extract_text  # noqa: E402


def hangul(text: str) -> int:
    return sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3")


def via_python_hwpx(path: Path) -> tuple[str, str | None]:
    from hwpx.hwp5.package import convert, to_hwpx_bytes

    try:
        converted = convert(path.read_bytes())
    except Exception as exc:  # noqa: BLE001 - report whatever it raises
        return "", type(exc).__name__ + ": " + str(exc)[:60]
    files = getattr(converted, "files", converted)
    with tempfile.NamedTemporaryFile(suffix=".hwpx") as tmp:
        tmp.write(to_hwpx_bytes(files))
        tmp.flush()
        result = extract_text(Path(tmp.name))
    return result.text, result.reason


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/corpus"
    print(f"{'file':<40} {'ours: chars/hangul/lines ms':>30} {'python-hwpx: chars/hangul/lines ms':>38}")
    for path in sorted((corpus / "hwp").glob("*.hwp")):
        t0 = time.perf_counter()
        ours = extract_text(path)
        t1 = time.perf_counter()
        theirs, why = via_python_hwpx(path)
        t2 = time.perf_counter()
        a = f"{len(ours.text)}/{hangul(ours.text)}/{ours.text.count(chr(10)) + bool(ours.text)} {1000 * (t1 - t0):.0f}"
        b = f"{len(theirs)}/{hangul(theirs)}/{theirs.count(chr(10)) + bool(theirs)} {1000 * (t2 - t1):.0f}"
        print(f"{path.name:<40} {a + ' ' + (ours.reason or ''):>30} {b + ' ' + (why or ''):>38}")


if __name__ == "__main__":
    main()
