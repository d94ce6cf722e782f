"""Hostile zips: a central directory is checked from the end records before zipfile lists it.

zipfile reads a zip's whole central directory and makes an object per entry when it opens
it: a 53 MB zip listing a million entries cost 580 MB before any cap could count them. The
zips here are made by hand (struct), one stored member and a directory of any length, with
end records (zip64 or not) that may tell the truth or lie. Each is opened in a fresh Python
process whose peak resident memory is measured around the one call.
"""

import json
import struct
import subprocess
import sys

import pytest

from tests.conftest import PROJECT

_LOCAL = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, 1, 0) + b"a"
_CENTRAL = struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0) + b"a"


def crafted_zip(path, entries: int, claimed: int | None = None, zip64: bool = True):
    """Write a zip whose directory holds `entries` entries (each naming the one member) and whose
    end records claim `claimed` (default: the truth)."""
    claimed = entries if claimed is None else claimed
    size = len(_CENTRAL) * entries
    with open(path, "wb") as f:
        f.write(_LOCAL)
        offset = f.tell()
        f.write(_CENTRAL * entries)
        if zip64:
            end64 = f.tell()
            f.write(struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, claimed, claimed, size, offset))
            f.write(struct.pack("<4sLQL", b"PK\x06\x07", 0, end64, 1))
            f.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
        else:
            count = min(claimed, 0xFFFF)
            f.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, size, offset, 0))
    return path


@pytest.fixture(scope="module")
def million(tmp_path_factory):
    """47 MB: a zip64 directory of a million entries, as its end record says."""
    return crafted_zip(tmp_path_factory.mktemp("zips") / "million.zip", 1_000_000)


