import hashlib

from archive.blobs import BlobStore


def test_put_names_file_by_content_and_keeps_bytes(tmp_path):
    src = tmp_path / "원본.bin"
    payload = bytes(range(256)) * 1000
    src.write_bytes(payload)
    blobs = BlobStore(tmp_path / "blobs")
    sha, size = blobs.put(src)
    assert sha == hashlib.sha256(payload).hexdigest() and size == len(payload)
    assert blobs.path(sha).read_bytes() == payload
    assert blobs.put(src) == (sha, size)  # stored once
    assert blobs.all_hashes() == {sha}
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []  # no temporary left behind


def test_damage_is_detected(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("온전한 파일")
    blobs = BlobStore(tmp_path / "blobs")
    sha, _ = blobs.put(src)
    assert blobs.is_sound(sha)
    blobs.path(sha).write_text("손상됨")
    assert not blobs.is_sound(sha)


def test_a_file_touched_as_the_collector_takes_it_stays(tmp_path, monkeypatch):
    """Found in review: the collector saw an idle file, an ingest re-sending those bytes touched it (and
    went on to save a record naming it), then the collector unlinked it: a record with no original."""
    import os
    import time

    src = tmp_path / "a.txt"
    src.write_text("다시 보낸 파일")
    blobs = BlobStore(tmp_path / "blobs")
    sha, _ = blobs.put(src)
    old = time.time() - 7200
    os.utime(blobs.path(sha), (old, old))
    real_rename = os.rename

    def ingest_touches_first(source, target):
        if str(source) == str(blobs.path(sha)):
            blobs.stage(src, src.read_bytes())  # the ingest: the file exists, so it is touched, not copied
        return real_rename(source, target)

    monkeypatch.setattr(os, "rename", ingest_touches_first)
    assert not blobs.remove_if_idle(sha)
    assert blobs.exists(sha) and blobs.is_sound(sha)
    assert blobs.all_hashes() == {sha}
    monkeypatch.setattr(os, "rename", real_rename)
    os.utime(blobs.path(sha), (old, old))
    assert blobs.remove_if_idle(sha) and not blobs.exists(sha)  # idle, untouched: it goes
    assert blobs.all_hashes() == set() and not list(blobs.path(sha).parent.iterdir())


def test_a_file_a_collector_takes_as_an_ingest_touches_it_is_stored_again_from_the_ingests_copy(tmp_path, monkeypatch):
    """The other order: the collector moves the file aside just before the ingest's touch. The ingest
    must neither fail (its group of records with it) nor name a file that is gone: it stores its copy."""
    import os

    from archive import blobs as blobs_module

    src = tmp_path / "a.txt"
    src.write_text("다시 보낸 파일")
    blobs = BlobStore(tmp_path / "blobs")
    sha, _ = blobs.put(src)
    real_utime = os.utime

    def collector_first(path, *args, **kwargs):
        if str(path) == str(blobs.path(sha)) and blobs.path(sha).exists():
            os.rename(blobs.path(sha), blobs.path(sha).with_name(f".{sha}.doomed"))  # remove_if_idle's move
            os.unlink(blobs.path(sha).with_name(f".{sha}.doomed"))  # and its unlink: the file was idle
        return real_utime(path, *args, **kwargs)

    monkeypatch.setattr(blobs_module.os, "utime", collector_first)
    staged = blobs.stage(src, src.read_bytes())
    blobs.store_staged([staged])
    assert blobs.exists(sha) and blobs.is_sound(sha)
