"""Two portal nodes on one PostgreSQL store and one blob folder (issue 15), each with its own index.

The threat: node B's index still holds text that node A's clerk has just withheld. Nothing may
reach the public from B's stale entry: not a hit, a count, a facet, a snippet, a related record,
a download or a cached rendition. B's follower is stopped in those tests, so that what protects
is the search leaving out what changed (index.service.left_out), not a race won by the follower.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from archive.store import Store
from index import service
from tests.builders import batch, record
from tests.conftest import CLERK, PASSWORD, make_app

CANARY = "노드사이비밀낱말"  # only in the attachment that node A's clerk withholds
CANARY_TERMS = {"비밀", "밀낱", "낱말"}  # its bigrams no other text here has
TITLE_WORD = "두노드시험"


@pytest.fixture
def nodes(pg_cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", pg_cluster.new_database())
    monkeypatch.setenv("ARCHIVE_BLOB_DIR", str(tmp_path / "shared-blobs"))
    a = make_app(tmp_path / "node-a", FOLLOW_SECONDS=0.2)
    b = make_app(tmp_path / "node-b", FOLLOW_SECONDS=0.2)
    yield a, b
    for app in (a, b):
        app.extensions["follower"].stop()


def total(client, q: str) -> int:
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["total"]


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def two_records(root: Path) -> Path:
    return batch(root,
                 (record(id="N-1", title=f"{TITLE_WORD} 첫째", agency="가시",
                         attachments=[{"file": "본문.txt", "disclosure": "public"},
                                      {"file": "부록.txt", "disclosure": "public"}]),
                  {"본문.txt": f"공개 본문 {CANARY} 입니다", "부록.txt": "부록은 늘 공개입니다"}),
                 (record(id="N-2", title=f"{TITLE_WORD} 둘째", agency="나시"), {"본문.txt": "다른 본문"}))


def test_what_one_node_ingests_every_node_finds_within_seconds(nodes, tmp_path):
    a, b = nodes
    public_b = b.test_client()
    assert total(public_b, TITLE_WORD) == 0  # the first request starts B's follower
    result = a.test_cli_runner().invoke(args=["ingest", str(two_records(tmp_path / "batch"))])
    assert result.exit_code == 0, result.output
    started = time.monotonic()
    wait_for(lambda: total(public_b, TITLE_WORD) == 2)
    assert time.monotonic() - started < 10
    # the originals are in the shared folder, checked by hash on B as on A
    att = public_b.get("/records/N-1/attachments/1/original")
    assert att.status_code == 200 and CANARY in att.get_data().decode("utf-8")
    assert not (tmp_path / "node-b" / "blobs").exists() and (tmp_path / "shared-blobs").is_dir()


def test_a_withhold_on_one_node_is_in_force_on_the_other_before_its_index_catches_up(nodes, tmp_path):
    a, b = nodes
    public_b = b.test_client()
    assert a.test_cli_runner().invoke(args=["ingest", str(two_records(tmp_path / "batch"))]).exit_code == 0
    wait_for(lambda: total(public_b, CANARY) == 1)
    assert public_b.get("/records/N-1/attachments/1/pdf").status_code == 200  # B caches a rendition
    cache = Path(b.config["DATA_DIR"]) / "renditions"
    assert list(cache.glob("*.pdf"))
    follower = b.extensions["follower"]
    follower.stop()  # B's index now stays as it is: stale
    time.sleep(0.5)

    users = a.test_cli_runner().invoke(args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"],
                                       input=PASSWORD + "\n")
    assert users.exit_code == 0, users.output
    done = a.test_cli_runner().invoke(args=["disclose", "N-1", "1", "--withhold", "--ground", "6",
                                            "--reason", "개인정보", "--clerk", CLERK])
    assert done.exit_code == 0, done.output

    # B's index still holds the withheld words: what follows is the search leaving N-1 out
    assert CANARY_TERMS <= b.extensions["search_engine"].lexicon()
    for q in (CANARY, f'"{CANARY}"', f"{CANARY} OR 다른", TITLE_WORD, ""):
        data = public_b.get("/api/search", query_string={"q": q}).get_json()
        assert "N-1" not in [hit["id"] for hit in data["results"]], q
        assert CANARY not in str(data["results"]) + str(data["facets"]), q
        agencies = dict((f["value"], f["count"]) for f in data["facets"]["agency"])
        assert "가시" not in agencies, (q, agencies)  # N-1 is the only record of 가시: no facet count for it
    assert total(public_b, CANARY) == 0
    assert "N-1" not in public_b.get("/search", query_string={"q": CANARY}).get_data(as_text=True)
    for path in ("original", "pdf", "text"):
        assert public_b.get(f"/records/N-1/attachments/1/{path}").status_code == 451, path
    assert CANARY not in public_b.get("/api/records/N-1").get_data(as_text=True)
    assert CANARY not in public_b.get("/records/N-2").get_data(as_text=True)  # related records from B's index

    # B's follower catches up: the text leaves B's index files and its cached rendition of the file
    assert follower.once() == 1
    assert not CANARY_TERMS & b.extensions["search_engine"].lexicon()
    sha = Store(Path(b.config["DATA_DIR"])).get("N-1", withdrawn=True).attachment(1).sha256
    assert not list(cache.glob(f"{sha}-*.pdf"))
    assert total(public_b, TITLE_WORD) == 2 and total(public_b, CANARY) == 0  # N-1 is back, partly public
    assert total(public_b, "부록은") == 1


def test_a_node_too_far_behind_refuses_to_search_rather_than_answer_from_a_stale_index(nodes, tmp_path,
                                                                                    monkeypatch):
    a, b = nodes
    public_b = b.test_client()
    assert total(public_b, TITLE_WORD) == 0
    b.extensions["follower"].stop()
    monkeypatch.setattr(service, "MAX_BEHIND", 1)
    assert a.test_cli_runner().invoke(args=["ingest", str(two_records(tmp_path / "batch"))]).exit_code == 0
    response = public_b.get("/api/search", query_string={"q": TITLE_WORD})
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "따라잡는 중" in response.get_json()["error"]["message"]
    page = public_b.get("/search", query_string={"q": TITLE_WORD, "lang": "en"})
    assert page.status_code == 503 and "catching up" in page.get_data(as_text=True)
    assert public_b.get("/records/N-2").status_code == 200  # record pages come from the store: unaffected
    b.extensions["follower"].once()
    assert total(public_b, TITLE_WORD) == 2
