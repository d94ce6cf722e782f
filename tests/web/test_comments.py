"""Readers' comments (issue 13 item 6) through the real app, store and CLI: nothing public before a clerk
approves it, personal data and links refused, limits per address, CSRF, the JSON twin, scoped clerks,
the switch that turns it off."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from archive import comments
from archive.pii import rrn_is_valid
from archive.store import Store
from tests.conftest import CLERK, PASSWORD, log_in, make_app

SEED = "D0000032552803"  # 서울특별시
BUSAN = "BUSAN-UPC-2022-05"


def _rrn() -> str:
    """A resident registration number whose check digit is right (the detector ignores others)."""
    for last in range(10):
        digits = f"900101123456{last}"
        if rrn_is_valid(digits):
            return f"{digits[:6]}-{digits[6:]}"
    raise AssertionError


def _token(client, record_id: str = SEED) -> str:
    html = client.get(f"/records/{record_id}").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def post(client, record_id: str = SEED, address: str = "203.0.113.5", headers=None, **fields):
    data = {"csrf_token": _token(client), "display_name": "시민", "email": "reader@example.com",
            "body": "잘 읽었습니다. 후속 조치가 궁금합니다.", **fields}
    return client.post(f"/records/{record_id}/comments", data=data, headers=headers or {},
                       environ_base={"REMOTE_ADDR": address})


def _store(app) -> Store:
    return Store(Path(app.config["DATA_DIR"]))


def _comments(app) -> list:
    store = _store(app)
    try:
        return store.db.execute("SELECT id, state, body, email FROM comments ORDER BY id").fetchall()
    finally:
        store.close()


def _section(html: str) -> str:
    return html.split('<section id="comments"', 1)[1].split("</section>", 1)[0]


def test_a_comment_is_public_only_once_a_clerk_approves_it_and_gone_once_removed(clerk_app):
    reader = clerk_app.test_client()
    response = post(reader, body="회의 결과가\n잘 정리되어 있습니다")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/records/{SEED}#comments")
    assert "담당자가 확인한 뒤 게시됩니다" in reader.get(f"/records/{SEED}").get_data(as_text=True)
    assert "잘 정리되어" not in reader.get(f"/records/{SEED}").get_data(as_text=True)
    assert reader.get(f"/api/records/{SEED}").get_json()["comments"] == []
    clerk = clerk_app.test_client()
    log_in(clerk)
    queue = clerk.get("/clerk/comments/").get_data(as_text=True)
    assert "잘 정리되어" in queue and "reader@example.com" in queue  # the clerk sees the e-mail
    (comment_id, *_), = _comments(clerk_app)
    assert clerk.post(f"/clerk/comments/{comment_id}/approve",
                      data={"csrf_token": _clerk_token(clerk)}).status_code == 303
    page = reader.get(f"/records/{SEED}").get_data(as_text=True)
    assert "회의 결과가<br>잘 정리되어 있습니다" in _section(page) and "시민" in _section(page)
    assert "reader@example.com" not in page
    listed = reader.get(f"/api/records/{SEED}").get_json()["comments"]
    assert listed == [{"name": "시민", "text": "회의 결과가\n잘 정리되어 있습니다", "date": listed[0]["date"]}]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", listed[0]["date"])
    assert clerk.post(f"/clerk/comments/{comment_id}/remove",
                      data={"csrf_token": _clerk_token(clerk), "reason": "게시 요청 철회"}).status_code == 303
    assert "잘 정리되어" not in reader.get(f"/records/{SEED}").get_data(as_text=True)
    assert reader.get(f"/api/records/{SEED}").get_json()["comments"] == []
    store = _store(clerk_app)
    try:
        log = store.comment_log()
        assert [(e["action"], e["from_state"], e["clerk"]) for e in log] == [
            ("remove", "approved", CLERK), ("approve", "pending", CLERK)]
        assert log[0]["reason"] == "게시 요청 철회"
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute("UPDATE comment_log SET clerk = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.execute("DELETE FROM comment_log")
    finally:
        store.close()
    # decided once: a second approve of a removed comment changes nothing
    again = clerk.post(f"/clerk/comments/{comment_id}/approve", data={"csrf_token": _clerk_token(clerk)})
    assert again.status_code == 303 and "이미 처리된 댓글" in clerk.get("/clerk/comments/").get_data(as_text=True)
    assert _comments(clerk_app)[0][1] == "removed"


def _clerk_token(client) -> str:
    html = client.get("/clerk/comments/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("field, value, reason", [
    ("body", f"제 주민번호는 {_rrn()} 입니다", "주민등록번호"),
    ("body", "연락 주세요 010-2345-6789", "휴대전화번호"),
    ("body", "사무실 02-2133-1234 로 전화", "전화번호"),
    ("body", "회신은 hong.gildong@gmail.com 으로", "개인 전자우편"),
    ("display_name", "홍길동 01023456789", "휴대전화번호"),
    ("body", "자세한 내용은 https://example.com/x 참고", "링크"),
    ("body", "www.example.com 에 더 있습니다", "링크"),
    ("body", "bit.ly/abc 를 보세요", "링크"),
    ("display_name", "example.com", "링크"),
    ("body", "가" * 1001, "1000자"),
    ("body", "가", "2~1000자"),
    ("display_name", "가" * 41, "1~40자"),
    ("display_name", "", "1~40자"),
    ("email", "not-an-address", "전자우편 주소를 확인"),
    ("body", "방향이 \u202e바뀌는 글", "U+202E"),
])
def test_refused_comments_say_why_and_store_nothing(sample_app, field, value, reason):
    app = sample_app
    client = app.test_client()
    before = len(_comments(app))
    response = post(client, **{field: value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert reason in _section(html) and 'role="alert"' in _section(html)
    assert len(_comments(app)) == before
    if field == "body" and reason not in ("1000자",):
        assert "시민" in _section(html)  # the form keeps what was typed


def test_nothing_is_linked_and_markup_is_escaped(clerk_app):
    client = clerk_app.test_client()
    assert post(client, body='<a href="javascript:alert(1)">눌러</a> <script>alert(1)</script>',
                display_name="<b>굵게</b>").status_code == 303
    clerk = clerk_app.test_client()
    log_in(clerk)
    (comment_id, *_), = _comments(clerk_app)
    clerk.post(f"/clerk/comments/{comment_id}/approve", data={"csrf_token": _clerk_token(clerk)})
    section = _section(client.get(f"/records/{SEED}").get_data(as_text=True))
    assert "&lt;script&gt;" in section and "<script" not in section and "&lt;b&gt;굵게" in section
    assert "<a " not in section.split("<form", 1)[0]  # the comments themselves hold no link


def test_limits_per_address(sample_app, tmp_path):
    import shutil

    shutil.copytree(sample_app.config["DATA_DIR"], tmp_path / "store", symlinks=True)
    app = make_app(tmp_path / "store")
    client = app.test_client()
    for _ in range(3):
        assert post(client, address="198.51.100.7").status_code == 303
    refused = post(client, address="198.51.100.7")
    assert refused.status_code == 429 and 500 < int(refused.headers["Retry-After"]) <= 601
    assert "너무 잦습니다" in refused.get_data(as_text=True)
    assert post(client, address="198.51.100.8").status_code == 303  # another address is its own
    # an IPv6 /64 is one subscriber: its addresses share the limit
    for n in range(3):
        assert post(client, address=f"2001:db8:1:2::{n + 1}").status_code == 303
    assert post(client, address="2001:db8:1:2::99").status_code == 429
    # X-Forwarded-For is believed only with ARCHIVE_TRUSTED_PROXIES: without, the proxy is the address
    forged = {"X-Forwarded-For": "192.0.2.55"}
    assert post(client, address="198.51.100.7", headers=forged).status_code == 429
    assert len(_comments(app)) == 7


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(sample_store, tmp_path):
    import shutil

    shutil.copytree(sample_store, tmp_path / "store", symlinks=True)
    app = make_app(tmp_path / "store", TRUSTED_PROXIES="1")
    client = app.test_client()
    for _ in range(3):
        assert post(client, address="10.0.0.1", headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 303
    assert post(client, address="10.0.0.1", headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 429
    assert post(client, address="10.0.0.1", headers={"X-Forwarded-For": "192.0.2.2"}).status_code == 303


def test_the_clerks_queue_cannot_be_flooded_from_many_addresses(clerk_app, monkeypatch):
    monkeypatch.setattr(comments, "MAX_PENDING", 2)
    client = clerk_app.test_client()
    assert post(client, address="192.0.2.1").status_code == 303
    assert post(client, address="192.0.2.2").status_code == 303
    assert post(client, address="192.0.2.3").status_code == 429
    clerk = clerk_app.test_client()
    log_in(clerk)
    clerk.post("/clerk/comments/1/approve", data={"csrf_token": _clerk_token(clerk)})
    assert post(client, address="192.0.2.3").status_code == 303  # one fewer waiting: room again


def test_without_the_csrf_token_nothing_is_taken(sample_app):
    client = sample_app.test_client()
    before = len(_comments(sample_app))
    response = client.post(f"/records/{SEED}/comments", data={"display_name": "시민", "email": "a@example.com",
                                                               "body": "토큰 없이"})
    assert response.status_code == 400 and len(_comments(sample_app)) == before


def test_unknown_and_withdrawn_records_take_no_comment(clerk_app):
    client = clerk_app.test_client()
    assert post(client, record_id="NO-SUCH-RECORD").status_code == 404
    token = _token(client)  # a form loaded before the withdrawal still posts
    done = clerk_app.test_cli_runner().invoke(args=["withdraw", SEED, "--reason", "잘못 올림", "--clerk", CLERK])
    assert done.exit_code == 0, done.output
    response = client.post(f"/records/{SEED}/comments", data={"csrf_token": token, "display_name": "시민",
                                                               "email": "a@example.com", "body": "철회 뒤"})
    assert response.status_code == 410 and _comments(clerk_app) == []


def test_comments_off(sample_store, tmp_path, monkeypatch):
    import shutil

    shutil.copytree(sample_store, tmp_path / "store", symlinks=True)
    app = make_app(tmp_path / "store", COMMENTS=False)
    client = app.test_client()
    html = client.get(f"/records/{SEED}").get_data(as_text=True)
    assert 'id="comments"' not in html and "/comments" not in html
    assert "comments" not in client.get(f"/api/records/{SEED}").get_json()
    assert client.post(f"/records/{SEED}/comments", data={"display_name": "a"}).status_code in (400, 404)
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post(f"/records/{SEED}/comments", data={"display_name": "시민", "email": "a@example.com",
                                                          "body": "꺼져 있음"}).status_code == 404
    monkeypatch.setenv("ARCHIVE_COMMENTS", "0")
    off = make_app(tmp_path / "store")
    assert off.config["COMMENTS"] is False
    monkeypatch.setenv("ARCHIVE_COMMENTS", "yes")
    with pytest.raises(RuntimeError, match="ARCHIVE_COMMENTS"):
        make_app(tmp_path / "store")


def _create(app, *args) -> None:
    result = app.test_cli_runner().invoke(args=["users", "create", *args, "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output


def test_scoped_clerks_moderate_their_agencies_comments_only(clerk_app):
    _create(clerk_app, "park", "--role", "clerk", "--agency", "부산광역시")
    reader = clerk_app.test_client()
    assert post(reader, body="서울 기록에 대한 의견").status_code == 303
    assert post(reader, record_id=BUSAN, body="부산 기록에 대한 의견", address="192.0.2.9").status_code == 303
    park = clerk_app.test_client()
    log_in(park, "park")
    queue = park.get("/clerk/comments/").get_data(as_text=True)
    assert "부산 기록에 대한 의견" in queue and "서울 기록에 대한 의견" not in queue
    seoul_id = next(c[0] for c in _comments(clerk_app) if "서울" in c[2])
    refused = park.post(f"/clerk/comments/{seoul_id}/approve", data={"csrf_token": _clerk_token(park)})
    assert refused.status_code == 403 and "기관의 기록을 다룰 수 없습니다" in refused.get_data(as_text=True)
    assert _comments(clerk_app)[0][1] == "pending"
    store = _store(clerk_app)
    try:
        assert any(r["action"] == f"approve comment {seoul_id}" for r in store.refusals(clerk="park"))
    finally:
        store.close()
    kim = clerk_app.test_client()
    log_in(kim)  # made without --agency: acts for all
    assert "서울 기록에 대한 의견" in kim.get("/clerk/comments/").get_data(as_text=True)


def test_moderation_needs_a_login(sample_client):
    response = sample_client.get("/clerk/comments/")
    assert response.status_code == 302 and "/clerk/login" in response.headers["Location"]
    assert sample_client.post("/clerk/comments/1/approve").status_code in (302, 400)
