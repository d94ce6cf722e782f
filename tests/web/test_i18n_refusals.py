"""Refusals raised below the web (issue 13): a page says them in the reader's language, the CLI as before.

A clerk's refused change, a refused query (page and API), a refused comment: Korean by default, English
once the reader chose it, never both at once; the command line keeps its English (archive.messages).
"""

from __future__ import annotations

import re
import shutil

import pytest

from archive.changes import ChangeRefused, NeedsConfirmation
from archive.messages import N_, Refusal, Words
from index.lang import QueryRefused, parse
from tests.conftest import CLERK, PASSWORD, csrf_token, log_in, make_app
from tests.web.i18n_support import compile_catalogs

SEED = "D0000032552803"
LONG_QUERY = "가" * 301  # past MAX_QUERY_CHARS


@pytest.fixture(scope="module")
def translations(tmp_path_factory):
    return compile_catalogs(tmp_path_factory.mktemp("translations"))


@pytest.fixture
def own_app(sample_store, translations, tmp_path):
    """A private copy of the sample store (comments and sessions are written), with one clerk."""
    data_dir = tmp_path / "store"
    shutil.copytree(sample_store, data_dir, symlinks=True)
    app = make_app(data_dir, BABEL_TRANSLATION_DIRECTORIES=str(translations))
    result = app.test_cli_runner().invoke(args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"],
                                          input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    return app


def _alerts(html: str) -> str:
    return " ".join(re.findall(r'<p class="flash error"[^>]*>(.*?)</p>', html, re.S))


def _in_english(client) -> None:
    client.get("/?lang=en")  # the reader's choice, kept in the cookie for what follows


@pytest.mark.parametrize("english", [False, True])
def test_a_refused_query_speaks_the_readers_language(own_app, english):
    client = own_app.test_client()
    if english:
        _in_english(client)
    page = client.get("/search", query_string={"q": LONG_QUERY})
    api = client.get("/api/search", query_string={"q": LONG_QUERY})
    alert, message = _alerts(page.get_data(as_text=True)), api.get_json()["error"]["message"]
    assert page.status_code == 400 and api.status_code == 400 and api.get_json()["error"]["code"] == 400
    korean, english_text = "검색어가 너무 깁니다 (300자까지).", "The query is too long (300 characters at most)."
    assert alert == message == (english_text if english else korean)


@pytest.mark.parametrize("english", [False, True])
def test_a_clerks_refused_change_speaks_the_clerks_language(own_app, english):
    client = own_app.test_client()
    assert log_in(client).status_code == 302
    if english:
        _in_english(client)
    token = csrf_token(client, f"/clerk/records/{SEED}")
    response = client.post(f"/clerk/records/{SEED}/attachments/1/release",
                           data={"csrf_token": token, "reason": "검토 완료"})
    alert = _alerts(response.get_data(as_text=True))
    assert response.status_code == 400
    if english:
        assert alert == "Not changed: the attachment is public already"
    else:
        assert alert == "바꾸지 못했습니다: 첨부파일이 이미 공개되어 있습니다."


@pytest.mark.parametrize("english", [False, True])
def test_a_refused_comment_speaks_the_readers_language(own_app, english):
    client = own_app.test_client()
    if english:
        _in_english(client)
    html = client.get(f"/records/{SEED}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(f"/records/{SEED}/comments", environ_base={"REMOTE_ADDR": "203.0.113.9"},
                           data={"csrf_token": token, "display_name": "시민", "email": "reader@example.com",
                                 "body": "연락 주세요 010-2345-6789"})
    alert = _alerts(response.get_data(as_text=True))
    assert response.status_code == 400
    if english:  # the kind of personal data too, from the catalog
        assert alert == "The comment holds personal data (mobile phone number); remove it and send again."
    else:
        assert alert == "개인정보(휴대전화번호)가 들어 있어 받을 수 없습니다: 지우고 다시 보내 주십시오."


@pytest.mark.parametrize("english", [False, True])
def test_an_admins_refused_action_speaks_the_admins_language(own_app, english):
    result = own_app.test_cli_runner().invoke(args=["users", "create", "park", "--role", "admin", "--password-stdin"],
                                              input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    client = own_app.test_client()
    assert log_in(client, "park").status_code == 302
    if english:
        _in_english(client)
    response = client.post("/clerk/accounts/park/disable", data={"csrf_token": csrf_token(client, "/clerk/2fa")})
    alert = _alerts(response.get_data(as_text=True))
    assert response.status_code == 409
    assert alert == ("You cannot disable your own account." if english else "자기 계정은 사용 중지할 수 없습니다.")


def test_the_command_line_prints_what_it_printed(own_app):
    """English for the clerk's commands, as before; Korean then English where it was both."""
    runner = own_app.test_cli_runner()
    result = runner.invoke(args=["disclose", SEED, "1", "--release", "--reason", "r", "--clerk", CLERK])
    assert result.exit_code == 1 and "refused: the attachment is public already" in result.output
    result = runner.invoke(args=["disclose", "NOPE", "1", "--withhold", "--ground", "6", "--reason", "r",
                                 "--clerk", CLERK])
    assert "refused: no such record: NOPE" in result.output
    with pytest.raises(QueryRefused) as refused:
        parse(LONG_QUERY)
    assert str(refused.value) == "검색어가 너무 깁니다 (300자까지). The query is too long (300 characters at most)."


def test_a_refusal_carries_its_msgid_and_params():
    refused = ChangeRefused(N_("기록이 없습니다: %(record)s"), record="X-1")
    assert (refused.msgid, refused.params) == ("기록이 없습니다: %(record)s", {"record": "X-1"})
    assert refused.korean() == "기록이 없습니다: X-1" and str(refused) == refused.english() == "no such record: X-1"
    confirm = NeedsConfirmation([("mobile", "010-****-7741")])
    assert str(confirm).startswith("이 첨부파일에 개인정보") and "personal data" in str(confirm)

    class Both(Refusal, ValueError):
        cli = "both"

    # a Words parameter is worded too; a msgid the catalog lacks is said once, never twice
    kinds = Both(N_("개인정보(%(kinds)s)가 들어 있어 받을 수 없습니다: 지우고 다시 보내 주십시오."),
                 kinds=Words(["주민등록번호", "휴대전화번호"]))
    assert "(resident registration number, mobile phone number)" in kinds.english()
    assert str(Both("카탈로그에 없는 문장입니다.")) == "카탈로그에 없는 문장입니다."
