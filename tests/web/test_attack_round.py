"""An attacker's round: variants of withdrawal, comments, languages and four eyes not covered elsewhere."""

from __future__ import annotations

import json
import re

import pytest

from tests.review.support import CANARY_TEXT, CANARY_TITLE, SECRET, cli, review_app
from tests.web.test_comments import _comments, post

CANARY_WORD = CANARY_TEXT.split()[0]
SECRET_WORD = SECRET.split()[0]


def test_warm_caches_do_not_serve_a_withdrawn_record(tmp_path):
    app = review_app(tmp_path)
    client = app.test_client()
    paths = [
        "/api/search?q=누구나",
        "/api/search?q=철회시험",
        "/search?q=평범",
        "/api/records/W-2",
        "/records/W-2",
        "/feed.atom?q=본문",
        "/api/statistics",
        "/statistics",
        "/sitemap.xml",
        "/api/classification/행정/철회시험",
        "/classification/행정",
        "/api/",
        "/",
    ]
    for path in paths:  # warm every cache
        client.get(path)
    assert cli(app, "withdraw", "W-1", "--reason", "r", "--clerk", "kim").exit_code == 0
    for path in paths:
        body = client.get(path).get_data(as_text=True)
        for canary in (CANARY_TITLE, CANARY_WORD, SECRET_WORD):
            assert canary not in body, (path, canary)
        assert "W-1" not in body or path == "/api/statistics", path
    stats = client.get("/api/statistics").get_json()
    assert "W-1" not in json.dumps(stats, ensure_ascii=False)


def test_withdrawn_record_off_variant_urls(tmp_path):
    app = review_app(tmp_path)
    assert cli(app, "withdraw", "W-1", "--reason", "r", "--clerk", "kim").exit_code == 0
    client = app.test_client()
    for path in [
        "/records/W-1/",
        "/records/w-1",
        "/records/W-1/attachments/1/original?lang=en",
        "/records/W-1/attachments/1/text?lang=en",
        "/records/W-1/attachments/1/pdf?lang=en",
        "/records/W-1/embed?lang=en",
        "/oembed?url=http://localhost/records/W-1&format=xml",
        "/oembed?url=http://localhost/records/W-1/",
        "/api/search?q=W-1",
        "/api/search?q=agency:x OR 누구나",
        "/export.zip?q=누구나",
        "/feed.atom?q=누구나&sort=oldest",
        "/oai?verb=ListRecords&metadataPrefix=oai_dc&set=x",
        "/api/records/W-1?lang=en",
        "/records/W-1/comments",
    ]:
        response = client.get(path)
        body = response.get_data(as_text=True)
        for canary in (CANARY_TITLE, CANARY_WORD, SECRET_WORD):
            assert canary not in body, (path, canary)


def test_a_pending_release_is_public_nowhere_before_approval(tmp_path):
    app = review_app(tmp_path, FOUR_EYES=True)
    result = cli(
        app, "disclose", "W-1", "2", "--release", "--reason", "공개 요청", "--clerk", "kim", "--confirm-personal-data"
    )
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert client.get("/records/W-1/attachments/2/text").status_code == 451
    assert client.get("/records/W-1/attachments/2/original").status_code == 451
    for path in [
        "/api/search?q=비공개였던본문",
        "/api/records/W-1",
        "/records/W-1",
        "/feed.atom?q=비공개였던본문",
        "/export.zip",
        "/oai?verb=ListRecords&metadataPrefix=oai_dc",
    ]:
        data = client.get(path).get_data()
        if path.startswith("/export.zip"):
            import io
            import zipfile

            with zipfile.ZipFile(io.BytesIO(data)) as bag:
                data = b"".join(bag.read(name) for name in bag.namelist())
        assert SECRET_WORD.encode() not in data, path
    # the same clerk cannot approve their own request; release-due does not apply it either
    pending = json.loads(cli(app, "pending", "--json").output)
    assert cli(app, "approve", str(pending[0]["id"]), "--clerk", "kim").exit_code == 1
    assert cli(app, "release-due", "--today", "2999-12-31").exit_code == 0
    assert client.get("/records/W-1/attachments/2/text").status_code == 451


@pytest.mark.parametrize(
    "body",
    [
        "hxxp://evil.example/x 로 오세요",
        "example[.]com 참고",
        "evil。com 에 있어요",
        "xn--9n2bp8q.com 참고",
        "WWW.EXAMPLE.COM 보세요",
        "https：//example.com",
        "ftp://example.org/a",
    ],
)
def test_link_variants_in_comments_are_refused(own_sample_app, body):
    before = len(_comments(own_sample_app))
    response = post(own_sample_app.test_client(), body=body, address="198.51.100.9")
    assert response.status_code == 400, body
    assert len(_comments(own_sample_app)) == before


@pytest.mark.parametrize(
    "body",
    [
        "연락 ０１０-２３４５-６７８９ 주세요",
        "연락 010 2345 6789 주세요",
        "연락 010.2345.6789 주세요",
        "연락 +82-10-2345-6789 주세요",
        "연락 공일공-2345-6789",
        "메일 hong dot gildong at gmail.com",
    ],
)
def test_pii_variants_in_comments_are_refused(own_sample_app, body):
    response = post(own_sample_app.test_client(), body=body, address="198.51.100.10")
    assert response.status_code == 400, body


