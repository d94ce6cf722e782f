"""The workspace's review pages: approve and reject forms, withdraw and restore, bulk withhold, orphaned holds,
the audit CSV for admins; a scoped clerk refused (403)."""

import re

import pytest

from tests.review.support import CANARY_TITLE, PASSWORD, SECRET, cli, review_app

pytestmark = pytest.mark.slow  # each makes a store


def logged_in(app, name):
    client = app.test_client()
    html = client.get("/clerk/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    answer = client.post("/clerk/login", data={"csrf_token": token, "name": name, "password": PASSWORD})
    assert answer.status_code == 302
    return client


def token(client, path):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                     client.get(path).get_data(as_text=True)).group(1)


def test_release_from_the_form_waits_and_the_requester_sees_no_approve_button(tmp_path):
    app = review_app(tmp_path, FOUR_EYES=True)
    kim = logged_in(app, "kim")
    done = kim.post("/clerk/records/W-1/attachments/2/release",
                    data={"csrf_token": token(kim, "/clerk/records/W-1"), "reason": "공개 결정"})
    assert done.status_code == 302
    assert app.test_client().get("/records/W-1/attachments/2/text").status_code == 451
    page = kim.get("/clerk/review").get_data(as_text=True)
    assert "change-1" in page and "/clerk/review/1/approve" not in page
    refused = kim.post("/clerk/review/1/approve", data={"csrf_token": token(kim, "/clerk/review")})
    assert refused.status_code == 303
    assert app.test_client().get("/records/W-1/attachments/2/text").status_code == 451
    assert kim.post("/clerk/review/1/approve", data={}).status_code == 400  # no CSRF token

    lee = logged_in(app, "lee")
    assert "/clerk/review/1/approve" in lee.get("/clerk/review").get_data(as_text=True)
    assert lee.post("/clerk/review/1/approve", data={"csrf_token": token(lee, "/clerk/review")}).status_code == 303
    assert SECRET.split()[0] in app.test_client().get("/records/W-1/attachments/2/text").get_data(as_text=True)


def test_reject_from_the_form(tmp_path):
    app = review_app(tmp_path, FOUR_EYES=True)
    assert cli(app, "disclose", "W-1", 2, "--release", "--reason", "r", "--clerk", "kim").exit_code == 0
    lee = logged_in(app, "lee")
    assert lee.post("/clerk/review/1/reject", data={"csrf_token": token(lee, "/clerk/review"),
                                                    "reason": "개인정보"}).status_code == 303
    assert "change-1" not in lee.get("/clerk/review").get_data(as_text=True)
    assert app.test_client().get("/records/W-1/attachments/2/text").status_code == 451


def test_withdraw_and_restore_from_the_workspace(tmp_path):
    app = review_app(tmp_path, FOUR_EYES=True)
    kim = logged_in(app, "kim")
    assert "/clerk/records/W-1/withdrawal" in kim.get("/clerk/records/W-1").get_data(as_text=True)
    form = "/clerk/records/W-1/withdrawal"
    assert kim.post("/clerk/records/W-1/withdraw", data={"csrf_token": token(kim, form),
                                                        "reason": "잘못 보냄"}).status_code == 303
    assert app.test_client().get("/records/W-1").status_code == 410
    assert CANARY_TITLE in kim.get("/clerk/records/W-1").get_data(as_text=True)  # clerks still see it
    assert kim.post("/clerk/records/W-1/restore", data={"csrf_token": token(kim, form),
                                                       "reason": "되돌림"}).status_code == 303
    assert app.test_client().get("/records/W-1").status_code == 410  # pending
    lee = logged_in(app, "lee")
    assert lee.post("/clerk/review/1/approve", data={"csrf_token": token(lee, "/clerk/review")}).status_code == 303
    assert app.test_client().get("/records/W-1").status_code == 200


def test_a_scoped_clerk_is_refused(tmp_path):
    app = review_app(tmp_path, FOUR_EYES=True)
    assert cli(app, "disclose", "W-1", 2, "--release", "--reason", "r", "--clerk", "kim").exit_code == 0
    park = logged_in(app, "park")
    assert "change-1" not in park.get("/clerk/review").get_data(as_text=True)  # not of park's agency
    assert park.get("/clerk/records/W-1/withdrawal").status_code == 403
    csrf = token(park, "/clerk/review")
    assert park.post("/clerk/records/W-1/withdraw", data={"csrf_token": csrf, "reason": "r"}).status_code == 403
    assert park.post("/clerk/review/1/approve", data={"csrf_token": csrf}).status_code == 403
    assert app.test_client().get("/records/W-1").status_code == 200
    assert app.test_client().get("/records/W-1/attachments/2/text").status_code == 451
    assert park.get("/clerk/audit.csv").status_code == 403  # admins only


def test_bulk_withhold_of_a_search_selection(tmp_path):
    app = review_app(tmp_path)
    kim = logged_in(app, "kim")
    page = kim.get("/clerk/bulk?q=본문").get_data(as_text=True)
    assert "W-1" in page and "W-2" in page
    data = {"csrf_token": token(kim, "/clerk/bulk?q=본문"), "records": ["W-1", "W-2"], "name": "본문.txt",
            "grounds": ["5"], "reason": "일괄 검토"}
    assert kim.post("/clerk/bulk?q=본문", data=data).status_code == 303
    public = app.test_client()
    assert public.get("/records/W-1/attachments/1/text").status_code == 451
    assert public.get("/records/W-2/attachments/1/text").status_code == 451
    assert public.get("/api/search?q=누구나").json["total"] == 0
    import json
    log = json.loads(cli(app, "audit", "--json").output)
    assert [e["action"] for e in log].count("withhold") == 2 and log[-1]["action"] == "bulk-withhold"

    too_many = {**data, "records": [f"X-{i}" for i in range(101)]}
    assert "100" in kim.post("/clerk/bulk?q=본문", data=too_many).get_data(as_text=True)


def test_the_audit_csv_for_admins(tmp_path):
    app = review_app(tmp_path)
    result = app.test_cli_runner().invoke(args=["users", "create", "boss", "--role", "admin", "--password-stdin"],
                                          input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert cli(app, "withdraw", "W-2", "--reason", "=HYPERLINK(\"x\")", "--clerk", "kim").exit_code == 0
    assert logged_in(app, "kim").get("/clerk/audit.csv").status_code == 403
    csv = logged_in(app, "boss").get("/clerk/audit.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert text.splitlines()[0].lstrip("\ufeff") == "at,clerk,record,attachment,action,from,to,grounds,reason"
    assert "withdraw" in text and "'=HYPERLINK" in text  # a formula is quoted as text


def test_a_withhold_with_an_end_date_from_the_form(tmp_path):
    app = review_app(tmp_path)
    kim = logged_in(app, "kim")
    page = kim.get("/clerk/records/W-1").get_data(as_text=True)
    assert 'type="date"' in page
    answer = kim.post("/clerk/records/W-1/attachments/1/withhold",
                      data={"csrf_token": token(kim, "/clerk/records/W-1"), "grounds": ["5"],
                            "reason": "의사결정 중", "until": "2030-01-01"})
    assert answer.status_code == 302
    assert "2030. 1. 1." in app.test_client().get("/records/W-1").get_data(as_text=True)
    assert "1 released" in cli(app, "release-due", "--today", "2030-01-01").output
