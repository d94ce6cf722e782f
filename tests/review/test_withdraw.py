"""Withdrawing a record takes it off every public path at once; restore brings it back (pending under four eyes)."""

import json

import pytest

from tests.review.support import CANARY_TEXT, CANARY_TITLE, cli, review_app
from tests.web.crawl import crawl, readable

pytestmark = pytest.mark.slow  # each makes a store and crawls the site

CANARIES = [CANARY_TITLE, CANARY_TEXT.split()[0], "철회될본문"]


def seeds(record_id="W-1"):
    paths = ["/", "/api/", "/search", "/api/search", "/search?q=철회카나리", "/api/search?q=철회카나리",
             "/search?q=철회될", "/api/search?q=철회될", "/feed.atom", "/feed.atom?q=철회될", "/sitemap.xml",
             "/classification/행정", "/classification/행정/철회시험", "/api/classification/행정/철회시험",
             "/records/W-2", "/api/records/W-2", "/export.zip", "/export.zip?q=철회될", "/statistics",
             "/oai?verb=ListRecords&metadataPrefix=oai_dc", "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc",
             f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:localhost:{record_id}",
             f"/records/{record_id}", f"/api/records/{record_id}", f"/records/{record_id}/embed",
             f"/oembed?url=http://localhost/records/{record_id}&format=json"]
    for n in (1, 2):
        paths += [f"/records/{record_id}/attachments/{n}/{kind}" for kind in ("original", "pdf", "text")]
    return paths


def public_text(app) -> dict:
    return {path: readable(r) for path, r in crawl(app.test_client(), seeds(), limit=400).items()}


def test_withdraw_takes_the_record_off_every_path(tmp_path):
    app = review_app(tmp_path)
    before = "\n".join(public_text(app).values())
    assert all(c in before for c in CANARIES)  # the crawl reaches them while public
    assert app.test_client().get("/api/statistics").json["total"] == 2
    assert cli(app, "withdraw", "W-1", "--reason", "기관 요청", "--clerk", "nobody").exit_code == 1
    assert cli(app, "withdraw", "NO-SUCH", "--reason", "r", "--clerk", "kim").exit_code == 1
    result = cli(app, "withdraw", "W-1", "--reason", "기관 요청: 잘못 보낸 기록", "--clerk", "kim")
    assert result.exit_code == 0, result.output

    client = app.test_client()
    page = client.get("/records/W-1")
    assert page.status_code == 410 and "철회" in page.get_data(as_text=True)
    api = client.get("/api/records/W-1")
    assert api.status_code == 410 and api.json["error"]["code"] == 410
    for n in (1, 2):
        assert client.get(f"/records/W-1/attachments/{n}/original").status_code in (404, 410)
    assert client.get("/api/statistics").json["total"] == 1  # statistics count public records only
    search = client.get("/api/search?q=누구나").json
    assert search["total"] == 0 and not any(v == "W-1" for v in json.dumps(search))
    everything = public_text(app)
    for path, text in everything.items():
        for canary in CANARIES:
            assert canary not in text, (path, canary)
    assert "기관 요청" not in "\n".join(everything.values())  # the clerk's reason stays in the audit log
    oai = client.get("/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:localhost:W-1").get_data(as_text=True)
    assert 'status="deleted"' in oai
    listed = client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").get_data(as_text=True)
    assert 'status="deleted"' in listed and "W-2" in listed
    assert cli(app, "verify").exit_code == 0  # a withdrawn record has no index entry, and needs none

    # the clerks still have it
    assert cli(app, "withdraw", "W-1", "--reason", "again", "--clerk", "kim").exit_code == 1
    assert cli(app, "disclose", "W-1", 1, "--withhold", "--ground", 6, "--reason", "r", "--clerk", "kim").exit_code == 0

    restored = cli(app, "restore", "W-1", "--reason", "잘못 철회", "--clerk", "lee")
    assert restored.exit_code == 0, restored.output
    assert client.get("/records/W-1").status_code == 200
    assert CANARY_TITLE in client.get("/api/search?q=철회카나리").get_data(as_text=True)
    log = json.loads(cli(app, "audit", "--record", "W-1", "--json").output)
    assert {"withdraw", "restore", "withhold"} <= {e["action"] for e in log}
    assert all(set(e) == {"at", "clerk", "record", "attachment", "action", "from", "to", "grounds", "reason"}
               for e in log)


def test_restore_under_four_eyes_waits_for_a_second_clerk(tmp_path):
    app = review_app(tmp_path, FOUR_EYES=True)
    assert cli(app, "withdraw", "W-1", "--reason", "r", "--clerk", "kim").exit_code == 0  # immediate
    result = cli(app, "restore", "W-1", "--reason", "되돌림", "--clerk", "kim")
    assert result.exit_code == 0 and "pending change" in result.output
    assert app.test_client().get("/records/W-1").status_code == 410
    text = "\n".join(public_text(app).values())
    assert CANARY_TITLE not in text
    change = json.loads(cli(app, "pending", "--json").output)[0]
    assert change["action"] == "restore" and change["attachment"] is None
    assert cli(app, "approve", change["id"], "--clerk", "kim").exit_code == 1
    assert cli(app, "approve", change["id"], "--clerk", "lee").exit_code == 0
    assert app.test_client().get("/records/W-1").status_code == 200


def test_withdraw_a_whole_ingest_run(tmp_path):
    app = review_app(tmp_path)
    assert cli(app, "withdraw", "--run", 99, "--reason", "r", "--clerk", "kim").exit_code == 1
    assert cli(app, "withdraw", "--run", 1, "--reason", "r", "--clerk", "park").exit_code == 1  # another agency
    result = cli(app, "withdraw", "--run", 1, "--reason", "기관의 잘못된 묶음", "--clerk", "kim")
    assert result.exit_code == 0, result.output
    assert "W-1" in result.output and "W-2" in result.output
    client = app.test_client()
    assert client.get("/records/W-2").status_code == 410
    assert client.get("/api/").json["total"] == 0
    assert client.get("/api/search").json["total"] == 0


def test_a_scoped_clerk_cannot_withdraw_another_agencys_record(tmp_path):
    app = review_app(tmp_path)
    assert cli(app, "withdraw", "W-1", "--reason", "r", "--clerk", "park").exit_code == 1
    assert app.test_client().get("/records/W-1").status_code == 200


def test_a_resent_withdrawn_record_stays_withdrawn(tmp_path):
    from tests.builders import batch, record

    app = review_app(tmp_path)
    assert cli(app, "withdraw", "W-1", "--reason", "r", "--clerk", "kim").exit_code == 0
    again = batch(tmp_path / "again", (record(id="W-1", title=CANARY_TITLE + " 재송부"), {"본문.txt": CANARY_TEXT}))
    assert cli(app, "ingest", again).exit_code == 0
    assert app.test_client().get("/records/W-1").status_code == 410
    assert CANARY_TITLE not in app.test_client().get("/api/search?q=철회카나리").get_data(as_text=True)
