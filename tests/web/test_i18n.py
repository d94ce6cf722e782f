"""Two languages (issue 13 item 1): Korean by default, English through gettext, every string translated."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from tests.conftest import CLERK, PASSWORD, PROJECT, log_in, make_app
from tests.web.i18n_support import compile_catalogs, read_catalog

SEED = "D0000032552803"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _methods() -> list[tuple[str, str]]:
    """What `make messages` extracts, as babel.cfg says: web/ and templates, and the refusals N_-marked
    in archive/, index/ and the services (archive/messages.py), which pages show in the reader's language."""
    with (PROJECT / "babel.cfg").open() as cfg:
        return parse_mapping_cfg(cfg)[0]


METHODS = _methods()


def _lang_of(html: str) -> str:
    return re.search(r'<html lang="(\w+)"', html).group(1)


@pytest.fixture(scope="module")
def translations(tmp_path_factory):
    return compile_catalogs(tmp_path_factory.mktemp("translations"))


@pytest.fixture
def app(sample_store, translations):
    return make_app(sample_store, BABEL_TRANSLATION_DIRECTORIES=str(translations))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def own_app(sample_store, translations, tmp_path):
    """A private copy of the sample store (renditions, sessions are written), with one clerk."""
    data_dir = tmp_path / "store"
    shutil.copytree(sample_store, data_dir, symlinks=True)
    app = make_app(data_dir, BABEL_TRANSLATION_DIRECTORIES=str(translations))
    result = app.test_cli_runner().invoke(args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"],
                                          input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    return app


def _interface_strings() -> dict:
    """Every string the templates and web/ mark for translation, as babel extracts them (_partials too)."""
    found = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(PROJECT), METHODS, keywords=KEYWORDS, directory_filter=lambda path: "__pycache__" not in path
            and not any(part.startswith(".") for part in path.split("/")[len(str(PROJECT).split("/")):])):
        found[message if isinstance(message, str) else tuple(message)[:2]] = _file
    return found


def test_every_interface_string_has_an_english_translation():
    strings = _interface_strings()
    assert len(strings) > 200 and "검색 결과" in strings and "관련 기록" in strings  # _partials read too
    # the refusals of archive/, index/ and the services are read too
    assert {"기록이 없습니다: %(record)s", "검색어가 너무 깁니다 (%(max)s자까지).", "그런 댓글이 없습니다.",
            "이미 작업 %(max)s건이 대기 중이거나 진행 중입니다. 끝난 뒤 다시 시도해 주십시오."} <= set(strings)
    english = read_catalog("en")
    problems = []
    for msgid, where in sorted(strings.items(), key=str):
        entry = english.get(msgid)
        if entry is None:
            problems.append(f"{where}: {msgid!r} is not in translations/en (run make messages)")
            continue
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(forms) or entry.fuzzy:
            problems.append(f"{where}: {msgid!r} has no English (empty or fuzzy)")
        wanted = set(PLACEHOLDER.findall(msgid if isinstance(msgid, str) else msgid[0]))
        if any(set(PLACEHOLDER.findall(form)) != wanted for form in forms if form):
            problems.append(f"{where}: {msgid!r} English placeholders differ")
    assert not problems, "\n".join(problems)


def test_a_missing_translation_is_caught(tmp_path):
    """The check above sees a string added to a template without a translation."""
    english = read_catalog("en")
    assert english.get("검색 결과").string == "Search results"
    assert english.get("이 문장은 어느 카탈로그에도 없습니다") is None


def test_korean_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert _lang_of(html) == "ko" and "공공기록 열람" in html and "Open public records" not in html
    assert 'lang="en"' not in html.replace('hreflang="en" lang="en">English</a>', "")  # nothing doubled


