"""An orphaned hold: a clerk withheld a file, the agency re-sent the record without it. Listed in the
workspace; releasing it ends that decision (the copies elsewhere follow their own rows); under four eyes it waits."""

import json
import re

import pytest

from tests.builders import batch, record
from tests.review.support import CANARY_TEXT, PASSWORD, cli, review_app

pytestmark = pytest.mark.slow  # each makes a store

BODY = f"누구나 읽는 {CANARY_TEXT}"  # W-1's 본문.txt, byte for byte


def orphaned(tmp_path, **config):
    app = review_app(tmp_path, **config)
    assert cli(app, "disclose", "W-1", 1, "--withhold", "--ground", 6, "--reason", "r", "--clerk", "kim").exit_code == 0
    again = batch(tmp_path / "again",
                  (record(id="W-1", title="다시 보낸 기록",
                          attachments=[{"file": "새본문.txt", "disclosure": "public"}]),
                   {"새본문.txt": "새로 보낸 본문"}),
                  (record(id="W-3", title="같은 파일을 가진 기록"), {"본문.txt": BODY}))
    assert cli(app, "ingest", again).exit_code == 0
    return app


def _client(app, name):
    client = app.test_client()
    html = client.get("/clerk/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    client.post("/clerk/login", data={"csrf_token": token, "name": name, "password": PASSWORD})
    return client


def _release(client, sha):
    html = client.get("/clerk/review").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    return client.post("/clerk/orphans/release", data={"csrf_token": token, "sha256": sha, "record_id": "W-1",
                                                       "reason": "기관이 파일을 뺐음"})


def test_an_orphaned_hold_is_listed_and_released(tmp_path):
    app = orphaned(tmp_path)
    public = app.test_client()
    assert public.get("/records/W-3/attachments/1/text").status_code == 451  # the clerk's decision follows the bytes
    kim = _client(app, "kim")
    page = kim.get("/clerk/review").get_data(as_text=True)
    assert "W-3" in page and 'name="sha256"' in page
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page).group(1)
    assert _release(kim, "0" * 64).status_code == 303  # no such hold: refused, nothing changes
    assert public.get("/records/W-3/attachments/1/text").status_code == 451
    assert _release(kim, sha).status_code == 303
    assert CANARY_TEXT.split()[0] in public.get("/records/W-3/attachments/1/text").get_data(as_text=True)
    assert 'name="sha256"' not in kim.get("/clerk/review").get_data(as_text=True)
    assert "release-orphan" in [e["action"] for e in json.loads(cli(app, "audit", "--record", "W-1", "--json").output)]


def test_under_four_eyes_releasing_an_orphaned_hold_waits(tmp_path):
    app = orphaned(tmp_path, FOUR_EYES=True)
    kim = _client(app, "kim")
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', kim.get("/clerk/review").get_data(as_text=True)).group(1)
    assert _release(kim, sha).status_code == 303
    assert app.test_client().get("/records/W-3/attachments/1/text").status_code == 451
    change = json.loads(cli(app, "pending", "--json").output)[0]
    assert change["action"] == "release-orphan"
    assert cli(app, "approve", change["id"], "--clerk", "kim").exit_code == 1
    assert cli(app, "approve", change["id"], "--clerk", "lee").exit_code == 0
    assert app.test_client().get("/records/W-3/attachments/1/text").status_code == 200