def run_measured(call: str, path) -> dict:
    """Run `call` (an expression over `path`) in a fresh process; return its result and how many
    MB its peak resident memory (VmHWM) rose above its resident memory before the call."""
    code = f"""
import json, sys
from pathlib import Path
from archive.batch import BatchError, opened
from archive.extract import extract_text
from archive.extract.package import Package
from archive.extract import NoText

def batch(path):
    try:
        with opened(path):
            return "opened"
    except BatchError as exc:
        return str(exc)

def package(path):
    try:
        with Package(path):
            return "opened"
    except NoText as exc:
        return exc.reason

def status(field):  # kB; ru_maxrss would carry the forking parent's peak across exec
    with open("/proc/self/status") as f:
        return int(next(line for line in f if line.startswith(field + ":")).split()[1])

path = Path(sys.argv[1])
before = status("VmRSS")
result = {call}
peak = status("VmHWM")
print(json.dumps({{"result": result, "grown_mb": (peak - before) / 1024, "peak_mb": peak / 1024}}))
"""
    proc = subprocess.run([sys.executable, "-c", code, str(path)], cwd=PROJECT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{call}: peak memory grew {out['grown_mb']:.1f} MB, to {out['peak_mb']:.0f} MB")
    return out


def test_a_batch_listing_a_million_members_is_refused_before_listing(million):
    out = run_measured("batch(path)", million)
    assert out["grown_mb"] < 30
    assert "lists 1000000 members, more than 50000" in out["result"]


@pytest.mark.parametrize("name", ["a.docx", "a.hwpx", "a.xlsx", "a.odt"])
def test_a_package_listing_a_million_members_is_refused_before_listing(million, name):
    out = run_measured(f"extract_text(path, {name!r}, guarded=False).reason", million)
    assert out["grown_mb"] < 30
    assert out["result"] == "too_large"


def test_a_zip_named_txt_is_never_listed_in_the_parent(million):
    """The bytes say zip, the name says .txt: sniffing it (listing it) happens in the child."""
    out = run_measured("extract_text(path, 'note.txt').reason", million)
    assert out["grown_mb"] < 30
    assert out["result"] == "too_large"


def test_an_end_record_that_understates_the_members_is_not_believed(tmp_path):
    # 200 000 entries (9 MB of directory, under the batch's directory cap) claimed as 10
    path = crafted_zip(tmp_path / "liar.zip", 200_000, claimed=10, zip64=False)
    out = run_measured("batch(path)", path)
    assert out["grown_mb"] < 30
    assert "holds more than 50000 members" in out["result"]
    assert run_measured("package(path)", path)["result"] == "too_large"


def test_a_directory_past_its_byte_cap_is_refused(tmp_path):
    # 800 000 entries (37.6 MB) claimed as 10: past the batch's 32 MB directory cap
    path = crafted_zip(tmp_path / "long.zip", 800_000, claimed=10, zip64=False)
    out = run_measured("batch(path)", path)
    assert out["grown_mb"] < 30
    assert "central directory is 37600000 bytes, more than 33554432" in out["result"]


def test_zips_within_the_caps_still_open(tmp_path):
    from archive.extract.safezip import ZipRefused, open_zip

    path = crafted_zip(tmp_path / "small.zip", 3)
    with open_zip(path, 3, 1000) as zf:
        assert zf.namelist() == ["a", "a", "a"] and zf.read("a") == b""
    with pytest.raises(ZipRefused, match="more than 2"):
        open_zip(path, 2, 1000)
    not_zip = tmp_path / "x.zip"
    not_zip.write_bytes(b"PK\x03\x04 and nothing else")
    with pytest.raises(ZipRefused, match="not a zip"):
        open_zip(not_zip, 10, 1000)


def _zip(path, members):
    import warnings
    import zipfile

    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as zf:
        warnings.simplefilter("ignore")  # zipfile warns of a duplicate name, and writes it
        for name, data in members:
            zf.writestr(name, data)
    return path


def _refusal(path) -> str:
    from archive.batch import BatchError, opened

    with pytest.raises(BatchError) as caught, opened(path):
        pass
    return str(caught.value)


RECORD = json.dumps({"id": "R-1", "title": "t", "agency": "a", "produced": "2024-01-01"})


@pytest.mark.parametrize("members, reason", [
    ([("b/x", "file"), ("b/x/record.json", RECORD)], "'b/x' is both a file and a folder"),
    ([("b/x/record.json", RECORD), ("b/x", "file")], "'b/x' is both a file and a folder"),
    ([("b/x/record.json", RECORD), ("b/./x", "file")], "'b/x' is both a file and a folder"),
    ([("b/x/y/record.json", RECORD), ("b/x", "file")], "'b/x' is both a file and a folder"),
    ([("R/record.json", RECORD), ("R/record.json", "{}")], "'R/record.json' is in the zip twice"),
    ([("R/record.json", RECORD), ("R/" + "가" * 100 + ".txt", "x")], "cannot be unpacked (File name too long)"),
])
def test_a_batch_that_cannot_be_unpacked_is_refused_with_its_reason(tmp_path, members, reason):
    assert reason in _refusal(_zip(tmp_path / "b.zip", members))


def test_damaged_encrypted_or_unknown_members_are_refused_with_their_reason(tmp_path):
    def patched(name, offset, value, fmt):
        data = bytearray(_zip(tmp_path / name, [("R/record.json", RECORD)]).read_bytes())
        for at in (data.index(b"PK\x03\x04") + offset[0], data.index(b"PK\x01\x02") + offset[1]):
            struct.pack_into(fmt, data, at, value)
        (tmp_path / name).write_bytes(bytes(data))
        return tmp_path / name

    assert "encrypted" in _refusal(patched("enc.zip", (6, 8), 1, "<H"))  # flag bit 0
    assert "compression method" in _refusal(patched("m.zip", (8, 10), 97, "<H"))
    assert "Bad CRC-32" in _refusal(patched("crc.zip", (14, 16), 1234, "<L"))


def test_members_past_the_depth_a_batch_has_are_skipped(tmp_path):
    from archive.batch import opened, record_folders

    deep = "/".join(["d"] * 40) + "/x.txt"
    with opened(_zip(tmp_path / "b.zip", [("R-1/record.json", RECORD), (deep, "x")])) as root:
        assert [p.name for p in record_folders(root)] == ["R-1"] and not (root / "d").exists()