def test_lang_query_gives_english_and_the_cookie_keeps_it(client):
    first = client.get("/?lang=en")
    html = first.get_data(as_text=True)
    assert _lang_of(html) == "en" and "Open public records" in html and "공공기록 열람" not in html
    assert "lang=en" in first.headers["Set-Cookie"]
    # a link of an English page, followed without ?lang=: still English
    search = client.get("/search?q=협치").get_data(as_text=True)
    assert _lang_of(search) == "en" and "Search results" in search and "검색 결과" not in search
    record = client.get(f"/records/{SEED}").get_data(as_text=True)
    assert _lang_of(record) == "en" and "Attachments" in record and "Download original" in record
    back = client.get("/search?lang=ko").get_data(as_text=True)
    assert _lang_of(back) == "ko" and _lang_of(client.get("/").get_data(as_text=True)) == "ko"


def test_accept_language_then_cookie_then_query(client):
    assert _lang_of(client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)) == "en"
    assert _lang_of(client.get("/", headers={"Accept-Language": "fr-FR,fr"}).get_data(as_text=True)) == "ko"
    client.set_cookie("lang", "ko", domain="localhost")
    assert _lang_of(client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "ko"
    assert _lang_of(client.get("/?lang=en", headers={"Accept-Language": "ko"}).get_data(as_text=True)) == "en"


def test_an_unknown_language_is_ignored(client):
    response = client.get("/?lang=xx")
    assert _lang_of(response.get_data(as_text=True)) == "ko" and "Set-Cookie" not in response.headers
    assert {"Cookie", "Accept-Language"} <= set(response.headers["Vary"].replace(" ", "").split(","))


def test_every_page_links_to_the_other_language_here(client):
    html = client.get("/search?q=협치&agency=서울특별시&_external=1&foo=bar").get_data(as_text=True)
    links = re.findall(r'<a class="lang-switch" href="([^"]+)" hreflang="en" lang="en">English</a>', html)
    assert len(links) == 1
    link = links[0].replace("&amp;", "&")
    assert link.startswith("/search?") and "q=%ED%98%91%EC%B9%98" in link and "lang=en" in link
    assert "_external" not in link and "foo" not in link  # the page's known parameters only
    # a path that reads as another host stays on this site
    odd = client.get("//evil.example/x").get_data(as_text=True)
    assert 'href="//' not in odd
    english = client.get(f"/records/{SEED}?lang=en").get_data(as_text=True)
    assert f'href="/records/{SEED}?lang=ko" hreflang="ko" lang="ko">한국어</a>' in english


def test_dates_in_the_readers_language(app, client):
    from web.filters import locale_date

    for lang, spaced, seed in (("ko", "2018. 1. 4.", "2018.1.4."), ("en", "4 Jan 2018", "4 Jan 2018")):
        with app.test_request_context(f"/?lang={lang}"):
            assert locale_date("2018-01-04") == spaced and locale_date("2018-01-04", ko="seed") == seed
            assert locale_date("") == "" and locale_date("not a date") == "not a date"
    korean = client.get(f"/records/{SEED}").get_data(as_text=True)
    assert "2018.1.4." in korean and ">2018-01-04</time>" in korean  # the seed page's forms
    english = client.get(f"/records/{SEED}?lang=en").get_data(as_text=True)
    assert "4 Jan 2018" in english and "2018.1.4." not in english
    home = client.get("/?lang=ko").get_data(as_text=True)
    assert re.search(r">\d{4}\. \d{1,2}\. \d{1,2}\.</time>", home)


def test_json_is_the_same_in_every_language(client):
    for path in (f"/api/records/{SEED}", "/api/search?q=협치", "/api/", "/api/records/NO-SUCH"):
        korean = client.get(path).get_json()
        english = client.get(path + ("&" if "?" in path else "?") + "lang=en",
                             headers={"Accept-Language": "en"}).get_json()
        assert korean == english, path


def test_record_content_stays_as_released(client):
    record = client.get(f"/api/records/{SEED}").get_json()
    english = client.get(f"/records/{SEED}?lang=en").get_data(as_text=True).split("<body>", 1)[1]
    assert record["title"] in english
    assert record["agency"] in english and record["department"] in english
    assert "부분공개" not in english and "Partly public(6)" in english  # the level is interface, the grounds kept
    assert "Ground 6" in english and "personal" in english.lower()
    # licence conditions come from a macro in _partials/, which sees no template context
    for licence in record["licence_details"]:
        assert licence["conditions_en"] in english and licence["conditions_ko"] not in english


def test_error_pages_in_english(client):
    korean = client.get("/records/NO-SUCH")
    english = client.get("/records/NO-SUCH?lang=en")
    assert korean.status_code == english.status_code == 404
    assert "찾으시는 페이지나 기록이 없습니다" in korean.get_data(as_text=True)
    html = english.get_data(as_text=True)
    assert _lang_of(html) == "en" and "There is no such page or record." in html and "찾으시는" not in html


def test_withheld_page_in_english(client):
    html = client.get(f"/records/{SEED}?lang=en").get_data(as_text=True)
    assert "Withheld" in html and "비공개 문서" not in html


def test_clerk_pages_and_messages_in_english(own_app):
    client = own_app.test_client()
    login = client.get("/clerk/login?lang=en").get_data(as_text=True)
    assert "Clerk login" in login and "Password" in login and "비밀번호" not in login
    log_in(client)
    dashboard = client.get("/clerk/").get_data(as_text=True)
    assert _lang_of(dashboard) == "en" and "Workspace" in dashboard and "Personal data warnings" in dashboard
    assert "mobile phone number" in dashboard and "휴대전화번호" not in dashboard
    record = client.get(f"/clerk/records/{SEED}").get_data(as_text=True)
    assert "Audit trail" in record and "Withhold" in record
    token = re.search(r'name="csrf_token" value="([^"]+)"', dashboard).group(1)
    client.post("/clerk/logout", data={"csrf_token": token})
    assert "Logged out." in client.get("/").get_data(as_text=True)


def test_pdf_rendition_heading_in_the_readers_language(own_app):
    from pypdf import PdfReader

    client = own_app.test_client()
    record = client.get(f"/api/records/{SEED}").get_json()
    hwpx = next(a for a in record["attachments"] if a.get("name", "").endswith(".hwpx") and a["disclosure"] == "public")
    url = f"/records/{SEED}/attachments/{hwpx['n']}/pdf"
    texts = {}
    for lang in ("ko", "en"):
        response = client.get(f"{url}?lang={lang}")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        texts[lang] = PdfReader(io.BytesIO(response.get_data())).pages[0].extract_text()
    assert "텍스트 변환본" in texts["ko"] and "Text rendition" not in texts["ko"]
    assert "Text rendition" in texts["en"] and "텍스트 변환본" not in texts["en"]


def test_a_withhold_purges_the_rendition_of_every_language(own_app):
    """One rendition file per heading language: a withhold must leave none of them on disk."""
    client = own_app.test_client()
    record = client.get(f"/api/records/{SEED}").get_json()
    hwpx = next(a for a in record["attachments"] if a.get("name", "").endswith(".hwpx") and a["disclosure"] == "public")
    url = f"/records/{SEED}/attachments/{hwpx['n']}/pdf"
    for lang in ("ko", "en"):
        assert client.get(f"{url}?lang={lang}").status_code == 200
    cache = Path(own_app.config["DATA_DIR"]) / "renditions"
    assert len(list(cache.glob(f"{hwpx['sha256']}-*.pdf"))) == 2
    result = own_app.test_cli_runner().invoke(args=[
        "disclose", SEED, str(hwpx["n"]), "--withhold", "--ground", "6", "--reason", "개인정보", "--clerk", CLERK])
    assert result.exit_code == 0, result.output
    assert list(cache.glob(f"{hwpx['sha256']}-*.pdf")) == []
    for lang in ("ko", "en"):
        assert client.get(f"{url}?lang={lang}").status_code == 451
