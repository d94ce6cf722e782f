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