def test_forged_forwarded_for_does_not_reset_the_limit(own_sample_app):
    client = own_sample_app.test_client()
    codes = [
        post(
            client, headers={"X-Forwarded-For": f"192.0.2.{i}", "X-Real-IP": f"198.51.100.{i}"}, address="203.0.113.77"
        ).status_code
        for i in range(5)
    ]
    assert codes[:3] == [303] * 3 and codes[3:] == [429, 429]


def test_comment_email_never_public(own_sample_app):
    client = own_sample_app.test_client()
    assert post(client, email="secret.reader@example.com").status_code == 303
    for path in ["/records/D0000032552803", "/api/records/D0000032552803", "/feed.atom", "/api/statistics"]:
        assert "secret.reader" not in client.get(path).get_data(as_text=True), path


@pytest.mark.parametrize("value", ["en\r\nSet-Cookie: x=1", "en%0d%0aX: y", "<script>", "en;Path=/x", "e" * 5000])
def test_lang_values_are_not_reflected(sample_client, value):
    response = sample_client.get("/", query_string={"lang": value})
    assert response.status_code == 200
    cookies = response.headers.getlist("Set-Cookie")
    assert all("x=1" not in c and "Path=/x" not in c and "<script" not in c for c in cookies)
    assert "X" not in response.headers or response.headers.get("X") != "y"
    assert "<script>" not in response.get_data(as_text=True).split("<body", 1)[0]
    assert len(response.get_data()) < 200_000


def test_language_choice_varies_the_cache(sample_client):
    response = sample_client.get("/search?q=회의", headers={"Accept-Language": "en"})
    vary = response.headers.get("Vary", "")
    assert "Accept-Language" in vary and "Cookie" in vary
    api = sample_client.get("/api/search?q=회의", headers={"Accept-Language": "en"})
    assert api.status_code == 200


def test_admin_actions_refused_to_a_clerk_on_the_cli_twin_and_web(clerk_app):
    from tests.conftest import log_in

    client = clerk_app.test_client()
    log_in(client)
    assert client.get("/clerk/accounts").status_code in (403, 404) or client.get("/clerk/accounts/").status_code == 403
    html = client.get("/clerk/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if token:
        for path in ["/clerk/accounts/create", "/clerk/accounts/kim/role"]:
            assert client.post(
                path, data={"csrf_token": token.group(1), "name": "evil", "role": "admin", "password": "x" * 20}
            ).status_code in (403, 404, 405)


def test_mid_login_with_an_enrolled_factor_reaches_nothing_and_cannot_re_enrol(tmp_path):
    import pyotp

    from tests.conftest import csrf_token
    from tests.web.test_account_admin import ADMIN, build, client_for, enrol, logged_in, login_to_code

    app = build(tmp_path)
    enrol(client_for(app, ADMIN))
    client, response = login_to_code(app, ADMIN)
    assert response.headers["Location"].endswith("/clerk/login/code")
    token = csrf_token(client, "/clerk/login/code")
    for path, data in [("/clerk/accounts/new", {"name": "evil", "role": "admin",
                                                "password": "a long new password", "agencies": ""}),
                       ("/clerk/accounts/kim/role", {"role": "admin"}), ("/clerk/2fa", {"code": "123456"}),
                       ("/clerk/jobs/ocr", {}), ("/clerk/logout", {})]:
        answer = client.post(path, data={"csrf_token": token, **data})
        assert answer.status_code in (302, 303, 400, 401, 403, 404, 405), path
        assert not logged_in(client), path
    page = client.get("/clerk/login/enrol")
    html = page.get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([^<]+)<', html)
    if secret:  # a page offering a fresh secret would let a password alone replace the factor
        code = pyotp.TOTP(secret.group(1).replace(" ", "")).now()
        client.post("/clerk/login/enrol", data={"csrf_token": token, "code": code})
    assert not logged_in(client)
    for path in ["/clerk/", "/clerk/accounts", "/clerk/comments/", "/clerk/review", "/clerk/audit.csv"]:
        assert client.get(path).status_code in (302, 303, 403, 404), path


def test_statistics_do_not_reveal_an_agency_whose_only_record_was_withdrawn(tmp_path):
    from tests.builders import batch, record
    from tests.conftest import make_app

    app = make_app(tmp_path / "store")
    run = app.test_cli_runner()
    source = batch(tmp_path / "b",
                   (record(id="S-1", agency="숨은철회기관", title="철회기관기록"), {"본문.txt": "철회될 본문 하나"}),
                   (record(id="S-2"), {"본문.txt": "남는 본문"}))
    assert run.invoke(args=["ingest", str(source)]).exit_code == 0
    assert run.invoke(args=["users", "create", "kim", "--role", "clerk", "--password-stdin"],
                      input="correct horse battery\n").exit_code == 0
    client = app.test_client()
    assert "숨은철회기관" in client.get("/api/statistics").get_data(as_text=True)  # counted while public
    client.get("/api/statistics?agency=숨은철회기관")  # warm
    assert run.invoke(args=["withdraw", "S-1", "--reason", "r", "--clerk", "kim"]).exit_code == 0
    for path in ["/api/statistics", "/statistics", "/api/statistics?agency=숨은철회기관",
                 "/statistics?agency=숨은철회기관", "/api/search", "/search", "/", "/api/", "/sitemap.xml",
                 "/oai?verb=ListSets"]:
        body = client.get(path).get_data(as_text=True)
        body = body.replace("agency=%EC%88%A8", "").replace('"agency":"숨은철회기관"', "")
        assert "철회기관기록" not in body, path
        if "?agency=" not in path:
            assert "숨은철회기관" not in body, path
