"""Withholds that end on a date: the date on the record page, release-due on the day (audited),
four eyes on the date."""

import json

import pytest

from tests.review.support import cli, review_app

pytestmark = pytest.mark.slow  # each makes a store


def _withhold_until(app, until="2030-01-01", *extra):
    return cli(app, "disclose", "W-1", 1, "--withhold", "--ground", 5, "--until", until,
               "--reason", "의사결정 중", "--clerk", "kim", *extra)


def test_the_page_says_the_date_and_release_due_releases_on_it(tmp_path):
    app = review_app(tmp_path)
    assert _withhold_until(app, "2030-13-01").exit_code == 2  # not a date
    result = _withhold_until(app)
    assert result.exit_code == 0 and "until 2030-01-01" in result.output
    client = app.test_client()
    assert "2030. 1. 1. 공개 예정" in client.get("/records/W-1").get_data(as_text=True)
    assert client.get("/api/records/W-1").json["attachments"][0]["release_on"] == "2030-01-01"
    assert client.get("/records/W-1/attachments/1/text").status_code == 451

    early = cli(app, "release-due", "--today", "2029-12-31")
    assert early.exit_code == 0 and "0 released" in early.output
    assert client.get("/records/W-1/attachments/1/text").status_code == 451

    due = cli(app, "release-due", "--today", "2030-01-01")
    assert due.exit_code == 0 and "1 released" in due.output, due.output
    assert client.get("/records/W-1/attachments/1/text").status_code == 200
    assert "CANARYWD4417" in client.get("/api/search?q=누구나").get_data(as_text=True)
    log = json.loads(cli(app, "audit", "--record", "W-1", "--json").output)
    assert [e["action"] for e in log][-2:] == ["release", "scheduled-release"]
    assert cli(app, "release-due", "--today", "2031-01-01").output.endswith("0 released\n")  # once


def test_a_new_withhold_without_a_date_ends_the_earlier_date(tmp_path):
    app = review_app(tmp_path)
    assert _withhold_until(app).exit_code == 0
    assert cli(app, "disclose", "W-1", 1, "--withhold", "--ground", 4, "--reason", "r", "--clerk", "lee").exit_code == 0
    assert "1 released" not in cli(app, "release-due", "--today", "2030-06-01").output
    assert app.test_client().get("/records/W-1/attachments/1/text").status_code == 451


def test_under_four_eyes_the_date_needs_a_second_clerk(tmp_path):
    app = review_app(tmp_path, FOUR_EYES=True)
    result = _withhold_until(app)
    assert result.exit_code == 0 and "pending change" in result.output
    client = app.test_client()
    assert client.get("/records/W-1/attachments/1/text").status_code == 451  # the withhold is at once
    assert "공개 예정" not in client.get("/records/W-1").get_data(as_text=True)
    assert "1 released" not in cli(app, "release-due", "--today", "2030-01-02").output  # no date yet
    assert client.get("/records/W-1/attachments/1/text").status_code == 451
    change = json.loads(cli(app, "pending", "--json").output)[0]
    assert change["action"] == "until 2030-01-01"
    assert cli(app, "approve", change["id"], "--clerk", "kim").exit_code == 1
    assert cli(app, "approve", change["id"], "--clerk", "lee").exit_code == 0
    assert "2030. 1. 1. 공개 예정" in client.get("/records/W-1").get_data(as_text=True)
    assert "1 released" in cli(app, "release-due", "--today", "2030-01-02").output
    assert client.get("/records/W-1/attachments/1/text").status_code == 200


def test_audit_filters(tmp_path):
    app = review_app(tmp_path)
    assert _withhold_until(app).exit_code == 0
    assert cli(app, "withdraw", "W-2", "--reason", "r", "--clerk", "lee").exit_code == 0
    everything = json.loads(cli(app, "audit", "--json").output)
    assert {e["clerk"] for e in everything} == {"kim", "lee"}
    assert {e["clerk"] for e in json.loads(cli(app, "audit", "--clerk", "lee", "--json").output)} == {"lee"}
    assert {e["record"] for e in json.loads(cli(app, "audit", "--record", "W-2", "--json").output)} == {"W-2"}
    assert json.loads(cli(app, "audit", "--since", "2999-01-01", "--json").output) == []
    assert "withdraw W-2" in cli(app, "audit").output
