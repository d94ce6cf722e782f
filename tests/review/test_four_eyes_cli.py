"""Four eyes from the command line: a release waits for a second clerk, who is not the one who asked."""

import json

import pytest

from tests.review.support import SECRET, cli, review_app
from tests.web.crawl import crawl, readable

pytestmark = pytest.mark.slow  # each makes a store and crawls it


@pytest.fixture
def app(tmp_path):
    return review_app(tmp_path, FOUR_EYES=True)


def _public_text(app) -> str:
    client = app.test_client()
    seen = crawl(client, ["/", "/records/W-1", "/api/records/W-1", "/search?q=비공개였던",
                          "/api/search?q=비공개였던", "/records/W-1/attachments/2/text",
                          "/records/W-1/attachments/2/original", "/export.zip", "/feed.atom",
                          "/oai?verb=ListRecords&metadataPrefix=oai_dc"], limit=300)
    return "\n".join(readable(r) for r in seen.values())


def test_release_waits_until_a_second_clerk_approves(app):
    result = cli(app, "disclose", "W-1", 2, "--release", "--reason", "공개 결정", "--clerk", "kim")
    assert result.exit_code == 0, result.output
    assert "pending change 1" in result.output
    assert "CANARYHELD8080" not in _public_text(app)  # not public while it waits

    pending = json.loads(cli(app, "pending", "--json").output)
    assert [set(p) for p in pending] == [{"id", "record", "attachment", "action", "clerk", "requested_at", "reason"}]
    assert pending[0]["record"] == "W-1" and pending[0]["attachment"] == 2 and pending[0]["clerk"] == "kim"
    assert pending[0]["action"] == "release"

    refused = cli(app, "approve", 1, "--clerk", "kim")  # the clerk who asked
    assert refused.exit_code == 1
    assert "CANARYHELD8080" not in _public_text(app)

    assert cli(app, "approve", 99, "--clerk", "lee").exit_code == 1  # unknown id
    done = cli(app, "approve", 1, "--clerk", "lee")
    assert done.exit_code == 0, done.output
    assert SECRET.split()[0] in _public_text(app)
    assert json.loads(cli(app, "pending", "--json").output) == []

    log = json.loads(cli(app, "audit", "--record", "W-1", "--json").output)
    actions = [e["action"] for e in log]
    assert "request" in actions and "approve" in actions and "release" in actions
    assert actions.index("request") < actions.index("release")


def test_rejected_release_stays_withheld(app):
    assert cli(app, "disclose", "W-1", 2, "--release", "--reason", "r", "--clerk", "kim").exit_code == 0
    assert cli(app, "reject", 1, "--clerk", "kim", "--reason", "no").exit_code == 1  # the requester
    result = cli(app, "reject", 1, "--clerk", "lee", "--reason", "개인정보 있음")
    assert result.exit_code == 0, result.output
    assert cli(app, "approve", 1, "--clerk", "lee").exit_code == 1  # decided already
    assert "CANARYHELD8080" not in _public_text(app)
    log = json.loads(cli(app, "audit", "--json").output)
    assert [e["action"] for e in log if e["record"] == "W-1"][-1] == "reject"


def test_a_scoped_clerk_cannot_approve_another_agencys_change(app):
    assert cli(app, "disclose", "W-1", 2, "--release", "--reason", "r", "--clerk", "kim").exit_code == 0
    assert cli(app, "approve", 1, "--clerk", "park").exit_code == 1
    assert "CANARYHELD8080" not in _public_text(app)
    assert json.loads(cli(app, "pending", "--json").output)[0]["id"] == 1  # still waiting


def test_withholding_stays_immediate(app):
    result = cli(app, "disclose", "W-1", 1, "--withhold", "--ground", 5, "--reason", "r", "--clerk", "kim")
    assert result.exit_code == 0, result.output
    assert "CANARYWD4417" not in _public_text(app)
    assert json.loads(cli(app, "pending", "--json").output) == []


def test_without_four_eyes_a_release_is_made_at_once(tmp_path):
    app = review_app(tmp_path)
    result = cli(app, "disclose", "W-1", 2, "--release", "--reason", "r", "--clerk", "kim")
    assert result.exit_code == 0 and "pending" not in result.output
    assert "CANARYHELD8080" in _public_text(app)
